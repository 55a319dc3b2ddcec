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

// TestTallProducts checks the tall path for float32 products in the
// transposed layout with many LHS rows and few RHS rows ([M, K] x [N, K]^T,
// N <= 128 a multiple of 16, M >= 64: the small RHS packed once, the LHS read in
// place four rows at a time; third_party/README.md §7) against a float64
// reference: M not a multiple of 4 (a copied last strip), K over several
// 256-blocks and not a multiple of 4, N of 16 to 128, a batch axis, on one
// worker and on several. It fails when a K block, the last strip or a column
// strip is off. Shapes outside the path (N = 8, N = 144) check the other paths.
// On a CPU with AVX-512 the path's 4x32 kernels take N a multiple of 32 and the
// AVX2 4x16 ones are left to the packed path; make test-go runs this package
// again with GOMLX_GO_SIMD_AVX512=false for them.
func TestTallProducts(t *testing.T) {
	cases := []struct{ batch, m, k, n int }{
		{1, 8192, 256, 32},   // the fast DQN's first convolution
		{1, 2048, 512, 64},   // its second
		{1, 512, 8192, 32},   // a dense layer's weight product
		{1, 301, 77, 16},     // a 1-row last strip, K not a multiple of 4
		{1, 66, 513, 48},     // K = 2*256 + 1, a 2-row last strip
		{2, 128, 300, 32},    // a batch axis
		{1, 200, 100, 8},     // N = 8: another path
		{1, 4096, 1024, 128}, // the DCGAN discriminator's third layer
		{1, 301, 77, 32},     // AVX-512's 4x32 kernel: a 1-row last strip, K not a multiple of 4
		{1, 66, 513, 64},     // AVX-512's: two 32-column strips, a 2-row last strip
		{1, 200, 100, 80},    // N = 80
		{1, 200, 100, 144},   // N = 144: another path
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
				t.Run(fmt.Sprintf("%dx[%d,%d]x[%d,%d]T", c.batch, c.m, c.k, c.n, c.k), func(t *testing.T) {
					checkTall(t, backend, c.batch, c.m, c.k, c.n)
				})
			}
		})
	}
}

func checkTall(t *testing.T, backend compute.Backend, batch, m, k, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(m), uint64(k)))
	lhs := make([]float32, batch*m*k)
	rhs := make([]float32, batch*n*k)
	for i := range lhs {
		lhs[i] = float32(rng.NormFloat64())
	}
	for i := range rhs {
		rhs[i] = float32(rng.NormFloat64())
	}
	lhsT := tensors.FromShape(shapes.Make(dtypes.Float32, batch, m, k))
	tensors.MutableFlatData(lhsT, func(d []float32) { copy(d, lhs) })
	rhsT := tensors.FromShape(shapes.Make(dtypes.Float32, batch, n, k))
	tensors.MutableFlatData(rhsT, func(d []float32) { copy(d, rhs) })
	out := MustExecOnce(backend, func(a, b *Node) *Node {
		return DotGeneral(a, []int{2}, []int{0}, b, []int{2}, []int{0})
	}, lhsT, rhsT)
	got := tensors.MustCopyFlatData[float32](out)
	bad := 0
	for bi := range batch {
		for i := range m {
			for j := range n {
				var want float64
				for kk := range k {
					want += float64(lhs[(bi*m+i)*k+kk]) * float64(rhs[(bi*n+j)*k+kk])
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
