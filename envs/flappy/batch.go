package flappy

import "fmt"

// Episode is the result of one finished episode of a Batch.
type Episode struct {
	// Game is the index of the game in its batch.
	Game int
	// Score is the number of pipes passed.
	Score int
	// Steps is the number of frames played.
	Steps int
	// Return is the sum of the episode's rewards.
	Return float64
}

// Batch steps N games together, for an actor that acts on all of them at
// once. Game i is seeded from the batch seed and i, so a batch is
// deterministic for its seed and actions. A game that crashes starts its next
// episode within the same Step, so every observation is of a live game.
// A Batch is not safe for concurrent use.
type Batch struct {
	games    []*Game
	stacks   []Stack
	frames   []Frame // newest frame of each game
	terminal []Frame // crash frames of the last Step
	returns  []float64
	rewards  []float64
	dones    []bool
	finished []Episode
}

// NewBatch returns n games seeded from seed, each at the start of an episode
// with its stack filled with four copies of its first frame. (The reference
// starts its stack from the frame after one "do nothing" step, and after a
// crash keeps stacking onto the old episode's frames; we start every episode
// from its own first frame.)
func NewBatch(n int, seed int64) (*Batch, error) {
	if n <= 0 {
		return nil, fmt.Errorf("flappy: batch size must be positive, got %d", n)
	}
	b := &Batch{
		games:    make([]*Game, n),
		stacks:   make([]Stack, n),
		frames:   make([]Frame, n),
		terminal: make([]Frame, n),
		returns:  make([]float64, n),
		rewards:  make([]float64, n),
		dones:    make([]bool, n),
	}
	for i := range b.games {
		b.games[i] = New(GameSeed(seed, i))
		b.games[i].Observe(&b.frames[i])
		b.stacks[i].Reset(&b.frames[i])
	}
	return b, nil
}

// GameSeed is the seed of game i of a batch seeded with seed (a SplitMix64
// hash, so neighbouring batch seeds give unrelated games).
func GameSeed(seed int64, i int) int64 {
	z := uint64(seed) + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int64(z ^ (z >> 31))
}

// Len returns the number of games.
func (b *Batch) Len() int { return len(b.games) }

// Game returns game i (for rendering it; stepping it directly desynchronises
// its stack).
func (b *Batch) Game(i int) *Game { return b.games[i] }

// Step plays one frame of every game, game i flapping when flaps[i], and
// returns the rewards and the crash flags (slices owned by the batch, valid
// until the next Step). A game that crashed is restarted at once: its stack
// then holds four copies of its new episode's first frame, and the frame of
// the crash is kept in TerminalFrame. Finished returns the episodes that
// ended.
func (b *Batch) Step(flaps []bool) (rewards []float64, dones []bool, err error) {
	if len(flaps) != len(b.games) {
		return nil, nil, fmt.Errorf("flappy: Batch.Step got %d actions for %d games", len(flaps), len(b.games))
	}
	b.finished = b.finished[:0]
	for i, g := range b.games {
		r, done := g.Advance(flaps[i])
		b.rewards[i], b.dones[i] = r, done
		b.returns[i] += r
		if !done {
			g.Observe(&b.frames[i])
			b.stacks[i].Push(&b.frames[i])
			continue
		}
		g.Observe(&b.terminal[i])
		b.finished = append(b.finished, Episode{Game: i, Score: g.Score(), Steps: g.Steps(), Return: b.returns[i]})
		b.returns[i] = 0
		g.Restart()
		g.Observe(&b.frames[i])
		b.stacks[i].Reset(&b.frames[i])
	}
	return b.rewards, b.dones, nil
}

// Finished returns the episodes that ended in the last Step (owned by the
// batch, valid until the next Step).
func (b *Batch) Finished() []Episode { return b.finished }

// Frame returns the newest frame of game i (after a crash, its new episode's
// first frame).
func (b *Batch) Frame(i int) *Frame { return &b.frames[i] }

// TerminalFrame returns the frame of game i at its crash in the last Step
// (meaningful only where that Step reported done).
func (b *Batch) TerminalFrame(i int) *Frame { return &b.terminal[i] }

// Stack returns the frame stack of game i.
func (b *Batch) Stack(i int) *Stack { return &b.stacks[i] }

// Observations writes the network input of every game, [N, 4, 64, 64]
// float32 (-128 or 127), into dst.
func (b *Batch) Observations(dst []float32) error {
	if len(dst) < len(b.games)*ObservationSize {
		return fmt.Errorf("flappy: Batch.Observations needs %d float32 ([%d,%d,%d,%d]), got a slice of %d",
			len(b.games)*ObservationSize, len(b.games), StackSize, FrameSize, FrameSize, len(dst))
	}
	for i := range b.stacks {
		_ = b.stacks[i].WriteFloat32(dst[i*ObservationSize:])
	}
	return nil
}
