package flappy

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Constants of the reference game (yenchenlin's wrapped_flappy_bird.py); the
// Python names are in the comments.
const (
	// ScreenWidth is SCREENWIDTH, the screen's width in pixels.
	ScreenWidth = 288
	// ScreenHeight is SCREENHEIGHT, the screen's height in pixels.
	ScreenHeight = 512
	// FPS is the reference's frame rate (it sleeps to hold it; we only use it
	// to play at human speed).
	FPS = 30
	// PipeGapSize is PIPEGAPSIZE, the gap between an upper and a lower pipe.
	PipeGapSize = 100
	// BaseY is BASEY = SCREENHEIGHT * 0.79 = 404.48, the ground's y.
	BaseY = ScreenHeight * 0.79
	// BaseTop is int(BaseY) = 404, the row where the ground is drawn.
	BaseTop = 404

	// BirdWidth and BirdHeight are the bird sprite's size
	// (PLAYER_WIDTH, PLAYER_HEIGHT).
	BirdWidth, BirdHeight = 34, 24
	// PipeWidth and PipeHeight are the pipe sprite's size
	// (PIPE_WIDTH, PIPE_HEIGHT).
	PipeWidth, PipeHeight = 52, 320
	// BaseWidth and BaseHeight are the ground sprite's size.
	BaseWidth, BaseHeight = 336, 112
	// BaseShift is baseShift = base width - background width: the ground
	// scrolls by -((-basex + 100) % BaseShift), i.e. 4 px per frame.
	BaseShift = BaseWidth - ScreenWidth

	// BirdX is playerx = int(SCREENWIDTH * 0.2).
	BirdX = 57
	// BirdStartY is the initial playery = int((SCREENHEIGHT - PLAYER_HEIGHT) / 2).
	BirdStartY = 244
	// PipeVelX is pipeVelX, the pipes' move per frame.
	PipeVelX = -4
	// MaxVelY is playerMaxVelY, the maximum fall speed.
	MaxVelY = 10
	// AccY is playerAccY, gravity per frame.
	AccY = 1
	// FlapAcc is playerFlapAcc, the vertical velocity a flap sets.
	FlapAcc = -9
	// FirstPipeX and SecondPipeX are the x of the two pipes of a new episode
	// (SCREENWIDTH and SCREENWIDTH + SCREENWIDTH/2).
	FirstPipeX, SecondPipeX = ScreenWidth, ScreenWidth + ScreenWidth/2
	// NewPipeX is where getRandomPipe puts a new pipe (SCREENWIDTH + 10).
	NewPipeX = ScreenWidth + 10
	// GapOffset is int(BASEY * 0.2) = 80, added to the drawn gap top.
	GapOffset = 80

	// RewardAlive is the reward of a frame without event.
	RewardAlive = 0.1
	// RewardPass is the reward of the frame in which a pipe's middle passes
	// the bird's middle.
	RewardPass = 1.0
	// RewardCrash is the reward of a crash (it replaces RewardPass when both
	// happen in one frame, as in the reference).
	RewardCrash = -1.0
)

// gapTops are the gapYs of getRandomPipe, before GapOffset is added.
var gapTops = [...]int{20, 30, 40, 50, 60, 70, 80, 90}

// wingCycle is PLAYER_INDEX_GEN = cycle([0, 1, 2, 1]).
var wingCycle = [...]int{0, 1, 2, 1}

// Pipe is one pair of pipes: the upper pipe's sprite is at
// (X, GapY-PipeHeight), the lower one's at (X, GapY+PipeGapSize).
type Pipe struct {
	// X is the left edge of both pipes.
	X int `json:"x"`
	// GapY is the y of the gap's top edge (the upper pipe's bottom).
	GapY int `json:"gap_y"`
}

// Game is one Flappy Bird game. Create it with [New]; the zero value is not
// ready to use. A Game is not safe for concurrent use.
type Game struct {
	rng *rand.Rand

	birdY    float64 // playery: an integer except at the ground clamp
	birdVY   int     // playerVelY
	flapped  bool    // playerFlapped
	wing     int     // playerIndex: which wing frame is drawn and hit-tested
	loopIter int     // loopIter, 0..29
	cyclePos int     // position in PLAYER_INDEX_GEN, kept across episodes
	baseX    int     // basex
	pipes    []Pipe  // upperPipes/lowerPipes, left to right
	score    int
	steps    int // frames played in this episode
	done     bool
	episodes int // episodes started since the last Reset

	obs Frame // scratch for Step's observation
}

// New returns a game seeded with seed, at the start of its first episode.
func New(seed int64) *Game {
	g := &Game{pipes: make([]Pipe, 0, 4)}
	g.Reset(seed)
	return g
}

// Reset re-seeds the game's random generator and starts a new episode. The
// pipes of every later episode come from the same generator, so a game's whole
// history is fixed by its seed and its actions.
func (g *Game) Reset(seed int64) {
	s := uint64(seed)
	g.rng = rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
	g.cyclePos = 0
	g.episodes = 0
	g.Restart()
}

// Restart starts a new episode without re-seeding: the reference's
// GameState.__init__ (bird at (57, 244) at rest, pipes at x=288 and 432 with
// fresh gaps, score 0). As in the reference, the wing cycle is global and
// keeps its position.
func (g *Game) Restart() {
	g.birdY = BirdStartY
	g.birdVY = 0
	g.flapped = false
	g.wing = 0
	g.loopIter = 0
	g.baseX = 0
	g.score = 0
	g.steps = 0
	g.done = false
	g.episodes++
	g.pipes = g.pipes[:0]
	gap1, gap2 := g.randomGap(), g.randomGap()
	g.pipes = append(g.pipes, Pipe{X: FirstPipeX, GapY: gap1}, Pipe{X: SecondPipeX, GapY: gap2})
}

// randomGap is getRandomPipe's gap top.
func (g *Game) randomGap() int {
	return gapTops[g.rng.IntN(len(gapTops))] + GapOffset
}

// Step plays one frame with the given action and returns the observation
// (the 64x64 binary frame, valid until the next call on this game), the reward
// and whether the bird crashed. If the previous step crashed, Step first
// starts a new episode. Use [Game.Advance] to skip the observation.
func (g *Game) Step(flap bool) (obs *Frame, reward float64, done bool) {
	reward, done = g.Advance(flap)
	g.Observe(&g.obs)
	return &g.obs, reward, done
}

// Advance plays one frame like [Game.Step] without computing the observation.
// The order of operations is the reference's frame_step: flap, score check
// with the pipes' positions before they move, wing frame, ground scroll,
// gravity and move, pipes move, spawn and removal, crash check.
func (g *Game) Advance(flap bool) (reward float64, done bool) {
	if g.done {
		g.Restart()
	}
	g.steps++
	reward = RewardAlive

	// A flap sets the velocity (gravity skips this frame) while the bird is
	// below -2 * its height (always true, since y is clamped at 0).
	if flap && g.birdY > -2*BirdHeight {
		g.birdVY = FlapAcc
		g.flapped = true
	}

	// Score: a pipe's middle in [bird's middle - 3, bird's middle].
	const playerMid = BirdX + BirdWidth/2
	for _, p := range g.pipes {
		pipeMid := p.X + PipeWidth/2
		if pipeMid <= playerMid && playerMid < pipeMid+4 {
			g.score++
			reward = RewardPass
		}
	}

	// Wing frame every 3 frames; ground scroll.
	if (g.loopIter+1)%3 == 0 {
		g.wing = wingCycle[g.cyclePos]
		g.cyclePos = (g.cyclePos + 1) % len(wingCycle)
	}
	g.loopIter = (g.loopIter + 1) % 30
	g.baseX = -((-g.baseX + 100) % BaseShift)

	// Gravity, then the move clamped at the ground and at the top.
	if g.birdVY < MaxVelY && !g.flapped {
		g.birdVY += AccY
	}
	g.flapped = false
	g.birdY += math.Min(float64(g.birdVY), BaseY-g.birdY-BirdHeight)
	if g.birdY < 0 {
		g.birdY = 0
	}

	// Pipes move; a new one comes when the first is about to leave; the
	// first leaves once fully off screen.
	for i := range g.pipes {
		g.pipes[i].X += PipeVelX
	}
	if x := g.pipes[0].X; 0 < x && x < 5 {
		g.pipes = append(g.pipes, Pipe{X: NewPipeX, GapY: g.randomGap()})
	}
	if g.pipes[0].X < -PipeWidth {
		copy(g.pipes, g.pipes[1:])
		g.pipes = g.pipes[:len(g.pipes)-1]
	}

	if g.crashed() {
		g.done = true
		return RewardCrash, true
	}
	return reward, false
}

// crashed is checkCrash: the ground, then each pipe pixel-exact with hit masks
// (the current wing frame's, unrotated, as in the reference).
func (g *Game) crashed() bool {
	if g.birdY+BirdHeight >= BaseY-1 {
		return true
	}
	by := int(g.birdY)
	bird := &birdSprites[g.wing]
	for _, p := range g.pipes {
		if maskCollide(bird, BirdX, by, &upperPipeSprite, p.X, p.GapY-PipeHeight) ||
			maskCollide(bird, BirdX, by, &lowerPipeSprite, p.X, p.GapY+PipeGapSize) {
			return true
		}
	}
	return false
}

// maskCollide is pixelCollision: the sprites a at (ax, ay) and b at (bx, by)
// overlap in at least one pixel opaque in both.
func maskCollide(a *sprite, ax, ay int, b *sprite, bx, by int) bool {
	x0, x1 := max(ax, bx), min(ax+a.w, bx+b.w)
	y0, y1 := max(ay, by), min(ay+a.h, by+b.h)
	if x0 >= x1 || y0 >= y1 {
		return false
	}
	width := uint64(1)<<uint(x1-x0) - 1
	for y := y0; y < y1; y++ {
		ma := a.mask[y-ay] >> uint(x0-ax)
		mb := b.mask[y-by] >> uint(x0-bx)
		if ma&mb&width != 0 {
			return true
		}
	}
	return false
}

// State is a snapshot of a game, as the trace command prints it.
type State struct {
	// BirdY is the bird's top edge; fractional only at the ground clamp.
	BirdY float64
	// BirdVY is the bird's vertical velocity (positive is down).
	BirdVY int
	// Score is the number of pipes passed in this episode.
	Score int
	// Pipes are the pipe pairs, left to right.
	Pipes []Pipe
	// Wing is the wing frame (0 up, 1 middle, 2 down).
	Wing int
	// BaseX is the ground's scroll offset, in (-BaseShift, 0].
	BaseX int
	// Steps is the number of frames played in this episode.
	Steps int
	// Done says the last step crashed; the next one starts a new episode.
	Done bool
}

// State returns a snapshot of the game (the pipes are a copy).
func (g *Game) State() State {
	return State{
		BirdY: g.birdY, BirdVY: g.birdVY, Score: g.score,
		Pipes: append([]Pipe(nil), g.pipes...),
		Wing:  g.wing, BaseX: g.baseX, Steps: g.steps, Done: g.done,
	}
}

// Score returns the number of pipes passed in this episode (at a crash, the
// episode's final score).
func (g *Game) Score() int { return g.score }

// Steps returns the number of frames played in this episode.
func (g *Game) Steps() int { return g.steps }

// Done says whether the last step crashed.
func (g *Game) Done() bool { return g.done }

// Episodes returns how many episodes were started since the last Reset,
// the current one included.
func (g *Game) Episodes() int { return g.episodes }

// String describes the game's state in one line.
func (g *Game) String() string {
	return fmt.Sprintf("flappy.Game{y=%v vy=%d score=%d steps=%d pipes=%v done=%v}",
		g.birdY, g.birdVY, g.score, g.steps, g.pipes, g.done)
}
