// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

package passes

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
	"github.com/gomlx/compute/internal/gobackend/ops"
)

func init() {
	gobackend.RegisterTransformation(50, &SegmentedOperands{})
}

// SegmentedOperands fuses a Gather of shifted column windows
// (ops.GatherRowShifts: block i of [m, R, n] is x[:, o_i : o_i+n]) into the
// float32 products that consume it, which then read x in place
// (dot.RowSegment) instead of the materialised [m*R, n] matrix:
//
//   - as the RHS [K, N] of a non-transposed product [M, K] x [K, N] with few
//     rows M (dot.SegmentedRHSSupported): a convolution's forward product,
//     weights [Cout, k*k*Cin] x patches [k*k*Cin, pixels];
//   - as the LHS [M, K] of a transposed-layout product [M, K] x [N, K]^T
//     (dot.SegmentedLHSSupported): its weight gradient, patches [k*k*Cin,
//     pixels] x dY [Cout, pixels]^T.
//
// It also fuses a Gather of 2D windows (ops.GatherWindows2D: a strided
// convolution's patches from its space-to-depth input [B, Hs, Ws, D], each row
// kk*kk runs of D values) the same way, with column runs (dot.ColumnRun): as the
// LHS of a tall transposed-layout product (the forward product) and as the RHS
// of a skinny one (the weight gradient dY^T [Cout, pixels] x patches).
//
// It applies where the product's implementation is the AVX2 or the AVX-512
// one (whose segmented products take the tall and skinny paths' 4x32 AVX-512
// kernels, and only where those apply: dot.Segmented*Supported). The Gather
// stays for other consumers; without any it is dropped by dead-code
// elimination.
type SegmentedOperands struct{}

// segmentedImplementations are the DotGeneral implementations whose products
// SegmentedOperands rewires.
var segmentedImplementations = map[string]bool{"simd:avx2": true, "simd:avx512": true}

// Name implements gobackend.GraphTransformation.
func (p *SegmentedOperands) Name() string { return "SegmentedOperands" }

// Apply implements gobackend.GraphTransformation.
func (p *SegmentedOperands) Apply(b *gobackend.Builder) (bool, error) {
	for _, f := range b.Functions {
		for _, node := range f.Nodes {
			if node.OpType != compute.OpTypeDotGeneral || node.Shape.IsDynamic() {
				continue
			}
			params, ok := node.Data.(*dot.NodeData)
			if !ok || params.RHSSegments != nil || params.LHSSegments != nil ||
				params.BatchSize != 1 || params.InputDType != dtypes.Float32 || params.OutputDType != dtypes.Float32 ||
				params.Implementation() == nil || !segmentedImplementations[params.Implementation().Name()] {
				continue
			}
			m, k, n := params.LHSCrossSize, params.ContractingSize, params.RHSCrossSize
			switch params.Layout {
			case dot.LayoutNonTransposed:
				if dot.SegmentedRHSFloat32 == nil {
					continue
				}
				if src, segs, runs := windowsOperand(node.Inputs[1], k, n); segs != nil && dot.SegmentedRHSSupported(m, n, k, runs) {
					params.RHSSegments, params.RHSRuns = segs, runs
					node.Inputs[1] = src
				}
			case dot.LayoutTransposed:
				if dot.SegmentedLHSFloat32 == nil {
					continue
				}
				if src, segs, runs := windowsOperand(node.Inputs[0], m, k); segs != nil && dot.SegmentedLHSSupported(m, n, k, segs[0].Rows, runs != nil) {
					params.LHSSegments, params.LHSRuns = segs, runs
					node.Inputs[0] = src
				}
			}
		}
	}
	return false, nil
}

// windowsOperand returns, when operand (through at most one Reshape) is a
// Gather of windows forming a float32 [rows, cols] matrix, the gathered buffer
// and how the matrix is read from it: row segments, and column runs for 2D
// windows (nil for shifted column windows, whose rows are contiguous).
func windowsOperand(operand *gobackend.Node, rows, cols int) (*gobackend.Node, []dot.RowSegment, []dot.ColumnRun) {
	if operand.OpType == compute.OpTypeReshape {
		operand = operand.Inputs[0]
	}
	if src, segs := rowShifts(operand, rows, cols); segs != nil {
		return src, segs, nil
	}
	return windows2D(operand, rows, cols)
}

// rowShifts returns, when gather is a Gather of shifted column windows
// (ops.GatherRowShifts) forming a float32 [rows, cols] matrix, the gathered
// buffer and the segments that read the matrix's rows from it.
func rowShifts(gather *gobackend.Node, rows, cols int) (*gobackend.Node, []dot.RowSegment) {
	offsets, width, ok := ops.GatherRowShifts(gather)
	if !ok || width != cols {
		return nil, nil
	}
	src := gather.Inputs[0] // [R, L]
	r, l := src.Shape.Dimensions[0], src.Shape.Dimensions[1]
	if len(offsets)*r != rows || src.Shape.DType != dtypes.Float32 {
		return nil, nil
	}
	segs := make([]dot.RowSegment, len(offsets))
	for i, o := range offsets {
		segs[i] = dot.RowSegment{Start: o, Rows: r, Stride: l}
	}
	return src, segs
}

// windows2D returns, when gather is a Gather of 2D windows
// (ops.GatherWindows2D) forming a float32 [rows, cols] matrix, the gathered
// buffer, the row segments (one per output row y of each batch entry: Wo rows
// D apart) and the column runs (one per window, D values).
func windows2D(gather *gobackend.Node, rows, cols int) (*gobackend.Node, []dot.RowSegment, []dot.ColumnRun) {
	offsets, ho, wo, ok := ops.GatherWindows2D(gather)
	if !ok {
		return nil, nil, nil
	}
	src := gather.Inputs[0] // [B, H, W, D]
	d := src.Shape.Dimensions
	b, h, w, depth := d[0], d[1], d[2], d[3]
	if b*ho*wo != rows || len(offsets)*depth != cols || src.Shape.DType != dtypes.Float32 {
		return nil, nil, nil
	}
	segs := make([]dot.RowSegment, 0, b*ho)
	for bi := range b {
		for y := range ho {
			segs = append(segs, dot.RowSegment{Start: (bi*h + y) * w * depth, Rows: wo, Stride: depth})
		}
	}
	runs := make([]dot.ColumnRun, len(offsets))
	for i, o := range offsets {
		runs[i] = dot.ColumnRun{Offset: (o[0]*w + o[1]) * depth, Width: depth}
	}
	return src, segs, runs
}
