package flappy

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
)

const (
	// FrameSize is the side of a preprocessed frame (the OneFlow port's 64).
	FrameSize = 64
	// FramePixels is the number of pixels of a frame.
	FramePixels = FrameSize * FrameSize
	// StackSize is the number of frames the network sees at once.
	StackSize = 4
	// ObservationSize is the number of float32 of one network input
	// [StackSize, FrameSize, FrameSize].
	ObservationSize = StackSize * FramePixels
	// Background and Object are the network input's values for a pixel that is
	// off (0 - 128) and on (255 - 128) after the threshold.
	Background, Object = -128, 127
)

// eightPixels[b] holds the network values of 8 pixels whose on/off states
// are the bits of b (bit k is pixel k).
var eightPixels = func() (t [256][8]float32) {
	for b := range t {
		for k := range 8 {
			t[b][k] = Background
			if b>>k&1 == 1 {
				t[b][k] = Object
			}
		}
	}
	return t
}()

// Frame is one preprocessed frame: 64x64 pixels, row-major, upright (row =
// screen y), each 0 (background) or 1 (bird, pipe or ground). It is the
// reference's threshold output with 255 stored as 1.
type Frame [FramePixels]uint8

// WriteFloat32 writes the frame as the network sees it, -128 or 127 per pixel,
// into dst[:FramePixels].
func (f *Frame) WriteFloat32(dst []float32) error {
	if len(dst) < FramePixels {
		return fmt.Errorf("flappy: Frame.WriteFloat32 needs %d float32, got a slice of %d", FramePixels, len(dst))
	}
	dst = dst[:FramePixels]
	for i := 0; i < FramePixels; i += 8 {
		// Gather the 8 bytes (each 0 or 1) into one byte: byte k -> bit k.
		w := binary.LittleEndian.Uint64(f[i : i+8])
		copy(dst[i:i+8], eightPixels[(w*0x0102040810204080)>>56][:])
	}
	return nil
}

// Count returns the number of pixels that are on.
func (f *Frame) Count() int {
	n := 0
	for _, v := range f {
		n += int(v)
	}
	return n
}

// Image returns the frame as a 64x64 gray image (0 or 255), for display.
func (f *Frame) Image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, FrameSize, FrameSize))
	for i, v := range f {
		img.Pix[i] = 255 * v
	}
	return img
}

// PackedFrame is a Frame in 512 bytes: bit x of word y is pixel (x, y).
// A replay memory of 50,000 frames takes 25.6 MB this way.
type PackedFrame [FrameSize]uint64

// Pack returns the frame bit-packed.
func (f *Frame) Pack() PackedFrame {
	var p PackedFrame
	for y := range FrameSize {
		var w uint64
		row := f[y*FrameSize : (y+1)*FrameSize]
		for x, v := range row {
			w |= uint64(v&1) << uint(x)
		}
		p[y] = w
	}
	return p
}

// Unpack writes the packed frame into f.
func (p *PackedFrame) Unpack(f *Frame) {
	for y, w := range p {
		row := f[y*FrameSize : (y+1)*FrameSize]
		for x := range row {
			row[x] = uint8(w>>uint(x)) & 1
		}
	}
}

// WriteFloat32 writes the packed frame as the network sees it (-128 or 127)
// into dst[:FramePixels].
func (p *PackedFrame) WriteFloat32(dst []float32) error {
	if len(dst) < FramePixels {
		return fmt.Errorf("flappy: PackedFrame.WriteFloat32 needs %d float32, got a slice of %d", FramePixels, len(dst))
	}
	for y, w := range p {
		row := dst[y*FrameSize : (y+1)*FrameSize]
		for x := 0; x < FrameSize; x += 8 {
			copy(row[x:x+8], eightPixels[uint8(w>>uint(x))][:])
		}
	}
	return nil
}

// Stack keeps the last StackSize frames of one game, as the network's input.
// The zero value holds four blank frames.
type Stack struct {
	frames [StackSize]Frame
	head   int // index of the oldest frame
}

// Reset fills the stack with copies of f, as the reference does at the start
// (np.stack((x_t, x_t, x_t, x_t))).
func (s *Stack) Reset(f *Frame) {
	for i := range s.frames {
		s.frames[i] = *f
	}
	s.head = 0
}

// Push drops the oldest frame and appends f as the newest.
func (s *Stack) Push(f *Frame) {
	s.frames[s.head] = *f
	s.head = (s.head + 1) % StackSize
}

// Frame returns frame k of the stack, 0 the oldest and StackSize-1 the newest.
func (s *Stack) Frame(k int) *Frame {
	return &s.frames[(s.head+k)%StackSize]
}

// WriteFloat32 writes the network input [StackSize, 64, 64] (oldest frame
// first, -128 or 127 per pixel) into dst[:ObservationSize].
func (s *Stack) WriteFloat32(dst []float32) error {
	if len(dst) < ObservationSize {
		return fmt.Errorf("flappy: Stack.WriteFloat32 needs %d float32 ([%d,%d,%d]), got a slice of %d",
			ObservationSize, StackSize, FrameSize, FrameSize, len(dst))
	}
	for k := range StackSize {
		_ = s.Frame(k).WriteFloat32(dst[k*FramePixels:])
	}
	return nil
}

// WriteStack writes the network input [len(frames), 64, 64] from frames given
// oldest first (e.g. four frames of a replay memory) into dst.
func WriteStack(dst []float32, frames ...*Frame) error {
	if len(dst) < len(frames)*FramePixels {
		return fmt.Errorf("flappy: WriteStack of %d frames needs %d float32, got a slice of %d",
			len(frames), len(frames)*FramePixels, len(dst))
	}
	for k, f := range frames {
		if f == nil {
			return fmt.Errorf("flappy: WriteStack: frame %d is nil", k)
		}
		_ = f.WriteFloat32(dst[k*FramePixels:])
	}
	return nil
}

// Preprocess is the reference preprocessing of one screen, step by step as
// OpenCV does it: cv2.resize(img, (64, 64)) with INTER_LINEAR (half-pixel
// centers, 11-bit fixed-point weights, no antialiasing), then
// cv2.cvtColor(..., COLOR_BGR2GRAY) applied to RGB data as the reference does
// (so red weighs 0.114 and blue 0.299), then cv2.threshold(..., 1, 255,
// THRESH_BINARY). The result is written upright into dst (the reference's is
// its transpose, see the package doc). src may be any size; a game screen is
// 288x512 rendered with [ThemeBlack].
func Preprocess(src image.Image, dst *Frame) error {
	if src == nil || dst == nil {
		return fmt.Errorf("flappy: Preprocess needs a source image and a destination frame")
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 1 || h < 1 {
		return fmt.Errorf("flappy: Preprocess: empty image %v", b)
	}
	xs, xw := linearTaps(w, FrameSize)
	ys, yw := linearTaps(h, FrameSize)
	rgba, _ := src.(*image.RGBA)
	at := func(x, y int) (r, g, bl int) {
		if rgba != nil {
			i := rgba.PixOffset(b.Min.X+x, b.Min.Y+y)
			return int(rgba.Pix[i]), int(rgba.Pix[i+1]), int(rgba.Pix[i+2])
		}
		c := color.RGBAModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
		return int(c.R), int(c.G), int(c.B)
	}
	for i := range FrameSize {
		for j := range FrameSize {
			var acc [3]int
			for a := range 2 {
				for c := range 2 {
					wgt := yw[i][a] * xw[j][c]
					if wgt == 0 {
						continue
					}
					r, g, bl := at(xs[j][c], ys[i][a])
					acc[0] += wgt * r
					acc[1] += wgt * g
					acc[2] += wgt * bl
				}
			}
			const shift = 2 * resizeCoefBits
			for k := range acc {
				acc[k] = (acc[k] + 1<<(shift-1)) >> shift
			}
			// COLOR_BGR2GRAY on RGB data: channel 0 gets the blue weight.
			gray := (acc[0]*1868 + acc[1]*9617 + acc[2]*4899 + 1<<13) >> 14
			if gray > 1 {
				dst[i*FrameSize+j] = 1
			} else {
				dst[i*FrameSize+j] = 0
			}
		}
	}
	return nil
}

// resizeCoefBits is OpenCV's INTER_RESIZE_COEF_BITS.
const resizeCoefBits = 11

// linearTaps returns, for each of the n outputs of a resize from size src,
// OpenCV's INTER_LINEAR source indices and fixed-point weights (summing to
// 1<<resizeCoefBits).
func linearTaps(src, n int) (idx [][2]int, wgt [][2]int) {
	idx, wgt = make([][2]int, n), make([][2]int, n)
	scale := float64(src) / float64(n)
	const one = 1 << resizeCoefBits
	for d := range n {
		f := (float64(d)+0.5)*scale - 0.5
		s := int(f)
		if f < 0 && float64(s) != f {
			s-- // floor
		}
		f -= float64(s)
		if s < 0 {
			s, f = 0, 0
		}
		if s >= src-1 {
			s, f = src-1, 0
		}
		w0 := int((1-f)*one + 0.5) // saturate_cast rounds to nearest
		idx[d] = [2]int{s, min(s+1, src-1)}
		wgt[d] = [2]int{w0, one - w0}
	}
	return idx, wgt
}

// Sampled screen rows and columns of the fast observation: output pixel (i, j)
// mixes rows obsY[2i], obsY[2i+1] and columns obsX[2j], obsX[2j+1], all with
// nonzero weight (checked at init).
var (
	obsX, obsY [2 * FrameSize]int
	// firstObsCol[x] is the first k with obsX[k] >= x, for x in [0, 288].
	firstObsCol [ScreenWidth + 1]int
)

func init() {
	xs, xw := linearTaps(ScreenWidth, FrameSize)
	ys, yw := linearTaps(ScreenHeight, FrameSize)
	for i := range FrameSize {
		obsX[2*i], obsX[2*i+1] = xs[i][0], xs[i][1]
		obsY[2*i], obsY[2*i+1] = ys[i][0], ys[i][1]
		if xw[i][0] == 0 || xw[i][1] == 0 || yw[i][0] == 0 || yw[i][1] == 0 {
			panic("flappy: a resize weight is zero; Observe's shortcut does not hold")
		}
	}
	k := 0
	for x := 0; x <= ScreenWidth; x++ {
		for k < len(obsX) && obsX[k] < x {
			k++
		}
		firstObsCol[x] = k
	}
}

// Observe writes the game's preprocessed frame into dst: the same pixels as
// [Preprocess] of the [ThemeBlack] screen, computed on the 64x64 grid only.
// Each output pixel mixes four screen pixels with nonzero weights, and every
// sprite color is bright enough to pass the threshold with the smallest
// weight (1/8) against black, so a pixel is on exactly when one of its four
// screen pixels is covered by an opaque sprite pixel.
func (g *Game) Observe(dst *Frame) {
	// A pipe has two distinct mask rows (cap and body): cache their coverage.
	type covCache struct {
		mask [2]uint64
		cov  [2]uint64
		n    int
	}
	var caches [8]covCache // upper and lower pipe of up to 4 pipes
	coverage := func(c *covCache, m uint64, x, w int) uint64 {
		for k := 0; k < c.n; k++ {
			if c.mask[k] == m {
				return c.cov[k]
			}
		}
		v := rowCoverage(m, x, w)
		if c.n < len(c.mask) {
			c.mask[c.n], c.cov[c.n] = m, v
			c.n++
		}
		return v
	}
	by := int(g.birdY)
	bird := &birdSprites[g.wing]
	for i := range FrameSize {
		var out uint64
		for a := range 2 {
			y := obsY[2*i+a]
			if y >= BaseTop { // the ground covers the whole width
				out = ^uint64(0)
				break
			}
			for pi, p := range g.pipes {
				if pi >= 4 {
					break // never more than 3 pipes
				}
				if uy := p.GapY - PipeHeight; y >= uy && y < p.GapY {
					out |= coverage(&caches[2*pi], upperPipeSprite.mask[y-uy], p.X, PipeWidth)
				} else if ly := p.GapY + PipeGapSize; y >= ly && y < ly+PipeHeight {
					out |= coverage(&caches[2*pi+1], lowerPipeSprite.mask[y-ly], p.X, PipeWidth)
				}
			}
			if y >= by && y < by+BirdHeight {
				out |= rowCoverage(bird.mask[y-by], BirdX, BirdWidth)
			}
		}
		row := dst[i*FrameSize : (i+1)*FrameSize]
		for j := range row {
			row[j] = uint8(out>>uint(j)) & 1
		}
	}
}

// rowCoverage returns the output columns (bit j for column j) whose sampled
// screen columns obsX[2j], obsX[2j+1] are covered by the mask row m of a
// sprite of width w at x.
func rowCoverage(m uint64, x, w int) uint64 {
	if x >= ScreenWidth || x+w <= 0 || m == 0 {
		return 0
	}
	var out uint64
	for k := firstObsCol[max(x, 0)]; k < len(obsX) && obsX[k] < x+w; k++ {
		out |= (m >> uint(obsX[k]-x) & 1) << uint(k/2)
	}
	return out
}
