// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package avx2

import (
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
	"github.com/pkg/errors"
)

// Products with an operand whose rows are read in place from another buffer
// (dot.RowSegment): a convolution's patches, k*k shifted windows of its input
// planes, multiplied without materialising them. The forward product
// [Cout, k*k*Cin] x patches [k*k*Cin, pixels] takes the skinny path, the RHS
// strips copied from the windows; the weight gradient patches [k*k*Cin, pixels]
// x dY [Cout, pixels]^T takes the packed (large) path, the LHS panels packed
// from the windows.

// checkSegments panics unless segs add up to rows rows of cols values each, all
// inside src.
func checkSegments(segs []dot.RowSegment, src []float32, rows, cols int) {
	total := 0
	for _, seg := range segs {
		if seg.Rows < 1 || seg.Start < 0 || seg.Stride < 0 || seg.Start+(seg.Rows-1)*seg.Stride+cols > len(src) {
			panic(errors.Errorf("segmented operand: segment %+v of %d values a row reads outside its source (%d values)",
				seg, cols, len(src)))
		}
		total += seg.Rows
	}
	if total != rows {
		panic(errors.Errorf("segmented operand: segments hold %d rows, the product needs %d", total, rows))
	}
}

// avx2SegmentedRHSFloat32 implements dot.SegmentedRHSFloat32: output [m, n] =
// lhs [m, k] x rhs [k, n], the rows of rhs read in place from src (and their
// columns from runs, if not nil).
func avx2SegmentedRHSFloat32(backend *gobackend.Backend, lhs, src []float32, segs []dot.RowSegment, runs []dot.ColumnRun,
	m, n, k int, output []float32) {
	if !avx2SegmentedRHSSupported(m, n, k, runs) {
		panic(errors.Errorf("segmented RHS: [%d, %d] x [%d, %d] with column runs %v not supported", m, k, k, n, runs))
	}
	checkSegments(segs, src, k, rowExtent(runs, n))
	if len(lhs) != m*k || len(output) != m*n {
		panic(errors.Errorf("segmented RHS: [%d, %d] x [%d, %d] with %d LHS and %d output values", m, k, k, n, len(lhs), len(output)))
	}
	skinnyProduct(backend, lhs, src, segs, runs, m, n, k, output)
}

// avx2SegmentedRHSSupported implements dot.SegmentedRHSSupported: few LHS rows,
// many columns (the skinny path, whose K super-blocks lift its M*K bound), and
// column runs, if any, of whole 16-column strips adding up to n.
func avx2SegmentedRHSSupported(m, n, k int, runs []dot.ColumnRun) bool {
	if !AVX2UseAsm || m > skinnyMaxRows || n < skinnyMinCols || k < 1 {
		return false
	}
	if runs == nil {
		return true
	}
	if wideKernels && skinnyStripCols(runs) != wideCols {
		return false // the 4x16 AVX2 kernels: slower than the AVX-512 packed path
	}
	cols := 0
	for _, run := range runs {
		if run.Offset < 0 || run.Width < 1 || run.Width%skinnyCols != 0 {
			return false
		}
		cols += run.Width
	}
	return cols == n
}

// rowExtent is how many values of a segmented row a product reads: the
// furthest column run's end, or cols without runs.
func rowExtent(runs []dot.ColumnRun, cols int) int {
	if runs == nil {
		return cols
	}
	extent := 0
	for _, run := range runs {
		extent = max(extent, run.Offset+run.Width)
	}
	return extent
}

// avx2SegmentedLHSFloat32 implements dot.SegmentedLHSFloat32: output [m, n] =
// lhs [m, k] x rhs [n, k]^T, the rows of lhs read in place from src.
func avx2SegmentedLHSFloat32(backend *gobackend.Backend, src []float32, segs []dot.RowSegment, runs []dot.ColumnRun,
	rhs []float32, m, n, k int, output []float32) {
	runCols := 0
	for _, run := range runs {
		if run.Offset < 0 || run.Width < 1 {
			panic(errors.Errorf("segmented LHS: bad column run %+v", run))
		}
		runCols += run.Width
	}
	if runs != nil && runCols != k {
		panic(errors.Errorf("segmented LHS: column runs hold %d columns, the product needs %d", runCols, k))
	}
	checkSegments(segs, src, m, rowExtent(runs, k))
	if len(rhs) != n*k || len(output) != m*n {
		panic(errors.Errorf("segmented LHS: [%d, %d] x [%d, %d]^T with %d RHS and %d output values", m, k, n, k, len(rhs), len(output)))
	}
	if avx2UseTallFloat32(m, n, k) {
		tallProduct(backend, src, segs, runs, rhs, m, n, k, output)
		return
	}
	if runs != nil {
		panic(errors.Errorf("segmented LHS: column runs need the tall path ([%d, %d] x [%d, %d]^T)", m, k, n, k))
	}
	for _, seg := range segs {
		if seg.Rows%4 != 0 {
			panic(errors.Errorf("segmented LHS: segment %+v is not a whole number of 4-row strips", seg))
		}
	}
	avx2LargeFloat32(backend, dot.LayoutTransposed, src, rhs, 1, m, n, k, output, segs)
}

// avx2SegmentedLHSSupported implements dot.SegmentedLHSSupported: products
// the tall path takes (any segments, column runs or not), or others whose
// segments are whole numbers of the packed panels' 4-row strips.
func avx2SegmentedLHSSupported(m, n, k, segmentRows int, withRuns bool) bool {
	if wideKernels {
		// Only the tall path's 4x32 AVX-512 kernel: the others would run AVX2
		// kernels, slower than the AVX-512 packed path on the materialised
		// operand.
		return avx2UseTallFloat32(m, n, k) && tallCols(n) == wideCols
	}
	if avx2UseTallFloat32(m, n, k) {
		return true
	}
	return AVX2UseAsm && !withRuns && segmentRows%4 == 0 && m >= 4 && n >= 1 && k >= 1
}

// packSegmentedLHS packs rows [rowStart, rowStart+rows) and columns
// [colStart, colStart+cols) of the segmented LHS into panel, in strips of 4
// rows as avx2PackLHSKernelRows4 does, one segment part at a time. rowStart is
// a multiple of 4 (panels start at multiples of the panel height) and the
// segments hold whole strips, so each part fills whole strips but the matrix's
// last.
func packSegmentedLHS(src []float32, segs []dot.RowSegment, panel []float32, rowStart, colStart, rows, cols int) {
	if rowStart%4 != 0 {
		panic(errors.Errorf("packSegmentedLHS: panel row %d is not a multiple of 4", rowStart))
	}
	si, segFirst := 0, 0 // the segment holding row, and its first row
	for row := rowStart; row < rowStart+rows; {
		for row >= segFirst+segs[si].Rows {
			segFirst += segs[si].Rows
			si++
		}
		seg := segs[si]
		part := min(rowStart+rows, segFirst+seg.Rows) - row
		off := row - rowStart // a multiple of 4: strips of 4 rows, cols values each
		avx2PackLHSKernelRows4(src[seg.Start:], panel[off*cols:], row-segFirst, colStart, seg.Stride, part, cols, 4)
		row += part
	}
}
