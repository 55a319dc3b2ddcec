package matmul

import (
	"fmt"
	"testing"
)

// avx512Float32 are the AVX-512 float32 kernels' cache parameters (a copy:
// the avx512 package imports this one).
var avx512Float32 = CacheParams{LHSL1KernelRows: 8, RHSL1KernelCols: 32, PanelContractingSize: 192, LHSPanelCrossSize: 32, RHSPanelCrossSize: 512}

// The DCGAN's weight gradients (long contractions, outputs larger than the
// contraction) split their contraction between 2 workers; products with short
// contractions, or whose output split repacks little, split their output.
func TestContractionSplitChoice(t *testing.T) {
	for _, c := range []struct {
		m, n, k   int
		wantParts int
	}{
		{256, 512, 4096, 2},  // DCGAN discriminator weight gradient
		{128, 1024, 4096, 2}, // DCGAN weight gradient
		{1024, 256, 2048, 2}, // DCGAN weight gradient
		{36, 32, 139392, 2},  // DQN first layer weight gradient (output smaller than the contraction)
		{4096, 1024, 128, 1}, // forward product: contraction shorter than 4 panels
		{1024, 2048, 256, 1}, // idem
		{4096, 128, 1024, 2}, // DCGAN forward product: its 2x2 output split would pack the 4096 rows twice
		{4096, 32, 1024, 1},  // a row split repacks only the 32-column right-hand side
	} {
		parts, chunk := ContractionSplit(1, c.m, c.n, c.k, 2, &avx512Float32)
		if parts != c.wantParts {
			t.Errorf("[%d,%d]x[%d,%d]: %d parts, want %d", c.m, c.k, c.k, c.n, parts, c.wantParts)
		}
		if parts > 1 && (chunk%avx512Float32.PanelContractingSize != 0 || (parts-1)*chunk >= c.k) {
			t.Errorf("[%d,%d]x[%d,%d]: chunk %d is not a whole number of panels or leaves the last part empty", c.m, c.k, c.k, c.n, chunk)
		}
	}
	if parts, _ := ContractionSplit(2, 256, 512, 4096, 2, &avx512Float32); parts != 1 {
		t.Errorf("a batch of 2 products split its contraction in %d parts, want 1", parts)
	}
	if parts, _ := ContractionSplit(1, 256, 512, 4096, 1, &avx512Float32); parts != 1 {
		t.Errorf("one worker split the contraction in %d parts, want 1", parts)
	}
}

// WorkQueue's items cover every output element of every batch exactly once
// (and, for a contraction split, every contracting index once per element).
func TestWorkQueueCoversOutputOnce(t *testing.T) {
	for _, c := range []struct{ batch, m, n, k, workers int }{
		{1, 256, 512, 4096, 2}, {1, 4096, 1024, 128, 2}, {1, 100, 37, 50, 4}, {3, 64, 96, 700, 4},
		{4, 33, 65, 17, 2}, {16, 40, 8, 9, 4}, {1, 1, 1, 1, 1}, {1, 9, 1, 500003, 8},
	} {
		t.Run(fmt.Sprintf("%dx[%d,%d]x[%d,%d]/%d", c.batch, c.m, c.k, c.k, c.n, c.workers), func(t *testing.T) {
			parts, chunk := ContractionSplit(c.batch, c.m, c.n, c.k, c.workers, &avx512Float32)
			covered := make([]int, c.batch*c.m*c.n) // contracting indices summed into each element
			for item := range WorkQueue(c.batch, c.m, c.n, c.k, parts, chunk, &avx512Float32, c.workers) {
				k0, k1 := item.ContractingRange(c.k)
				for b := item.BatchStart; b < item.BatchEnd; b++ {
					for i := item.LHSRowStart; i < item.LHSRowEnd; i++ {
						for j := item.RHSColStart; j < item.RHSColEnd; j++ {
							covered[(b*c.m+i)*c.n+j] += k1 - k0
						}
					}
				}
			}
			for e, n := range covered {
				if n != c.k {
					t.Fatalf("output element %d summed %d contracting indices, want %d", e, n, c.k)
				}
			}
		})
	}
}
