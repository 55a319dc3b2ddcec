package atari

import "math/rand/v2"

// AirRaid remakes Air Raid (Men-A-Vision, 1982) at ALE's 250x160: a purple
// night sky over green ground, two buildings of the city to defend, the
// player's ship flying above them, enemy planes crossing the sky and their
// bombs, and the score at the top.
//
// Rules: RIGHT and LEFT move the ship, FIRE launches a missile (one at a
// time). Planes of four kinds (25, 50, 75 and 100 points) cross the sky and
// drop bombs, more often over the ship. A bomb that hits the ship costs one
// of 3 ships (the screen flashes black for a few frames); a bomb that hits a
// building knocks a floor off it. The game ends when the ships are gone or
// both buildings are razed. As in the real game, planes flicker when three
// share the screen, and now and then a whole frame comes out black.
type AirRaid struct {
	rng        *rand.Rand
	shipX      float64
	missile    arMissile
	planes     []arPlane
	bombs      []arBomb
	booms      []arBoom
	floors     [2]int // floors left in each building
	lives      int
	score      int
	frame      int
	flash      int // frames of black screen left after the ship is hit
	over       bool
	blank      bool
	difficulty float64
}

type arMissile struct {
	on   bool
	x, y float64
}

type arPlane struct {
	kind  int
	x, y  float64
	vx    float64
	alive bool
}

type arBomb struct{ x, y float64 }

type arBoom struct{ x, y, left int }

// Air Raid's layout in screen pixels.
const (
	arH, arW           = 250, 160
	arGround           = 232 // first row of the ground
	arShipY, arShipW   = 178, 14
	arFloorH, arFloor  = 5, 8 // height of a floor, floors per building
	arBuildingW        = 40
	arPlaneW, arPlaneH = 16, 8
	arBlankProb        = 0.03 // chance that a frame comes out black (flicker)
	arFlashFrames      = 6
)

var (
	arBuildingX = [2]int{12, 108}
	arSky       = []Color{HL(6, 0), HL(6, 1), HL(6, 2), HL(5, 2)} // bands, top to horizon
	arSkyBand   = [...]int{0, 90, 160, 210}                       // first row of each band
	arPlaneCol  = [4]Color{HL(1, 6), HL(4, 5), HL(0, 7), HL(12, 5)}
	arShip      = []string{
		"......##......",
		"....######....",
		"##############",
		".############.",
		"..##..##..##..",
	}
	arPlane0 = []string{ // facing right
		"#.......",
		"##...##.",
		"########",
		"..####..",
	}
	arPlane1 = []string{ // facing left
		".......#",
		".##...##",
		"########",
		"..####..",
	}
	arBoomSprite = []string{
		"#..#..#.",
		".#.#.#..",
		"..###...",
		"##.#.##.",
		"..###...",
		".#.#.#..",
		"#..#..#.",
	}
)

// Name implements Game.
func (g *AirRaid) Name() string { return "airraid" }

// NumActions implements Game.
func (g *AirRaid) NumActions() int { return 6 }

// ActionNames implements Game.
func (g *AirRaid) ActionNames() []string {
	return []string{"NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"}
}

// Size implements Game.
func (g *AirRaid) Size() (int, int) { return arH, arW }

// Lives implements Game.
func (g *AirRaid) Lives() int { return g.lives }

// Reset implements Game.
func (g *AirRaid) Reset(seed uint64) {
	*g = AirRaid{rng: newRand(seed, 3), lives: 3, shipX: (arW - arShipW) / 2, floors: [2]int{arFloor, arFloor}}
}

// Step implements Game.
func (g *AirRaid) Step(action int) (float64, bool) {
	if g.over {
		return 0, true
	}
	g.frame++
	g.difficulty = min(1, float64(g.frame)/20000+float64(g.score)/5000)
	reward := 0.0
	if g.flash > 0 {
		g.flash--
	} else {
		switch action {
		case 2, 4:
			g.shipX += 2
		case 3, 5:
			g.shipX -= 2
		}
		g.shipX = clampf(g.shipX, 0, arW-arShipW)
		if (action == 1 || action >= 4) && !g.missile.on {
			g.missile = arMissile{on: true, x: g.shipX + arShipW/2 - 1, y: arShipY - 8}
		}
	}
	g.spawn()
	reward += g.moveMissile()
	g.movePlanes()
	g.moveBombs()
	for i := 0; i < len(g.booms); i++ {
		if g.booms[i].left--; g.booms[i].left <= 0 {
			g.booms = append(g.booms[:i], g.booms[i+1:]...)
			i--
		}
	}
	g.score += int(reward)
	g.over = g.lives == 0 || (g.floors[0] == 0 && g.floors[1] == 0)
	g.blank = g.flash > 0 || g.rng.Float64() < arBlankProb
	return reward, g.over
}

// spawn sends a new plane across now and then, up to three at a time.
func (g *AirRaid) spawn() {
	if len(g.planes) >= 3 || g.rng.Float64() > 0.02 {
		return
	}
	p := arPlane{kind: g.rng.IntN(4), y: float64(36 + 30*g.rng.IntN(4)), alive: true}
	p.vx = 0.75 + 0.25*float64(p.kind) + g.difficulty
	if g.rng.IntN(2) == 0 {
		p.x = -arPlaneW
	} else {
		p.x, p.vx = arW, -p.vx
	}
	g.planes = append(g.planes, p)
}

func (g *AirRaid) moveMissile() float64 {
	m := &g.missile
	if !m.on {
		return 0
	}
	m.y -= 5
	if m.y < 20 {
		m.on = false
		return 0
	}
	for i, p := range g.planes {
		if overlap(int(m.x), int(m.y), 2, 8, int(p.x), int(p.y), arPlaneW, arPlaneH) {
			m.on = false
			g.booms = append(g.booms, arBoom{int(p.x), int(p.y), 12})
			g.planes = append(g.planes[:i], g.planes[i+1:]...)
			return float64(25 * (p.kind + 1))
		}
	}
	return 0
}

func (g *AirRaid) movePlanes() {
	for i := 0; i < len(g.planes); i++ {
		p := &g.planes[i]
		p.x += p.vx
		if p.x < -arPlaneW || p.x > arW {
			g.planes = append(g.planes[:i], g.planes[i+1:]...)
			i--
			continue
		}
		aim := p.x+arPlaneW/2 > g.shipX && p.x+arPlaneW/2 < g.shipX+arShipW
		prob := 0.006 + 0.01*g.difficulty
		if aim {
			prob += 0.04
		}
		if p.x > 0 && p.x < arW-arPlaneW && len(g.bombs) < 6 && g.rng.Float64() < prob {
			g.bombs = append(g.bombs, arBomb{p.x + arPlaneW/2 - 1, p.y + arPlaneH})
		}
	}
}

func (g *AirRaid) moveBombs() {
	for i := 0; i < len(g.bombs); i++ {
		b := &g.bombs[i]
		b.y += 1.5 + g.difficulty
		gone := b.y >= arGround
		if g.flash == 0 && overlap(int(b.x), int(b.y), 2, 6, int(g.shipX), arShipY, arShipW, 10) {
			g.lives--
			g.flash = arFlashFrames
			g.booms = append(g.booms, arBoom{int(g.shipX) + 3, arShipY, 16})
			g.shipX = (arW - arShipW) / 2
			g.bombs = g.bombs[:0]
			return
		}
		for k, bx := range arBuildingX {
			top := arGround - g.floors[k]*arFloorH
			if g.floors[k] > 0 && int(b.y)+6 > top && int(b.x)+2 > bx && int(b.x) < bx+arBuildingW {
				g.floors[k]--
				g.booms = append(g.booms, arBoom{int(b.x) - 3, top - 4, 8})
				gone = true
			}
		}
		if gone {
			g.bombs = append(g.bombs[:i], g.bombs[i+1:]...)
			i--
		}
	}
}

// Render implements Game.
func (g *AirRaid) Render(f *Frame) {
	f.Fill(0)
	if g.blank {
		return
	}
	for i, c := range arSky {
		end := arGround
		if i+1 < len(arSkyBand) {
			end = arSkyBand[i+1]
		}
		f.Rect(0, arSkyBand[i], arW, end-arSkyBand[i], c)
	}
	f.Rect(0, arGround, arW, 4, HL(13, 2))
	f.Rect(0, arGround+4, arW, arH-arGround-4, HL(12, 0))
	for k, bx := range arBuildingX {
		n := g.floors[k]
		top := arGround - n*arFloorH
		f.Rect(bx, top, arBuildingW, n*arFloorH, HL(0, 4))
		for fl := 0; fl < n; fl++ { // a row of windows on each floor
			for wx := bx + 3; wx+4 <= bx+arBuildingW; wx += 7 {
				f.Rect(wx, top+fl*arFloorH+1, 4, 3, HL(1, 5))
			}
		}
	}
	nPlanes := len(g.planes)
	for i, p := range g.planes {
		if nPlanes > 2 && (g.frame+i)%3 == 0 {
			continue // Atari flicker: three planes share two time slots
		}
		sprite := arPlane0
		if p.vx < 0 {
			sprite = arPlane1
		}
		f.Sprite(int(p.x), int(p.y), sprite, 2, 2, arPlaneCol[p.kind])
	}
	for _, b := range g.bombs {
		f.Rect(int(b.x), int(b.y), 2, 6, HL(2, 6))
	}
	if g.missile.on {
		f.Rect(int(g.missile.x), int(g.missile.y), 2, 8, HL(0, 7))
	}
	if g.flash == 0 {
		f.Sprite(int(g.shipX), arShipY, arShip, 1, 2, HL(10, 5))
	}
	for _, b := range g.booms {
		f.Sprite(b.x, b.y, arBoomSprite, 1, 1, HL(3, 6))
	}
	f.Number(60, 10, g.score, 1, 4, 2, 4, HL(1, 6))
	for i := 0; i < g.lives; i++ { // ships in reserve
		f.Rect(120+i*10, 14, 7, 3, HL(10, 5))
	}
}
