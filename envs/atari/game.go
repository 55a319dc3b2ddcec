package atari

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// Game is an Atari game as a console runs it: one Step is one frame (1/60 s).
// The remakes in this package implement it; an emulator running a ROM that a
// user owns could implement it too and stand beside them behind [NewGame] and
// [Env].
type Game interface {
	// Name is the game's lower-case name, e.g. "breakout".
	Name() string
	// NumActions is the size of the action set; actions are 0..NumActions-1.
	NumActions() int
	// ActionNames names each action as ALE does ("NOOP", "FIRE", ...).
	ActionNames() []string
	// Size is the frame size: 210x160 for most games, 250x160 for Air Raid.
	Size() (height, width int)
	// Reset starts a new game (all lives, score 0); seed drives the game's
	// own randomness.
	Reset(seed uint64)
	// Step runs one frame with the action (already in range) and returns the
	// reward earned in that frame and whether the game is over.
	Step(action int) (reward float64, done bool)
	// Lives is the number of lives left.
	Lives() int
	// Render draws the current screen into dst, which has the game's Size.
	Render(dst *Frame)
}

// TutorialGames are the tutorial's environments in its order
// ('Breakout-v0', 'AirRaid-v0', 'Pong-v0'); labels from [LabelledFrames]
// and [Batch] index into it.
var TutorialGames = []string{"breakout", "airraid", "pong"}

// makers holds the games NewGame can make, by name.
var makers = map[string]func() Game{
	"breakout": func() Game { return &Breakout{} },
	"pong":     func() Game { return &Pong{} },
	"airraid":  func() Game { return &AirRaid{} },
}

// Register adds a game source under name (lower case), e.g. a ROM-backed
// one, for NewGame, NewEnv and the batch iterator to find. Call it from an
// init function; it returns an error if the name is taken.
func Register(name string, newGame func() Game) error {
	if _, dup := makers[name]; dup {
		return fmt.Errorf("atari: game %q registered twice", name)
	}
	makers[name] = newGame
	return nil
}

// Names lists the games NewGame knows, sorted.
func Names() []string { return slices.Sorted(maps.Keys(makers)) }

// NewGame makes the game called name: "breakout", "pong" or "airraid" (case
// and a Gym suffix such as "-v0" are ignored, so "Breakout-v0" works). The
// game must be Reset before its first Step.
func NewGame(name string) (Game, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if i := strings.Index(key, "-v"); i >= 0 {
		key = key[:i]
	}
	key = strings.TrimSuffix(key, "noframeskip")
	newGame, ok := makers[key]
	if !ok {
		return nil, fmt.Errorf("atari: unknown game %q; valid names: %s", name, strings.Join(Names(), ", "))
	}
	return newGame(), nil
}

// newRand returns a deterministic generator for a seed and a stream number.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}

// sign returns -1, 0 or 1.
func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// overlap reports whether rectangles (x,y,w,h) a and b intersect.
func overlap(ax, ay, aw, ah, bx, by, bw, bh int) bool {
	return ax < bx+bw && bx < ax+aw && ay < by+bh && by < ay+ah
}
