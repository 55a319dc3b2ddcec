package dqn

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute"

	"github.com/arcade-go/arcade/envs/flappy"
)

// Throughput is what Benchmark measured, in environment steps (decisions, all
// games) and training iterations per second: the actor and the learner each
// alone, then both at the config's replay ratio (StepsPerUpdate environment
// steps per iteration) in turn, as Train runs them (sequential), and, for
// comparison, with the actor playing beside the learner in a goroutine of its
// own (concurrent).
type Throughput struct {
	Games        int
	Ratio        float64 // environment steps per training iteration
	ActorAlone   float64 // environment steps/s, learner idle
	LearnerAlone float64 // training iterations/s, actor idle (sampling included)
	SeqSteps     float64 // environment steps/s, acting and learning in turn (Train)
	SeqIters     float64 // training iterations/s, acting and learning in turn (Train)
	ConcSteps    float64 // environment steps/s, the actor playing beside the learner
	ConcIters    float64 // training iterations/s, the actor playing beside the learner
}

func (t Throughput) String() string {
	return fmt.Sprintf("games %d: actor alone %.1f steps/s, learner alone %.2f it/s (%.0f ms/it); at %.0f steps/it: sequential (Train) %.1f steps/s, %.2f it/s; concurrent %.1f steps/s, %.2f it/s",
		t.Games, t.ActorAlone, t.LearnerAlone, 1000/t.LearnerAlone, t.Ratio, t.SeqSteps, t.SeqIters, t.ConcSteps, t.ConcIters)
}

// Benchmark measures cfg's actor and learner for about d per measurement
// (four of them; the sequential and concurrent ones are each two halves,
// interleaved). Progress lines go to out (nil: none).
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
	ratio := cfg.StepsPerUpdate
	if ratio == 0 {
		ratio = float64(cfg.Games)
	}
	t := Throughput{Games: cfg.Games, Ratio: ratio}
	// learn is one training iteration (the acting weights stay: their copy
	// costs little).
	learn := func() error {
		if err := replay.Sample(rng, batch); err != nil {
			return err
		}
		_, _, err := learner.Train(batch)
		return err
	}
	// Warm up: compile both graphs and fill a few batches of replay memory.
	for replay.Len() < 4*cfg.BatchSize {
		if _, err := actor.Step(); err != nil {
			return t, err
		}
	}
	if err := learn(); err != nil {
		return t, err
	}
	rate := func(n int64, t0 time.Time) float64 { return float64(n) / time.Since(t0).Seconds() }

	t0, s0 := time.Now(), actor.Steps()
	for time.Since(t0) < d {
		if _, err := actor.Step(); err != nil {
			return t, err
		}
	}
	t.ActorAlone = rate(actor.Steps()-s0, t0)
	fmt.Fprintf(out, "actor alone: %.1f steps/s\n", t.ActorAlone)

	t0, n := time.Now(), int64(0)
	for ; time.Since(t0) < d; n++ {
		if err := learn(); err != nil {
			return t, err
		}
	}
	t.LearnerAlone = rate(n, t0)
	fmt.Fprintf(out, "learner alone: %.2f it/s\n", t.LearnerAlone)

	// Rounds of the actor steps the next iteration needs, then (sequential,
	// as Train) or meanwhile (concurrent) one training iteration.
	rounds := func(concurrent bool) (steps, iters float64, err error) {
		t0, s0, n := time.Now(), actor.Steps(), int64(0)
		for ; time.Since(t0) < d; n++ {
			next := int64(math.Ceil(ratio * float64(n+2)))
			p := play(actor, int(max(0, (next-(actor.Steps()-s0)+int64(cfg.Games)-1)/int64(cfg.Games))))
			if !concurrent {
				if _, err := p.wait(); err != nil {
					return 0, 0, err
				}
			}
			err := learn()
			if _, perr := p.wait(); err != nil || perr != nil {
				return 0, 0, errors.Join(err, perr)
			}
		}
		return rate(actor.Steps()-s0, t0), rate(n, t0), nil
	}
	// Twice each, interleaved, halves of d, so that a change of load on a
	// shared machine weighs on both alike.
	d /= 2
	for range 2 {
		for _, concurrent := range []bool{false, true} {
			steps, iters, err := rounds(concurrent)
			if err != nil {
				return t, err
			}
			if concurrent {
				fmt.Fprintf(out, "concurrent: %.1f steps/s, %.2f it/s\n", steps, iters)
				t.ConcSteps, t.ConcIters = t.ConcSteps+steps/2, t.ConcIters+iters/2
			} else {
				fmt.Fprintf(out, "sequential: %.1f steps/s, %.2f it/s\n", steps, iters)
				t.SeqSteps, t.SeqIters = t.SeqSteps+steps/2, t.SeqIters+iters/2
			}
		}
	}
	return t, err
}

// playing is the actor steps of play under way.
type playing struct {
	done     chan struct{}
	episodes []flappy.Episode
	err      error
}

// play starts n steps of the actor a in a goroutine of its own, so that it
// plays while the learner trains (Benchmark's concurrent rounds), and returns
// at once. Until wait returns, use the actor no other way (the replay memory
// is safe to sample).
func play(a *Actor, n int) *playing {
	p := &playing{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for range n {
			ended, err := a.Step()
			if err != nil {
				p.err = err
				return
			}
			p.episodes = append(p.episodes, ended...)
		}
	}()
	return p
}

// wait waits for the steps of play and returns the episodes that ended.
func (p *playing) wait() ([]flappy.Episode, error) {
	<-p.done
	return p.episodes, p.err
}
