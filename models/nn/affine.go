package nn

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// LeakyReLU returns max(x, slope*x) for 0 <= slope < 1, as
// torch.nn.LeakyReLU(slope). Like ReLU it keeps the fast internal layout of
// this package's layers.
func LeakyReLU(x *Node, slope float64) *Node {
	if v, ok := internalOf(x); ok {
		return fromInternal(Max(v.node, MulScalar(v.node, slope)), v.layout)
	}
	return Max(x, MulScalar(x, slope))
}

// ChannelAffine returns x*scale + shift with a scale and a shift per sample
// and channel: x [B,C,H,W], scale and shift [B,C]. It is the per-sample part
// of a conditional BatchNorm (BatchNorm2D, then ChannelAffine with the
// class's scale and shift) and keeps the fast internal layout.
func ChannelAffine(x, scale, shift *Node) *Node {
	d := x.Shape().Dimensions
	if x.Rank() != 4 || scale.Rank() != 2 || !scale.Shape().Equal(shift.Shape()) ||
		scale.Shape().Dimensions[0] != d[0] || scale.Shape().Dimensions[1] != d[1] {
		panic(fmt.Sprintf("nn.ChannelAffine: x %s needs scale and shift [%d,%d], got %s and %s", x.Shape(), d[0], d[1], scale.Shape(), shift.Shape()))
	}
	b, c := d[0], d[1]
	if v, ok := internalOf(x); ok {
		switch v.layout {
		case layoutNHWC: // [B,H,W,C]
			s, t := Reshape(scale, b, 1, 1, c), Reshape(shift, b, 1, 1, c)
			return fromInternal(Add(Mul(v.node, s), t), v.layout)
		case layoutCBHW: // [C,B,H,W]
			s := Reshape(TransposeAllAxes(scale, 1, 0), c, b, 1, 1)
			t := Reshape(TransposeAllAxes(shift, 1, 0), c, b, 1, 1)
			return fromInternal(Add(Mul(v.node, s), t), v.layout)
		}
	}
	return Add(Mul(x, Reshape(scale, b, c, 1, 1)), Reshape(shift, b, c, 1, 1))
}
