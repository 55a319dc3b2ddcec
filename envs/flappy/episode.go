package flappy

import (
	"fmt"
	"image"
	"math/rand/v2"
)

// Policy decides whether the bird flaps, given the game before the step.
type Policy func(g *Game) bool

// RandomPolicy returns a policy that flaps with probability p, drawn from its
// own generator seeded with seed (yenchenlin's random actions flap with
// probability 1/2; with 1/2 the bird mostly hits the sky's pipes, with about
// 1/10 it wanders more).
func RandomPolicy(p float64, seed int64) Policy {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	return func(*Game) bool { return rng.Float64() < p }
}

// GapPolicy is a hand-written policy that flies through the gaps: it flaps
// when the bird's bottom is within margin pixels of the next lower pipe's
// top. With margin 16 it passes pipes for a long time; it is a baseline for
// the DQN and a way to see the game played well.
func GapPolicy(margin int) Policy {
	return func(g *Game) bool {
		for _, p := range g.pipes {
			if p.X+PipeWidth >= BirdX-4 {
				return g.birdY+BirdHeight > float64(p.GapY+PipeGapSize-margin)
			}
		}
		return false
	}
}

// EpisodeFrames plays one episode of a game seeded with seed with the policy,
// for at most maxSteps steps, and returns the rendered screens (the start and
// one per step, the last one at the crash, with the score drawn when
// showScore) and the episode's score. The frames suit plots.GIF at 1/FPS s
// per frame.
func EpisodeFrames(seed int64, policy Policy, maxSteps int, theme Theme, showScore bool) ([]image.Image, int, error) {
	if policy == nil {
		return nil, 0, fmt.Errorf("flappy: EpisodeFrames needs a policy (e.g. flappy.RandomPolicy(0.1, seed))")
	}
	if maxSteps < 0 {
		return nil, 0, fmt.Errorf("flappy: EpisodeFrames: maxSteps must be >= 0, got %d", maxSteps)
	}
	g := New(seed)
	shot := func() image.Image {
		img := g.Image(theme)
		if showScore {
			DrawScore(img, g.Score())
		}
		return img
	}
	frames := []image.Image{shot()}
	for range maxSteps {
		_, done := g.Advance(policy(g))
		frames = append(frames, shot())
		if done {
			break
		}
	}
	return frames, g.Score(), nil
}
