package dqn

import (
	"flag"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/arcade-go/arcade/kernel"
)

var benchFor = flag.Duration("dqn.bench", 5*time.Second, "BenchmarkThroughput: time of each of its four measurements")

// BenchmarkThroughput runs Benchmark on the fast preset:
//
//	go test -run NONE -bench Throughput -benchtime 1x -dqn.bench 30s ./models/dqn
func BenchmarkThroughput(b *testing.B) {
	for range b.N {
		t, err := Benchmark(kernel.Backend(), Fast(), *benchFor, os.Stdout)
		if err != nil {
			b.Fatal(err)
		}
		b.Log(t)
		b.ReportMetric(t.SeqSteps, "seq-steps/s")
		b.ReportMetric(t.SeqIters, "seq-it/s")
		b.ReportMetric(t.ConcSteps, "conc-steps/s")
		b.ReportMetric(t.ConcIters, "conc-it/s")
	}
}

// BenchmarkLearnerIteration times one training iteration of the fast preset
// as Train runs it: sample a batch, build the inputs, take the step. For a
// profile:
//
//	go test -run NONE -bench LearnerIteration -benchtime 60x -cpuprofile cpu.prof ./models/dqn
func BenchmarkLearnerIteration(b *testing.B) {
	cfg := Fast()
	learner, err := NewLearner(kernel.Backend(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	replay, _ := NewReplay(cfg.ReplaySize, cfg.Games)
	w, _ := learner.ActingWeights()
	actor, err := NewActor(kernel.Backend(), cfg, replay, w, 1)
	if err != nil {
		b.Fatal(err)
	}
	for replay.Len() < 1000 {
		if _, err := actor.Step(); err != nil {
			b.Fatal(err)
		}
	}
	batch := NewBatch(cfg.BatchSize)
	rng := rand.New(rand.NewPCG(1, 2))
	learn := func() {
		if err := replay.Sample(rng, batch); err != nil {
			b.Fatal(err)
		}
		if _, _, err := learner.Train(batch); err != nil {
			b.Fatal(err)
		}
	}
	learn() // compile
	b.ResetTimer()
	for range b.N {
		learn()
	}
}
