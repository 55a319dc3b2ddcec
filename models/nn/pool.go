package nn

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// MaxPool2D is torch.nn.MaxPool2d(kernel) (stride = kernel, no padding) on
// x [B, C, H, W], with H and W multiples of kernel; it returns
// [B, C, H/kernel, W/kernel].
//
// Its gradient is PyTorch's on every backend: where a window holds equal
// maxima, the whole gradient goes to the first of them in row-major order
// (GoMLX's ReduceMax would give it to each tied element). Ties are the rule,
// not the exception, after a ReLU or on binary frames (the DQN's inputs), so
// the difference is large there.
//
// No window op: on the pure-Go backend kernel 2 is maxima of row pairs then
// column pairs with a hand-written gradient (maxPool2CBHW, maxPool2NHWC in
// lower.go); otherwise (XLA, other kernels) the window's first maximum is
// picked by ArgMax (smallest index on ties) and the output is the window
// summed under that one-hot mask, which carries no gradient.
func MaxPool2D(x *Node, kernel int) *Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nn.MaxPool2D: x must be [B,C,H,W], got shape %s", x.Shape()))
	}
	d := x.Shape().Dimensions
	if kernel < 1 || d[2]%kernel != 0 || d[3]%kernel != 0 {
		panic(fmt.Sprintf("nn.MaxPool2D: kernel %d must divide the spatial size %dx%d", kernel, d[2], d[3]))
	}
	if kernel == 2 && !useNative(x.Graph()) {
		if v, ok := internalOf(x); ok {
			switch v.layout {
			case layoutNHWC:
				return fromNHWC(maxPool2NHWC(v.node))
			case layoutCBHW:
				return fromCBHW(maxPool2CBHW(v.node))
			}
		}
		// NCHW has the same row structure as [C,B,H,W]: rows of W, pairs of rows.
		return maxPool2CBHW(x)
	}
	return maxPoolFirstMax(x, kernel)
}

// maxPoolFirstMax is MaxPool2D of x [B,C,H,W] with generic ops: the windows
// to the last axis, the first maximum of each by ArgMax, y = sum(window *
// onehot(first)) with the mask under StopGradient, so dy reaches that element
// only.
func maxPoolFirstMax(x *Node, k int) *Node {
	d := x.Shape().Dimensions
	b, c, ho, wo := d[0], d[1], d[2]/k, d[3]/k
	win := Reshape(TransposeAllAxes(Reshape(x, b, c, ho, k, wo, k), 0, 1, 2, 4, 3, 5), b, c, ho, wo, k*k)
	first := StopGradient(OneHot(ArgMax(StopGradient(win), -1, dtypes.Int32), k*k, x.DType())) // [B,C,Ho,Wo,k*k]
	return ReduceSum(Mul(win, first), -1)                                                      // [B,C,Ho,Wo]
}
