package plots

import (
	"fmt"
	"image"
	"image/color"
	"slices"
)

// Palette returns at most n colours (2 <= n <= 256) for the given frames.
//
// When the frames hold at most n distinct colours (the Atari consoles' 128,
// the Flappy Bird sprites) the palette is exactly those colours, so a GIF
// keeps every pixel as it was. Otherwise the colours covering at least 0.1% of
// the pixels each are kept exactly (at most n/2 of them: backgrounds, pipes,
// the bird, the score) and the remaining slots come from a median cut of the
// rest of the colour histogram. Colours are ordered by how often they occur.
// Alpha is ignored (frames are treated as opaque).
func Palette(frames []image.Image, n int) (color.Palette, error) {
	if n < 2 || n > 256 {
		return nil, fmt.Errorf("plots: palette of %d colours: want 2..256", n)
	}
	if len(frames) == 0 {
		return nil, fmt.Errorf("plots: palette of no frames")
	}
	hist := map[uint32]int{}
	for i, f := range frames {
		if f == nil {
			return nil, fmt.Errorf("plots: frame %d is nil", i)
		}
		last, run := uint32(1<<31), 0
		forEachRGB(f, func(_ int, rgb uint32) {
			if rgb == last {
				run++
				return
			}
			if run > 0 {
				hist[last] += run
			}
			last, run = rgb, 1
		})
		if run > 0 {
			hist[last] += run
		}
	}
	return paletteFromHist(hist, n), nil
}

type colorCount struct {
	rgb   uint32
	count int
}

func rgbColor(rgb uint32) color.RGBA {
	return color.RGBA{uint8(rgb >> 16), uint8(rgb >> 8), uint8(rgb), 255}
}

func paletteFromHist(hist map[uint32]int, n int) color.Palette {
	all := make([]colorCount, 0, len(hist))
	total := 0
	for rgb, c := range hist {
		all = append(all, colorCount{rgb, c})
		total += c
	}
	slices.SortFunc(all, func(a, b colorCount) int {
		if a.count != b.count {
			return b.count - a.count
		}
		return int(a.rgb) - int(b.rgb)
	})
	pal := make(color.Palette, 0, n)
	if len(all) <= n {
		for _, cc := range all {
			pal = append(pal, rgbColor(cc.rgb))
		}
		return pal
	}
	keep := 0
	for keep < len(all) && keep < n/2 && all[keep].count*1000 >= total {
		pal = append(pal, rgbColor(all[keep].rgb))
		keep++
	}
	for _, c := range medianCut(all[keep:], n-keep) {
		pal = append(pal, c)
	}
	return pal
}

// medianCut splits the weighted colours into at most k boxes, each time
// splitting the box with the largest count-weighted channel range at its
// weighted median, and returns each box's weighted mean colour.
func medianCut(cs []colorCount, k int) []color.RGBA {
	if len(cs) == 0 || k <= 0 {
		return nil
	}
	boxes := [][]colorCount{slices.Clone(cs)}
	for len(boxes) < k {
		best, bestScore, bestCh := -1, 0, 0
		for i, b := range boxes {
			if len(b) < 2 {
				continue
			}
			ch, rng := widestChannel(b)
			w := 0
			for _, c := range b {
				w += c.count
			}
			if score := rng * w; score > bestScore {
				best, bestScore, bestCh = i, score, ch
			}
		}
		if best < 0 {
			break
		}
		b := boxes[best]
		shift := uint(16 - 8*bestCh)
		slices.SortFunc(b, func(x, y colorCount) int {
			return int((x.rgb>>shift)&255) - int((y.rgb>>shift)&255)
		})
		w := 0
		for _, c := range b {
			w += c.count
		}
		half, acc, cut := w/2, 0, 1
		for i, c := range b {
			acc += c.count
			if acc >= half {
				cut = min(max(i+1, 1), len(b)-1)
				break
			}
		}
		boxes[best] = b[:cut]
		boxes = append(boxes, b[cut:])
	}
	out := make([]color.RGBA, 0, len(boxes))
	for _, b := range boxes {
		var r, g, bl, w int
		for _, c := range b {
			r += int(c.rgb>>16&255) * c.count
			g += int(c.rgb>>8&255) * c.count
			bl += int(c.rgb&255) * c.count
			w += c.count
		}
		out = append(out, color.RGBA{uint8((r + w/2) / w), uint8((g + w/2) / w), uint8((bl + w/2) / w), 255})
	}
	return out
}

// widestChannel returns the channel (0 red, 1 green, 2 blue) with the
// largest range in the box, and that range.
func widestChannel(b []colorCount) (ch, rng int) {
	lo := [3]int{255, 255, 255}
	hi := [3]int{}
	for _, c := range b {
		for k := range 3 {
			v := int(c.rgb>>(16-8*k)) & 255
			lo[k] = min(lo[k], v)
			hi[k] = max(hi[k], v)
		}
	}
	for k := range 3 {
		if hi[k]-lo[k] > rng {
			ch, rng = k, hi[k]-lo[k]
		}
	}
	return ch, rng
}

// forEachRGB calls fn for every pixel in row-major order with its index and
// its colour packed as 0xRRGGBB, fast for the image types frames come in.
func forEachRGB(img image.Image, fn func(i int, rgb uint32)) {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.RGBA:
		for y := range b.Dy() {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+(b.Min.X-m.Rect.Min.X)*4:]
			for x := range w {
				p := row[4*x : 4*x+3]
				fn(y*w+x, uint32(p[0])<<16|uint32(p[1])<<8|uint32(p[2]))
			}
		}
	case *image.NRGBA:
		for y := range b.Dy() {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+(b.Min.X-m.Rect.Min.X)*4:]
			for x := range w {
				p := row[4*x : 4*x+3]
				fn(y*w+x, uint32(p[0])<<16|uint32(p[1])<<8|uint32(p[2]))
			}
		}
	case *image.Gray:
		for y := range b.Dy() {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+(b.Min.X-m.Rect.Min.X):]
			for x := range w {
				v := uint32(row[x])
				fn(y*w+x, v<<16|v<<8|v)
			}
		}
	default:
		for y := range b.Dy() {
			for x := range w {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				fn(y*w+x, (r>>8)<<16|(g>>8)<<8|bl>>8)
			}
		}
	}
}

// quantizer maps colours to their nearest palette index, remembering answers.
type quantizer struct {
	pal   []color.RGBA
	cache map[uint32]uint8
}

func newQuantizer(p color.Palette) *quantizer {
	q := &quantizer{cache: map[uint32]uint8{}}
	for _, c := range p {
		r, g, b, a := c.RGBA()
		q.pal = append(q.pal, color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)})
	}
	return q
}

func (q *quantizer) index(rgb uint32) uint8 {
	if i, ok := q.cache[rgb]; ok {
		return i
	}
	r, g, b := int(rgb>>16&255), int(rgb>>8&255), int(rgb&255)
	best, bestD := 0, 1<<30
	for i, c := range q.pal {
		if c.A == 0 { // the transparent slot is never a colour
			continue
		}
		dr, dg, db := r-int(c.R), g-int(c.G), b-int(c.B)
		if d := 2*dr*dr + 4*dg*dg + 3*db*db; d < bestD {
			best, bestD = i, d
		}
	}
	q.cache[rgb] = uint8(best)
	return uint8(best)
}
