package nn

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// ParamInit is the scope hyperparameter (a string) that picks how Conv2D,
// ConvTranspose2D and Linear initialise their weights: InitPyTorch (the
// default) or InitFanInTruncatedNormal. Set it on a scope and it applies to every
// layer below: s.SetParam(nn.ParamInit, nn.InitFanInTruncatedNormal).
const ParamInit = "nn_init"

const (
	// InitPyTorch is PyTorch's default for Conv2d, ConvTranspose2d and Linear:
	// weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
	InitPyTorch = "pytorch"
	// InitFanInTruncatedNormal is TensorFlow/OneFlow's
	// variance_scaling_initializer(scale=1, mode="fan_in", distribution="truncated_normal"):
	// a normal with stddev sqrt(1/fan_in)/0.8796 truncated at two standard
	// deviations; biases are 0.
	InitFanInTruncatedNormal = "fan_in_truncated_normal"
)

// weightVar creates (or reuses) the weight and optional bias variables of a
// conv/linear layer in scope s. fanIn is computed by the caller as PyTorch does.
func weightVar(s *model.Scope, g *Graph, wShape shapes.Shape, fanIn int, bias bool, biasDim int) (w, b *Node) {
	kind := model.GetParamOr(s, ParamInit, InitPyTorch)
	bound := 1 / math.Sqrt(float64(max(fanIn, 1)))
	var wInit, bInit model.VariableInitializer
	switch kind {
	case InitPyTorch:
		wInit = uniformInit(s, bound)
		bInit = uniformInit(s, bound)
	case InitFanInTruncatedNormal:
		wInit = truncatedNormalInit(s, math.Sqrt(1/float64(max(fanIn, 1)))/0.87962566103423978)
		bInit = func(g *Graph, shape shapes.Shape) *Node { return Zeros(g, shape) }
	default:
		panic(fmt.Sprintf("nn: unknown %s %q (want %q or %q)", ParamInit, kind, InitPyTorch, InitFanInTruncatedNormal))
	}
	w = s.WithInitializer(wInit).VariableWithShape("weight", wShape).NodeValue(g)
	if iters := model.GetParamOr(s, ParamSpectralNorm, 0); iters > 0 {
		w = spectralNorm(s, g, w, iters)
	}
	if bias {
		b = s.WithInitializer(bInit).VariableWithShape("bias", shapes.Make(wShape.DType, biasDim)).NodeValue(g)
	}
	return
}

// uniformInit draws from U(-bound, bound) with the store's random state.
func uniformInit(s *model.Scope, bound float64) model.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		u := s.RandomUniform(g, shape) // [0, 1)
		return AddScalar(MulScalar(u, 2*bound), -bound)
	}
}

// truncatedNormalInit draws from N(0, stddev) truncated to +-2 stddev, by
// redrawing out-of-range values a few times and clipping what is left (the
// chance of a value surviving four draws out of range is 0.0455^4 ~ 4e-6).
func truncatedNormalInit(s *model.Scope, stddev float64) model.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		v := s.RandomNormal(g, shape)
		for range 3 {
			out := GreaterThan(Abs(v), Scalar(g, shape.DType, 2.0))
			v = Where(out, s.RandomNormal(g, shape), v)
		}
		v = ClipScalar(v, -2.0, 2.0)
		return MulScalar(v, stddev)
	}
}
