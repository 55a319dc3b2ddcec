package computecheck

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestPadFillsOnlyTheBorder checks Pad (third_party/compute patch 11: without
// interior padding it writes the fill value only where the operand is not
// copied) against a reference, element by element: ranks 1 to 4, padding and
// cropping (negative Start/End) on any axis, untouched axes between padded
// ones, a crop that leaves nothing, interior padding (the old path), zero and
// non-zero fill values. Each graph runs three times with different operands
// and fill values, so output buffers the backend hands out again (its pool)
// hold the previous run's values: a border the new path failed to write would
// keep them. It fails when a gap before or after the copied range, or a whole
// cropped-out block, is left unwritten, or a row lands at the wrong offset.
func TestPadFillsOnlyTheBorder(t *testing.T) {
	backend, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	cases := []struct {
		dims []int
		pads []graph.PadAxis
	}{
		{[]int{7}, []graph.PadAxis{{Start: 2, End: 3}}},
		{[]int{32, 64, 64, 4}, []graph.PadAxis{{}, {Start: 2, End: 2}, {Start: 2, End: 2}, {}}}, // the fast DQN's input
		{[]int{3, 8, 8, 512}, []graph.PadAxis{{}, {Start: 1}, {End: 1}, {Start: -128, End: -256}}},
		{[]int{2, 5, 6}, []graph.PadAxis{{Start: -1, End: 2}, {}, {Start: 3, End: -2}}},
		{[]int{4, 3}, []graph.PadAxis{{Start: -4, End: 1}, {Start: 1, End: 1}}}, // nothing of the operand left
		{[]int{3, 4, 5}, []graph.PadAxis{{Start: 1, End: 1, Interior: 1}, {}, {Start: 2}}},
		{[]int{2, 3, 4, 5}, []graph.PadAxis{{}, {}, {Start: 1, End: 2}, {}}},
	}
	for ci, c := range cases {
		t.Run(fmt.Sprintf("%v", c.dims), func(t *testing.T) {
			exec := graph.MustNewExec(backend, func(x, fill *graph.Node) *graph.Node {
				return graph.Pad(x, fill, c.pads...)
			})
			rng := rand.New(rand.NewPCG(uint64(ci), 1))
			for run, fill := range []float32{0, 7.5, 0} {
				n := 1
				for _, d := range c.dims {
					n *= d
				}
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(rng.IntN(1000)) + 1 // never 0 or 7.5
				}
				out := exec.MustExec(tensors.FromFlatDataAndDimensions(x, c.dims...), fill)[0]
				got := tensors.MustCopyFlatData[float32](out)
				want, wantDims := padReference(x, c.dims, c.pads, fill)
				if fmt.Sprint(out.Shape().Dimensions) != fmt.Sprint(wantDims) {
					t.Fatalf("run %d: shape %v, want %v", run, out.Shape().Dimensions, wantDims)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("run %d (fill %g): element %d = %g, want %g", run, fill, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// padReference pads x [dims] as Pad does, one output element at a time.
func padReference(x []float32, dims []int, pads []graph.PadAxis, fill float32) ([]float32, []int) {
	rank := len(dims)
	outDims := make([]int, rank)
	for a := range rank {
		outDims[a] = dims[a] + pads[a].Start + pads[a].End + max(0, dims[a]-1)*pads[a].Interior
	}
	n := 1
	for _, d := range outDims {
		n *= d
	}
	out := make([]float32, n)
	idx := make([]int, rank)
	for o := range out {
		rem, src, inside := o, 0, true
		for a := rank - 1; a >= 0; a-- {
			idx[a] = rem % outDims[a]
			rem /= outDims[a]
		}
		for a := range rank {
			p := idx[a] - pads[a].Start
			step := 1 + pads[a].Interior
			if p < 0 || p%step != 0 || p/step >= dims[a] {
				inside = false
				break
			}
			src = src*dims[a] + p/step
		}
		if inside {
			out[o] = x[src]
		} else {
			out[o] = fill
		}
	}
	return out, outDims
}
