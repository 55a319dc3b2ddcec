package atari

import "math/rand/v2"

// AirRaid remakes Air Raid (Men-A-Vision, 1982) at ALE's 250x160: a purple
// pre-dawn sky over green ground, the two buildings of the city to defend
// scrolling beneath the player's nose-up jet, enemy craft descending from the
// top in three lanes, their bombs, and the score at the top.
//
// Rules, as the game is described: RIGHT and LEFT move the jet, FIRE
// launches a missile (one at a time). Enemies of four kinds (25, 50, 75 and
// 100 points) appear at the top of one of three lanes, drop a bomb at once
// and now and then after, and descend until they vanish at the horizon. A
// bomb that hits the jet costs one of 3 jets (the screen flashes black for a
// few frames); a bomb that hits a building knocks a floor off it, and after
// 12 hits nothing but rubble remains. The game ends when the jets are gone or
// both buildings are razed. As on the console, enemies flicker when three
// share the screen, and now and then a whole frame comes out black.
type AirRaid struct {
	rng        *rand.Rand
	jetX       float64
	missile    arMissile
	enemies    [3]arEnemy // one per lane
	bombs      []arBomb
	booms      []arBoom
	floors     [2]int  // floors left in each building
	scroll     float64 // buildings' horizontal offset
	lives      int
	score      int
	frame      int
	flash      int // frames of black screen left after the jet is hit
	over       bool
	blank      bool
	difficulty float64 // 0..1, grows with time and score
}

type arMissile struct {
	on   bool
	x, y float64
}

type arEnemy struct {
	on   bool
	kind int
	y    float64
}

type arBomb struct{ x, y float64 }

type arBoom struct{ x, y, left int }

// Air Raid's layout in screen pixels.
const (
	arH, arW           = 250, 160
	arGround           = 232 // first row of the ground
	arHorizon          = 150 // enemies vanish here
	arJetY, arJetW     = 170, 16
	arJetH             = 14
	arFloorH, arFloors = 6, 6 // height of a floor, floors per building
	arBuildingW        = 40
	arEnemyW, arEnemyH = 16, 12
	arBlankProb        = 0.03 // chance that a frame comes out black (flicker)
	arFlashFrames      = 6
)

var (
	arLaneX       = [3]int{20, 72, 124}                                // enemies' left columns
	arBuildingX   = [2]float64{12, 92}                                 // buildings' left columns at scroll 0
	arSky         = [...]Color{HL(6, 0), HL(6, 1), HL(6, 2), HL(5, 2)} // bands, top to horizon
	arSkyBand     = [...]int{0, 80, 150, 200}                          // first row of each band
	arEnemyCol    = [4]Color{HL(1, 6), HL(4, 5), HL(0, 7), HL(12, 5)}  // by kind
	arJetCol      = HL(10, 5)
	arEnemySprite = [4][]string{ // by kind; drawn 2x2 pixels per bit
		{"..####..", "########", "#.#..#.#", "..####..", "........", "........"}, // saucer
		{"########", ".######.", "..####..", "...##...", "........", "........"}, // bomber
		{"########", "#..##..#", "#..##..#", ".######.", "..####..", "...##..."}, // upside-down house
		{"...##...", "#..##..#", "########", "...##...", "..####..", "........"}, // jet, nose down
	}
	arJet = []string{ // the player's jet, nose up
		"...##...",
		"...##...",
		"..####..",
		".######.",
		"########",
		"#..##..#",
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
	*g = AirRaid{rng: newRand(seed, 3), lives: 3, jetX: (arW - arJetW) / 2, floors: [2]int{arFloors, arFloors}}
}

// Step implements Game.
func (g *AirRaid) Step(action int) (float64, bool) {
	if g.over {
		return 0, true
	}
	g.frame++
	g.difficulty = min(1, float64(g.frame)/20000+float64(g.score)/3000)
	g.scroll += 0.25
	if g.flash > 0 {
		g.flash--
	} else {
		switch action {
		case 2, 4:
			g.jetX += 2
		case 3, 5:
			g.jetX -= 2
		}
		g.jetX = clampf(g.jetX, 0, arW-arJetW)
		if (action == 1 || action >= 4) && !g.missile.on {
			g.missile = arMissile{on: true, x: g.jetX + arJetW/2 - 1, y: arJetY - 8}
		}
	}
	reward := g.moveMissile()
	g.moveEnemies()
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

func (g *AirRaid) moveMissile() float64 {
	m := &g.missile
	if !m.on {
		return 0
	}
	if m.y -= 5; m.y < 24 {
		m.on = false
		return 0
	}
	for lane := range g.enemies {
		e := &g.enemies[lane]
		if e.on && overlap(int(m.x), int(m.y), 2, 8, arLaneX[lane], int(e.y), arEnemyW, arEnemyH) {
			m.on, e.on = false, false
			g.booms = append(g.booms, arBoom{arLaneX[lane] + 4, int(e.y) + 2, 12})
			return float64(25 * (e.kind + 1))
		}
	}
	return 0
}

// moveEnemies brings enemies down their lanes, starts new ones at the top
// (each dropping a bomb at once) and has them bomb now and then.
func (g *AirRaid) moveEnemies() {
	for lane := range g.enemies {
		e := &g.enemies[lane]
		if !e.on {
			if g.rng.Float64() < 0.02+0.02*g.difficulty {
				*e = arEnemy{on: true, kind: g.rng.IntN(4), y: 28}
				g.drop(lane)
			}
			continue
		}
		if e.y += 0.3 + 0.05*float64(e.kind) + 0.4*g.difficulty; e.y > arHorizon {
			e.on = false
			continue
		}
		if g.rng.Float64() < 0.005+0.01*g.difficulty {
			g.drop(lane)
		}
	}
}

func (g *AirRaid) drop(lane int) {
	if len(g.bombs) < 6 {
		g.bombs = append(g.bombs, arBomb{float64(arLaneX[lane] + arEnemyW/2 - 1), g.enemies[lane].y + arEnemyH})
	}
}

// buildingX returns building k's left column, scrolled, in 0..arW.
func (g *AirRaid) buildingX(k int) int {
	return int(arBuildingX[k]+g.scroll) % arW
}

func (g *AirRaid) moveBombs() {
	for i := 0; i < len(g.bombs); i++ {
		b := &g.bombs[i]
		b.y += 1.5 + g.difficulty
		gone := b.y >= arGround
		if g.flash == 0 && overlap(int(b.x), int(b.y), 2, 6, int(g.jetX), arJetY, arJetW, arJetH) {
			g.lives--
			g.flash = arFlashFrames
			g.booms = append(g.booms, arBoom{int(g.jetX) + 4, arJetY + 2, 16})
			g.jetX = (arW - arJetW) / 2
			g.bombs = g.bombs[:0]
			return
		}
		for k := range g.floors {
			top := arGround - g.floors[k]*arFloorH
			if g.floors[k] == 0 || int(b.y)+6 <= top {
				continue
			}
			bx := g.buildingX(k) // the building may wrap around the screen edge
			x := int(b.x)
			if (x+2 > bx && x < bx+arBuildingW) || (x+2 > bx-arW && x < bx-arW+arBuildingW) {
				g.floors[k]--
				g.booms = append(g.booms, arBoom{x - 3, top - 4, 8})
				gone = true
				break
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
	for k := range g.floors {
		bx := g.buildingX(k)
		g.drawBuilding(f, bx, g.floors[k])
		g.drawBuilding(f, bx-arW, g.floors[k]) // the part wrapped to the left
	}
	on := 0
	for _, e := range g.enemies {
		if e.on {
			on++
		}
	}
	for lane, e := range g.enemies {
		if !e.on || (on == 3 && (g.frame+lane)%3 == 0) {
			continue // Atari flicker: three enemies share two time slots
		}
		f.Sprite(arLaneX[lane], int(e.y), arEnemySprite[e.kind], 2, 2, arEnemyCol[e.kind])
	}
	for _, b := range g.bombs {
		f.Rect(int(b.x), int(b.y), 2, 6, HL(2, 6))
	}
	if g.missile.on {
		f.Rect(int(g.missile.x), int(g.missile.y), 2, 8, HL(0, 7))
	}
	f.Sprite(int(g.jetX), arJetY, arJet, 2, 2, arJetCol)
	for _, b := range g.booms {
		f.Sprite(b.x, b.y, arBoomSprite, 1, 1, HL(3, 6))
	}
	f.Number(64, 10, g.score, 1, 4, 2, 4, HL(1, 6))
	for i := 0; i < g.lives; i++ { // jets in reserve
		f.Rect(112+i*12, 12, 8, 6, arJetCol)
	}
}

// drawBuilding draws a building of n floors with a row of lit windows each,
// or a heap of rubble when none are left.
func (g *AirRaid) drawBuilding(f *Frame, x, n int) {
	if n == 0 {
		f.Rect(x+4, arGround-3, arBuildingW-8, 3, HL(0, 2))
		return
	}
	top := arGround - n*arFloorH
	f.Rect(x, top, arBuildingW, n*arFloorH, HL(0, 4))
	for fl := 0; fl < n; fl++ {
		for wx := x + 3; wx+4 <= x+arBuildingW; wx += 7 {
			f.Rect(wx, top+fl*arFloorH+2, 4, 3, HL(1, 5))
		}
	}
}
