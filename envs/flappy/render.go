package flappy

import (
	"image"
	"image/draw"
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

// DrawScore writes score in white rounded digits outlined in black, centered
// near the top of a rendered screen (as the original game shows it), for
// people; the DQN's observations never contain it.
func DrawScore(dst *image.RGBA, score int) {
	if dst == nil || score < 0 {
		return
	}
	s := []byte(strconv.Itoa(score))
	const (
		cell    = 4                  // pixels per font dot: a digit is 20x28 pixels
		outline = 2                  // pixels of black around every dot
		gap     = 2*outline + cell/2 // pixels between digits
	)
	glyphW := len(font.Rounded[0][0]) * cell
	width := len(s)*glyphW + (len(s)-1)*gap
	x0, y0 := (dst.Rect.Dx()-width)/2+dst.Rect.Min.X, dst.Rect.Min.Y+dst.Rect.Dy()/10
	// The outline first, under every digit, then the white dots over it.
	for pass, grow := range []int{outline, 0} {
		c := image.Black
		if pass == 1 {
			c = image.White
		}
		for i, ch := range s {
			gx := x0 + i*(glyphW+gap)
			for r, row := range font.Rounded[ch-'0'] {
				for col := range len(row) {
					if row[col] == '#' {
						dot := image.Rect(gx+col*cell, y0+r*cell, gx+(col+1)*cell, y0+(r+1)*cell)
						draw.Draw(dst, dot.Inset(-grow), c, image.Point{}, draw.Src) // clipped to dst
					}
				}
			}
		}
	}
}
