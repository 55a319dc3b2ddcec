package nn

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Linear is torch.nn.Linear(in, out, bias=bias) on x [B, in]; it returns
// [B, out]. Variables in s: "weight" [out, in] and, if bias, "bias" [out].
// A rank-4 x (the output of a conv layer) must be flattened first with
// Flatten, which keeps PyTorch's (C, H, W) order.
func Linear(s *model.Scope, x *Node, out int, bias bool) *Node {
	if x.Rank() != 2 {
		panic(fmt.Sprintf("nn.Linear(%s): x must be [B,in], got shape %s (use nn.Flatten)", s.Scope(), x.Shape()))
	}
	in := x.Shape().Dimensions[1]
	w, b := weightVar(s, x.Graph(), shapes.Make(x.DType(), out, in), in, bias, out)
	var y *Node
	if useNative(x.Graph()) {
		y = DotGeneral(x, []int{1}, nil, w, []int{1}, nil) // [B,out]
	} else {
		// (W·xᵀ)ᵀ: the Go backend's GEMM packs the weight as its left operand
		// faster than as a right operand contracted on its last axis (the
		// port's DQN fc1 [32,8192]x[8192,512]: 9.8 against 12.9 ms on one core,
		// 6.1 against 11.7 on two).
		// Its input gradient dy·W is written out: autodiff's would transpose W.
		y = customXGrad(x,
			func(x *Node) *Node {
				return TransposeAllAxes(DotGeneral(w, []int{1}, nil, x, []int{1}, nil), 1, 0) // [out,B] -> [B,out]
			},
			func(dy *Node) *Node { return DotGeneral(dy, []int{1}, nil, w, []int{0}, nil) }) // [B,in]
	}
	if b != nil {
		y = Add(y, Reshape(b, 1, out))
	}
	return y
}

// Flatten is torch.flatten(x, 1): [B, C, H, W] -> [B, C*H*W] in PyTorch's
// (C, H, W) order.
func Flatten(x *Node) *Node {
	d := x.Shape().Dimensions
	if v, ok := internalOf(x); ok && v.layout == layoutCBHW {
		// [C,B,H,W] -> [B,C,H*W]: one fast transpose instead of two.
		return Reshape(swap01(Reshape(v.node, d[1], d[0], d[2]*d[3])), d[0], d[1]*d[2]*d[3])
	}
	n := 1
	for _, v := range d[1:] {
		n *= v
	}
	return Reshape(x, d[0], n)
}
