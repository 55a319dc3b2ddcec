package dcgan

import (
	"testing"

	"github.com/arcade-go/arcade/kernel"
)

// BenchmarkTrainStep times one training step of each recipe at batch 16 (the
// first step, which compiles the graph, runs before the timer).
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range []string{"tutorial", "stable"} {
		b.Run(name, func(b *testing.B) {
			cfg, _ := Preset(name)
			m, err := New(kernel.Backend(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			real := randomImages(cfg.BatchSize, 1)
			games := EqualGames(cfg.BatchSize)
			if _, _, _, err := m.TrainStep(real, games); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, _, _, err := m.TrainStep(real, games); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
