package dcgan

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
)

// SampleBatch is how many samples Samples generates at once by default:
// memory stays that of one batch however many samples are asked for.
const SampleBatch = 256

// Samples generates n samples in batches of at most batch (SampleBatch if
// batch <= 0) and hands each batch to fn as it comes: z [b,LatentSize,1,1]
// and images [b,3,64,64] in [-1,1]. The noise is FixedNoise(n, LatentSize,
// seed) cut in batches, so the samples do not depend on the batch size.
//
// A conditional GAN draws game (QualityGames' index) in every sample, or,
// with game < 0, the games in equal parts, in turn (sample i draws game
// i mod NumGames); the tutorial's GAN ignores game.
func (m *GAN) Samples(n, batch int, seed uint64, game int, fn func(z, images *tensors.Tensor) error) error {
	if n < 1 {
		return fmt.Errorf("dcgan: %d samples asked for, want at least 1", n)
	}
	if game >= NumGames {
		return fmt.Errorf("dcgan: game %d: want 0..%d (%v) or -1 for all", game, NumGames-1, QualityGames)
	}
	if batch <= 0 {
		batch = SampleBatch
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed)) // FixedNoise's stream
	for done := 0; done < n; {
		b := min(batch, n-done)
		z := noiseFrom(r, b, m.Config.LatentSize)
		games := make([]int, b)
		for i := range games {
			games[i] = game
			if game < 0 {
				games[i] = (done + i) % NumGames
			}
		}
		imgs, err := m.GenerateGames(z, games)
		if err != nil {
			return err
		}
		if err := fn(z, imgs); err != nil {
			return err
		}
		done += b
	}
	return nil
}
