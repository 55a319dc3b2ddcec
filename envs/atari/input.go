package atari

import (
	"math"
	"sync"
)

// ImageSize is the side of the tutorial's square input images (IMAGE_SIZE).
const ImageSize = 64

// Preprocess is the tutorial's InputWrapper.observation: it resizes the frame
// to size x size (aspect not kept) and moves the channels first, returning
// float32 values in 0..255 laid out [3,size,size] (CHW). It writes into dst
// when dst has room for 3*size*size values, else it allocates; a size below
// 1 gives nil.
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
	if size < 1 {
		return nil
	}
	n := 3 * size * size
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	xs, ys := taps(f.Width, size), taps(f.Height, size)
	plane := size * size
	rowLen := f.Width * 3
	for oy, ty := range ys {
		r0 := f.Pix[ty.i0*rowLen : (ty.i0+1)*rowLen]
		r1 := f.Pix[ty.i1*rowLen : (ty.i1+1)*rowLen]
		for c := 0; c < 3; c++ {
			out := dst[c*plane+oy*size : c*plane+oy*size+size]
			for ox, tx := range xs {
				a, b := tx.i0*3+c, tx.i1*3+c
				// Horizontal pass of both rows, then cv2's SIMD vertical pass:
				// ((b0*(S0>>4))>>16 + (b1*(S1>>4))>>16 + 2) >> 2.
				s0 := int32(r0[a])*tx.w0 + int32(r0[b])*tx.w1
				s1 := int32(r1[a])*tx.w0 + int32(r1[b])*tx.w1
				v := (ty.w0*(s0>>4))>>16 + (ty.w1*(s1>>4))>>16
				out[ox] = float32((v + 2) >> 2)
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

var (
	tapMu    sync.Mutex
	tapCache = map[[2]int][]tap{} // {src, dst} -> taps
)

// taps returns cv2's INTER_LINEAR sampling of src pixels onto dst pixels,
// computed as cv2 computes it (float32 fractions, weights rounded to even).
func taps(src, dst int) []tap {
	key := [2]int{src, dst}
	tapMu.Lock()
	defer tapMu.Unlock()
	if t, ok := tapCache[key]; ok {
		return t
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
	tapCache[key] = t
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
