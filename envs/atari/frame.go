package atari

import (
	"image"
	"image/color"

	"github.com/arcade-go/arcade/envs/internal/font"
)

// Frame is one screen: Height x Width RGB pixels, row-major, 3 bytes per
// pixel (the layout of a Gym Atari observation, [H,W,3] uint8).
type Frame struct {
	Height, Width int
	Pix           []uint8 // Pix[(y*Width+x)*3+c], c = 0 red, 1 green, 2 blue
}

// NewFrame returns a black frame of the given size.
func NewFrame(height, width int) *Frame {
	return &Frame{Height: height, Width: width, Pix: make([]uint8, height*width*3)}
}

// Clone returns a copy of f that shares no memory with it.
func (f *Frame) Clone() *Frame {
	g := *f
	g.Pix = append([]uint8(nil), f.Pix...)
	return &g
}

// Mean is the mean of all pixel values (0..255), as np.mean(obs).
func (f *Frame) Mean() float64 {
	var s uint64
	for _, v := range f.Pix {
		s += uint64(v)
	}
	return float64(s) / float64(len(f.Pix))
}

// Image returns the frame as an image, for PNG files and notebook display.
func (f *Frame) Image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, f.Width, f.Height))
	for i, j := 0, 0; i < len(f.Pix); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = f.Pix[i], f.Pix[i+1], f.Pix[i+2], 255
	}
	return img
}

// RGBAt returns the pixel at (x, y).
func (f *Frame) RGBAt(x, y int) color.RGBA {
	i := (y*f.Width + x) * 3
	return color.RGBA{f.Pix[i], f.Pix[i+1], f.Pix[i+2], 255}
}

// Fill paints the whole frame one colour.
func (f *Frame) Fill(c Color) { f.Rect(0, 0, f.Width, f.Height, c) }

// Rect paints the w x h rectangle whose top-left pixel is (x, y), clipped to
// the frame.
func (f *Frame) Rect(x, y, w, h int, c Color) {
	x0, y0, x1, y1 := max(x, 0), max(y, 0), min(x+w, f.Width), min(y+h, f.Height)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	r, g, b := c.RGB()
	row := f.Pix[(y0*f.Width+x0)*3 : (y0*f.Width+x1)*3]
	for i := 0; i < len(row); i += 3 {
		row[i], row[i+1], row[i+2] = r, g, b
	}
	for yy := y0 + 1; yy < y1; yy++ {
		copy(f.Pix[(yy*f.Width+x0)*3:], row)
	}
}

// Sprite paints a bitmap given as rows of '#' (painted) and other
// characters (left alone), each bitmap pixel sw x sh screen pixels.
func (f *Frame) Sprite(x, y int, rows []string, sw, sh int, c Color) {
	for j, row := range rows {
		for i := 0; i < len(row); i++ {
			if row[i] == '#' {
				f.Rect(x+i*sw, y+j*sh, sw, sh, c)
			}
		}
	}
}

// Number paints n >= 0 with its last digit ending at column right (exclusive),
// top at y, each glyph pixel sw x sh, glyphs gap pixels apart, padded with
// zeros to at least minDigits digits.
func (f *Frame) Number(right, y, n, minDigits, sw, sh, gap int, c Color) {
	n = max(n, 0)
	x := right - 3*sw
	for i := 0; n > 0 || i < max(minDigits, 1); i++ {
		f.Sprite(x, y, font.Digits[n%10], sw, sh, c)
		n /= 10
		x -= 3*sw + gap
	}
}
