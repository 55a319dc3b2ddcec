package nn

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

const (
	// ParamBatchNormMomentum (float64) overrides BatchNorm's momentum (PyTorch's
	// default 0.1: running = (1-momentum)*running + momentum*batch) for the
	// scope where it is set and below.
	ParamBatchNormMomentum = "nn_batchnorm_momentum"
	// ParamBatchNormEpsilon (float64) overrides BatchNorm's eps (default 1e-5).
	ParamBatchNormEpsilon = "nn_batchnorm_epsilon"
)

// IsTraining reports whether the layers in scope s build their training
// version in graph g: the value set with SetTraining on s or the nearest parent
// scope, else GoMLX's own flag (model.Store.IsTraining, set by
// model.Store.SetTraining and by train.Trainer).
func IsTraining(s *model.Scope, g *Graph) bool {
	return model.GetGraphParamOr(s, g, model.GraphParamIsTraining, false)
}

// SetTraining sets training mode for scope s and the scopes below it, for
// graph g only. Use it to run, e.g., a target network in inference mode inside
// a training step. It does not change GoMLX's global flag for other scopes.
func SetTraining(s *model.Scope, g *Graph, training bool) {
	s.SetGraphParam(g, model.GraphParamIsTraining, training)
}

// BatchNorm2D is torch.nn.BatchNorm2d(C) on x [B, C, H, W] (statistics per
// channel over batch and space). See the package documentation for training
// and inference behaviour and the variables it creates in s.
func BatchNorm2D(s *model.Scope, x *Node) *Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nn.BatchNorm2D(%s): x must be [B,C,H,W], got shape %s", s.Scope(), x.Shape()))
	}
	if v, ok := internalOf(x); ok && !useNative(x.Graph()) {
		axis := 3
		if v.layout == layoutCBHW {
			axis = 0
		}
		return fromInternal(batchNorm(s, v.node, axis), v.layout)
	}
	if !useNative(x.Graph()) {
		// [C,B,H,W] (one fast transpose) has the per-channel statistics and
		// broadcasts on the backend's fast trailing-axis paths.
		return fromCBHW(batchNorm(s, toCBHW(x), 0))
	}
	return batchNorm(s, x, 1)
}

// BatchNorm1D is torch.nn.BatchNorm1d(F) on x [B, F] (statistics per feature
// over the batch).
func BatchNorm1D(s *model.Scope, x *Node) *Node {
	if x.Rank() != 2 {
		panic(fmt.Sprintf("nn.BatchNorm1D(%s): x must be [B,F], got shape %s", s.Scope(), x.Shape()))
	}
	return batchNorm(s, x, 1)
}

// batchNorm normalises x per index of featureAxis.
func batchNorm(s *model.Scope, x *Node, featureAxis int) *Node {
	g := x.Graph()
	dtype := x.DType()
	dims := x.Shape().Dimensions
	c := dims[featureAxis]
	momentum := model.GetParamOr(s, ParamBatchNormMomentum, 0.1)
	eps := model.GetParamOr(s, ParamBatchNormEpsilon, 1e-5)

	vShape := shapes.Make(dtype, c)
	one := func(g *Graph, sh shapes.Shape) *Node { return Ones(g, sh) }
	zero := func(g *Graph, sh shapes.Shape) *Node { return Zeros(g, sh) }
	gamma := s.WithInitializer(one).VariableWithShape("weight", vShape).NodeValue(g)
	beta := s.WithInitializer(zero).VariableWithShape("bias", vShape).NodeValue(g)
	runMeanVar := s.WithInitializer(zero).VariableWithShape("running_mean", vShape).SetTrainable(false)
	runVarVar := s.WithInitializer(one).VariableWithShape("running_var", vShape).SetTrainable(false)
	countVar := s.WithInitializer(zero).VariableWithShape("num_batches_tracked", shapes.Make(dtypes.Int64)).SetTrainable(false)

	bdims := make([]int, len(dims)) // broadcast shape of per-channel values
	var reduceAxes []int
	n := 1
	for i, d := range dims {
		if i == featureAxis {
			bdims[i] = c
		} else {
			bdims[i] = 1
			reduceAxes = append(reduceAxes, i)
			n *= d
		}
	}

	if !IsTraining(s, g) {
		mean := Reshape(runMeanVar.NodeValue(g), bdims...)
		inv := Reciprocal(Sqrt(AddScalar(Reshape(runVarVar.NodeValue(g), bdims...), eps)))
		scale := Mul(inv, Reshape(gamma, bdims...))
		// x*scale + (beta - mean*scale): two passes over x where
		// (x-mean)*scale + beta takes three.
		return Add(Mul(x, scale), Sub(Reshape(beta, bdims...), Mul(mean, scale)))
	}

	// Training: batch statistics, with the full gradient through them.
	mean := ReduceAndKeep(x, ReduceMean, reduceAxes...) // bdims
	xc := Sub(x, mean)
	variance := ReduceAndKeep(Square(xc), ReduceMean, reduceAxes...) // biased, bdims
	scale := Div(Reshape(gamma, bdims...), Sqrt(AddScalar(variance, eps)))
	y := Add(Mul(xc, scale), Reshape(beta, bdims...))

	// Running statistics (no gradient), PyTorch's update with the unbiased variance.
	bm := StopGradient(Reshape(mean, c))
	bv := StopGradient(Reshape(variance, c))
	if n > 1 {
		bv = MulScalar(bv, float64(n)/float64(n-1))
	}
	runMeanVar.SetNodeValue(Add(MulScalar(runMeanVar.NodeValue(g), 1-momentum), MulScalar(bm, momentum)))
	runVarVar.SetNodeValue(Add(MulScalar(runVarVar.NodeValue(g), 1-momentum), MulScalar(bv, momentum)))
	countVar.SetNodeValue(AddScalar(countVar.NodeValue(g), 1))
	return y
}
