package dqn

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomlx/compute"
)

// Throughput is what Benchmark measured: environment steps (decisions, all
// games) per second of the actor and training iterations per second of the
// learner, each alone and both running side by side.
type Throughput struct {
	Games           int
	ActorAlone      float64 // environment steps/s, learner idle
	LearnerAlone    float64 // training iterations/s, actor idle
	ActorTogether   float64 // environment steps/s with the learner training beside it
	LearnerTogether float64 // training iterations/s with the actor playing beside it
}

func (t Throughput) String() string {
	return fmt.Sprintf("games %d: actor alone %.1f steps/s, learner alone %.2f it/s (%.0f samples/s); together: actor %.1f steps/s (%.0f%%), learner %.2f it/s (%.0f%%)",
		t.Games, t.ActorAlone, t.LearnerAlone, 32*t.LearnerAlone, t.ActorTogether, 100*t.ActorTogether/t.ActorAlone,
		t.LearnerTogether, 100*t.LearnerTogether/t.LearnerAlone)
}

// Benchmark measures the actor and the learner of cfg for about d each:
// alone, then side by side in two goroutines (as Train runs them, without the
// StepsPerUpdate limit). Progress lines go to out (nil: none).
func Benchmark(backend compute.Backend, cfg Config, d time.Duration, out io.Writer) (Throughput, error) {
	if out == nil {
		out = io.Discard
	}
	cfg.Observe = 0
	cfg.EvalEvery = 0
	if err := cfg.Validate(); err != nil {
		return Throughput{}, err
	}
	learner, err := NewLearner(backend, cfg)
	if err != nil {
		return Throughput{}, err
	}
	replay, err := NewReplay(cfg.ReplaySize, cfg.Games)
	if err != nil {
		return Throughput{}, err
	}
	w, err := learner.ActingWeights()
	if err != nil {
		return Throughput{}, err
	}
	actor, err := NewActor(backend, cfg, replay, w, 1)
	if err != nil {
		return Throughput{}, err
	}
	batch := NewBatch(cfg.BatchSize)
	rng := rand.New(rand.NewPCG(1, 2))
	// Warm up: compile both graphs and fill a few batches of replay memory.
	for replay.Len() < 4*cfg.BatchSize {
		if _, err := actor.Step(); err != nil {
			return Throughput{}, err
		}
	}
	if err := replay.Sample(rng, batch); err != nil {
		return Throughput{}, err
	}
	if _, _, err := learner.Train(batch); err != nil {
		return Throughput{}, err
	}
	actorFor := func(stop *atomic.Bool) (float64, error) {
		t0, s0 := time.Now(), actor.Steps()
		for !stop.Load() {
			if _, err := actor.Step(); err != nil {
				return 0, err
			}
		}
		return float64(actor.Steps()-s0) / time.Since(t0).Seconds(), nil
	}
	learnerFor := func(stop *atomic.Bool) (float64, error) {
		t0, n := time.Now(), 0
		for !stop.Load() {
			if err := replay.Sample(rng, batch); err != nil {
				return 0, err
			}
			if _, synced, err := learner.Train(batch); err != nil {
				return 0, err
			} else if synced {
				aw, err := learner.ActingWeights()
				if err != nil {
					return 0, err
				}
				actor.SetWeights(aw)
			}
			n++
		}
		return float64(n) / time.Since(t0).Seconds(), nil
	}
	timer := func(stop *atomic.Bool) { time.Sleep(d); stop.Store(true) }
	var t Throughput
	t.Games = cfg.Games
	var stop atomic.Bool
	go timer(&stop)
	if t.ActorAlone, err = actorFor(&stop); err != nil {
		return t, err
	}
	fmt.Fprintf(out, "actor alone: %.1f steps/s\n", t.ActorAlone)
	stop.Store(false)
	go timer(&stop)
	if t.LearnerAlone, err = learnerFor(&stop); err != nil {
		return t, err
	}
	fmt.Fprintf(out, "learner alone: %.2f it/s\n", t.LearnerAlone)
	stop.Store(false)
	go timer(&stop)
	var wg sync.WaitGroup
	var aErr error
	wg.Add(1)
	go func() { defer wg.Done(); t.ActorTogether, aErr = actorFor(&stop) }()
	t.LearnerTogether, err = learnerFor(&stop)
	wg.Wait()
	if err == nil {
		err = aErr
	}
	fmt.Fprintf(out, "together: actor %.1f steps/s, learner %.2f it/s\n", t.ActorTogether, t.LearnerTogether)
	return t, err
}
