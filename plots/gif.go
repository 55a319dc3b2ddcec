package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"time"
)

// GIFOptions control [GIFOptions.Encode]. The zero value is usable.
type GIFOptions struct {
	// Delay is the time each frame is shown; 0 means 100 ms. GIF stores it in
	// hundredths of a second; it is rounded, and at least 20 ms because
	// browsers slow shorter delays down to 100 ms.
	Delay time.Duration
	// LoopCount is image/gif's: 0 loops forever, -1 plays once, n > 0
	// repeats n times more.
	LoopCount int
	// Full stores every frame whole. By default a frame after the first keeps
	// only the rectangle that changed, with unchanged pixels transparent,
	// which makes game recordings several times smaller.
	Full bool
	// Palette, when set, is used instead of one built from the frames (at
	// most 255 colours without Full, 256 with it).
	Palette color.Palette
}

// GIF encodes the frames (all the same size) as an animated GIF that loops
// forever, showing each frame for delay. The palette is built from the frames
// by [Palette], so games with at most 255 colours are stored exactly.
func GIF(frames []image.Image, delay time.Duration) ([]byte, error) {
	return GIFOptions{Delay: delay}.GIF(frames)
}

// GIF is [GIF] with these options.
func (o GIFOptions) GIF(frames []image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := o.Encode(&buf, frames); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// delayCS returns the delay in hundredths of a second.
func (o GIFOptions) delayCS() int {
	d := o.Delay
	if d == 0 {
		d = 100 * time.Millisecond
	}
	return max(int((d+5*time.Millisecond)/(10*time.Millisecond)), 2)
}

// Encode writes the frames as an animated GIF to w.
func (o GIFOptions) Encode(w io.Writer, frames []image.Image) error {
	if len(frames) == 0 {
		return fmt.Errorf("plots: GIF of no frames")
	}
	if frames[0] == nil {
		return fmt.Errorf("plots: GIF frame 0 is nil")
	}
	size := frames[0].Bounds().Size()
	if size.X <= 0 || size.Y <= 0 || size.X > 65535 || size.Y > 65535 {
		return fmt.Errorf("plots: GIF frame 0 has size %v", size)
	}
	for i, f := range frames {
		if f == nil {
			return fmt.Errorf("plots: GIF frame %d is nil", i)
		}
		if s := f.Bounds().Size(); s != size {
			return fmt.Errorf("plots: GIF frame %d is %dx%d, frame 0 is %dx%d: all frames must have the same size", i, s.X, s.Y, size.X, size.Y)
		}
	}
	maxColors := 255 // one slot for transparency
	if o.Full {
		maxColors = 256
	}
	pal := o.Palette
	if pal == nil {
		var err error
		if pal, err = Palette(frames, maxColors); err != nil {
			return err
		}
	} else if len(pal) > maxColors || len(pal) == 0 {
		return fmt.Errorf("plots: GIF palette of %d colours: want 1..%d", len(pal), maxColors)
	}
	pal = append(color.Palette(nil), pal...)
	transparent := -1
	if !o.Full {
		transparent = len(pal)
		pal = append(pal, color.RGBA{})
	}
	q := newQuantizer(pal)
	g := &gif.GIF{
		LoopCount: o.LoopCount,
		Config:    image.Config{ColorModel: pal, Width: size.X, Height: size.Y},
	}
	delay := o.delayCS()
	var prev []uint8
	for _, f := range frames {
		cur := make([]uint8, size.X*size.Y)
		forEachRGB(f, func(i int, rgb uint32) { cur[i] = q.index(rgb) })
		var frame *image.Paletted
		if prev == nil || o.Full {
			frame = &image.Paletted{Pix: cur, Stride: size.X, Rect: image.Rect(0, 0, size.X, size.Y), Palette: pal}
		} else {
			frame = diffFrame(prev, cur, size, uint8(transparent), pal)
		}
		g.Image = append(g.Image, frame)
		g.Delay = append(g.Delay, delay)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
		prev = cur
	}
	if err := gif.EncodeAll(w, g); err != nil {
		return fmt.Errorf("plots: encoding GIF: %w", err)
	}
	return nil
}

// diffFrame returns the rectangle of cur that differs from prev, with the
// unchanged pixels inside it set to the transparent index (a 1x1 transparent
// frame when nothing changed).
func diffFrame(prev, cur []uint8, size image.Point, transparent uint8, pal color.Palette) *image.Paletted {
	x0, y0, x1, y1 := size.X, size.Y, -1, -1
	for y := range size.Y {
		row := y * size.X
		for x := range size.X {
			if prev[row+x] != cur[row+x] {
				x0, y0 = min(x0, x), min(y0, y)
				x1, y1 = max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return &image.Paletted{Pix: []uint8{transparent}, Stride: 1, Rect: image.Rect(0, 0, 1, 1), Palette: pal}
	}
	r := image.Rect(x0, y0, x1+1, y1+1)
	m := image.NewPaletted(r, pal)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			i := y*size.X + x
			v := cur[i]
			if v == prev[i] {
				v = transparent
			}
			m.Pix[(y-y0)*m.Stride+(x-x0)] = v
		}
	}
	return m
}
