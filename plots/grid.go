package plots

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
)

// Warnings receives the package's warnings (for example NaN values in a
// grid). It defaults to os.Stderr, which a notebook shows under the cell.
var Warnings io.Writer = os.Stderr

// NonFiniteColor marks NaN and ±Inf values in a [Grid]: magenta, so a
// diverged model is obvious at a glance.
var NonFiniteColor = color.RGBA{R: 255, G: 0, B: 255, A: 255}

// GridOptions follow torchvision.utils.make_grid's arguments. Start from
// [DefaultGridOptions]; the zero value means no padding and no normalisation.
type GridOptions struct {
	// NRow is the number of images per row (make_grid's nrow); 0 means 8.
	NRow int
	// Padding is the number of pixels around every cell (make_grid's padding).
	Padding int
	// PadValue is the padding's value in the normalised [0,1] range (0: black).
	PadValue float32
	// Normalize shifts the values to [0,1] by min-max (make_grid's normalize).
	// Without it the values must already be in [0,1]; they are clamped.
	Normalize bool
	// Range is make_grid's value_range: when Range[0] < Range[1], values are
	// clamped to it and scaled from it instead of the data's min and max.
	Range [2]float32
	// ScaleEach normalises each image by its own min and max (scale_each).
	ScaleEach bool
}

// DefaultGridOptions are the settings the tutorials use:
// make_grid(batch, nrow=8, padding=2, normalize=True).
func DefaultGridOptions() GridOptions {
	return GridOptions{NRow: 8, Padding: 2, Normalize: true}
}

// Grid lays a batch of images out in one image, 8 per row with 2 pixels of
// black padding, normalised to [0,1] by the min and max over the whole batch,
// like torchvision's save_image(make_grid(batch, normalize=True)).
//
// shape is [N,C,H,W] (a batch), [C,H,W] (one image) or [H,W] (one grey
// image), C being 1 (grey, shown as RGB) or 3; data is the flat row-major
// float32 data, in any range ([-1,1] from a tanh, [0,255] pixels, ...).
// As in torchvision, a batch of one image is returned without padding.
//
// NaN and ±Inf values are drawn in [NonFiniteColor] and a warning goes to
// [Warnings]; the other values are normalised by their own min and max.
func Grid(data []float32, shape ...int) (*image.RGBA, error) {
	return DefaultGridOptions().Grid(data, shape...)
}

// GridUint8 is [Grid] for bytes in [0,255] (raw game frames): the values are
// divided by 255 first, so without Normalize the colours are kept as they are.
func GridUint8(data []uint8, shape ...int) (*image.RGBA, error) {
	return DefaultGridOptions().GridUint8(data, shape...)
}

// GridUint8 is [GridOptions.Grid] for bytes in [0,255].
func (o GridOptions) GridUint8(data []uint8, shape ...int) (*image.RGBA, error) {
	f := make([]float32, len(data))
	for i, b := range data {
		f[i] = float32(b) / 255
	}
	return o.Grid(f, shape...)
}

// gridShape checks a [N,C,H,W], [C,H,W] or [H,W] shape against the data
// length and returns it as a batch.
func gridShape(n int, shape []int) (b, c, h, w int, err error) {
	switch len(shape) {
	case 4:
		b, c, h, w = shape[0], shape[1], shape[2], shape[3]
	case 3:
		b, c, h, w = 1, shape[0], shape[1], shape[2]
	case 2:
		b, c, h, w = 1, 1, shape[0], shape[1]
	default:
		return 0, 0, 0, 0, fmt.Errorf("plots: grid shape %v: want [N,C,H,W], [C,H,W] or [H,W]", shape)
	}
	if b <= 0 {
		return 0, 0, 0, 0, fmt.Errorf("plots: grid shape %v: empty batch", shape)
	}
	if h <= 0 || w <= 0 {
		return 0, 0, 0, 0, fmt.Errorf("plots: grid shape %v: images of size %dx%d", shape, h, w)
	}
	if c != 1 && c != 3 {
		return 0, 0, 0, 0, fmt.Errorf("plots: grid shape %v: %d channels, want 1 or 3 (channels first, NCHW)", shape, c)
	}
	if want := b * c * h * w; n != want {
		return 0, 0, 0, 0, fmt.Errorf("plots: grid shape %v wants %d values, got %d", shape, want, n)
	}
	return b, c, h, w, nil
}

// finiteRange returns the min and max of the finite values and how many are not finite.
func finiteRange(data []float32) (lo, hi float32, bad int) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range data {
		if v != v || math.IsInf(float64(v), 0) {
			bad++
			continue
		}
		lo = min(lo, v)
		hi = max(hi, v)
	}
	return lo, hi, bad
}

func isFinite(v float32) bool { return v == v && !math.IsInf(float64(v), 0) }

// normalize maps data in place to [0,1] exactly as make_grid's norm_ip does in
// float32: clamp to [lo,hi], subtract lo, divide by max(hi-lo, 1e-5).
func normalize(data []float32, lo, hi float32) {
	d := float32(max(float64(hi)-float64(lo), 1e-5))
	for i, v := range data {
		if !isFinite(v) {
			continue
		}
		v = min(max(v, lo), hi)
		data[i] = (v - lo) / d
	}
}

// toByte is save_image's conversion: mul(255).add_(0.5).clamp_(0,255) then uint8.
func toByte(v float32) uint8 {
	v = v*255 + 0.5
	v = min(max(v, 0), 255)
	return uint8(v)
}

// Grid is [Grid] with these options.
func (o GridOptions) Grid(data []float32, shape ...int) (*image.RGBA, error) {
	b, c, h, w, err := gridShape(len(data), shape)
	if err != nil {
		return nil, err
	}
	x := make([]float32, len(data))
	copy(x, data)
	_, _, bad := finiteRange(x)
	if bad == len(x) {
		return nil, fmt.Errorf("plots: grid %v: all %d values are NaN or Inf", shape, bad)
	}
	if bad > 0 {
		fmt.Fprintf(Warnings, "plots: warning: grid %v has %d NaN/Inf values of %d; drawn in magenta\n", shape, bad, len(x))
	}
	if o.Normalize {
		per := c * h * w
		chunks := [][]float32{x}
		if o.ScaleEach {
			chunks = chunks[:0]
			for i := range b {
				chunks = append(chunks, x[i*per:(i+1)*per])
			}
		}
		for _, ch := range chunks {
			lo, hi := o.Range[0], o.Range[1]
			if !(lo < hi) {
				lo, hi, _ = finiteRange(ch)
				if lo > hi { // a ScaleEach image with no finite value
					continue
				}
			}
			normalize(ch, lo, hi)
		}
	}
	nrow := o.NRow
	if nrow <= 0 {
		nrow = 8
	}
	pad := max(o.Padding, 0)
	if b == 1 { // torchvision returns a single image without padding
		pad = 0
	}
	xmaps := min(nrow, b)
	ymaps := (b + xmaps - 1) / xmaps
	cellH, cellW := h+pad, w+pad
	img := image.NewRGBA(image.Rect(0, 0, cellW*xmaps+pad, cellH*ymaps+pad))
	pv := toByte(o.PadValue)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = pv, pv, pv, 255
	}
	plane := h * w
	for k := range b {
		x0 := (k%xmaps)*cellW + pad
		y0 := (k/xmaps)*cellH + pad
		im := x[k*c*plane : (k+1)*c*plane]
		for yy := range h {
			row := img.Pix[(y0+yy)*img.Stride+x0*4:]
			for xx := range w {
				p := row[xx*4 : xx*4+4]
				nonFinite := false
				for ch := range 3 {
					src := ch
					if c == 1 {
						src = 0
					}
					v := im[src*plane+yy*w+xx]
					if !isFinite(v) {
						nonFinite = true
						break
					}
					p[ch] = toByte(v)
				}
				if nonFinite {
					p[0], p[1], p[2] = NonFiniteColor.R, NonFiniteColor.G, NonFiniteColor.B
				}
			}
		}
	}
	return img, nil
}

// Images splits a batch [N,C,H,W] into N images normalised together (one
// min and max over the batch, as [Grid] does), for [Row] and GIF frames:
//
//	imgs, err := plots.Images(obs, 4, 1, 64, 64) // a DQN's 4 stacked frames
//	row, err := plots.Row(imgs, []string{"t-3", "t-2", "t-1", "t"}, 3)
func Images(data []float32, shape ...int) ([]image.Image, error) {
	return DefaultGridOptions().Images(data, shape...)
}

// Images is [Images] with these options (NRow and Padding are ignored).
func (o GridOptions) Images(data []float32, shape ...int) ([]image.Image, error) {
	b, _, h, w, err := gridShape(len(data), shape)
	if err != nil {
		return nil, err
	}
	o.NRow, o.Padding = b, 0
	if len(shape) == 4 && b == 1 {
		shape = shape[1:]
	}
	strip, err := o.Grid(data, shape...)
	if err != nil {
		return nil, err
	}
	out := make([]image.Image, b)
	for i := range b {
		out[i] = strip.SubImage(image.Rect(i*w, 0, (i+1)*w, h))
	}
	return out, nil
}
