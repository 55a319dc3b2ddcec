// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/internal/gobackend"
)

// GatherRowShifts reports whether node is a Gather of column windows: for a
// rank-2 operand [R, L] and constant start indices [m, 1] (offsets o_i into
// axis 1), output block i ([m, R, n]) is operand[:, o_i : o_i+n]. It returns the
// offsets, clamped to [0, L-n] as Gather clamps them, and n.
//
// A convolution lowered to a product gathers its patches so: the input planes
// flattened to [Cin, pixels+], one block per kernel offset.
func GatherRowShifts(node *gobackend.Node) (offsets []int, n int, ok bool) {
	if node.OpType != compute.OpTypeGather || len(node.Inputs) != 2 {
		return nil, 0, false
	}
	g, isGather := node.Data.(*gatherNode)
	operand, starts := node.Inputs[0], node.Inputs[1]
	if !isGather || operand.Shape.Rank() != 2 || starts.OpType != compute.OpTypeConstant ||
		starts.Shape.Rank() != 2 || starts.Shape.Dimensions[1] != 1 || node.Shape.Rank() != 3 ||
		operand.Shape.IsDynamic() || node.Shape.IsDynamic() {
		return nil, 0, false
	}
	r, l := operand.Shape.Dimensions[0], operand.Shape.Dimensions[1]
	m := starts.Shape.Dimensions[0]
	if len(g.sliceSizes) != 2 || g.sliceSizes[0] != r || g.indexVectorAxis != 1 ||
		!slices.Equal(g.startIndexMap, []int{1}) || len(g.collapsedSlicesAxes) != 0 ||
		!slices.Equal(g.offsetOutputAxes, []int{1, 2}) {
		return nil, 0, false
	}
	n = g.sliceSizes[1]
	if !slices.Equal(node.Shape.Dimensions, []int{m, r, n}) || n > l {
		return nil, 0, false
	}
	offsets, ok = constantIndices(starts)
	if !ok {
		return nil, 0, false
	}
	for i, o := range offsets {
		offsets[i] = max(0, min(l-n, o))
	}
	return offsets, n, true
}

// GatherWindows2D reports whether node is a Gather of 2D windows: for an
// operand [B, H, W, D] and constant start indices [m, 2] (offsets (di_i, dj_i)
// into axes 1 and 2), the output [B, Ho, Wo, m, D] holds at [b, y, x, i] the
// D values operand[b, y+di_i, x+dj_i]. It returns the offsets (clamped to
// [0, H-Ho] and [0, W-Wo], as Gather clamps them) and Ho, Wo.
//
// A strided convolution lowered through space-to-depth gathers its patches
// so: the windows' index axis before the depth axis, each row of the patches
// matrix [B*Ho*Wo, m*D] m runs of D values.
func GatherWindows2D(node *gobackend.Node) (offsets [][2]int, ho, wo int, ok bool) {
	if node.OpType != compute.OpTypeGather || len(node.Inputs) != 2 {
		return nil, 0, 0, false
	}
	g, isGather := node.Data.(*gatherNode)
	operand, starts := node.Inputs[0], node.Inputs[1]
	if !isGather || operand.Shape.Rank() != 4 || starts.OpType != compute.OpTypeConstant ||
		starts.Shape.Rank() != 2 || starts.Shape.Dimensions[1] != 2 || node.Shape.Rank() != 5 ||
		operand.Shape.IsDynamic() || node.Shape.IsDynamic() {
		return nil, 0, 0, false
	}
	d := operand.Shape.Dimensions
	m := starts.Shape.Dimensions[0]
	if len(g.sliceSizes) != 4 || g.sliceSizes[0] != d[0] || g.sliceSizes[3] != d[3] || g.indexVectorAxis != 1 ||
		!slices.Equal(g.startIndexMap, []int{1, 2}) || len(g.collapsedSlicesAxes) != 0 ||
		!slices.Equal(g.offsetOutputAxes, []int{0, 1, 2, 4}) {
		return nil, 0, 0, false
	}
	ho, wo = g.sliceSizes[1], g.sliceSizes[2]
	if !slices.Equal(node.Shape.Dimensions, []int{d[0], ho, wo, m, d[3]}) || ho > d[1] || wo > d[2] {
		return nil, 0, 0, false
	}
	flat, ok := constantIndices(starts)
	if !ok {
		return nil, 0, 0, false
	}
	offsets = make([][2]int, m)
	for i := range m {
		offsets[i] = [2]int{max(0, min(d[1]-ho, flat[2*i])), max(0, min(d[2]-wo, flat[2*i+1]))}
	}
	return offsets, ho, wo, true
}

// constantIndices returns the values of a constant int32 or int64 node.
func constantIndices(node *gobackend.Node) ([]int, bool) {
	buf, isBuffer := node.Data.(*gobackend.Buffer)
	if !isBuffer {
		return nil, false
	}
	switch flat := buf.Flat.(type) {
	case []int32:
		values := make([]int, len(flat))
		for i, v := range flat {
			values[i] = int(v)
		}
		return values, true
	case []int64:
		values := make([]int, len(flat))
		for i, v := range flat {
			values[i] = int(v)
		}
		return values, true
	}
	return nil, false
}
