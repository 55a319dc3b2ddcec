// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package avx2

import (
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
)

// Products with few LHS rows and many RHS columns ([M, K] x [K, N], M <= 64,
// non-transposed) -- a convolution's [Cout, k*k*Cin] x [k*k*Cin, pixels], a
// layer's input gradient [batch, out] x [out, in] -- use every packed RHS panel
// for one LHS panel only, so packing the RHS (a strided read and a write, not
// overlapped with the arithmetic) is a quarter of the product's time. The skinny
// path packs the small LHS once and computes one 16-column strip of the output
// at a time (32 columns with AVX-512: wide.go), K in blocks of 256: the first
// 4-row strip reads the RHS rows in place (prefetching the next strip's lines)
// and copies them to a 16 KB (32 KB) buffer, from which the other row strips
// read them in L1.
const (
	skinnyMaxRows = 64      // M at most
	skinnyMinCols = 256     // N at least
	skinnyMaxLHS  = 1 << 16 // M*K at most: the packed LHS (256 KB) is read once per column strip, from L2
	skinnyKc      = 256     // K block: a 16-column RHS strip of it is 16 KB (32 columns: 32 KB)
	skinnyCols    = 16      // Nr (wideCols with AVX-512)
	skinnyRows    = 4       // Mr
)

// avx2UseSkinnyFloat32 reports whether a float32 product takes the skinny path.
func avx2UseSkinnyFloat32(lhsCrossSize, rhsCrossSize, contractingSize int) bool {
	return AVX2UseAsm && lhsCrossSize <= skinnyMaxRows && rhsCrossSize >= skinnyMinCols && contractingSize > 0 &&
		lhsCrossSize*contractingSize <= skinnyMaxLHS
}

// avx2StridedKernel4x16Float32Asm computes one 4x16 output tile from a packed
// 4-row LHS strip and an RHS read in place (row k at rhs + k*rhsStride bytes).
// Defined in skinny_amd64_float32.s.
//
//go:noescape
func avx2StridedKernel4x16Float32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
	out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)

// avx2StridedKernel4x16CopyFloat32Asm is avx2StridedKernel4x16Float32Asm that
// also copies the 16 values of each RHS row it reads to copyTo, contiguously.
//
//go:noescape
func avx2StridedKernel4x16CopyFloat32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
	out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool, copyTo unsafe.Pointer)

// avx2SkinnyFloat32 computes output = lhs x rhs for each of batchSize
// non-transposed products [m, k] x [k, n] (see skinnyMaxRows).
func avx2SkinnyFloat32(backend *gobackend.Backend, lhs, rhs []float32,
	batchSize, m, n, k int, output []float32) {
	segs := []dot.RowSegment{{Start: 0, Rows: k, Stride: n}}
	for b := range batchSize {
		skinnyProduct(backend, lhs[b*m*k:(b+1)*m*k], rhs[b*k*n:(b+1)*k*n], segs, nil, m, n, k, output[b*m*n:(b+1)*m*n])
	}
}

// skinnyProduct computes out [m, n] = lhs [m, k] x rhs [k, n], the rows of rhs
// read from src as segs describe and its columns as runs do (nil: column c at
// offset c; otherwise runs of whole strips). When the packed LHS
// would not stay in L2 (m*k > skinnyMaxLHS), K is taken in super-blocks of at
// most skinnyMaxLHS/m columns, the output accumulating across them.
func skinnyProduct(backend *gobackend.Backend, lhs, src []float32, segs []dot.RowSegment, runs []dot.ColumnRun,
	m, n, k int, out []float32) {
	mPad := (m + skinnyRows - 1) / skinnyRows * skinnyRows
	kSuper := k
	if m*k > skinnyMaxLHS {
		kSuper = max(skinnyKc, skinnyMaxLHS/mPad/skinnyKc*skinnyKc)
	}
	packedRef, packed, ok := GetBuffer[float32](backend, mPad*kSuper)
	if !ok {
		return
	}
	defer ReleaseBuffer(packedRef)
	maxWorkers := max(1, backend.Workers.AdjustedMaxParallelism())
	cols := skinnyStripCols(runs)
	fullStrips := n / cols
	chunk := max(1, fullStrips/(8*maxWorkers))
	srcCol := func(col int) int { // the source column of output column col (a strip's first)
		if runs == nil {
			return col
		}
		for _, run := range runs {
			if col < run.Width {
				return run.Offset + col
			}
			col -= run.Width
		}
		panic("skinnyProduct: column past the runs")
	}
	for ks := 0; ks < k; ks += kSuper {
		kl := min(kSuper, k-ks)
		// Strip s of packed holds rows 4s..4s+3 over kl columns, 4 values a step.
		avx2PackLHSKernelRows4(lhs, packed, 0, ks, k, m, kl, skinnyRows)
		var next atomic.Int64
		work := func() {
			scratchRef, scratch, ok := GetBuffer[float32](backend, (skinnyRows+skinnyKc)*cols)
			if !ok {
				return
			}
			defer ReleaseBuffer(scratchRef)
			tile, stripBuf := scratch[:skinnyRows*cols], scratch[skinnyRows*cols:]
			for {
				first := int(next.Add(int64(chunk))) - chunk
				if first >= fullStrips {
					return
				}
				for s := first; s < min(first+chunk, fullStrips); s++ {
					col := s * cols
					skinnyStrip(cols, packed, src, segs, srcCol(col), out, m, n, ks, kl, col, ks > 0, tile, stripBuf)
				}
			}
		}
		if maxWorkers > 1 && fullStrips >= 2*chunk {
			backend.Workers.Saturate(work)
		} else {
			work()
		}
		if tail := n - fullStrips*cols; tail > 0 {
			skinnyTail(cols, packed, src, segs, srcCol(fullStrips*cols), out, m, n, ks, kl, fullStrips*cols, tail)
		}
	}
}

// skinnyStrip computes output columns col..col+cols-1 (cols 16 or 32) of all m
// rows, over the virtual RHS rows [ks, ks+kl) (packed holds the LHS for those
// columns), adding to out if accumulate. RHS row kk's cols values are read from src at
// the row's start (segs) plus srcCol. For each K block, the first row strip
// reads the RHS rows in place (segment by segment, each with its row stride)
// and copies them to stripBuf, where the other row strips read them: rows a
// power-of-two-ish stride apart share cache sets, so they would not stay in L1
// (or L2) in place. tile holds a last partial row strip.
func skinnyStrip(cols int, packed, src []float32, segs []dot.RowSegment, srcCol int, out []float32, m, n, ks, kl, col int,
	accumulate bool, tile, stripBuf []float32) {
	fullRows := m / skinnyRows * skinnyRows
	bufPtr := unsafe.Pointer(&stripBuf[0])
	si, segFirst := 0, 0 // the segment holding row kk, and its first row
	for kb := 0; kb < kl; kb += skinnyKc {
		kbl := min(skinnyKc, kl-kb)
		acc := accumulate || kb > 0
		for r := 0; r < m; r += skinnyRows {
			outPtr, outStride := unsafe.Pointer(&out[r*n+col]), uintptr(n*4)
			if r >= fullRows {
				outPtr, outStride = unsafe.Pointer(&tile[0]), uintptr(cols*4)
				if acc && kb == 0 {
					for rr := r; rr < m; rr++ { // the partial strip's rows so far
						copy(tile[(rr-r)*cols:(rr-r+1)*cols], out[rr*n+col:rr*n+col+cols])
					}
				}
			}
			if r > 0 {
				lhsPtr := unsafe.Pointer(&packed[r*kl+kb*skinnyRows])
				stridedKernel(cols, lhsPtr, bufPtr, uintptr(cols*4), outPtr, outStride, kbl, acc)
				continue
			}
			for kk := ks + kb; kk < ks+kb+kbl; {
				for kk >= segFirst+segs[si].Rows {
					segFirst += segs[si].Rows
					si++
				}
				seg := segs[si]
				rows := min(ks+kb+kbl, segFirst+seg.Rows) - kk
				rhsPtr := unsafe.Pointer(&src[seg.Start+(kk-segFirst)*seg.Stride+srcCol])
				stridedCopyKernel(cols, unsafe.Pointer(&packed[(kk-ks)*skinnyRows]), rhsPtr, uintptr(seg.Stride*4),
					outPtr, outStride, rows, acc || kk > ks+kb, unsafe.Pointer(&stripBuf[(kk-ks-kb)*cols]))
				kk += rows
			}
		}
	}
	for r := fullRows; r < m; r++ {
		copy(out[r*n+col:r*n+col+cols], tile[(r-fullRows)*cols:])
	}
}

// skinnyTail computes the last tail (< cols) output columns, over the RHS rows
// [ks, ks+kl), from a zero-padded copy of those RHS columns.
func skinnyTail(cols int, packed, src []float32, segs []dot.RowSegment, srcCol int, out []float32, m, n, ks, kl, col, tail int) {
	strip := make([]float32, kl*cols)
	for kk := ks; kk < ks+kl; kk++ {
		row := src[rowStart(segs, kk)+srcCol:]
		copy(strip[(kk-ks)*cols:(kk-ks)*cols+tail], row[:tail])
	}
	mPad := (m + skinnyRows - 1) / skinnyRows * skinnyRows
	tileOut := make([]float32, mPad*cols)
	for r := range m {
		copy(tileOut[r*cols:r*cols+tail], out[r*n+col:r*n+col+tail])
	}
	plain := []dot.RowSegment{{Start: 0, Rows: kl, Stride: cols}}
	skinnyStrip(cols, packed, strip, plain, 0, tileOut, mPad, cols, 0, kl, 0, ks > 0, make([]float32, skinnyRows*cols),
		make([]float32, skinnyKc*cols))
	for r := range m {
		copy(out[r*n+col:r*n+col+tail], tileOut[r*cols:r*cols+tail])
	}
}
