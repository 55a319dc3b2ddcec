package flappy

import (
	"image"
	"image/color"
	"math"
)

// Our own art, drawn by code at init: a yellow bird with three wing frames,
// green pipes, a striped ground and a day sky with clouds and a town. Only the
// sizes follow the original game (bird 34x24, pipe 52x320, base 336x112,
// background 288x512); every sprite pixel is fully opaque or fully
// transparent, and the hit masks are the opaque pixels.
//
// Every opaque color is bright enough that, on the black background, even a
// 1/8 share of it in the bilinear resize stays above the threshold (checked by
// TestSpriteColorsSurviveThreshold): that is what lets Observe work on the
// 64x64 grid directly.

// sprite is an RGBA image with a hit mask. mask[y] has bit x set when pixel
// (x, y) is opaque (only for sprites at most 64 wide); spans[y] lists the
// opaque runs of row y as [x0, x1) pairs, for drawing.
type sprite struct {
	w, h  int
	pix   []uint8 // RGBA, row-major, stride 4*w
	mask  []uint64
	spans [][]int
}

// newSprite returns a transparent sprite of the given size.
func newSprite(w, h int) *sprite {
	return &sprite{w: w, h: h, pix: make([]uint8, 4*w*h)}
}

// set paints pixel (x, y) opaque with c; outside the sprite it does nothing.
func (s *sprite) set(x, y int, c color.RGBA) {
	if x < 0 || y < 0 || x >= s.w || y >= s.h {
		return
	}
	i := 4 * (y*s.w + x)
	s.pix[i], s.pix[i+1], s.pix[i+2], s.pix[i+3] = c.R, c.G, c.B, 255
}

// opaque says whether pixel (x, y) is opaque.
func (s *sprite) opaque(x, y int) bool { return s.pix[4*(y*s.w+x)+3] != 0 }

// ellipse paints the pixels whose centers lie inside the ellipse.
func (s *sprite) ellipse(cx, cy, rx, ry float64, c color.RGBA) {
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			if dx*dx+dy*dy <= 1 {
				s.set(x, y, c)
			}
		}
	}
}

// outlinedEllipse paints an ellipse in fill with a one-pixel border in line.
func (s *sprite) outlinedEllipse(cx, cy, rx, ry float64, line, fill color.RGBA) {
	s.ellipse(cx, cy, rx, ry, line)
	s.ellipse(cx, cy, rx-1.1, ry-1.1, fill)
}

// rect paints [x0, x1) x [y0, y1).
func (s *sprite) rect(x0, y0, x1, y1 int, c color.RGBA) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			s.set(x, y, c)
		}
	}
}

// finish computes the hit mask and the opaque spans.
func (s *sprite) finish() {
	s.spans = make([][]int, s.h)
	if s.w <= 64 {
		s.mask = make([]uint64, s.h)
	}
	for y := 0; y < s.h; y++ {
		start := -1
		for x := 0; x <= s.w; x++ {
			on := x < s.w && s.opaque(x, y)
			if on && s.mask != nil {
				s.mask[y] |= 1 << uint(x)
			}
			switch {
			case on && start < 0:
				start = x
			case !on && start >= 0:
				s.spans[y] = append(s.spans[y], start, x)
				start = -1
			}
		}
	}
}

// rotated180 returns the sprite turned by 180 degrees (pygame.transform.rotate
// by 180, which the reference uses for the upper pipe).
func (s *sprite) rotated180() *sprite {
	r := newSprite(s.w, s.h)
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			i, j := 4*(y*s.w+x), 4*((s.h-1-y)*s.w+(s.w-1-x))
			copy(r.pix[j:j+4], s.pix[i:i+4])
		}
	}
	r.finish()
	return r
}

// image returns a copy of the sprite as an image (transparent where not
// opaque).
func (s *sprite) image() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, s.w, s.h))
	copy(img.Pix, s.pix)
	return img
}

// Palette of our art.
var (
	colOutline   = color.RGBA{84, 56, 71, 255}
	colBirdBody  = color.RGBA{250, 196, 52, 255}
	colBirdBelly = color.RGBA{252, 232, 150, 255}
	colWing      = color.RGBA{255, 246, 224, 255}
	colEyeWhite  = color.RGBA{255, 255, 255, 255}
	colPupil     = color.RGBA{70, 60, 80, 255}
	colBeakTop   = color.RGBA{245, 110, 60, 255}
	colBeakLow   = color.RGBA{220, 80, 50, 255}
	colPipeLine  = color.RGBA{52, 92, 40, 255}
	colPipeLight = color.RGBA{170, 232, 110, 255}
	colPipeMid   = color.RGBA{118, 190, 52, 255}
	colPipeDark  = color.RGBA{86, 146, 40, 255}
	colGrassA    = color.RGBA{160, 228, 92, 255}
	colGrassB    = color.RGBA{122, 196, 56, 255}
	colGrassEdge = color.RGBA{88, 136, 44, 255}
	colDirt      = color.RGBA{222, 214, 150, 255}
	colDirtDark  = color.RGBA{206, 190, 124, 255}
	colDirtBand  = color.RGBA{212, 160, 88, 255}
	colSky       = color.RGBA{86, 196, 206, 255}
	colCloud     = color.RGBA{232, 250, 220, 255}
	colTown      = color.RGBA{170, 222, 206, 255}
	colWindow    = color.RGBA{196, 236, 222, 255}
	colBush      = color.RGBA{100, 214, 116, 255}
)

// Sprites, drawn at init.
var (
	birdSprites     [3]sprite
	lowerPipeSprite sprite
	upperPipeSprite sprite
	baseSprite      sprite
	dayBackground   []uint8 // RGBA 288x512
)

func init() {
	for i := range birdSprites {
		birdSprites[i] = *drawBird(i)
	}
	lowerPipeSprite = *drawPipe()
	upperPipeSprite = *lowerPipeSprite.rotated180()
	baseSprite = *drawBase()
	dayBackground = drawBackground()
}

// drawBird draws the bird facing right with its wing up (0), level (1) or
// down (2).
func drawBird(wing int) *sprite {
	s := newSprite(BirdWidth, BirdHeight)
	s.outlinedEllipse(16, 12.5, 15.5, 11.5, colOutline, colBirdBody)
	s.ellipse(15, 17, 9, 4.5, colBirdBelly)
	// Eye.
	s.outlinedEllipse(23.5, 7.5, 5.2, 5.2, colOutline, colEyeWhite)
	s.rect(24, 6, 26, 10, colPupil)
	// Beak: two lips.
	s.rect(22, 12, 33, 18, colOutline)
	s.rect(23, 13, 32, 15, colBeakTop)
	s.rect(23, 15, 31, 17, colBeakLow)
	s.set(33, 14, colOutline)
	s.set(33, 15, colOutline)
	// Wing.
	cy := [...]float64{8.5, 12.5, 16}[wing]
	ry := [...]float64{4.2, 3.6, 4.2}[wing]
	s.outlinedEllipse(7.5, cy, 7.5, ry, colOutline, colWing)
	s.finish()
	return s
}

// drawPipe draws the lower pipe: a 52-wide cap on top of a 48-wide body,
// lit from the left.
func drawPipe() *sprite {
	s := newSprite(PipeWidth, PipeHeight)
	shade := func(x, x0, x1 int) color.RGBA {
		f := float64(x-x0) / float64(x1-x0)
		switch {
		case f < 0.12:
			return colPipeMid
		case f < 0.40:
			return colPipeLight
		case f < 0.75:
			return colPipeMid
		default:
			return colPipeDark
		}
	}
	const capH = 24
	for y := capH; y < PipeHeight; y++ {
		for x := 2; x < PipeWidth-2; x++ {
			c := shade(x, 2, PipeWidth-2)
			if x == 2 || x == PipeWidth-3 {
				c = colPipeLine
			}
			s.set(x, y, c)
		}
	}
	for y := 0; y < capH; y++ {
		for x := 0; x < PipeWidth; x++ {
			c := shade(x, 0, PipeWidth)
			if x == 0 || x == PipeWidth-1 || y == 0 || y == capH-1 {
				c = colPipeLine
			}
			s.set(x, y, c)
		}
	}
	s.finish()
	return s
}

// drawBase draws the ground: a grass edge with diagonal stripes over dirt.
func drawBase() *sprite {
	s := newSprite(BaseWidth, BaseHeight)
	for y := 0; y < BaseHeight; y++ {
		for x := 0; x < BaseWidth; x++ {
			var c color.RGBA
			switch {
			case y < 2:
				c = colGrassEdge
			case y < 14:
				if ((x+y)/6)%2 == 0 {
					c = colGrassA
				} else {
					c = colGrassB
				}
			case y < 16:
				c = colGrassEdge
			case y < 20:
				c = colDirtBand
			default:
				c = colDirt
				if h := (x*7919 + y*104729) % 97; h < 3 {
					c = colDirtDark
				}
			}
			s.set(x, y, c)
		}
	}
	s.finish()
	return s
}

// drawBackground draws the day sky: clouds, a town and bushes above the
// ground line.
func drawBackground() []uint8 {
	s := newSprite(ScreenWidth, ScreenHeight)
	s.rect(0, 0, ScreenWidth, ScreenHeight, colSky)
	// Clouds: a row of overlapping circles.
	for i := 0; i < 14; i++ {
		cx := float64(i*24 - 6)
		cy := 318 + 10*math.Sin(float64(i)*1.7)
		r := 20 + 6*math.Cos(float64(i)*2.3)
		s.ellipse(cx, cy, r, r, colCloud)
	}
	s.rect(0, 322, ScreenWidth, 404, colCloud)
	// Town: blocks of varying height with windows.
	for i, x := 0, 0; x < ScreenWidth; i++ {
		w := 18 + (i*13)%14
		top := 348 + (i*29)%30
		s.rect(x, top, x+w-2, 404, colTown)
		for wy := top + 4; wy < 396; wy += 8 {
			for wx := x + 3; wx+3 < x+w-3; wx += 6 {
				s.rect(wx, wy, wx+3, wy+4, colWindow)
			}
		}
		x += w
	}
	// Bushes.
	for i := 0; i < 16; i++ {
		cx := float64(i*20 + 4)
		r := 14 + 5*math.Sin(float64(i)*2.1)
		s.ellipse(cx, 404, r, r*0.9, colBush)
	}
	return s.pix
}
