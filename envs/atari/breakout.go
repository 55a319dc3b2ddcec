package atari

import "math/rand/v2"

// Breakout remakes Atari Breakout (1978) at ALE's 210x160: a black field
// closed by grey walls, six rows of 18 bricks (red, orange, dark yellow,
// yellow, green, blue from the top), a red paddle and ball, and the score,
// lives and player number in grey at the top.
//
// Rules: FIRE serves a ball; it bounces off the walls and the paddle (the
// part of the paddle it hits sets the angle), breaks the brick it touches
// (blue and green 1 point, yellows 4, orange and red 7) and speeds up after
// 4 and 12 hits and on first reaching the orange and red rows. Reaching the
// top wall halves the paddle. A ball that passes the paddle costs a life;
// the game ends after 5 lives or when the second wall is cleared.
type Breakout struct {
	rng          *rand.Rand
	bricks       [6][18]bool
	left         int     // bricks still standing
	wall         int     // 0 for the first wall, 1 for the second
	paddleX      float64 // left edge of the paddle
	paddleW      int
	x, y, vx, vy float64 // ball's top-left corner and velocity (pixels per frame)
	inPlay       bool    // a ball is on the field
	hits         int
	speed        int // speed level, 0..4
	reachedRow   [6]bool
	reachedTop   bool
	score, lives int
	over, blank  bool
}

// Breakout's layout in screen pixels.
const (
	boWallTop, boWallBottom = 17, 196 // grey walls span these rows
	boTop                   = 32      // first row below the top wall
	boLeft, boRight         = 8, 152  // playfield columns between the side walls
	boBrickY, boBrickH      = 57, 6   // top of the first brick row, row height
	boBrickW                = 8
	boPaddleY, boPaddleH    = 189, 4
	boBallW, boBallH        = 2, 4
	boBlankProb             = 0.01 // chance that a frame comes out black (flicker)
)

// Breakout's colours: the brick rows from the top, grey for walls and score.
var (
	boRowColor = [6]Color{HL(4, 3), HL(3, 3), HL(2, 3), HL(1, 3), HL(12, 3), HL(8, 3)}
	boRowScore = [6]int{7, 7, 4, 4, 1, 1}
	boGrey     = HL(0, 3)
	boRed      = HL(4, 3)
)

// Name implements Game.
func (g *Breakout) Name() string { return "breakout" }

// NumActions implements Game.
func (g *Breakout) NumActions() int { return 4 }

// ActionNames implements Game.
func (g *Breakout) ActionNames() []string { return []string{"NOOP", "FIRE", "RIGHT", "LEFT"} }

// Size implements Game.
func (g *Breakout) Size() (int, int) { return 210, 160 }

// Lives implements Game.
func (g *Breakout) Lives() int { return g.lives }

// Reset implements Game.
func (g *Breakout) Reset(seed uint64) {
	*g = Breakout{rng: newRand(seed, 1), lives: 5, paddleW: 16}
	g.paddleX = float64(boLeft + (boRight-boLeft-g.paddleW)/2)
	g.newWall()
}

func (g *Breakout) newWall() {
	for r := range g.bricks {
		for c := range g.bricks[r] {
			g.bricks[r][c] = true
		}
	}
	g.left = 6 * 18
}

// Step implements Game.
func (g *Breakout) Step(action int) (float64, bool) {
	if g.over {
		return 0, true
	}
	reward := 0.0
	switch action {
	case 2: // RIGHT
		g.paddleX += 3
	case 3: // LEFT
		g.paddleX -= 3
	}
	g.paddleX = min(max(g.paddleX, boLeft), float64(boRight-g.paddleW))
	if !g.inPlay && action == 1 {
		g.serve()
	}
	if g.inPlay {
		reward = g.moveBall()
		g.score += int(reward)
	}
	g.blank = g.rng.Float64() < boBlankProb
	return reward, g.over
}

// serve puts a ball below the bricks, falling at a random angle.
func (g *Breakout) serve() {
	g.inPlay = true
	g.x = float64(boLeft + 16 + g.rng.IntN(boRight-boLeft-32))
	g.y = 100
	g.setVelocity([]float64{-1, -0.5, 0.5, 1}[g.rng.IntN(4)], 1)
}

// setVelocity sets the ball moving with horizontal slope k (pixels across
// per pixel down) and vertical direction dir at the current speed level.
func (g *Breakout) setVelocity(k float64, dir float64) {
	vy := 1.5 + 0.5*float64(g.speed)
	g.vx, g.vy = k*vy, dir*vy
}

// moveBall advances the ball one frame in sub-steps of at most one pixel,
// so it cannot pass through a brick or the paddle.
func (g *Breakout) moveBall() float64 {
	reward := 0.0
	n := int(max(abs(g.vx), abs(g.vy))) + 1
	for s := 0; s < n && g.inPlay; s++ {
		g.x += g.vx / float64(n)
		if g.x < boLeft {
			g.x, g.vx = boLeft, abs(g.vx)
		} else if g.x > boRight-boBallW {
			g.x, g.vx = boRight-boBallW, -abs(g.vx)
		}
		g.y += g.vy / float64(n)
		if g.y < boTop {
			g.y, g.vy = boTop, abs(g.vy)
			if !g.reachedTop {
				g.reachedTop, g.paddleW = true, 8
			}
		}
		reward += g.hitBrick()
		g.hitPaddle()
		if g.y > boWallBottom {
			g.inPlay = false
			g.lives--
			g.over = g.lives == 0
		}
	}
	return reward
}

// hitBrick breaks the first brick under the ball, if any, and bounces it.
func (g *Breakout) hitBrick() float64 {
	bx, by := int(g.x), int(g.y)
	for r := range g.bricks {
		ry := boBrickY + r*boBrickH
		if by+boBallH <= ry || by >= ry+boBrickH {
			continue
		}
		for c := range g.bricks[r] {
			cx := boLeft + c*boBrickW
			if !g.bricks[r][c] || bx+boBallW <= cx || bx >= cx+boBrickW {
				continue
			}
			g.bricks[r][c] = false
			g.left--
			g.hits++
			if g.hits == 4 || g.hits == 12 {
				g.speedUp()
			}
			if (r == 0 || r == 1) && !g.reachedRow[r] {
				g.reachedRow[r] = true
				g.speedUp()
			}
			g.vy = -g.vy
			g.y += 2 * sgnf(g.vy) // step out of the brick row
			if g.left == 0 {
				if g.wall++; g.wall < 2 {
					g.newWall()
				} else {
					g.over = true
				}
			}
			return float64(boRowScore[r])
		}
	}
	return 0
}

// hitPaddle bounces a falling ball off the paddle; the outer quarters send
// it off at a flat angle, the inner ones steeper.
func (g *Breakout) hitPaddle() {
	if g.vy <= 0 || !overlap(int(g.x), int(g.y), boBallW, boBallH, int(g.paddleX), boPaddleY, g.paddleW, boPaddleH) {
		return
	}
	u := (g.x + boBallW/2 - g.paddleX) / float64(g.paddleW) // 0..1 along the paddle
	k := []float64{-1.5, -0.6, 0.6, 1.5}[min(max(int(u*4), 0), 3)]
	g.setVelocity(k, -1)
	g.y = boPaddleY - boBallH
}

func (g *Breakout) speedUp() {
	if g.speed < 4 {
		g.speed++
		g.setVelocity(g.vx/abs(g.vy), sgnf(g.vy))
	}
}

// Render implements Game.
func (g *Breakout) Render(f *Frame) {
	f.Fill(0)
	if g.blank {
		return
	}
	// Score, lives and player number, in grey above the top wall.
	f.Number(84, 5, g.score, 3, 4, 2, 4, boGrey)
	f.Number(112, 5, g.lives, 1, 4, 2, 4, boGrey)
	f.Number(140, 5, 1, 1, 4, 2, 4, boGrey)
	// Walls; the side walls carry coloured marks at paddle height.
	f.Rect(0, boWallTop, 160, boTop-boWallTop, boGrey)
	f.Rect(0, boWallTop, boLeft, boWallBottom-boWallTop, boGrey)
	f.Rect(boRight, boWallTop, 160-boRight, boWallBottom-boWallTop, boGrey)
	f.Rect(0, boPaddleY, boLeft, 6, HL(10, 3))
	f.Rect(boRight, boPaddleY, 160-boRight, 6, boRed)
	for r := range g.bricks {
		for c, up := range g.bricks[r] {
			if up {
				f.Rect(boLeft+c*boBrickW, boBrickY+r*boBrickH, boBrickW, boBrickH, boRowColor[r])
			}
		}
	}
	f.Rect(int(g.paddleX), boPaddleY, g.paddleW, boPaddleH, boRed)
	if g.inPlay {
		f.Rect(int(g.x), int(g.y), boBallW, boBallH, boRed)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func sgnf(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
