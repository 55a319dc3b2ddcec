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
	return b != nil && strings.HasPrefix(b.Name(), "xla")
}

// layoutStateKey keys the per-graph map from an NCHW node produced by this
// package to the channels-last node it was transposed from.
type layoutStateKey struct{}

type layoutState struct {
	nhwc map[*Node]*Node
}

func getLayoutState(g *Graph) *layoutState {
	if st, ok := g.State(layoutStateKey{}).(*layoutState); ok {
		return st
	}
	st := &layoutState{nhwc: make(map[*Node]*Node)}
	g.AttachState(layoutStateKey{}, st)
	return st
}

// fromNHWC returns the NCHW view of a channels-last [B,H,W,C] node, remembering
// the pair so a following layer of this package can take the NHWC node directly.
func fromNHWC(xNHWC *Node) *Node {
	d := xNHWC.Shape().Dimensions
	y := Reshape(swapMid(Reshape(xNHWC, d[0], d[1]*d[2], d[3]), d[0], d[1]*d[2], d[3]), d[0], d[3], d[1], d[2])
	getLayoutState(xNHWC.Graph()).nhwc[y] = xNHWC
	return y
}

// toNHWC returns x [B,C,H,W] channels-last, [B,H,W,C], reusing the value it was
// made from when x came out of a layer of this package.
func toNHWC(x *Node) *Node {
	if src, ok := getLayoutState(x.Graph()).nhwc[x]; ok {
		return src
	}
	d := x.Shape().Dimensions
	return Reshape(swapMid(Reshape(x, d[0], d[1], d[2]*d[3]), d[0], d[1], d[2]*d[3]), d[0], d[2], d[3], d[1])
}

// hasNHWC reports whether x has a remembered channels-last source.
func hasNHWC(x *Node) bool {
	_, ok := getLayoutState(x.Graph()).nhwc[x]
	return ok
}

// ReLU returns max(x, 0), as torch.nn.ReLU. Applied to the output of a layer of
// this package it keeps the fast channels-last layout internally (graph.Max on
// the NCHW value would work too, at the cost of a transpose on the Go backend).
func ReLU(x *Node) *Node {
	if x.Rank() == 4 && hasNHWC(x) {
		xh := toNHWC(x)
		return fromNHWC(Max(xh, ScalarZero(xh.Graph(), xh.DType())))
	}
	return Max(x, ScalarZero(x.Graph(), x.DType()))
}
