// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build goexperiment.simd

package ops_test

import (
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/ops"
	"github.com/gomlx/compute/shapes"
)

// TestElementwiseFusionFuses checks the structure ElementwiseFusion leaves
// after Compile (third_party/computecheck/fusion_test.go checks the values):
// Adam's last tree over a [64, 256] variable becomes one node whose inputs
// are the tree's leaves; a tree under the size threshold, and an inner node
// with a second use, are left alone.
func TestElementwiseFusionFuses(t *testing.T) {
	b := compute.MustNew()
	defer b.Finalize()
	build := func(name string, dims ...int) (*gobackend.Builder, *gobackend.Function, []compute.Value) {
		builder := b.Builder(name).(*gobackend.Builder)
		main := builder.Main().(*gobackend.Function)
		var params []compute.Value
		for _, p := range []string{"p", "m", "v"} {
			n, err := main.Parameter(p, shapes.Make(dtypes.Float32, dims...), nil)
			if err != nil {
				t.Fatal(err)
			}
			params = append(params, n)
		}
		return builder, main, params
	}
	scalar := func(f *gobackend.Function, x float32) compute.Value {
		c, err := f.Constant([]float32{x})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// p - lr * m / (sqrt(v) + eps)
	adam := func(f *gobackend.Function, p, m, v compute.Value) (root, inner compute.Value) {
		sq, _ := f.Sqrt(v)
		den, _ := f.Add(sq, scalar(f, 1e-8))
		q, _ := f.Div(m, den)
		step, _ := f.Mul(q, scalar(f, 1e-3))
		root, _ = f.Sub(p, step)
		return root, den
	}

	t.Run("Adam", func(t *testing.T) {
		builder, f, in := build("Adam", 64, 256)
		root, _ := adam(f, in[0], in[1], in[2])
		if err := f.Return([]compute.Value{root}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := builder.Compile(); err != nil {
			t.Fatal(err)
		}
		n := root.(*gobackend.Node)
		if _, ok := n.Data.(*ops.FusedElementwise); !ok {
			t.Fatalf("root %s: Data %T, want *ops.FusedElementwise", n.OpType, n.Data)
		}
		params := map[*gobackend.Node]bool{}
		for _, p := range in {
			params[p.(*gobackend.Node)] = true
		}
		for i, leaf := range n.Inputs {
			if !params[leaf] && leaf.OpType != compute.OpTypeConstant {
				t.Errorf("input %d of the fused node is a %s, want a parameter or a constant", i, leaf.OpType)
			}
		}
	})

	t.Run("TooSmall", func(t *testing.T) {
		builder, f, in := build("TooSmall", 8, 8)
		root, _ := adam(f, in[0], in[1], in[2])
		_ = f.Return([]compute.Value{root}, nil)
		if _, err := builder.Compile(); err != nil {
			t.Fatal(err)
		}
		if _, ok := root.(*gobackend.Node).Data.(*ops.FusedElementwise); ok {
			t.Error("a 64-element tree was fused")
		}
	})

	t.Run("SharedInnerNode", func(t *testing.T) {
		builder, f, in := build("Shared", 64, 256)
		root, den := adam(f, in[0], in[1], in[2])
		_ = f.Return([]compute.Value{root, den}, nil)
		if _, err := builder.Compile(); err != nil {
			t.Fatal(err)
		}
		n := root.(*gobackend.Node)
		if _, ok := n.Data.(*ops.FusedElementwise); !ok {
			t.Fatalf("root %s: Data %T, want *ops.FusedElementwise", n.OpType, n.Data)
		}
		found := false
		for _, leaf := range n.Inputs {
			found = found || leaf == den.(*gobackend.Node)
		}
		if !found {
			t.Error("sqrt(v)+eps has a second use (an output) but was absorbed into the tree instead of staying its leaf")
		}
	})
}
