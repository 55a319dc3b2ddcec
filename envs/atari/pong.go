package atari

import "math/rand/v2"

// Pong remakes Atari Pong (Video Olympics, 1977) at ALE's 210x160: a brown
// field between white bars, the computer's orange paddle on the left, the
// player's green paddle on the right, a white ball and both scores at the top
// in their paddle's colour.
//
// Rules: RIGHT moves the player's paddle up and LEFT down (as in ALE); the
// computer follows the ball at a limited speed. The ball bounces off the bars
// and off the paddles (the part of the paddle it hits sets its vertical
// speed) and speeds up as a rally goes on. A ball past a paddle scores a
// point for the other side (+1 or -1 reward); the game ends at 21.
type Pong struct {
	rng            *rand.Rand
	player, cpu    float64 // paddles' top rows
	x, y, vx, vy   float64 // ball's top-left corner and velocity (pixels per frame)
	inPlay         bool
	wait           int // frames until the next serve
	rally          int // paddle hits in this rally
	cpuErr         float64
	scoreP, scoreC int
	over           bool
}

// Pong's layout in screen pixels.
const (
	poTop, poBottom      = 34, 194 // field rows between the white bars
	poCPUX, poPlayerX    = 16, 140 // paddles' left columns
	poPaddleW, poPaddleH = 4, 16
	poBallW, poBallH     = 2, 4
	poServeWait          = 48 // frames between a point and the next serve
	poWin                = 21
)

// Pong's colours.
var (
	poField  = HL(3, 1)  // (144,72,17) on the real screen; (149,67,26) here
	poWhite  = HL(0, 7)  // (236,236,236)
	poOrange = HL(3, 4)  // computer, (213,130,74)
	poGreen  = HL(12, 4) // player, (92,186,92)
)

// Name implements Game.
func (g *Pong) Name() string { return "pong" }

// NumActions implements Game.
func (g *Pong) NumActions() int { return 6 }

// ActionNames implements Game.
func (g *Pong) ActionNames() []string {
	return []string{"NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"}
}

// Size implements Game.
func (g *Pong) Size() (int, int) { return 210, 160 }

// Lives implements Game: Pong has no lives.
func (g *Pong) Lives() int { return 0 }

// Reset implements Game.
func (g *Pong) Reset(seed uint64) {
	mid := float64(poTop+poBottom-poPaddleH) / 2
	*g = Pong{rng: newRand(seed, 2), player: mid, cpu: mid, wait: poServeWait}
}

// Step implements Game.
func (g *Pong) Step(action int) (float64, bool) {
	if g.over {
		return 0, true
	}
	switch action {
	case 2, 4: // RIGHT: up
		g.player -= 4
	case 3, 5: // LEFT: down
		g.player += 4
	}
	g.player = clampf(g.player, poTop, poBottom-poPaddleH)
	g.moveCPU()
	if !g.inPlay {
		if g.wait--; g.wait <= 0 {
			g.serve()
		}
		return 0, false
	}
	reward := g.moveBall()
	g.over = g.scoreP == poWin || g.scoreC == poWin
	return reward, g.over
}

// moveCPU moves the computer's paddle towards the ball (or the centre while
// the ball goes away), at most 2.5 pixels a frame and aiming a little off.
func (g *Pong) moveCPU() {
	target := float64(poTop+poBottom-poPaddleH) / 2
	if g.inPlay && g.vx < 0 {
		target = g.y + poBallH/2 - poPaddleH/2 + g.cpuErr
	}
	g.cpu += clampf(target-g.cpu, -2.5, 2.5)
	g.cpu = clampf(g.cpu, poTop, poBottom-poPaddleH)
}

func (g *Pong) serve() {
	g.inPlay, g.rally = true, 0
	g.x = 78
	g.y = float64(poTop + 20 + g.rng.IntN(poBottom-poTop-40))
	g.vx = []float64{-2, 2}[g.rng.IntN(2)]
	g.vy = []float64{-2, -1, 1, 2}[g.rng.IntN(4)]
	g.cpuErr = float64(g.rng.IntN(13) - 6)
}

// moveBall advances the ball one frame in sub-steps of at most one pixel.
func (g *Pong) moveBall() float64 {
	n := int(max(abs(g.vx), abs(g.vy))) + 1
	for s := 0; s < n; s++ {
		g.x += g.vx / float64(n)
		g.y += g.vy / float64(n)
		if g.y < poTop {
			g.y, g.vy = poTop, abs(g.vy)
		} else if g.y > poBottom-poBallH {
			g.y, g.vy = poBottom-poBallH, -abs(g.vy)
		}
		if g.vx > 0 && g.bounce(g.player, poPlayerX) {
			g.vx = -g.vx
		} else if g.vx < 0 && g.bounce(g.cpu, poCPUX) {
			g.vx = -g.vx
		}
		switch {
		case g.x < 0:
			g.scoreP++
			g.point()
			return 1
		case g.x > 160-poBallW:
			g.scoreC++
			g.point()
			return -1
		}
	}
	return 0
}

// bounce reports whether the ball touches the paddle at (px, top) and, if so,
// sets its new vertical speed from where it hit and speeds it up.
func (g *Pong) bounce(top float64, px int) bool {
	if !overlap(int(g.x), int(g.y), poBallW, poBallH, px, int(top), poPaddleW, poPaddleH) {
		return false
	}
	u := (g.y + poBallH/2 - top) / poPaddleH // 0..1 down the paddle
	g.vy = clampf((u-0.5)*6, -3, 3)
	g.rally++
	speed := min(2+0.25*float64(g.rally), 4)
	g.vx = sgnf(g.vx) * speed
	g.cpuErr = float64(g.rng.IntN(13) - 6)
	return true
}

func (g *Pong) point() {
	g.inPlay, g.wait = false, poServeWait
}

// Render implements Game.
func (g *Pong) Render(f *Frame) {
	f.Fill(poField)
	f.Rect(0, 24, 160, poTop-24, poWhite)
	f.Rect(0, poBottom, 160, 210-poBottom, poWhite)
	f.Number(36, 1, g.scoreC, 1, 4, 4, 4, poOrange)
	f.Number(132, 1, g.scoreP, 1, 4, 4, 4, poGreen)
	f.Rect(poCPUX, int(g.cpu), poPaddleW, poPaddleH, poOrange)
	f.Rect(poPlayerX, int(g.player), poPaddleW, poPaddleH, poGreen)
	if g.inPlay {
		f.Rect(int(g.x), int(g.y), poBallW, poBallH, poWhite)
	}
}

func clampf(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
