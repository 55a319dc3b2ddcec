package atari

import (
	"fmt"
	"math/rand/v2"
)

// EnvConfig holds Gym's "-v0" settings around a game.
type EnvConfig struct {
	// FrameSkipMin and FrameSkipMax bound the frames each Step runs; the count
	// is drawn uniformly per step (Gym -v0: 2 to 4).
	FrameSkipMin, FrameSkipMax int
	// StickyProb is the chance, per frame, that the console keeps the previous
	// action instead of the new one (Gym -v0: 0.25).
	StickyProb float64
	// MaxNoops is the most no-op frames Reset runs after starting a game; the
	// count is drawn uniformly from 0..MaxNoops.
	MaxNoops int
}

// V0 is Gym's "-v0" configuration, the one the tutorial used.
var V0 = EnvConfig{FrameSkipMin: 2, FrameSkipMax: 4, StickyProb: 0.25, MaxNoops: 30}

// Validate reports a setting out of range.
func (c EnvConfig) Validate() error {
	switch {
	case c.FrameSkipMin < 1 || c.FrameSkipMax < c.FrameSkipMin:
		return fmt.Errorf("atari: frame skip range %d..%d: want 1 <= min <= max", c.FrameSkipMin, c.FrameSkipMax)
	case c.StickyProb < 0 || c.StickyProb > 1:
		return fmt.Errorf("atari: sticky action probability %g not in [0,1]", c.StickyProb)
	case c.MaxNoops < 0:
		return fmt.Errorf("atari: MaxNoops %d < 0", c.MaxNoops)
	}
	return nil
}

// Env is a game with Gym's "-v0" semantics: what gym.make("Breakout-v0")
// returns in the tutorial. It is deterministic for its seed.
type Env struct {
	game   Game
	cfg    EnvConfig
	rng    *rand.Rand
	last   int // the action the console holds (for sticky actions)
	screen *Frame
	done   bool
}

// NewEnv makes the named game ("breakout", "pong", "airraid") with the -v0
// settings, seeded. Call Reset before the first Step.
func NewEnv(name string, seed uint64) (*Env, error) {
	g, err := NewGame(name)
	if err != nil {
		return nil, err
	}
	return Wrap(g, V0, seed)
}

// Wrap puts any Game, a remake or a ROM-backed one, behind the Env semantics.
func Wrap(g Game, cfg EnvConfig, seed uint64) (*Env, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h, w := g.Size()
	return &Env{game: g, cfg: cfg, rng: newRand(seed, 0), screen: NewFrame(h, w), done: true}, nil
}

// Game returns the wrapped game.
func (e *Env) Game() Game { return e.game }

// Name returns the game's name.
func (e *Env) Name() string { return e.game.Name() }

// NumActions returns the size of the action set (Gym's action_space.n).
func (e *Env) NumActions() int { return e.game.NumActions() }

// SampleAction returns a uniformly random action drawn from rng
// (Gym's action_space.sample()).
func (e *Env) SampleAction(rng *rand.Rand) int { return rng.IntN(e.game.NumActions()) }

// Reset starts a new game, runs 0..MaxNoops no-op frames and returns the
// first observation (a new Frame the caller owns).
func (e *Env) Reset() *Frame {
	e.reset()
	return e.screen.Clone()
}

// Step repeats the action for 2..4 frames (each frame keeping the previous
// action with probability 0.25) and returns the screen after the last frame,
// the summed reward and whether the game is over. The frame is new and the
// caller owns it. An action out of range is an error; so is stepping a game
// that is over (or never reset) without Reset.
func (e *Env) Step(action int) (obs *Frame, reward float64, done bool, err error) {
	if err := e.check(action); err != nil {
		return nil, 0, e.done, err
	}
	r, d := e.step(action)
	return e.screen.Clone(), r, d, nil
}

func (e *Env) check(action int) error {
	if n := e.game.NumActions(); action < 0 || action >= n {
		return fmt.Errorf("atari: %s: action %d out of range 0..%d", e.game.Name(), action, n-1)
	}
	if e.done {
		return fmt.Errorf("atari: %s: Step after the game ended; call Reset", e.game.Name())
	}
	return nil
}

// reset and step work on e.screen without copying it (for the batch iterator).
func (e *Env) reset() {
	e.game.Reset(e.rng.Uint64())
	e.last, e.done = 0, false
	for n := e.rng.IntN(e.cfg.MaxNoops + 1); n > 0 && !e.done; n-- {
		_, e.done = e.game.Step(0)
	}
	e.game.Render(e.screen)
}

func (e *Env) step(action int) (float64, bool) {
	reward := 0.0
	skip := e.cfg.FrameSkipMin + e.rng.IntN(e.cfg.FrameSkipMax-e.cfg.FrameSkipMin+1)
	for i := 0; i < skip && !e.done; i++ {
		if e.rng.Float64() >= e.cfg.StickyProb {
			e.last = action
		}
		var r float64
		r, e.done = e.game.Step(e.last)
		reward += r
	}
	e.game.Render(e.screen)
	return reward, e.done
}
