package computecheck

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// The contraction-split test: a matrix multiplication with a long contraction
// (a convolution's weight gradient) is split along the contraction between
// workers, each part into its own partial output, summed at
// the end (third_party/compute patch 8, matmul.ContractionSplit). Both operand
// layouts are compared with a float64 reference, on the DQN's weight-gradient
// shape and on odd sizes whose last part is shorter than the others (sizes
// large enough for the backend's packing path: m*n*k >= 4M).
func TestLongContractionsSplitAcrossWorkers(t *testing.T) {
	// The worker pool is sized from GOMAXPROCS when the backend is created.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	backend, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	for _, c := range []struct{ m, k, n int }{
		{36, 139392, 32}, // the DQN's first convolution, weight gradient
		{20, 30011, 24},  // odd: two parts of 15104 and 14907 indices
		{9, 500003, 1},   // one output column
		{96, 1536, 160},  // output larger than the contraction (as the DCGAN's weight gradients)
		{100, 1000, 70},  // idem, odd: parts of 576 and 424 indices
	} {
		lhs, rhs := make([]float32, c.m*c.k), make([]float32, c.k*c.n)
		for i := range lhs {
			lhs[i] = float32((i*7)%19)*0.125 - 1.0625
		}
		for i := range rhs {
			rhs[i] = float32((i*5)%23)*0.0625 - 0.6875
		}
		want := make([]float64, c.m*c.n)
		for i := range c.m {
			for j := range c.n {
				var sum float64
				for p := range c.k {
					sum += float64(lhs[i*c.k+p]) * float64(rhs[p*c.n+j])
				}
				want[i*c.n+j] = sum
			}
		}
		rhsT := make([]float32, len(rhs)) // [n, k]
		for p := range c.k {
			for j := range c.n {
				rhsT[j*c.k+p] = rhs[p*c.n+j]
			}
		}
		lt := tensors.FromFlatDataAndDimensions(lhs, c.m, c.k)
		for _, layout := range []string{"[m,k]x[k,n]", "[m,k]x[n,k]"} {
			name := fmt.Sprintf("%dx%dx%d %s", c.m, c.k, c.n, layout)
			var got any
			if layout == "[m,k]x[k,n]" {
				got = MustExecOnce(backend, func(a, b *Node) *Node { return DotGeneral(a, []int{1}, nil, b, []int{0}, nil) },
					lt, tensors.FromFlatDataAndDimensions(rhs, c.k, c.n)).Value()
			} else {
				got = MustExecOnce(backend, func(a, b *Node) *Node {
					return DotGeneral(a, []int{1}, nil, b, []int{1}, nil)
				}, lt, tensors.FromFlatDataAndDimensions(rhsT, c.n, c.k)).Value()
			}
			rows := got.([][]float32)
			for i := range c.m {
				for j := range c.n {
					g, w := float64(rows[i][j]), want[i*c.n+j]
					// float32 sums of up to 139392 terms of magnitude ~1, in a different order.
					if math.Abs(g-w) > 1e-5*float64(c.k)/100+1e-4 {
						t.Fatalf("%s: [%d, %d] = %g, want %g", name, i, j, g, w)
					}
				}
			}
		}
	}
}
