package plots

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// TextStyle is how [DrawText] writes: the 7x13 pixel fixed font of
// golang.org/x/image/font/basicfont, enlarged by whole pixels.
type TextStyle struct {
	// Scale enlarges each font pixel to Scale x Scale pixels; 0 means 1.
	// 3 gives 21x39 pixel characters, readable on a 288x512 Flappy frame.
	Scale int
	// Color of the text; nil means white.
	Color color.Color
	// Shadow is drawn one font pixel down and right, so the text reads on
	// any background; nil means black. Use color.Transparent for none.
	Shadow color.Color
}

// Font cell size of the basicfont face, in font pixels.
const (
	glyphW = 7
	glyphH = 13
)

// TextSize returns the size in pixels that DrawText gives text (lines split
// at '\n'), shadow included.
func TextSize(text string, st TextStyle) image.Point {
	s := max(st.Scale, 1)
	lines := strings.Split(text, "\n")
	w := 0
	for _, l := range lines {
		w = max(w, len([]rune(l)))
	}
	return image.Pt(w*glyphW*s+s, len(lines)*glyphH*s+s)
}

// DrawText writes text onto dst with its top-left corner at (x, y) and
// returns the rectangle it covered. Lines are split at '\n'.
//
//	plots.DrawText(frame, 8, 8, fmt.Sprint(score), plots.TextStyle{Scale: 3})
func DrawText(dst draw.Image, x, y int, text string, st TextStyle) image.Rectangle {
	s := max(st.Scale, 1)
	fg, shadow := st.Color, st.Shadow
	if fg == nil {
		fg = color.White
	}
	if shadow == nil {
		shadow = color.Black
	}
	size := TextSize(text, st)
	mask := image.NewAlpha(image.Rect(0, 0, size.X/s, size.Y/s))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: basicfont.Face7x13}
	for i, line := range strings.Split(text, "\n") {
		d.Dot = fixed.P(0, i*glyphH+basicfont.Face7x13.Ascent)
		d.DrawString(line)
	}
	area := image.Rectangle{Min: image.Pt(x, y), Max: image.Pt(x, y).Add(size)}
	fill := func(c color.Color, off int) {
		if _, _, _, a := c.RGBA(); a == 0 {
			return
		}
		src := image.NewUniform(c)
		for my := range mask.Rect.Dy() {
			for mx := range mask.Rect.Dx() {
				if mask.AlphaAt(mx, my).A == 0 {
					continue
				}
				r := image.Rect(x+mx*s+off, y+my*s+off, x+(mx+1)*s+off, y+(my+1)*s+off)
				draw.Draw(dst, r, src, image.Point{}, draw.Over)
			}
		}
	}
	fill(shadow, s)
	fill(fg, 0)
	return area.Intersect(dst.Bounds())
}

// WithText returns a copy of img with text drawn at (x, y), for example the
// score on a frame of a GIF.
func WithText(img image.Image, x, y int, text string, st TextStyle) *image.RGBA {
	out := toRGBA(img)
	DrawText(out, x, y, text, st)
	return out
}

// toRGBA copies img into a new RGBA image whose bounds start at (0, 0).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// Scale enlarges img k times by repeating pixels (nearest neighbour), so a
// 64x64 network input is big enough to see. k < 1 is taken as 1.
func Scale(img image.Image, k int) *image.RGBA {
	k = max(k, 1)
	src := toRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w*k, h*k))
	for y := range h * k {
		srow := src.Pix[(y/k)*src.Stride:]
		drow := out.Pix[y*out.Stride:]
		for x := range w * k {
			copy(drow[4*x:4*x+4], srow[4*(x/k):4*(x/k)+4])
		}
	}
	return out
}

// Row puts images side by side, each enlarged scale times and framed by a
// one-pixel grey border (so a white frame stays visible on a white page), with
// its label (if any) written above it in dark grey on a white background: for
// example the 4 stacked frames a DQN sees, labelled "t-3" .. "t".
// Images may differ in size; they are aligned at the top.
func Row(images []image.Image, labels []string, scale int) (*image.RGBA, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("plots: row of no images")
	}
	if len(labels) > len(images) {
		return nil, fmt.Errorf("plots: row of %d images with %d labels", len(images), len(labels))
	}
	const gap = 4
	st := TextStyle{Color: color.RGBA{0x30, 0x30, 0x30, 0xff}, Shadow: color.Transparent}
	labelH := 0
	for _, l := range labels {
		if l != "" {
			labelH = max(labelH, TextSize(l, st).Y+2)
		}
	}
	scaled := make([]*image.RGBA, len(images))
	w, h := gap, 0
	for i, im := range images {
		if im == nil {
			return nil, fmt.Errorf("plots: row image %d is nil", i)
		}
		scaled[i] = Scale(im, scale)
		sz := scaled[i].Rect.Size()
		if l := label(labels, i); l != "" {
			sz.X = max(sz.X, TextSize(l, st).X)
		}
		w += sz.X + gap
		h = max(h, scaled[i].Rect.Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, w, gap+labelH+h+gap))
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	x := gap
	for i, im := range scaled {
		cellW := im.Rect.Dx()
		if l := label(labels, i); l != "" {
			DrawText(out, x, gap, l, st)
			cellW = max(cellW, TextSize(l, st).X)
		}
		r := im.Rect.Add(image.Pt(x, gap+labelH))
		draw.Draw(out, r.Inset(-1), image.NewUniform(color.RGBA{0x99, 0x99, 0x99, 0xff}), image.Point{}, draw.Src)
		draw.Draw(out, r, im, image.Point{}, draw.Src)
		x += cellW + gap
	}
	return out, nil
}

func label(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return ""
}
