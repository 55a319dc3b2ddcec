// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build goexperiment.simd

package passes_test

import (
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
	"github.com/gomlx/compute/shapes"
)

// TestSegmentedOperandsApplies checks the structure SegmentedOperands leaves
// after Compile (third_party/computecheck checks the values, which are the
// same with or without it): a strided convolution's patches, a Gather of 2D
// windows as models/nn builds it, feeding both its forward product (tall,
// N = 32) and its weight gradient (skinny, column runs of 64) are read in
// place by both products, on whichever SIMD implementation the CPU takes
// (AVX2, or AVX-512 with its 4x32 kernels). The pass once applied to the AVX2
// implementation only, so on AVX-512 machines it silently did nothing: the
// values stayed right, and only an op profile showed the Gather.
func TestSegmentedOperandsApplies(t *testing.T) {
	if !gobackend.IsAVX2Allowed {
		t.Skip("no AVX2: the pass has no implementation to rewire")
	}
	backend := compute.MustNew()
	defer backend.Finalize()
	builder := backend.Builder("Windows").(*gobackend.Builder)
	f := builder.Main().(*gobackend.Function)
	const b, hs, ws, depth, ho, wo, cout = 32, 17, 17, 64, 16, 16, 32
	xs, err := f.Parameter("xs", shapes.Make(dtypes.Float32, b, hs, ws, depth), nil)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := f.Parameter("w", shapes.Make(dtypes.Float32, cout, 4*depth), nil)
	dy, _ := f.Parameter("dy", shapes.Make(dtypes.Float32, b*ho*wo, cout), nil)
	starts, err := f.Constant([]int32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	// [B, Ho, Wo, 4, D], as nhwcPlan.patches: the windows' axis before the depth.
	g, err := f.Gather(xs, starts, 1, []int{0, 1, 2, 4}, nil, []int{1, 2}, []int{b, ho, wo, depth}, true)
	if err != nil {
		t.Fatal(err)
	}
	patches, _ := f.Reshape(g, b*ho*wo, 4*depth)
	fwd, err := f.DotGeneral(patches, []int{1}, nil, w, []int{1}, nil, compute.DotGeneralConfig{}) // [P, Cout]
	if err != nil {
		t.Fatal(err)
	}
	dyT, _ := f.Transpose(dy, 1, 0)                                                                   // [Cout, P], as models/nn's mulLeadingT
	grad, err := f.DotGeneral(dyT, []int{1}, nil, patches, []int{0}, nil, compute.DotGeneralConfig{}) // [Cout, K]
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Return([]compute.Value{fwd, grad}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := builder.Compile(); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]compute.Value{"forward product": fwd, "weight gradient": grad} {
		n := v.(*gobackend.Node)
		params, ok := n.Data.(*dot.NodeData)
		if !ok {
			t.Fatalf("%s: a %s with Data %T, want a DotGeneral", name, n.OpType, n.Data)
		}
		if params.LHSSegments == nil && params.RHSSegments == nil {
			t.Errorf("%s (implementation %s): reads the materialised patches, want the windows read in place", name, params.Implementation().Name())
		}
		for i, in := range n.Inputs {
			if in.OpType == compute.OpTypeGather || (in.OpType == compute.OpTypeReshape && in.Inputs[0].OpType == compute.OpTypeGather) {
				t.Errorf("%s: input %d is still the patches Gather", name, i)
			}
		}
	}
}
