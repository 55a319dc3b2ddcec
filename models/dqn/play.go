package dqn

import (
	"fmt"
	"image"

	"github.com/arcade-go/arcade/envs/flappy"
)

// PlayOptions configures Play.
type PlayOptions struct {
	Episodes  int   // episodes to play, one after the other
	MaxPipes  int   // an episode ends after this many pipes (0: 1,000)
	FrameSkip int   // game frames per decision (the run's FrameSkip; 0: 1)
	Seed      int64 // seed of the games
	GIFFrames int   // screens to record for a GIF (0: none); recording stops when reached
	GIFEvery  int   // record every GIFEvery-th frame (0: 2, i.e. 15 frames/s of the 30 FPS game)
}

// Play lets the greedy policy p play, and returns each episode's score and
// length and, if asked, the 288x512 screens with the score drawn.
func Play(p *Policy, opt PlayOptions) ([]EpisodeStat, []image.Image, error) {
	if opt.Episodes < 1 {
		return nil, nil, fmt.Errorf("dqn: Play needs at least one episode, got %d", opt.Episodes)
	}
	if opt.MaxPipes <= 0 {
		opt.MaxPipes = 1000
	}
	if opt.FrameSkip <= 0 {
		opt.FrameSkip = 1
	}
	if opt.GIFEvery <= 0 {
		opt.GIFEvery = 2
	}
	var (
		stats  []EpisodeStat
		shots  []image.Image
		frame  flappy.Frame
		stack  flappy.Stack
		obs    = make([]float32, StackFrames*FramePixels)
		act    = make([]int, 1)
		nFrame int
	)
	record := func(g *flappy.Game) {
		if len(shots) >= opt.GIFFrames {
			return
		}
		if nFrame%opt.GIFEvery == 0 {
			img := g.Image(flappy.ThemeDay)
			flappy.DrawScore(img, g.Score())
			shots = append(shots, img)
		}
		nFrame++
	}
	for ep := range opt.Episodes {
		g := flappy.New(flappy.GameSeed(opt.Seed, ep))
		g.Observe(&frame)
		stack.Reset(&frame)
		record(g)
		for done := false; !done; {
			if err := stack.WriteFloat32(obs); err != nil {
				return nil, nil, err
			}
			if err := p.Greedy(obs, 1, act); err != nil {
				return nil, nil, err
			}
			for k := 0; k < opt.FrameSkip && !done; k++ {
				_, done = g.Advance(act[0] == 1 && k == 0)
				done = done || g.Score() >= opt.MaxPipes
				record(g)
			}
			g.Observe(&frame)
			stack.Push(&frame)
		}
		stats = append(stats, EpisodeStat{Score: g.Score(), Frames: g.Steps()})
	}
	return stats, shots, nil
}
