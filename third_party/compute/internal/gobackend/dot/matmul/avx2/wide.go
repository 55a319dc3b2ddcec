// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package avx2

import (
	"unsafe"

	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
)

// On CPUs with AVX-512 the tall and skinny paths (and so the segmented
// operands, which they compute) take 4x32 tiles in ZMM registers instead of
// 4x16 ones in YMM registers: the same eight accumulators, twice the
// arithmetic per instruction (wide_amd64_float32.s). A product uses them when
// its column strips are whole 32-column strips: n a multiple of 32 for the
// tall path, column runs of multiples of 32 for the skinny one.
const wideCols = 32

// wideKernels is whether the 4x32 AVX-512 kernels may be used.
var wideKernels = gobackend.IsAVX512Allowed

//go:noescape
func avx512TallKernel4x32Float32Asm(lhs unsafe.Pointer, lhsStride uintptr, packedRHS unsafe.Pointer,
	out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)

//go:noescape
func avx512StridedKernel4x32Float32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
	out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)

//go:noescape
func avx512StridedKernel4x32CopyFloat32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
	out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool, copyTo unsafe.Pointer)

// tallCols is the column strip width of a tall product with n columns.
func tallCols(n int) int {
	if wideKernels && n%wideCols == 0 {
		return wideCols
	}
	return skinnyCols
}

// skinnyStripCols is the column strip width of a skinny product whose RHS
// columns come as runs (nil: plain columns, any n).
func skinnyStripCols(runs []dot.ColumnRun) int {
	if !wideKernels {
		return skinnyCols
	}
	for _, run := range runs {
		if run.Width%wideCols != 0 {
			return skinnyCols
		}
	}
	return wideCols
}

// tallKernel computes one 4 x cols tile (see avx2TallKernel4x16Float32Asm).
func tallKernel(cols int, lhs unsafe.Pointer, lhsStride uintptr, packedRHS, out unsafe.Pointer, outStride uintptr,
	contractingLen int, accumulate bool) {
	if cols == wideCols {
		avx512TallKernel4x32Float32Asm(lhs, lhsStride, packedRHS, out, outStride, contractingLen, accumulate)
	} else {
		avx2TallKernel4x16Float32Asm(lhs, lhsStride, packedRHS, out, outStride, contractingLen, accumulate)
	}
}

// stridedKernel computes one 4 x cols tile (see avx2StridedKernel4x16Float32Asm).
func stridedKernel(cols int, packedLHS, rhs unsafe.Pointer, rhsStride uintptr, out unsafe.Pointer, outStride uintptr,
	contractingLen int, accumulate bool) {
	if cols == wideCols {
		avx512StridedKernel4x32Float32Asm(packedLHS, rhs, rhsStride, out, outStride, contractingLen, accumulate)
	} else {
		avx2StridedKernel4x16Float32Asm(packedLHS, rhs, rhsStride, out, outStride, contractingLen, accumulate)
	}
}

// stridedCopyKernel computes one 4 x cols tile and copies the RHS rows it reads
// (see avx2StridedKernel4x16CopyFloat32Asm).
func stridedCopyKernel(cols int, packedLHS, rhs unsafe.Pointer, rhsStride uintptr, out unsafe.Pointer, outStride uintptr,
	contractingLen int, accumulate bool, copyTo unsafe.Pointer) {
	if cols == wideCols {
		avx512StridedKernel4x32CopyFloat32Asm(packedLHS, rhs, rhsStride, out, outStride, contractingLen, accumulate, copyTo)
	} else {
		avx2StridedKernel4x16CopyFloat32Asm(packedLHS, rhs, rhsStride, out, outStride, contractingLen, accumulate, copyTo)
	}
}

// WideFloat32 computes output = lhs x rhs (layout as dot.Layout says) on the
// tall or the skinny path with the 4x32 AVX-512 kernels, when the product
// takes one of them, and reports whether it did. The AVX-512 implementation
// calls it first for float32 products.
func WideFloat32(backend *gobackend.Backend, layout dot.Layout, lhs, rhs []float32, batchSize, m, n, k int,
	output []float32) bool {
	if !wideKernels {
		return false
	}
	switch {
	case layout == dot.LayoutTransposed && avx2UseTallFloat32(m, n, k) && tallCols(n) == wideCols:
		avx2TallFloat32(backend, lhs, rhs, batchSize, m, n, k, output)
	case layout == dot.LayoutNonTransposed && avx2UseSkinnyFloat32(m, n, k):
		avx2SkinnyFloat32(backend, lhs, rhs, batchSize, m, n, k, output)
	default:
		return false
	}
	return true
}
