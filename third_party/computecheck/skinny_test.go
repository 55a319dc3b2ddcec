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

// TestSkinnyProducts checks the skinny path for float32 products with few LHS
// rows ([M, K] x [K, N], M <= 64, N >= 256, read in place without packing the
// RHS; third_party/README.md §6) against a float64 reference: LHS rows not a
// multiple of 4, RHS columns not a multiple of 16, K over several 256-blocks, a
// batch axis, on one worker and on several. It fails when a partial row strip,
// the column tail, a K block or a batch's offset is off by one. On a CPU without
// AVX2 (or a build without GOEXPERIMENT=simd) the same products take the other
// paths, and the test checks those. With AVX-512 the path's strips are 32
// columns wide (4x32 kernels).
func TestSkinnyProducts(t *testing.T) {
	cases := []struct{ batch, m, k, n int }{
		{1, 32, 288, 1000}, // a convolution's shape: two K blocks, a 8-column tail
		{1, 30, 300, 517},  // a partial row strip (2 rows) and a 5-column tail
		{1, 64, 64, 1024},  // exact strips, one short K block
		{1, 3, 1500, 1100}, // a single partial row strip, six K blocks
		{1, 17, 513, 480},  // K = 2*256 + 1
		{3, 8, 600, 1000},  // a batch axis
		{1, 32, 288, 1008}, // 32-column strips (AVX-512): a 16-column tail
		{1, 30, 300, 1020}, // a 28-column tail, a partial row strip
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
				t.Run(fmt.Sprintf("%dx[%d,%d]x[%d,%d]", c.batch, c.m, c.k, c.k, c.n), func(t *testing.T) {
					checkSkinny(t, backend, c.batch, c.m, c.k, c.n)
				})
			}
		})
	}
}

func checkSkinny(t *testing.T, backend compute.Backend, batch, m, k, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(m), uint64(n)))
	lhs := make([]float32, batch*m*k)
	rhs := make([]float32, batch*k*n)
	for i := range lhs {
		lhs[i] = float32(rng.NormFloat64())
	}
	for i := range rhs {
		rhs[i] = float32(rng.NormFloat64())
	}
	lhsT := tensors.FromShape(shapes.Make(dtypes.Float32, batch, m, k))
	tensors.MutableFlatData(lhsT, func(d []float32) { copy(d, lhs) })
	rhsT := tensors.FromShape(shapes.Make(dtypes.Float32, batch, k, n))
	tensors.MutableFlatData(rhsT, func(d []float32) { copy(d, rhs) })
	out := MustExecOnce(backend, func(a, b *Node) *Node {
		return DotGeneral(a, []int{2}, []int{0}, b, []int{1}, []int{0})
	}, lhsT, rhsT)
	got := tensors.MustCopyFlatData[float32](out)
	bad := 0
	for bi := range batch {
		for i := range m {
			for j := range n {
				var want float64
				for kk := range k {
					want += float64(lhs[(bi*m+i)*k+kk]) * float64(rhs[(bi*k+kk)*n+j])
				}
				g := float64(got[(bi*m+i)*n+j])
				if math.Abs(g-want) > 1e-3*math.Sqrt(float64(k)) {
					if bad < 5 {
						t.Errorf("batch %d out[%d][%d] = %g, want %g", bi, i, j, g, want)
					}
					bad++
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d elements wrong", bad, batch*m*n)
	}
}
