// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

package dot

import (
	"github.com/gomlx/compute/internal/gobackend"
)

// RowSegment describes Rows consecutive rows of a virtual non-transposed RHS
// [K, N] read in place from another buffer: row r of the segment (r < Rows)
// is the N values starting at element Start + r*Stride of that buffer.
//
// A convolution lowered to a product multiplies the weights [Cout, k*k*Cin]
// by the patches [k*k*Cin, pixels], whose rows are the input planes [Cin,
// pixels+] each shifted by one of the k*k kernel offsets: one segment per
// offset, Cin rows each. Reading them in place saves materialising the patches
// (a Gather of k*k shifted copies of the input).
type RowSegment struct {
	Start, Rows, Stride int
}

// SegmentedRHSFloat32 computes output [m, n] = lhs [m, k] x rhs [k, n] for a
// float32 RHS whose rows are read in place from src as described by segs (their
// Rows add up to k) and runs (nil: each row's n values are contiguous). It is
// set by an implementation package that supports it (AVX2) and nil otherwise.
var SegmentedRHSFloat32 func(backend *gobackend.Backend, lhs, src []float32, segs []RowSegment, runs []ColumnRun,
	m, n, k int, output []float32)

// SegmentedRHSSupported reports whether SegmentedRHSFloat32 takes a product of
// these sizes with these column runs (nil for none); nil when
// SegmentedRHSFloat32 is nil.
var SegmentedRHSSupported func(m, n, k int, runs []ColumnRun) bool

// Implementation returns the registered implementation the product uses (nil
// if none).
func (d *NodeData) Implementation() *ImplementationRegistration { return d.implementation }

// SegmentedLHSFloat32 computes output [m, n] = lhs [m, k] x rhs [n, k]^T (the
// transposed layout) for a float32 LHS whose rows are read in place from src as
// described by segs (their Rows add up to m) and runs (nil: each row's k
// values are contiguous). Set by an implementation package that supports it
// (AVX2), nil otherwise.
var SegmentedLHSFloat32 func(backend *gobackend.Backend, src []float32, segs []RowSegment, runs []ColumnRun,
	rhs []float32, m, n, k int, output []float32)

// SegmentedLHSSupported reports whether SegmentedLHSFloat32 takes a product of
// these sizes whose segments have segmentRows rows each, with column runs or
// without.
var SegmentedLHSSupported func(m, n, k, segmentRows int, withRuns bool) bool

// ColumnRun describes Width consecutive contraction columns of a segmented
// operand's rows: column Offset+i of the source row (i < Width). A row of a
// strided convolution's patches (space-to-depth input, kk*kk windows) is kk*kk
// runs of s*s*Cin values, one per window. Nil runs mean one run of all K
// columns at offset 0.
type ColumnRun struct {
	Offset, Width int
}
