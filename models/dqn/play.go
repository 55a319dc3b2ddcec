package dqn

import (
	"errors"
	"fmt"
	"image"

	"github.com/arcade-go/arcade/envs/flappy"
)

// greedyEpisodes is the one greedy-episode runner, of evaluation and Play:
// the policy p plays one game per seed, all side by side (one batched forward
// pass per decision), deciding every p.FrameSkip frames (the action on the
// first, "do nothing" on the others), each game until a crash or maxPipes
// pipes. onFrame, if not nil, is called with each game (its index in seeds)
// at its start and after every frame. stop, if not nil, is polled before
// each decision; when it says stop, greedyEpisodes returns errStopped. It
// returns each game's episode (Steps counts game frames).
func greedyEpisodes(p *Policy, seeds []int64, maxPipes int, stop func() bool, onFrame func(i int, g *flappy.Game)) ([]flappy.Episode, error) {
	if len(seeds) < 1 || maxPipes < 1 || p.FrameSkip < 1 {
		return nil, fmt.Errorf("dqn: greedy episodes of %d games, max %d pipes, frame skip %d: all must be >= 1", len(seeds), maxPipes, p.FrameSkip)
	}
	type live struct {
		i      int
		g      *flappy.Game
		stack  flappy.Stack
		reward float64
	}
	var frame flappy.Frame
	games := make([]*live, len(seeds))
	for i, seed := range seeds {
		lg := &live{i: i, g: flappy.New(seed)}
		lg.g.Observe(&frame)
		lg.stack.Reset(&frame)
		if onFrame != nil {
			onFrame(i, lg.g)
		}
		games[i] = lg
	}
	out := make([]flappy.Episode, len(seeds))
	obs := make([]float32, len(seeds)*flappy.ObservationSize)
	acts := make([]int, len(seeds))
	for len(games) > 0 {
		if stop != nil && stop() {
			return nil, errStopped
		}
		n := len(games)
		for k, lg := range games {
			_ = lg.stack.WriteFloat32(obs[k*flappy.ObservationSize:])
		}
		if err := p.Greedy(obs[:n*flappy.ObservationSize], n, acts[:n]); err != nil {
			return nil, err
		}
		keep := games[:0]
		for k, lg := range games {
			done := false
			for f := 0; f < p.FrameSkip && !done; f++ {
				r, crashed := lg.g.Advance(acts[k] == 1 && f == 0)
				lg.reward += r
				done = crashed || lg.g.Score() >= maxPipes
				if onFrame != nil {
					onFrame(lg.i, lg.g)
				}
			}
			if done {
				out[lg.i] = flappy.Episode{Game: lg.i, Score: lg.g.Score(), Steps: lg.g.Steps(), Return: lg.reward}
				continue
			}
			lg.g.Observe(&frame)
			lg.stack.Push(&frame)
			keep = append(keep, lg)
		}
		games = keep
	}
	return out, nil
}

// errStopped is greedyEpisodes' answer to its stop function.
var errStopped = errors.New("dqn: greedy episodes stopped")

// evaluate plays episodes greedy episodes with the policy p (the SB3
// EvalCallback's deterministic evaluation), all at once as a batch, each
// ending at a crash or after maxPipes pipes; game i is seeded with
// flappy.GameSeed(seed, i). stop as greedyEpisodes'.
func evaluate(p *Policy, episodes, maxPipes int, seed int64, stop func() bool) ([]flappy.Episode, error) {
	seeds := make([]int64, episodes)
	for i := range seeds {
		seeds[i] = flappy.GameSeed(seed, i)
	}
	return greedyEpisodes(p, seeds, maxPipes, stop, nil)
}

// PlayOptions configures Play.
type PlayOptions struct {
	Episodes  int   // episodes to play, one after the other
	MaxPipes  int   // an episode ends after this many pipes (0: 1,000)
	Seed      int64 // episode i plays the game seeded flappy.GameSeed(Seed, i)
	GIFFrames int   // screens to record for a GIF (0: none); recording stops when reached
	GIFEvery  int   // record every GIFEvery-th frame (0: 2, i.e. 15 frames/s of the 30 FPS game)
}

// Play lets the greedy policy p play episodes one after the other (with its
// own frame skip), and returns each episode (Steps counts game frames) and,
// if asked, the 288x512 screens with the score drawn.
func Play(p *Policy, opt PlayOptions) ([]flappy.Episode, []image.Image, error) {
	if opt.Episodes < 1 {
		return nil, nil, fmt.Errorf("dqn: Play needs at least one episode, got %d", opt.Episodes)
	}
	if opt.MaxPipes <= 0 {
		opt.MaxPipes = 1000
	}
	if opt.GIFEvery <= 0 {
		opt.GIFEvery = 2
	}
	var (
		episodes []flappy.Episode
		shots    []image.Image
		nFrame   int
	)
	record := func(_ int, g *flappy.Game) {
		if len(shots) < opt.GIFFrames && nFrame%opt.GIFEvery == 0 {
			img := g.Image(flappy.ThemeDay)
			flappy.DrawScore(img, g.Score())
			shots = append(shots, img)
		}
		nFrame++
	}
	for ep := range opt.Episodes {
		e, err := greedyEpisodes(p, []int64{flappy.GameSeed(opt.Seed, ep)}, opt.MaxPipes, nil, record)
		if err != nil {
			return nil, nil, err
		}
		e[0].Game = ep
		episodes = append(episodes, e[0])
	}
	return episodes, shots, nil
}
