package computecheck

import (
	"math"
	"testing"

	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// The fusion test (third_party/compute patch 8, second part: ops.ElementwiseFusion): trees of element-wise ops
// over one shape run as one node, in blocks. Each tree here is compared,
// exactly, with the same ops done one at a time in float32: scalars on either
// side of Sub and Div, per-channel operands of [C,B,H,W] ([C,1,1,1], one value
// per block) and of [B,H,W,C] ([1,1,1,C], tiled), an intermediate value used
// twice (two trees), and a donated operand as the output.
func TestElementwiseTreesFused(t *testing.T) {
	backend, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	const c, b, hw = 4, 3, 4096 // [C, B, H*W]: 49152 elements, rows of 12288
	n := c * b * hw
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32((i*7)%29)*0.25 - 3.5
		y[i] = float32((i*5)%31)*0.125 + 0.5 // positive: Sqrt, Div
	}
	ch := []float32{0.5, -1.25, 2, 0.75}
	xt := tensors.FromFlatDataAndDimensions(x, c, b, hw)
	yt := tensors.FromFlatDataAndDimensions(y, c, b, hw)
	check := func(name string, got [][][]float32, want func(i int) float32) {
		t.Helper()
		for i := range n {
			g := got[i/(b*hw)][i/hw%b][i%hw]
			if w := want(i); g != w && !(math.IsNaN(float64(g)) && math.IsNaN(float64(w))) {
				t.Fatalf("%s: element %d = %g, want %g", name, i, g, w)
			}
		}
	}
	sqrt := func(v float32) float32 { return float32(math.Sqrt(float64(v))) }

	// Adam's update of one variable: three trees, m and v used twice.
	got := MustExecOnceN(backend, func(x, y *Node) []*Node {
		m := Add(MulScalar(x, 0.9), MulScalar(y, 0.1))
		v := Add(MulScalar(y, 0.999), MulScalar(Mul(x, x), 0.001))
		p := Sub(y, Div(MulScalar(MulScalar(m, 1.5), 2e-4), AddScalar(Sqrt(MulScalar(v, 1.25)), 1e-8)))
		return []*Node{m, v, p}
	}, xt, yt)
	mw := func(i int) float32 { return x[i]*0.9 + y[i]*0.1 }
	vw := func(i int) float32 { return y[i]*0.999 + x[i]*x[i]*0.001 }
	check("adam m", got[0].Value().([][][]float32), mw)
	check("adam v", got[1].Value().([][][]float32), vw)
	check("adam p", got[2].Value().([][][]float32), func(i int) float32 {
		return y[i] - mw(i)*1.5*2e-4/(sqrt(vw(i)*1.25)+1e-8)
	})

	// Scalars on the left of Sub and Div, Max, Min, Neg, Abs.
	out := MustExecOnce(backend, func(x, y *Node) *Node {
		return Neg(Abs(Max(Sub(Scalar(x.Graph(), x.DType(), 3), Div(Scalar(x.Graph(), x.DType(), 2), y)), MinScalar(x, 1))))
	}, xt, yt)
	check("scalars", out.Value().([][][]float32), func(i int) float32 {
		v := max(3-2/y[i], min(x[i], 1))
		return -float32(math.Abs(float64(v)))
	})

	// Per-channel operands: [C,1,1] of [C,B,HW] (one value per block, as a
	// batch norm's in the [C,B,H,W] layout), and [1,8] of [N/8, 8] (a period
	// that divides the block, as a bias or a batch norm's in [B,H,W,C]).
	out = MustExecOnce(backend, func(x, y, s *Node) *Node {
		return Add(Mul(Sub(x, s), y), MulScalar(s, 2))
	}, xt, yt, tensors.FromFlatDataAndDimensions(ch, c, 1, 1))
	check("per-block scalars", out.Value().([][][]float32), func(i int) float32 {
		s := ch[i/(b*hw)]
		return (x[i]-s)*y[i] + s*2
	})
	tile := []float32{1.5, -2, 0.25, 3, -0.5, 4, 2.5, -1}
	rows := MustExecOnce(backend, func(x, y, tl *Node) *Node {
		return Sub(Mul(x, tl), Div(y, tl))
	}, tensors.FromFlatDataAndDimensions(x, n/8, 8), tensors.FromFlatDataAndDimensions(y, n/8, 8),
		tensors.FromFlatDataAndDimensions(tile, 1, 8)).Value().([][]float32)
	for i := range n {
		if g, w := rows[i/8][i%8], x[i]*tile[i%8]-y[i]/tile[i%8]; g != w {
			t.Fatalf("tiled: element %d = %g, want %g", i, g, w)
		}
	}

	// In place: a donated operand becomes the output.
	donated, err := DonateTensorBuffer(tensors.FromFlatDataAndDimensions(append([]float32(nil), x...), c, b, hw), backend, 0)
	if err != nil {
		t.Fatal(err)
	}
	e := MustNewExec(backend, func(z, y *Node) *Node { return Sqrt(Mul(Abs(z), y)) })
	defer e.Finalize()
	outs, err := e.Exec(donated, yt)
	if err != nil {
		t.Fatal(err)
	}
	check("in place", outs[0].Value().([][][]float32), func(i int) float32 {
		return sqrt(float32(math.Abs(float64(x[i]))) * y[i])
	})
}
