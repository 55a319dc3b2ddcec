package atari

import (
	"fmt"
	"math"
	"sync"
)

// ImageSize is the side of the tutorial's square input images (IMAGE_SIZE).
const ImageSize = 64

// Preprocess is the tutorial's InputWrapper.observation: it resizes the frame
// to size x size (aspect not kept) and moves the channels first, returning
// float32 values in 0..255 laid out [3,size,size] (CHW). It writes into dst
// when dst has room for 3*size*size values, else it allocates.
//
// The resize is cv2.resize's default, INTER_LINEAR, reproduced bit for bit
// (checked against OpenCV 4.6 in the tests): pixel centres aligned
// (src = (dst+0.5)*scale-0.5), two taps per axis, no anti-aliasing, and
// cv2's 11-bit fixed-point weights and rounding for 8-bit images. Bilinear
// rather than area averaging because the tutorial used it: at 210->64 and
// 160->64 it samples the frame rather than averaging it, so a 2-pixel ball
// sometimes vanishes or comes out faint, and the GAN should see the inputs
// the original saw.
func Preprocess(f *Frame, size int, dst []float32) []float32 {
	n := 3 * size * size
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	xs, ys := taps(f.Width, size), taps(f.Height, size)
	plane := size * size
	row := func(y int, out []int32) { // horizontal pass of one source row
		src := f.Pix[y*f.Width*3 : (y+1)*f.Width*3]
		for ox, tx := range xs {
			a, b := tx.i0*3, tx.i1*3
			for c := 0; c < 3; c++ {
				out[ox*3+c] = int32(src[a+c])*tx.w0 + int32(src[b+c])*tx.w1
			}
		}
	}
	h0, h1 := make([]int32, 3*size), make([]int32, 3*size)
	for oy, ty := range ys {
		row(ty.i0, h0)
		row(ty.i1, h1)
		for ox := 0; ox < size; ox++ {
			for c := 0; c < 3; c++ {
				// cv2's SIMD vertical pass: ((b0*(S0>>4))>>16 + (b1*(S1>>4))>>16 + 2) >> 2
				v := (ty.w0*(h0[ox*3+c]>>4))>>16 + (ty.w1*(h1[ox*3+c]>>4))>>16
				dst[c*plane+oy*size+ox] = float32((v + 2) >> 2)
			}
		}
	}
	return dst
}

// tap is one output coordinate's two source coordinates and their weights
// in cv2's fixed point (2048 = 1).
type tap struct {
	i0, i1 int
	w0, w1 int32
}

var tapCache sync.Map // [2]int{src, dst} -> []tap

// taps returns cv2's INTER_LINEAR sampling of src pixels onto dst pixels,
// computed as cv2 computes it (float32 fractions, weights rounded to even).
func taps(src, dst int) []tap {
	key := [2]int{src, dst}
	if t, ok := tapCache.Load(key); ok {
		return t.([]tap)
	}
	t := make([]tap, dst)
	scale := float64(src) / float64(dst)
	for d := range t {
		fx := float32((float64(d)+0.5)*scale - 0.5)
		sx := int(math.Floor(float64(fx)))
		fx -= float32(sx)
		if sx < 0 {
			sx, fx = 0, 0
		}
		if sx >= src-1 {
			sx, fx = src-1, 0
		}
		t[d] = tap{
			i0: sx, i1: min(sx+1, src-1),
			w0: int32(math.RoundToEven(float64((1 - fx) * 2048))),
			w1: int32(math.RoundToEven(float64(fx * 2048))),
		}
	}
	tapCache.Store(key, t)
	return t
}

// Mean is np.mean of an observation.
func Mean(obs []float32) float64 {
	var s float64
	for _, v := range obs {
		s += float64(v)
	}
	return s / float64(len(obs))
}

// InputWrapper is the tutorial's gym.ObservationWrapper: an Env whose
// observations are Preprocess'ed to [3,64,64] float32 in 0..255.
type InputWrapper struct {
	*Env
	Size int // output side, ImageSize unless changed
	obs  []float32
}

// NewInputWrapper wraps the named game's -v0 Env.
func NewInputWrapper(name string, seed uint64) (*InputWrapper, error) {
	e, err := NewEnv(name, seed)
	if err != nil {
		return nil, err
	}
	return &InputWrapper{Env: e, Size: ImageSize}, nil
}

// Reset starts a new game and returns its first observation, [3,Size,Size]
// (a new slice the caller owns).
func (w *InputWrapper) Reset() []float32 {
	w.Env.reset()
	return Preprocess(w.screen, w.Size, nil)
}

// Step is Env.Step with the observation preprocessed to [3,Size,Size]
// (a new slice the caller owns).
func (w *InputWrapper) Step(action int) (obs []float32, reward float64, done bool, err error) {
	if err := w.check(action); err != nil {
		return nil, 0, w.done, err
	}
	r, d := w.Env.step(action)
	return Preprocess(w.screen, w.Size, nil), r, d, nil
}

// stepInto is Step writing the observation into w's own buffer.
func (w *InputWrapper) stepInto(action int) ([]float32, float64, bool) {
	r, d := w.Env.step(action)
	w.obs = Preprocess(w.screen, w.Size, w.obs)
	return w.obs, r, d
}

func (w *InputWrapper) validate() error {
	if w.Size < 1 {
		return fmt.Errorf("atari: InputWrapper size %d < 1", w.Size)
	}
	return nil
}
