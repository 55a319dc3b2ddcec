package flappy

import (
	"image"
	"strconv"

	"github.com/arcade-go/arcade/envs/internal/font"
)

// Theme chooses the background of a rendered screen.
type Theme int

const (
	// ThemeDay is a sky with clouds and a town, for people.
	ThemeDay Theme = iota
	// ThemeBlack is the reference's training background (background-black.png):
	// only the pipes, the ground and the bird survive the preprocessing
	// threshold, which is what the DQN sees.
	ThemeBlack
)

// String returns "day" or "black".
func (t Theme) String() string {
	if t == ThemeBlack {
		return "black"
	}
	return "day"
}

var blackBackground = func() []uint8 {
	pix := make([]uint8, 4*ScreenWidth*ScreenHeight)
	for i := 3; i < len(pix); i += 4 {
		pix[i] = 255
	}
	return pix
}()

// NewScreen returns an image of the screen's size (288x512) for Render.
func NewScreen() *image.RGBA {
	return image.NewRGBA(image.Rect(0, 0, ScreenWidth, ScreenHeight))
}

// Render draws the game's screen into dst as the reference draws it:
// background, pipes, ground at y=BaseTop, bird (unrotated) at
// (57, int(y)); the score is not drawn (the reference's training game does not
// draw it either; see [DrawScore]). dst must be 288x512 with its origin at
// (0, 0) (use [NewScreen]); otherwise Render draws nothing and returns false.
func (g *Game) Render(dst *image.RGBA, theme Theme) bool {
	if dst == nil || dst.Rect != image.Rect(0, 0, ScreenWidth, ScreenHeight) || dst.Stride != 4*ScreenWidth {
		return false
	}
	if theme == ThemeBlack {
		copy(dst.Pix, blackBackground)
	} else {
		copy(dst.Pix, dayBackground)
	}
	for _, p := range g.pipes {
		blit(dst, &upperPipeSprite, p.X, p.GapY-PipeHeight)
		blit(dst, &lowerPipeSprite, p.X, p.GapY+PipeGapSize)
	}
	blit(dst, &baseSprite, g.baseX, BaseTop)
	blit(dst, &birdSprites[g.wing], BirdX, int(g.birdY))
	return true
}

// Image returns a new 288x512 image of the game's screen.
func (g *Game) Image(theme Theme) *image.RGBA {
	img := NewScreen()
	g.Render(img, theme)
	return img
}

// blit copies the opaque pixels of s to dst at (x, y), clipped to dst.
func blit(dst *image.RGBA, s *sprite, x, y int) {
	for sy := max(0, -y); sy < s.h && y+sy < ScreenHeight; sy++ {
		row := dst.Pix[(y+sy)*dst.Stride:]
		src := s.pix[sy*4*s.w:]
		sp := s.spans[sy]
		for k := 0; k < len(sp); k += 2 {
			x0, x1 := max(sp[k], -x), min(sp[k+1], ScreenWidth-x)
			if x0 < x1 {
				copy(row[4*(x+x0):4*(x+x1)], src[4*x0:4*x1])
			}
		}
	}
}

// DrawScore writes score in white block digits with a dark shadow, centered
// near the top of a rendered screen (as the original game shows it), for
// people; the DQN's observations never contain it.
func DrawScore(dst *image.RGBA, score int) {
	if dst == nil || score < 0 {
		return
	}
	s := []byte(strconv.Itoa(score))
	const cell, gap = 6, 6 // pixels per font dot, space between digits
	width := len(s)*3*cell + (len(s)-1)*gap
	x0, y0 := (dst.Rect.Dx()-width)/2+dst.Rect.Min.X, dst.Rect.Min.Y+dst.Rect.Dy()/10
	for pass, off := range []int{3, 0} {
		c := [4]uint8{60, 50, 60, 255}
		if pass == 1 {
			c = [4]uint8{255, 255, 255, 255}
		}
		for i, ch := range s {
			glyph := font.Digits[ch-'0']
			gx := x0 + i*(3*cell+gap) + off
			for r := 0; r < 5; r++ {
				for col := 0; col < 3; col++ {
					if glyph[r][col] != '#' {
						continue
					}
					for dy := 0; dy < cell; dy++ {
						for dx := 0; dx < cell; dx++ {
							px, py := gx+col*cell+dx, y0+off+r*cell+dy
							if (image.Point{px, py}).In(dst.Rect) {
								j := dst.PixOffset(px, py)
								copy(dst.Pix[j:j+4], c[:])
							}
						}
					}
				}
			}
		}
	}
}
