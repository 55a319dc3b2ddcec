// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build goexperiment.simd

package ops

import (
	"simd"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/compute/support/simdmath"
	"github.com/pkg/errors"
)

// Element-wise fusion: a tree of element-wise float32 ops over one shape (an
// optimizer's update, a normalisation's arithmetic) runs as one node that walks
// its operands once, in blocks that stay in the L1/L2 caches, instead of one
// pass over memory per op. GoMLX's Adam is 14 ops per variable: unfused, 18
// reads and 14 writes of the variable's size; fused, 3 trees of 2-3 inputs and
// one output each.
//
// The pass (ElementwiseFusion) rewrites the root of each tree in place: it
// keeps its OpType, its inputs become the tree's leaves and its Data the
// program; the executor below, registered before every other executor of those
// op types, runs it. The inner nodes lose their only consumer and are not
// executed.

// fusedMinSize is the smallest output fused: below it the ops' own kernels are
// as fast, and the blocks would be few.
const fusedMinSize = 8 * 1024

// fusedBlock is the number of elements evaluated at a time: each intermediate
// value of a block is 4 KiB.
const fusedBlock = 1024

// fusedBinaryOps and fusedUnaryOps are the op types a tree may hold.
var (
	fusedBinaryOps = []compute.OpType{compute.OpTypeAdd, compute.OpTypeSub, compute.OpTypeMul,
		compute.OpTypeDiv, compute.OpTypeMax, compute.OpTypeMin}
	fusedUnaryOps = []compute.OpType{compute.OpTypeNeg, compute.OpTypeAbs, compute.OpTypeSqrt,
		compute.OpTypeRsqrt, compute.OpTypeExp, compute.OpTypeLogistic, compute.OpTypeTanh}
)

// fusedStep is one op of a fused program. An operand a >= 0 is the result of
// step a; a < 0 is the node's input -a-1.
type fusedStep struct {
	op   compute.OpType
	args [2]int
}

// FusedElementwise is the program of a fused node: its steps in evaluation
// order (the last one is the node's value).
type FusedElementwise struct {
	steps []fusedStep
}

func init() {
	// After ImplicitBroadcastFusion (100), so that explicit broadcasts of
	// scalars are gone.
	gobackend.RegisterTransformation(10, ElementwiseFusion{})
	for _, op := range append(append([]compute.OpType{}, fusedBinaryOps...), fusedUnaryOps...) {
		gobackend.SetNodeExecutor(op, gobackend.PriorityUser, execFusedElementwise)
	}
}

// ElementwiseFusion is the graph transformation that finds the trees.
type ElementwiseFusion struct{}

// Name implements gobackend.GraphTransformation.
func (ElementwiseFusion) Name() string { return "ElementwiseFusion" }

// Apply implements gobackend.GraphTransformation. A tree's root is a fusible
// node; its inner nodes are fusible nodes of the root's shape whose only use is
// their parent in the tree; leaves are everything else (operands of the root's
// shape or of size 1).
func (ElementwiseFusion) Apply(b *gobackend.Builder) (bool, error) {
	uses := make(map[*gobackend.Node]int)
	for _, f := range b.Functions {
		for _, n := range f.Nodes {
			for _, in := range n.Inputs {
				uses[in]++
			}
			for _, captured := range n.CapturedInputs {
				for _, c := range captured {
					uses[c]++
				}
			}
			for _, out := range n.MultiOutputsNodes {
				uses[out]++
			}
		}
		for _, out := range f.Outputs {
			uses[out]++
		}
		for _, c := range f.CapturedParentNodes {
			uses[c]++
		}
	}
	changed := false
	for _, f := range b.Functions {
		absorbed := make(map[*gobackend.Node]bool)
		for i := len(f.Nodes) - 1; i >= 0; i-- {
			root := f.Nodes[i]
			if absorbed[root] || !fusible(root) {
				continue
			}
			var leaves []*gobackend.Node
			leafIdx := make(map[*gobackend.Node]int)
			var steps []fusedStep
			var visit func(n *gobackend.Node) int
			visit = func(n *gobackend.Node) int {
				if n != root && !(fusible(n) && uses[n] == 1 && n.Shape.Equal(root.Shape) && n.Function == f) {
					idx, ok := leafIdx[n]
					if !ok {
						idx = len(leaves)
						leafIdx[n] = idx
						leaves = append(leaves, n)
					}
					return -idx - 1
				}
				step := fusedStep{op: n.OpType, args: [2]int{-1, -1}}
				for k, in := range n.Inputs {
					step.args[k] = visit(in)
				}
				if n != root {
					absorbed[n] = true
				}
				steps = append(steps, step)
				return len(steps) - 1
			}
			visit(root)
			if len(steps) < 2 {
				continue
			}
			root.Inputs = leaves
			root.Data = &FusedElementwise{steps: steps}
			root.ClearCachedExecutor()
			changed = true
		}
	}
	return changed, nil
}

// fusible reports whether n can be part of a fused tree: a float32 element-wise
// op of a static shape of at least fusedMinSize elements, whose operands have
// its shape or size 1.
func fusible(n *gobackend.Node) bool {
	if n.Shape.DType != dtypes.Float32 || n.Shape.IsDynamic() || n.Shape.Size() < fusedMinSize ||
		n.IsMultiOutputs() || n.IsNodeSelectOutput || len(n.CapturedInputs) > 0 {
		return false
	}
	switch n.Data.(type) {
	case nil, *gobackend.BroadcastConfig:
	default:
		return false // already fused, or data this pass does not know
	}
	want := 2
	switch {
	case containsOp(fusedBinaryOps, n.OpType):
	case containsOp(fusedUnaryOps, n.OpType):
		want = 1
	default:
		return false
	}
	if len(n.Inputs) != want {
		return false
	}
	for _, in := range n.Inputs {
		if in.Shape.DType != dtypes.Float32 || in.Shape.IsDynamic() || in.IsMultiOutputs() ||
			operandKindOf(in.Shape, n.Shape) == operandUnsupported {
			return false
		}
	}
	return true
}

// operandKind is how an operand of a fused node lines up with its output.
type operandKind int

const (
	operandUnsupported operandKind = iota
	operandFull                    // the output's shape: its block [start, end)
	operandScalar                  // one value
	operandRowScalar               // [d0..dk, 1, ..., 1] (a per-channel value in [C, B, H, W]): one value per block
	operandTiled                   // [1, ..., 1, dk..dn] (a per-channel value in [B, H, W, C]): a period dividing the block
)

// operandKindOf classifies operand shape in against the output shape out.
// Blocks start at multiples of fusedBlock, so a row of a row-scalar operand
// must be a multiple of the block, and a tiled operand's period a divisor.
func operandKindOf(in, out shapes.Shape) operandKind {
	switch {
	case in.Equal(out):
		return operandFull
	case in.Size() == 1:
		return operandScalar
	case in.Rank() != out.Rank():
		return operandUnsupported
	}
	// Row scalar: a prefix of out's dimensions, then ones.
	k := 0
	for k < in.Rank() && in.Dimensions[k] == out.Dimensions[k] {
		k++
	}
	rest := k
	for rest < in.Rank() && in.Dimensions[rest] == 1 {
		rest++
	}
	if rest == in.Rank() && k > 0 {
		if row := out.Size() / in.Size(); row%fusedBlock == 0 {
			return operandRowScalar
		}
		return operandUnsupported
	}
	// Tiled: ones, then a suffix of out's dimensions.
	k = 0
	for k < in.Rank() && in.Dimensions[k] == 1 {
		k++
	}
	for rest = k; rest < in.Rank() && in.Dimensions[rest] == out.Dimensions[rest]; rest++ {
	}
	if rest == in.Rank() && k > 0 && fusedBlock%in.Size() == 0 {
		return operandTiled
	}
	return operandUnsupported
}

func containsOp(ops []compute.OpType, op compute.OpType) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// execFusedElementwise runs a fused node; other nodes fall back to the op's
// own executors.
func execFusedElementwise(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, inputsOwned []bool) (*gobackend.Buffer, error) {
	prog, ok := node.Data.(*FusedElementwise)
	if !ok {
		return nil, gobackend.ErrFallback
	}
	n := node.Shape.Size()
	// Write in place over an owned input of the output's shape: every step of a
	// block reads its operands before the last one writes the block.
	var output *gobackend.Buffer
	for i, in := range inputs {
		if inputsOwned[i] && in.RawShape.Equal(node.Shape) {
			output = in
			break
		}
	}
	if output == nil {
		var err error
		if output, err = backend.GetBuffer(node.Shape); err != nil {
			return nil, err
		}
	}
	if backend.NoOps {
		return output, nil
	}
	vals := make([]fusedOperand, len(inputs))
	for i, in := range inputs {
		v := in.Flat.([]float32)
		vals[i] = fusedOperand{kind: operandKindOf(in.RawShape, node.Shape), v: v}
		switch vals[i].kind {
		case operandRowScalar:
			vals[i].row = n / len(v)
		case operandTiled: // repeated over one block, the same for every block
			tiled := make([]float32, fusedBlock)
			for j := range tiled {
				tiled[j] = v[j%len(v)]
			}
			vals[i].v = tiled
		case operandUnsupported:
			return nil, errors.Errorf("fused element-wise op: operand %d of shape %s does not broadcast to %s", i, in.RawShape, node.Shape)
		}
	}
	out := output.Flat.([]float32)
	numBlocks := (n + fusedBlock - 1) / fusedBlock
	workers := 1
	if backend.Workers != nil && backend.Workers.IsEnabled() {
		workers = max(1, min(backend.Workers.AdjustedMaxParallelism(), numBlocks/8))
	}
	// One scratch area per part, from the buffer pool: allocating it per call was most of an
	// element-wise graph's garbage.
	scratchSize := len(prog.steps) * fusedBlock
	scratchBuf, err := backend.GetBuffer(shapes.Make(dtypes.Float32, workers*scratchSize))
	if err != nil {
		return nil, err
	}
	defer backend.PutBuffer(scratchBuf)
	scratchAll := scratchBuf.Flat.([]float32)
	run := func(part, b0, b1 int) {
		scratch := scratchAll[part*scratchSize : (part+1)*scratchSize]
		for blk := b0; blk < b1; blk++ {
			start := blk * fusedBlock
			prog.evalBlock(vals, out, scratch, start, min(n, start+fusedBlock))
		}
	}
	if workers <= 1 {
		run(0, 0, numBlocks)
	} else {
		// Blocks split across the workers free now; the rest inline.
		chunk := (numBlocks + workers - 1) / workers
		var wg sync.WaitGroup
		b0, part := 0, 0
		for ; b0+chunk < numBlocks; b0, part = b0+chunk, part+1 {
			s, e, p := b0, b0+chunk, part
			wg.Add(1)
			task := func() {
				defer wg.Done()
				run(p, s, e)
			}
			if !backend.Workers.StartIfAvailable(task) {
				task()
			}
		}
		run(part, b0, numBlocks)
		wg.Wait()
	}
	for i, in := range inputs {
		if in == output {
			inputs[i] = nil // ownership moved to the output
		}
	}
	return output, nil
}

// fusedOperand is an input of a fused node and how it broadcasts.
type fusedOperand struct {
	kind operandKind
	v    []float32 // operandTiled: one block of the repeated values
	row  int       // operandRowScalar: elements per value
}

// evalBlock evaluates the program on elements [start, end), scratch holding
// one block per step; the last step writes into out.
func (p *FusedElementwise) evalBlock(vals []fusedOperand, out, scratch []float32, start, end int) {
	size := end - start
	// operand returns a vector operand's block, or (nil, c) for a scalar.
	operand := func(a int) ([]float32, float32) {
		if a >= 0 {
			return scratch[a*fusedBlock : a*fusedBlock+size], 0
		}
		in := &vals[-a-1]
		switch in.kind {
		case operandScalar:
			return nil, in.v[0]
		case operandRowScalar:
			return nil, in.v[start/in.row]
		case operandTiled:
			return in.v[:size], 0
		}
		return in.v[start:end], 0
	}
	last := len(p.steps) - 1
	for si, st := range p.steps {
		dst := scratch[si*fusedBlock : si*fusedBlock+size]
		if si == last {
			dst = out[start:end]
		}
		x, xc := operand(st.args[0])
		if !containsOp(fusedBinaryOps, st.op) {
			// A unary op keeps its operand's shape, so its operand is a
			// vector: a step of the root's shape, or a leaf of that shape.
			unaryBlock(st.op, x, dst)
			continue
		}
		y, yc := operand(st.args[1])
		binaryBlock(st.op, x, xc, y, yc, dst)
	}
}

func unaryBlock(op compute.OpType, x, dst []float32) {
	switch op {
	case compute.OpTypeNeg:
		simdUnaryFloat32(x, dst, func(v simd.Float32s) simd.Float32s { return v.Neg() })
	case compute.OpTypeAbs:
		simdUnaryFloat32(x, dst, func(v simd.Float32s) simd.Float32s { return v.Abs() })
	case compute.OpTypeSqrt:
		simdUnaryFloat32(x, dst, simdmath.SqrtFloat32)
	case compute.OpTypeRsqrt:
		simdUnaryFloat32(x, dst, simdmath.RsqrtFloat32)
	case compute.OpTypeExp:
		simdUnaryFloat32(x, dst, simdmath.ExpFloat32)
	case compute.OpTypeLogistic:
		simdUnaryFloat32(x, dst, simdmath.SigmoidFloat32)
	case compute.OpTypeTanh:
		simdUnaryFloat32(x, dst, simdmath.TanhFloat32)
	}
}

// binaryBlock is dst = x op y, where x (y) is nil for the scalar xc (yc); at
// most one of them is a scalar, since the node's output is not of size 1.
func binaryBlock(op compute.OpType, x []float32, xc float32, y []float32, yc float32, dst []float32) {
	type kernels struct {
		vv func(a, b, out []float32)
		vs func(a []float32, c float32, out []float32)
		sv func(c float32, b []float32, out []float32) // nil: commutative, vs with the operands swapped
	}
	var k kernels
	switch op {
	case compute.OpTypeAdd:
		k = kernels{simdAddVVFloat32, simdAddVSFloat32, nil}
	case compute.OpTypeSub:
		k = kernels{simdSubVVFloat32, simdSubVSFloat32, simdSubSVFloat32}
	case compute.OpTypeMul:
		k = kernels{simdMulVVFloat32, simdMulVSFloat32, nil}
	case compute.OpTypeDiv:
		k = kernels{simdDivVVFloat32, simdDivVSFloat32, simdDivSVFloat32}
	case compute.OpTypeMax:
		k = kernels{simdMaxVVFloat32, simdMaxVSFloat32, nil}
	case compute.OpTypeMin:
		k = kernels{simdMinVVFloat32, simdMinVSFloat32, nil}
	}
	switch {
	case x != nil && y != nil:
		k.vv(x, y, dst)
	case y == nil:
		k.vs(x, yc, dst)
	case k.sv != nil:
		k.sv(xc, y, dst)
	default:
		k.vs(y, xc, dst)
	}
}
