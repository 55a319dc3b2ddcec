package flappy

import (
	"math/rand/v2"
	"testing"
)

// pilot is a controller that flies through the gaps.
var pilot = GapPolicy(16)

func TestStartStateIsTheReferenceInit(t *testing.T) {
	g := New(7)
	s := g.State()
	if s.BirdY != 244 || s.BirdVY != 0 || s.Score != 0 || s.Wing != 0 || s.BaseX != 0 || s.Done {
		t.Fatalf("start state %+v, want bird at y=244 at rest, score 0", s)
	}
	if len(s.Pipes) != 2 || s.Pipes[0].X != 288 || s.Pipes[1].X != 432 {
		t.Fatalf("start pipes %v, want x=288 and x=432", s.Pipes)
	}
	for _, p := range s.Pipes {
		if p.GapY < 100 || p.GapY > 170 || (p.GapY-80)%10 != 0 {
			t.Errorf("gap top %d is not one of {20,...,90} + 80", p.GapY)
		}
	}
}

func TestFallToTheGround(t *testing.T) {
	// Without flaps, gravity adds 1 per frame up to 10: y = 245, 247, 250, ...
	// 299 after 10 frames, then +10 per frame to 379 at frame 18; frame 19's
	// move is clamped at the ground, y = 379 + (404.48 - 379 - 24) = 380.48,
	// and y + 24 >= 404.48 - 1 is a crash.
	g := New(1)
	wantY := []float64{245, 247, 250, 254, 259, 265, 272, 280, 289, 299, 309, 319, 329, 339, 349, 359, 369, 379, 380.48}
	for i, want := range wantY {
		r, done := g.Advance(false)
		if g.birdY != want {
			t.Fatalf("frame %d: y = %v, want %v", i+1, g.birdY, want)
		}
		if wantVY := min(i+1, MaxVelY); g.birdVY != wantVY {
			t.Fatalf("frame %d: vy = %d, want %d", i+1, g.birdVY, wantVY)
		}
		last := i == len(wantY)-1
		if done != last {
			t.Fatalf("frame %d: done = %v, want %v", i+1, done, last)
		}
		if wantR := map[bool]float64{false: RewardAlive, true: RewardCrash}[last]; r != wantR {
			t.Fatalf("frame %d: reward %v, want %v", i+1, r, wantR)
		}
	}
	// The crash state stays until the next step, which starts a new episode.
	if !g.Done() || g.State().BirdY != 380.48 {
		t.Fatalf("after the crash: %v", g)
	}
	g.Advance(false)
	if g.Done() || g.birdY != 245 || g.Steps() != 1 || g.Episodes() != 2 {
		t.Fatalf("the step after a crash should be the first of a new episode, got %v (episodes %d)", g, g.Episodes())
	}
}

func TestFlapAtTheTopClampsAtZero(t *testing.T) {
	// A flap sets vy = -9 with no gravity that frame; y = 244 - 9k until it
	// would go negative, then it is clamped at 0 and stays there.
	g := New(2)
	for k := 1; k <= 40; k++ {
		_, done := g.Advance(true)
		if done {
			t.Fatalf("frame %d: crashed while flapping under the sky: %v", k, g)
		}
		want := max(0, 244-9*float64(k))
		if g.birdY != want || g.birdVY != FlapAcc {
			t.Fatalf("frame %d: y = %v vy = %d, want y = %v vy = -9", k, g.birdY, g.birdVY, want)
		}
	}
	// After the last flap gravity resumes: vy -9 -> -8, y stays clamped at 0.
	g.Advance(false)
	if g.birdVY != -8 || g.birdY != 0 {
		t.Fatalf("after flapping: y = %v vy = %d, want 0 and -8", g.birdY, g.birdVY)
	}
}

func TestWingFrameCyclesEveryThreeFramesAcrossEpisodes(t *testing.T) {
	// The wing frame takes the next value of the cycle 0, 1, 2, 1, ... on
	// frames 3, 6, 9, ... (so frame 3 takes the first 0). The reference's
	// cycle is a module-level generator, so a new episode restarts at frame 0
	// but continues the cycle where it was.
	g := New(3)
	want := []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 1, 1, 0, 0, 0, 1}
	for i, w := range want {
		g.Advance(i%6 == 0)
		if g.wing != w {
			t.Fatalf("frame %d: wing %d, want %d", i+1, g.wing, w)
		}
	}
	pos := g.cyclePos
	g.Restart()
	if g.wing != 0 || g.cyclePos != pos {
		t.Fatalf("restart: wing %d cycle position %d, want 0 and %d", g.wing, g.cyclePos, pos)
	}
}

func TestGroundScrollsFourPixelsPerFrame(t *testing.T) {
	g := New(4)
	for k := 1; k <= 15; k++ {
		g.Advance(k%5 == 0)
		if want := -((4 * k) % BaseShift); g.baseX != want {
			t.Fatalf("frame %d: basex %d, want %d", k, g.baseX, want)
		}
	}
}

func TestPassingPipesScoresWhenMiddlesMeet(t *testing.T) {
	// The score check uses the pipes' x before they move: pipe mid = x + 26
	// must be in (74-4, 74], i.e. x = 48 for the pipes from 288 and 432
	// (frames 61 and 97) and x = 46 for the one spawned at 298 (on frame 71,
	// when the first pipe reached x = 4), frame 71 + 64 = 135.
	g := New(5)
	scored := []int{}
	for k := 1; k <= 140; k++ {
		before := g.State().Pipes
		r, done := g.Advance(pilot(g))
		if done {
			t.Fatalf("frame %d: the pilot crashed: %v", k, g)
		}
		if r == RewardPass {
			scored = append(scored, k)
			passed := false
			for _, p := range before {
				passed = passed || p.X+PipeWidth/2 <= 74 && 74 < p.X+PipeWidth/2+4
			}
			if !passed {
				t.Errorf("frame %d: +1 without a pipe middle at the bird's middle (pipes before the move %v)", k, before)
			}
		} else if r != RewardAlive {
			t.Fatalf("frame %d: reward %v", k, r)
		}
		if k == 71 {
			s := g.State()
			if len(s.Pipes) != 3 || s.Pipes[0].X != 4 || s.Pipes[2].X != NewPipeX {
				t.Fatalf("frame 71: pipes %v, want a new pipe at 298 once the first is at 4", s.Pipes)
			}
		}
		if k == 85 {
			// The first pipe left at frame 86 (x = -56 < -52) or not yet.
			if s := g.State(); s.Pipes[0].X != -52 {
				t.Fatalf("frame 85: pipes %v, want the first at x=-52 (not removed yet)", s.Pipes)
			}
		}
		if k == 86 {
			if s := g.State(); len(s.Pipes) != 2 || s.Pipes[0].X != SecondPipeX-4*86 {
				t.Fatalf("frame 86: pipes %v, want the first pipe removed", s.Pipes)
			}
		}
	}
	want := []int{61, 97, 135}
	if len(scored) != len(want) || scored[0] != want[0] || scored[1] != want[1] || scored[2] != want[2] {
		t.Fatalf("scored on frames %v, want %v", scored, want)
	}
	if g.Score() != 3 {
		t.Fatalf("score %d, want 3", g.Score())
	}
}

func TestCrashIntoAnUpperPipe(t *testing.T) {
	// Flapping all the time holds the bird at y = 0, inside every upper pipe's
	// rows. The beak's tip (bird column 33 = screen x 90) meets the pipe body's
	// edge (pipe column 2) when the pipe is at x = 88: frame (288-88)/4 = 50.
	for seed := int64(0); seed < 5; seed++ {
		g := New(seed)
		for k := 1; ; k++ {
			r, done := g.Advance(true)
			if !done {
				if k >= 50 {
					t.Fatalf("seed %d: no crash by frame %d: %v", seed, k, g)
				}
				continue
			}
			if k != 50 || r != RewardCrash || g.birdY != 0 || g.pipes[0].X != 88 {
				t.Fatalf("seed %d: crash at frame %d (reward %v) with %v, want frame 50 at y=0, pipe x=88", seed, k, r, g)
			}
			break
		}
	}
}

func TestCrashIntoALowerPipe(t *testing.T) {
	// Hovering around y = 330 keeps the bird below every gap (lower pipes
	// start at y <= 270) and above the ground; it hits the first lower pipe's
	// body when the pipe reaches x = 88 (frame 50), as for the upper pipe.
	for seed := int64(0); seed < 5; seed++ {
		g := New(seed)
		for k := 1; ; k++ {
			r, done := g.Advance(g.birdY > 330)
			if !done {
				if k >= 50 {
					t.Fatalf("seed %d: no crash by frame %d: %v", seed, k, g)
				}
				continue
			}
			if k != 50 || r != RewardCrash || g.pipes[0].X != 88 {
				t.Fatalf("seed %d: crash at frame %d (reward %v) with %v, want frame 50 at pipe x=88", seed, k, r, g)
			}
			if g.birdY+BirdHeight >= BaseY-1 || g.birdY < float64(g.pipes[0].GapY+PipeGapSize-BirdHeight) {
				t.Fatalf("seed %d: crash at y=%v is not into the lower pipe %v", seed, g.birdY, g.pipes[0])
			}
			break
		}
	}
}

func TestPipeCollisionIsPixelExact(t *testing.T) {
	// The bird's top-right corner is transparent: an upper pipe whose bottom
	// edge covers the bird's first two rows and whose left edge covers the
	// bird's last 8 columns overlaps the bird's rectangle but none of its
	// pixels.
	g := New(6)
	g.birdY = 200
	g.pipes = []Pipe{{X: BirdX + BirdWidth - 8 - 2, GapY: 202}} // pipe body starts at column 2
	if g.crashed() {
		t.Fatalf("rectangles overlap only on transparent pixels, yet a crash: %v", g)
	}
	// Lower the pipe's edge by 10 rows: now it covers the eye's outline.
	g.pipes[0].GapY = 212
	if !g.crashed() {
		t.Fatalf("pipe over the bird's eye, yet no crash: %v", g)
	}
	// Far apart: no crash.
	g.pipes[0] = Pipe{X: 200, GapY: 150}
	if g.crashed() {
		t.Fatalf("no overlap, yet a crash: %v", g)
	}
}

func TestSameSeedSameGame(t *testing.T) {
	a, b, c := New(42), New(42), New(43)
	rng := rand.New(rand.NewPCG(1, 2))
	var fa, fb Frame
	differs := false
	for k := 0; k < 3000; k++ {
		flap := rng.IntN(8) == 0
		ra, da := a.Advance(flap)
		rb, db := b.Advance(flap)
		c.Advance(flap)
		a.Observe(&fa)
		b.Observe(&fb)
		if ra != rb || da != db || a.String() != b.String() || fa != fb {
			t.Fatalf("step %d: games with the same seed differ: %v vs %v", k, a, b)
		}
		differs = differs || a.String() != c.String()
	}
	if !differs {
		t.Fatalf("seeds 42 and 43 played identical games")
	}
	// Reset with the seed replays the same game.
	a.Reset(42)
	d := New(42)
	if a.String() != d.String() {
		t.Fatalf("Reset(42) gives %v, New(42) gives %v", a, d)
	}
}
