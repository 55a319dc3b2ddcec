package nn

import (
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
)

// lowering selects how the convolutions of a graph are built.
type lowering int

const (
	lowerAuto   lowering = iota // native on XLA, matmul lowering elsewhere
	lowerMatMul                 // always the matmul lowering
	lowerNative                 // always graph.ConvGeneral
)

// forceLowering overrides the automatic choice; tests use it to check both paths.
var forceLowering = lowerAuto

// useNative reports whether g's convolutions use the backend's own ConvGeneral.
func useNative(g *Graph) bool {
	switch forceLowering {
	case lowerMatMul:
		return false
	case lowerNative:
		return true
	}
	b := g.Backend()
	return b != nil && strings.HasPrefix(strings.ToLower(b.Name()), "xla")
}

// Internal activation layouts of the Go-backend lowering. The API is NCHW; a
// layer's NCHW result is a transpose of its internal result, remembered so the
// next layer of this package takes the internal value directly (the unused
// transposes are dropped by the backend's dead-code elimination).
type layout int

const (
	layoutNHWC layout = iota + 1 // [B,H,W,C]: strided convolutions (space-to-depth), transposed convolutions
	layoutCBHW                   // [C,B,H,W]: stride-1 convolutions (whole-plane shifted copies)
)

type internalValue struct {
	node   *Node
	layout layout
}

// layoutStateKey keys the per-graph map from NCHW nodes to internal values.
type layoutStateKey struct{}

type layoutState struct {
	m map[*Node]internalValue
	// weights caches reordered weight matrices per (weight node, order), so a
	// layer applied twice with the same weights (a discriminator on real and on
	// fake images) shares one matrix, and one gradient through the reorder.
	weights map[weightKey]*Node
}

type weightKey struct {
	w     *Node
	order string
}

// cachedWeight returns build() for (w, order), built once per graph.
func cachedWeight(w *Node, order string, build func() *Node) *Node {
	st := getLayoutState(w.Graph())
	k := weightKey{w, order}
	if m, ok := st.weights[k]; ok {
		return m
	}
	m := build()
	st.weights[k] = m
	return m
}

func getLayoutState(g *Graph) *layoutState {
	if st, ok := g.State(layoutStateKey{}).(*layoutState); ok {
		return st
	}
	st := &layoutState{m: make(map[*Node]internalValue), weights: make(map[weightKey]*Node)}
	g.AttachState(layoutStateKey{}, st)
	return st
}

// internalOf returns the internal value x (NCHW) was made from, if any.
func internalOf(x *Node) (internalValue, bool) {
	v, ok := getLayoutState(x.Graph()).m[x]
	return v, ok
}

// fromInternal returns the NCHW view of an internal value and remembers it.
func fromInternal(v *Node, l layout) *Node {
	var y *Node
	d := v.Shape().Dimensions
	switch l {
	case layoutNHWC: // [B,H,W,C] -> [B,C,H,W]
		y = Reshape(swapMid(Reshape(v, d[0], d[1]*d[2], d[3]), d[0], d[1]*d[2], d[3]), d[0], d[3], d[1], d[2])
	case layoutCBHW: // [C,B,H,W] -> [B,C,H,W]
		y = Reshape(swap01(Reshape(v, d[0], d[1], d[2]*d[3])), d[1], d[0], d[2], d[3])
	}
	getLayoutState(v.Graph()).m[y] = internalValue{v, l}
	return y
}

// fromNHWC returns the NCHW view of a channels-last [B,H,W,C] node.
func fromNHWC(v *Node) *Node { return fromInternal(v, layoutNHWC) }

// fromCBHW returns the NCHW view of a [C,B,H,W] node.
func fromCBHW(v *Node) *Node { return fromInternal(v, layoutCBHW) }

// toNHWC returns x [B,C,H,W] as [B,H,W,C], reusing the internal value it came from.
func toNHWC(x *Node) *Node {
	if v, ok := internalOf(x); ok {
		switch v.layout {
		case layoutNHWC:
			return v.node
		case layoutCBHW: // [C,B,H,W] -> [B*H*W, C]
			d := v.node.Shape().Dimensions
			t := TransposeAllAxes(Reshape(v.node, d[0], d[1]*d[2]*d[3]), 1, 0)
			return Reshape(t, d[1], d[2], d[3], d[0])
		}
	}
	return channelsLast(x)
}

// channelsLast returns a rank-4 x [A, B, H, W] as [A, H, W, B]. For 4-byte
// values that is one transpose of x itself: the Go backend merges H and W and
// takes its batched 2D transpose; a Reshape of a graph input or a variable
// first would be a copy (the backend reshapes in place only buffers it owns).
func channelsLast(x *Node) *Node {
	if x.DType().Size() == 4 {
		return TransposeAllAxes(x, 0, 2, 3, 1)
	}
	d := x.Shape().Dimensions
	return Reshape(swapMid(Reshape(x, d[0], d[1], d[2]*d[3]), d[0], d[1], d[2]*d[3]), d[0], d[2], d[3], d[1])
}

// toCBHW returns x [B,C,H,W] as [C,B,H,W], reusing the internal value it came from.
func toCBHW(x *Node) *Node {
	if v, ok := internalOf(x); ok {
		switch v.layout {
		case layoutCBHW:
			return v.node
		case layoutNHWC: // [B,H,W,C] -> [C, B*H*W]
			d := v.node.Shape().Dimensions
			t := TransposeAllAxes(Reshape(v.node, d[0]*d[1]*d[2], d[3]), 1, 0)
			return Reshape(t, d[3], d[0], d[1], d[2])
		}
	}
	// The Go backend merges H and W: its fast [1, 0, 2] transpose of [B, C, H*W].
	return TransposeAllAxes(x, 1, 0, 2, 3)
}

// swapMid transposes x viewed as [a, b, c] to [a, c, b]. For 4-byte values
// that is one batched 2D transpose, a fast path of the Go backend (patch 11 in
// third_party/README.md); otherwise a tiled 2D transpose [a*b, c] -> [c, a*b],
// then [c, a, b] -> [a, c, b], which moves whole rows of b elements (the
// backend's [0,2,1,3] kernel on [a, b, c, 1] would copy element by element).
func swapMid(x *Node, a, b, c int) *Node {
	switch {
	case b == 1 || c == 1:
		return Reshape(x, a, c, b)
	case a == 1:
		return Reshape(TransposeAllAxes(Reshape(x, b, c), 1, 0), 1, c, b)
	case x.DType().Size() == 4:
		return TransposeAllAxes(Reshape(x, a, b, c), 0, 2, 1)
	}
	t := TransposeAllAxes(Reshape(x, a*b, c), 1, 0) // [c, a*b]
	return swap01(Reshape(t, c, a, b))
}

// kernelMajor returns a weight w [A, B, kh, kw] (PyTorch's layout) as
// [A, kh*kw, B]: channelsLast of w itself, then a reshape of a buffer the
// backend owns. Reshaping the variable first copied the whole weight each
// step (the DCGAN's [512, 256, 4, 4] weights: 0.7 ms a copy, three a step).
func kernelMajor(w *Node) *Node {
	d := w.Shape().Dimensions
	return Reshape(channelsLast(w), d[0], d[2]*d[3], d[1])
}

// swap01 transposes a rank-3 [a,b,c] to [b,a,c] (a fast path of the Go backend).
func swap01(x *Node) *Node {
	return TransposeAllAxes(x, 1, 0, 2)
}

// ReLU returns max(x, 0), as torch.nn.ReLU. Applied to the output of a layer of
// this package it keeps the fast internal layout (graph.Max on the NCHW value
// works too, at the cost of a transpose on the Go backend).
func ReLU(x *Node) *Node {
	if v, ok := internalOf(x); ok {
		return fromInternal(Max(v.node, ScalarZero(x.Graph(), x.DType())), v.layout)
	}
	return Max(x, ScalarZero(x.Graph(), x.DType()))
}
