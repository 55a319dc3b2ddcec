package atari

import "testing"

// BenchmarkBatches measures the tutorial's iterator: one op is one batch of
// 16 [3,64,64] images (about 16.3 env steps with the blank-frame filter).
func BenchmarkBatches(b *testing.B) {
	it, err := NewBatcher(BatchConfig{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		it.Next()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
}

// BenchmarkPreprocess measures the 210x160 -> 3x64x64 resize alone.
func BenchmarkPreprocess(b *testing.B) {
	f := playFrames(b, "breakout", 1, 1)[0]
	dst := make([]float32, 3*64*64)
	for b.Loop() {
		Preprocess(f, 64, dst)
	}
}

// BenchmarkStep measures one -v0 step (2..4 frames and a render) per game.
func BenchmarkStep(b *testing.B) {
	for _, name := range TutorialGames {
		b.Run(name, func(b *testing.B) {
			e, _ := NewEnv(name, 1)
			e.reset()
			rng := newRand(1, 2)
			for b.Loop() {
				if _, done := e.step(e.SampleAction(rng)); done {
					e.reset()
				}
			}
		})
	}
}
