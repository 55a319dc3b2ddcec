package computecheck

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestSegmentedOperands checks the products that read a convolution's patches
// in place (third_party/README.md §6: the SegmentedOperands pass fuses a Gather
// of shifted column windows, block i = x[:, o_i : o_i+n] of x [R, L], into the
// products that use it) against a float64 reference: the forward product
// w [M, m*R] x patches [m*R, n] (the skinny path, RHS strips read from the
// windows) and the weight gradient patches [m*R, n] x dy [N, n]^T (the packed
// path, LHS panels packed from the windows, or for M >= 64 and N a multiple of
// 16 the tall path of §7, LHS rows read from them), both from one Gather as
// models/nn builds them. The cases cover offsets out of order and past the end
// (Gather clamps them), a column tail, a partial row strip, K blocks and
// segments that straddle them, segments of 4 rows, and an R of 3 that the pass
// leaves alone; on one worker and on several. It fails when a segment's start,
// stride or row count, the strip copy's destination or a packed panel's offset
// is wrong.
func TestSegmentedOperands(t *testing.T) {
	cases := []struct {
		r, extra, n, mOut, nOut int
		offsets                 []int
	}{
		{32, 70, 1000, 32, 32, []int{0, 1, 2, 34, 35, 36, 68, 69, 70}}, // a 3x3 convolution's shifts, 32 channels
		{4, 140, 2000, 32, 16, []int{0, 1, 2, 66, 67, 68, 132, 133, 134}},
		{8, 40, 517, 30, 20, []int{40, 3, 17, 0, 500}},                 // out of order, one clamped to L-n
		{12, 30, 300, 64, 8, []int{5, 9, 30, 0, 11, 22}},               // K = 72 rows, a 12-column tail
		{3, 20, 600, 16, 4, []int{0, 10, 20}},                          // 3-row segments: not fused for the gradient
		{256, 70, 600, 62, 16, []int{0, 1, 2, 34, 35, 36, 68, 69, 70}}, // K = 2304: K super-blocks, a partial row strip
	}
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			backend, err := gobackend.New("")
			if err != nil {
				t.Fatal(err)
			}
			defer backend.Finalize()
			for _, c := range cases {
				t.Run(fmt.Sprintf("R%d_n%d_m%d", c.r, c.n, len(c.offsets)), func(t *testing.T) {
					checkSegmented(t, backend, c.r, c.n+c.extra, c.n, c.mOut, c.nOut, c.offsets)
				})
			}
		})
	}
}

func checkSegmented(t *testing.T, backend compute.Backend, r, l, n, mOut, nOut int, offsets []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(r), uint64(n)))
	k := len(offsets) * r
	random := func(size int) []float32 {
		v := make([]float32, size)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	x, w, dy := random(r*l), random(mOut*k), random(nOut*n)
	tensor := func(v []float32, dims ...int) *tensors.Tensor {
		tt := tensors.FromShape(shapes.Make(dtypes.Float32, dims...))
		tensors.MutableFlatData(tt, func(d []float32) { copy(d, v) })
		return tt
	}
	starts := make([][]int32, len(offsets))
	for i, o := range offsets {
		starts[i] = []int32{int32(o)}
	}
	outs := MustExecOnceN(backend, func(xs []*Node) []*Node {
		x, w, dy := xs[0], xs[1], xs[2]
		pt := Reshape(GatherSlices(x, []int{1}, Const(x.Graph(), starts), []int{n}, true), k, n)
		fwd := DotGeneral(w, []int{1}, nil, pt, []int{0}, nil)   // [mOut, n]
		grad := DotGeneral(pt, []int{1}, nil, dy, []int{1}, nil) // [k, nOut]
		return []*Node{fwd, grad}
	}, tensor(x, r, l), tensor(w, mOut, k), tensor(dy, nOut, n))
	// The reference: row (i, c) of the patches is x[c, o_i : o_i+n], o_i clamped to [0, L-n].
	patch := func(row, col int) float64 {
		i, c := row/r, row%r
		o := max(0, min(l-n, offsets[i]))
		return float64(x[c*l+o+col])
	}
	check := func(name string, got []float32, rows, cols, contracted int, want func(i, j int) float64) {
		bad := 0
		for i := range rows {
			for j := range cols {
				g, wv := float64(got[i*cols+j]), want(i, j)
				if math.Abs(g-wv) > 1e-3*math.Sqrt(float64(contracted)) {
					if bad < 5 {
						t.Errorf("%s[%d][%d] = %g, want %g", name, i, j, g, wv)
					}
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d elements wrong", name, bad, rows*cols)
		}
	}
	check("forward", tensors.MustCopyFlatData[float32](outs[0]), mOut, n, k, func(i, j int) float64 {
		var s float64
		for kk := range k {
			s += float64(w[i*k+kk]) * patch(kk, j)
		}
		return s
	})
	check("gradient", tensors.MustCopyFlatData[float32](outs[1]), k, nOut, n, func(i, j int) float64 {
		var s float64
		for q := range n {
			s += patch(i, q) * float64(dy[j*n+q])
		}
		return s
	})
}

// TestSegmentedWindows checks the weights product of a strided convolution
// whose patches are a Gather of 2D windows of its space-to-depth input (as
// models/nn's nhwcPlan builds them: xs [B, Hs, Ws, D], windows (di, dj), patches
// [B*Ho*Wo, m*D]) times its weights [N, m*D]^T, which the SegmentedOperands pass
// lets the tall path read in place (row segments of Wo rows D apart, one column
// run per window; third_party/README.md §7), against a float64 reference. Wo of
// 8 (strips inside segments), 6 and 3 (strips across segments, copied), a
// window clamped at the edge, N of 32 to 128, and N of 144 (not fused); on one
// worker and on several. It fails when a segment's start, a run's offset, the
// strips' classification or the copy of a strip across segments is wrong.
func TestSegmentedWindows(t *testing.T) {
	cases := []struct {
		b, hs, ws, d, ho, wo, n int
		windows                 [][2]int
	}{
		{32, 17, 17, 64, 16, 16, 32, [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}}}, // the fast DQN's first layer
		{4, 9, 9, 128, 8, 8, 64, [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}}},
		{3, 8, 7, 16, 7, 6, 32, [][2]int{{1, 1}, {0, 0}, {1, 5}}}, // out of order, (1, 5) clamped to (1, 1)
		{6, 5, 4, 8, 4, 3, 16, [][2]int{{0, 0}, {1, 1}}},          // 3-row segments
		{3, 8, 7, 32, 7, 6, 64, [][2]int{{1, 1}, {0, 0}, {1, 5}}}, // runs of 32 (AVX-512's 4x32 kernels), strips across segments
		{4, 9, 9, 32, 8, 8, 128, [][2]int{{0, 0}, {1, 1}}},        // N = 128
		{4, 9, 9, 32, 8, 8, 144, [][2]int{{0, 0}, {1, 1}}},        // N = 144: not fused
	}
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			backend, err := gobackend.New("")
			if err != nil {
				t.Fatal(err)
			}
			defer backend.Finalize()
			for _, c := range cases {
				t.Run(fmt.Sprintf("B%d_%dx%d_D%d_N%d", c.b, c.ho, c.wo, c.d, c.n), func(t *testing.T) {
					checkWindows(t, backend, c.b, c.hs, c.ws, c.d, c.ho, c.wo, c.n, c.windows)
				})
			}
		})
	}
}

func checkWindows(t *testing.T, backend compute.Backend, b, hs, ws, d, ho, wo, n int, windows [][2]int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(b*d), uint64(n)))
	m := len(windows)
	k := m * d
	x := make([]float32, b*hs*ws*d)
	w := make([]float32, n*k)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	xt := tensors.FromShape(shapes.Make(dtypes.Float32, b, hs, ws, d))
	tensors.MutableFlatData(xt, func(v []float32) { copy(v, x) })
	wt := tensors.FromShape(shapes.Make(dtypes.Float32, n, k))
	tensors.MutableFlatData(wt, func(v []float32) { copy(v, w) })
	starts := make([][]int32, m)
	for i, o := range windows {
		starts[i] = []int32{int32(o[0]), int32(o[1])}
	}
	p := b * ho * wo
	dy := make([]float32, p*n)
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	dyt := tensors.FromShape(shapes.Make(dtypes.Float32, p, n))
	tensors.MutableFlatData(dyt, func(v []float32) { copy(v, dy) })
	outs := MustExecOnceN(backend, func(in []*Node) []*Node {
		x, w, dy := in[0], in[1], in[2]
		g := BackendGather(x, Const(x.Graph(), starts), 1, []int{0, 1, 2, 4}, nil, []int{1, 2},
			[]int{b, ho, wo, d}, true) // [B, Ho, Wo, m, D]
		pt := Reshape(g, p, k)
		fwd := DotGeneral(pt, []int{1}, nil, w, []int{1}, nil)                           // [P, N]
		grad := DotGeneral(TransposeAllAxes(dy, 1, 0), []int{1}, nil, pt, []int{0}, nil) // [N, K]
		return []*Node{fwd, grad}
	}, xt, wt, dyt)
	got := tensors.MustCopyFlatData[float32](outs[0])
	patch := func(p, col int) float64 {
		bi, y, xx := p/(ho*wo), p/wo%ho, p%wo
		o := windows[col/d]
		di, dj := max(0, min(hs-ho, o[0])), max(0, min(ws-wo, o[1]))
		return float64(x[((bi*hs+y+di)*ws+xx+dj)*d+col%d])
	}
	gotGrad := tensors.MustCopyFlatData[float32](outs[1])
	badGrad := 0
	for j := range n {
		for col := range k {
			var want float64
			for q := range p {
				want += float64(dy[q*n+j]) * patch(q, col)
			}
			if g := float64(gotGrad[j*k+col]); math.Abs(g-want) > 1e-3*math.Sqrt(float64(p)) {
				if badGrad < 5 {
					t.Errorf("grad[%d][%d] = %g, want %g", j, col, g, want)
				}
				badGrad++
			}
		}
	}
	if badGrad > 0 {
		t.Errorf("gradient: %d of %d elements wrong", badGrad, n*k)
	}
	bad := 0
	for bi := range b {
		for y := range ho {
			for xx := range wo {
				p := (bi*ho+y)*wo + xx
				for j := range n {
					var want float64
					for i, o := range windows {
						di, dj := max(0, min(hs-ho, o[0])), max(0, min(ws-wo, o[1]))
						for e := range d {
							want += float64(x[((bi*hs+y+di)*ws+xx+dj)*d+e]) * float64(w[j*k+i*d+e])
						}
					}
					if g := float64(got[p*n+j]); math.Abs(g-want) > 1e-3*math.Sqrt(float64(k)) {
						if bad < 5 {
							t.Errorf("out[%d][%d] = %g, want %g", p, j, g, want)
						}
						bad++
					}
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d elements wrong", bad, b*ho*wo*n)
	}
}
