package flappy

import (
	"math/rand/v2"
	"testing"
)

// Benchmarks report steps/s. The actions are random (1 flap in 8, so
// episodes are short and restarts are part of the cost).
//
//	go test -run=^$ -bench=. -cpu=1 ./envs/flappy/

func randomFlaps(n int) []bool {
	rng := rand.New(rand.NewPCG(1, 1))
	f := make([]bool, n)
	for i := range f {
		f[i] = rng.IntN(8) == 0
	}
	return f
}

func reportSteps(b *testing.B, steps int) {
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkGamePhysics: one game, physics only (Advance).
func BenchmarkGamePhysics(b *testing.B) {
	g, flaps := New(1), randomFlaps(1024)
	for i := 0; b.Loop(); i++ {
		g.Advance(flaps[i%len(flaps)])
	}
	reportSteps(b, b.N)
}

// BenchmarkGamePreprocessed: one game, physics and the 64x64 observation
// (Step), the DQN's path.
func BenchmarkGamePreprocessed(b *testing.B) {
	g, flaps := New(1), randomFlaps(1024)
	for i := 0; b.Loop(); i++ {
		g.Step(flaps[i%len(flaps)])
	}
	reportSteps(b, b.N)
}

// BenchmarkGamePreprocessedWithStack: Step plus pushing the frame and writing
// the float32 [4,64,64] input, what an actor does per frame.
func BenchmarkGamePreprocessedWithStack(b *testing.B) {
	g, flaps := New(1), randomFlaps(1024)
	var s Stack
	dst := make([]float32, ObservationSize)
	for i := 0; b.Loop(); i++ {
		f, _, _ := g.Step(flaps[i%len(flaps)])
		s.Push(f)
		_ = s.WriteFloat32(dst)
	}
	reportSteps(b, b.N)
}

// BenchmarkGameRendered: one game, physics and the 288x512 screen (Render).
func BenchmarkGameRendered(b *testing.B) {
	g, flaps := New(1), randomFlaps(1024)
	img := NewScreen()
	for i := 0; b.Loop(); i++ {
		g.Advance(flaps[i%len(flaps)])
		g.Render(img, ThemeDay)
	}
	reportSteps(b, b.N)
}

// BenchmarkGameRenderThenResize: the reference's path, physics, the black
// 288x512 screen and Preprocess.
func BenchmarkGameRenderThenResize(b *testing.B) {
	g, flaps := New(1), randomFlaps(1024)
	img := NewScreen()
	var f Frame
	for i := 0; b.Loop(); i++ {
		g.Advance(flaps[i%len(flaps)])
		g.Render(img, ThemeBlack)
		_ = Preprocess(img, &f)
	}
	reportSteps(b, b.N)
}

// BenchmarkBatch32Preprocessed: a batch of 32 games with stacks; steps/s
// counts game steps (32 per Batch.Step).
func BenchmarkBatch32Preprocessed(b *testing.B) {
	const n = 32
	bt, _ := NewBatch(n, 1)
	flaps := randomFlaps(n * 1024)
	obs := make([]float32, n*ObservationSize)
	for i := 0; b.Loop(); i++ {
		k := (i % 1024) * n
		_, _, _ = bt.Step(flaps[k : k+n])
	}
	reportSteps(b, b.N*n)
	_ = bt.Observations(obs)
}

// BenchmarkBatch32Observations: a batch of 32 games with stacks, also
// writing the [32,4,64,64] float32 input every step.
func BenchmarkBatch32Observations(b *testing.B) {
	const n = 32
	bt, _ := NewBatch(n, 1)
	flaps := randomFlaps(n * 1024)
	obs := make([]float32, n*ObservationSize)
	for i := 0; b.Loop(); i++ {
		k := (i % 1024) * n
		_, _, _ = bt.Step(flaps[k : k+n])
		_ = bt.Observations(obs)
	}
	reportSteps(b, b.N*n)
}

// BenchmarkBatch32Rendered: a batch of 32 games, each also rendered at
// 288x512.
func BenchmarkBatch32Rendered(b *testing.B) {
	const n = 32
	bt, _ := NewBatch(n, 1)
	flaps := randomFlaps(n * 1024)
	img := NewScreen()
	for i := 0; b.Loop(); i++ {
		k := (i % 1024) * n
		_, _, _ = bt.Step(flaps[k : k+n])
		for j := range n {
			bt.Game(j).Render(img, ThemeDay)
		}
	}
	reportSteps(b, b.N*n)
}
