// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package avx2

import (
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
)

// Products in the transposed layout with many LHS rows and few RHS rows
// ([M, K] x [N, K]^T, N <= 128): a convolution's patches [pixels, k*k*Cin]
// times its weights [Cout, k*k*Cin], a dense layer's [in, batch]-shaped
// products. BLIS packs the whole LHS into panels, each packed element used for
// N/16 column strips only, so packing the large operand costs about as much as
// the arithmetic. The tall path packs the small RHS once (16-column strips, 32
// with AVX-512: wide.go) and reads the LHS in place, four rows at a time,
// through a 4x16 (4x32) micro-kernel that broadcasts from the four rows; K in
// blocks of 256 so that the packed RHS block stays in L1.
const (
	tallMaxCols = 128 // N at most, a multiple of 16
	tallMinRows = 64  // M at least
	tallKc      = 256 // K block
)

// avx2UseTallFloat32 reports whether a transposed-layout float32 product
// takes the tall path.
func avx2UseTallFloat32(m, n, k int) bool {
	return AVX2UseAsm && n%skinnyCols == 0 && n <= tallMaxCols && m >= tallMinRows && k > 0
}

// avx2TallKernel4x16Float32Asm computes one 4x16 output tile from four LHS rows
// read in place and a packed 16-column RHS strip. Defined in
// tall_amd64_float32.s.
//
//go:noescape
func avx2TallKernel4x16Float32Asm(lhs unsafe.Pointer, lhsStride uintptr, packedRHS unsafe.Pointer,
	out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)

// tallPiece is one K block of the tall path: packed K columns [k0, k0+width)
// read from each row at srcOffset.
type tallPiece struct{ k0, srcOffset, width int }

// avx2TallFloat32 computes output = lhs x rhs^T for each of batchSize
// transposed-layout products [m, k] x [n, k]^T (see avx2UseTallFloat32).
func avx2TallFloat32(backend *gobackend.Backend, lhs, rhs []float32, batchSize, m, n, k int, output []float32) {
	segs := []dot.RowSegment{{Start: 0, Rows: m, Stride: k}}
	for b := range batchSize {
		tallProduct(backend, lhs[b*m*k:(b+1)*m*k], segs, nil, rhs[b*n*k:(b+1)*n*k], m, n, k, output[b*m*n:(b+1)*m*n])
	}
}

// tallProduct computes out [m, n] = lhs [m, k] x rhs [n, k]^T, row r of lhs read
// from src at the row's start (segs) plus each column run's offset (runs; nil
// for one run of k columns).
func tallProduct(backend *gobackend.Backend, src []float32, segs []dot.RowSegment, runs []dot.ColumnRun,
	rhs []float32, m, n, k int, out []float32) {
	if runs == nil {
		runs = []dot.ColumnRun{{Offset: 0, Width: k}}
	}
	var pieces []tallPiece
	k0 := 0
	for _, run := range runs {
		for w := 0; w < run.Width; w += tallKc {
			pieces = append(pieces, tallPiece{k0: k0 + w, srcOffset: run.Offset + w, width: min(tallKc, run.Width-w)})
		}
		k0 += run.Width
	}

	// RHS [n, k] -> strips of cols (16 or 32) columns, each [k][cols].
	cols := tallCols(n)
	strips := n / cols
	packedRef, packed, ok := GetBuffer[float32](backend, strips*k*cols)
	if !ok {
		return
	}
	defer ReleaseBuffer(packedRef)
	for s := range strips {
		dst := packed[s*k*cols : (s+1)*k*cols]
		for c := range cols {
			row := rhs[(s*cols+c)*k : (s*cols+c+1)*k]
			for kk, v := range row {
				dst[kk*cols+c] = v
			}
		}
	}

	// Row strips of 4 rows within one segment read src in place; the others
	// (across a segment boundary, or the last rows) are copied first.
	numStrips := (m + skinnyRows - 1) / skinnyRows
	stripsRef, stripInfo, ok := GetBuffer[int64](backend, 2*numStrips)
	if !ok {
		return
	}
	defer ReleaseBuffer(stripsRef)
	stripBase := stripInfo[:numStrips] // -1: the strip is copied
	stripStride := stripInfo[numStrips:]
	var copied []int
	si, segFirst := 0, 0 // the segment holding row 4s, and its first row
	for s := range numStrips {
		r := s * skinnyRows
		for r >= segFirst+segs[si].Rows {
			segFirst += segs[si].Rows
			si++
		}
		if r+skinnyRows <= segFirst+segs[si].Rows {
			stripBase[s], stripStride[s] = int64(segs[si].Start+(r-segFirst)*segs[si].Stride), int64(segs[si].Stride)
		} else {
			stripBase[s] = -1
			copied = append(copied, s)
		}
	}

	maxWorkers := max(1, backend.Workers.AdjustedMaxParallelism())
	chunk := max(8, numStrips/(4*maxWorkers))
	var next atomic.Int64
	work := func() {
		for {
			first := int(next.Add(int64(chunk))) - chunk
			if first >= numStrips {
				return
			}
			last := min(first+chunk, numStrips)
			for pi, p := range pieces {
				for s := first; s < last; s++ {
					if stripBase[s] < 0 {
						continue
					}
					lhsPtr := unsafe.Pointer(&src[int(stripBase[s])+p.srcOffset])
					for cs := range strips {
						tallKernel(cols, lhsPtr, uintptr(stripStride[s]*4),
							unsafe.Pointer(&packed[(cs*k+p.k0)*cols]),
							unsafe.Pointer(&out[s*skinnyRows*n+cs*cols]), uintptr(n*4), p.width, pi > 0)
					}
				}
			}
		}
	}
	if maxWorkers > 1 && numStrips >= 2*chunk {
		backend.Workers.Saturate(work)
	} else {
		work()
	}

	// The copied strips: rows gathered into a zero-padded [4][k] buffer.
	if len(copied) == 0 {
		return
	}
	buf := make([]float32, skinnyRows*k)
	tile := make([]float32, skinnyRows*n)
	for _, s := range copied {
		clear(buf)
		for r := range skinnyRows {
			row := s*skinnyRows + r
			if row >= m {
				break
			}
			start := rowStart(segs, row)
			kk := 0
			for _, run := range runs {
				copy(buf[r*k+kk:r*k+kk+run.Width], src[start+run.Offset:start+run.Offset+run.Width])
				kk += run.Width
			}
		}
		for pi, p := range pieces {
			for cs := range strips {
				tallKernel(cols, unsafe.Pointer(&buf[p.k0]), uintptr(k*4),
					unsafe.Pointer(&packed[(cs*k+p.k0)*cols]),
					unsafe.Pointer(&tile[cs*cols]), uintptr(n*4), p.width, pi > 0)
			}
		}
		for r := range skinnyRows {
			row := s*skinnyRows + r
			if row >= m {
				break
			}
			copy(out[row*n:(row+1)*n], tile[r*n:(r+1)*n])
		}
	}
}

// rowStart returns where row starts in the segments' source.
func rowStart(segs []dot.RowSegment, row int) int {
	for _, seg := range segs {
		if row < seg.Rows {
			return seg.Start + row*seg.Stride
		}
		row -= seg.Rows
	}
	panic("rowStart: row past the segments")
}
