package nn

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// ParamSpectralNorm (an int, the number of power iterations per training
// forward pass) turns on spectral normalisation (Miyato et al. 2018) for the
// weights of Conv2D, ConvTranspose2D and Linear in the scope where it is set
// and below: s.SetParam(nn.ParamSpectralNorm, 1). 0 (the default) leaves the
// weights as they are.
//
// The layer then uses weight / sigma, sigma the largest singular value of the
// weight viewed as a matrix [dim0, rest], estimated by power iteration with a
// persistent vector "weight_u" [dim0] (a non-trainable variable beside the
// weight, updated in training mode only, no gradient through it). In training
// mode this is torch.nn.utils.spectral_norm's algorithm, checked against it
// (testdata/gen_vectors.py): v = normalize(Wᵀu), u = normalize(W v), sigma =
// uᵀ W v with the gradient through W only. In inference mode v is recomputed
// from the stored u (as torch.nn.utils.parametrizations.spectral_norm's stored
// v; the older hook keeps the v from before its last update of u). PyTorch
// takes dim 1 of a transposed convolution's weight; this takes dim 0.
const ParamSpectralNorm = "nn_spectral_norm"

// spectralNormEps is PyTorch's eps for normalising u and v.
const spectralNormEps = 1e-12

// spectralNorm returns w / sigma(w) for a weight w of scope s; iters power
// iterations run in training mode.
func spectralNorm(s *model.Scope, g *Graph, w *Node, iters int) *Node {
	dims := w.Shape().Dimensions
	rows := dims[0]
	cols := w.Shape().Size() / rows
	wm := Reshape(w, rows, cols) // [rows, cols]
	uVar := s.WithInitializer(func(g *Graph, sh shapes.Shape) *Node {
		return L2NormalizeWithEpsilon(s.RandomNormal(g, sh), spectralNormEps, 0)
	}).VariableWithShape("weight_u", shapes.Make(w.DType(), rows)).SetTrainable(false)

	u := uVar.NodeValue(g) // [rows]
	wd := StopGradient(wm)
	v := L2NormalizeWithEpsilon(vecMat(u, wd), spectralNormEps, 0) // [cols]
	if IsTraining(s, g) {
		for i := range iters {
			if i > 0 {
				v = L2NormalizeWithEpsilon(vecMat(u, wd), spectralNormEps, 0)
			}
			u = L2NormalizeWithEpsilon(Einsum("rc,c->r", wd, v), spectralNormEps, 0)
		}
		uVar.SetNodeValue(u)
	}
	u, v = StopGradient(u), StopGradient(v)
	sigma := ReduceAllSum(Mul(u, Einsum("rc,c->r", wm, v))) // u^T W v, gradient through W only
	return Div(w, sigma)
}

// vecMat returns uᵀ·W [cols] for u [rows] and W [rows, cols], written as a
// contraction of W's first axis: the Go backend multiplies a one-row left
// operand about 30 times slower ([256]·[256,2048]: 3.9 against 0.13 ms).
func vecMat(u, w *Node) *Node {
	return DotGeneral(w, []int{0}, nil, u, []int{0}, nil)
}
