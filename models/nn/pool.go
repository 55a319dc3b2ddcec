package nn

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// MaxPool2D is torch.nn.MaxPool2d(kernel) (stride = kernel, no padding) on
// x [B, C, H, W], with H and W multiples of kernel; it returns
// [B, C, H/kernel, W/kernel]. It is a Reshape and a ReduceMax (no window op), on
// every backend. Where a window holds equal maxima the gradient goes to each of
// them (PyTorch picks one); with real-valued activations ties do not happen.
func MaxPool2D(x *Node, kernel int) *Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nn.MaxPool2D: x must be [B,C,H,W], got shape %s", x.Shape()))
	}
	d := x.Shape().Dimensions
	if kernel < 1 || d[2]%kernel != 0 || d[3]%kernel != 0 {
		panic(fmt.Sprintf("nn.MaxPool2D: kernel %d must divide the spatial size %dx%d", kernel, d[2], d[3]))
	}
	if v, ok := internalOf(x); ok && !useNative(x.Graph()) && kernel == 2 {
		switch v.layout {
		case layoutNHWC:
			return fromNHWC(maxPool2NHWC(v.node))
		case layoutCBHW:
			return fromCBHW(maxPool2CBHW(v.node))
		}
	}
	if kernel == 2 && !useNative(x.Graph()) {
		// NCHW has the same row structure as [C,B,H,W]: rows of W, pairs of rows.
		return maxPool2CBHW(x)
	}
	if v, ok := internalOf(x); ok && !useNative(x.Graph()) {
		switch v.layout {
		case layoutNHWC: // [B,H,W,C]
			y := ReduceMax(Reshape(v.node, d[0], d[2]/kernel, kernel, d[3]/kernel, kernel, d[1]), 2, 4)
			return fromNHWC(y)
		case layoutCBHW: // [C,B,H,W]
			y := ReduceMax(Reshape(v.node, d[1]*d[0]*d[2]/kernel, kernel, d[3]/kernel, kernel), 1, 3)
			return fromCBHW(Reshape(y, d[1], d[0], d[2]/kernel, d[3]/kernel))
		}
	}
	return ReduceMax(Reshape(x, d[0], d[1], d[2]/kernel, kernel, d[3]/kernel, kernel), 3, 5)
}
