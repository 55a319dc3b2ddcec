// Package nn holds the layers both Arcade models are built from, with PyTorch's
// semantics and weight layouts, and a fast lowering for GoMLX's pure-Go backend.
//
// # API (stable)
//
//	func Conv2D(s *model.Scope, x *Node, outChannels, kernel, stride, padding int, bias bool) *Node
//	func ConvTranspose2D(s *model.Scope, x *Node, outChannels, kernel, stride, padding int, bias bool) *Node
//	func BatchNorm2D(s *model.Scope, x *Node) *Node
//	func BatchNorm1D(s *model.Scope, x *Node) *Node
//	func MaxPool2D(x *Node, kernel int) *Node
//	func Linear(s *model.Scope, x *Node, out int, bias bool) *Node
//	func ReLU(x *Node) *Node  // graph.Max(x, 0); keeps the fast internal layout (see below)
//	func Flatten(x *Node) *Node  // torch.flatten(x, 1): [B,C,H,W] -> [B,C*H*W]
//
//	func IsTraining(s *model.Scope, g *Graph) bool
//	func SetTraining(s *model.Scope, g *Graph, training bool)
//	func StateDictKey(root *model.Scope, v *model.Variable) string
//	func SetVariable(s *model.Scope, name string, dims []int, data []float32) error
//	func VariableData(v *model.Variable) (data []float32, dims []int, err error)
//
// Node is graph.Node (github.com/gomlx/gomlx/core/graph).
//
// # Layouts
//
// All activations are NCHW ([batch, channels, height, width]) at the API, as in
// PyTorch; BatchNorm1D and Linear take [batch, features]. Weights are in PyTorch's
// layouts and PyTorch's names, created directly in the scope s given to the layer,
// so the caller names a layer with s.In("conv1") and gets "/conv1/weight":
//
//	Conv2D           weight [Cout, Cin, k, k], bias [Cout]
//	ConvTranspose2D  weight [Cin, Cout, k, k], bias [Cout]   (PyTorch's ConvTranspose2d layout)
//	Linear           weight [out, in], bias [out]
//	BatchNorm        weight [C] (gamma), bias [C] (beta), running_mean [C], running_var [C],
//	                 num_batches_tracked [] (int64); only weight and bias are trainable
//
// StateDictKey turns a variable path into its PyTorch state_dict key
// ("/generator/main/0/weight" under root "/generator" -> "main.0.weight"), so a
// model whose scopes follow the PyTorch module names maps one to one onto a
// state_dict (and onto a safetensors file written from it). SetVariable and
// VariableData move float32 host data in and out of variables by name, for
// parity tests and for import/export.
//
// # Semantics
//
// Conv2D and ConvTranspose2D follow torch.nn.Conv2d / ConvTranspose2d with square
// kernels, equal stride and padding on both spatial axes, dilation 1, groups 1,
// output_padding 0. MaxPool2D is torch.nn.MaxPool2d(kernel) (stride = kernel, no
// padding; sizes must divide), gradient included: of tied maxima in a window
// the first in row-major order gets it, on every backend. BatchNorm2D/1D
// follow torch.nn.BatchNorm2d/1d with momentum 0.1 and eps 1e-5 (override per
// scope with the hyperparameters ParamBatchNormMomentum and
// ParamBatchNormEpsilon):
//
//   - training: normalise with the batch mean and biased batch variance, with the
//     full gradient through the batch statistics (as autograd computes it);
//     update running_mean and running_var (unbiased batch variance) with
//     momentum, and add one to num_batches_tracked;
//   - inference: normalise with running_mean and running_var.
//
// # Training mode
//
// A layer is in training mode when IsTraining(s, g) is true. By default that is
// GoMLX's own flag, model.Store.IsTraining(g), which train.Trainer sets for its
// training graphs; a step built by hand with model.Exec sets it at the top of the
// graph function:
//
//	step := model.MustNewExec(backend, store, func(s *model.Scope, x *Node) *Node {
//		s.Store().SetTraining(x.Graph(), true)
//		...
//	})
//
// SetTraining(s, g, false) switches a sub-tree of scopes back to inference for one
// graph, e.g. a DQN's target network evaluated inside the training step.
//
// # Running statistics
//
// BatchNorm updates its running statistics the way GoMLX's norm.BatchNorm does:
// it computes the new values in the graph and assigns them with
// model.Variable.SetNodeValue. model.Exec (and so train.Trainer) returns every
// variable changed in the graph as an extra output and stores it after each
// execution, so the update happens inside the same training step, with no extra
// call. A layer applied twice in one graph (a discriminator on real, then on fake
// images) updates twice, in order, as PyTorch does.
//
// # Initialisation
//
// The default is PyTorch's: weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
// (kaiming_uniform with a=sqrt(5)), bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// where fan_in is computed as PyTorch does from the weight's dimension 1 times the
// kernel area (so for ConvTranspose2D it is Cout*k*k). BatchNorm: weight 1, bias 0.
// Set the scope hyperparameter ParamInit to InitFanInTruncatedNormal for
// TensorFlow/OneFlow's variance_scaling_initializer(scale=1, mode="fan_in",
// distribution="truncated_normal") with biases at 0 (the Flappy Bird DQN):
//
//	s.SetParam(nn.ParamInit, nn.InitFanInTruncatedNormal)
//
// Initial values come from the Store's random state (model.ParamInitialSeed).
//
// # Lowering
//
// On XLA backends (name starting with "xla") the convolutions use XLA's own
// convolution (graph.ConvGeneral) for the forward pass and, for the gradients,
// the adjoint convolutions written out as forward ConvGenerals: GoMLX
// v0.28.13's ConvGeneral gradient is wrong for even kernels (convVJPWrtX pads
// the reverse convolution by 2*((k-1)/2) instead of k-1; upstream fix:
// outputDimStart := -inputDimStart - kernelSize/2), and panics for a transposed
// convolution with padding 0.
//
// On the pure-Go backend every layer is lowered to the backend's fast paths,
// with hand-written gradients (so autodiff never meets the element-by-element
// Slice and its Pad gradient):
//
//   - stride-1 Conv2D in [C,B,H,W]: each kernel offset is one shift of the
//     whole padded plane, so the patches matrix [k*k*C, B*Hp*Wp] is one Gather
//     of contiguous rows, and the layer one matmul [Cout, k*k*C] x patches;
//   - strided Conv2D (stride s dividing the kernel and the padded size) in
//     [B,H,W,C]: space-to-depth by s turns it into a stride-1 (k/s)
//     convolution on s*s*C channels; patches by one Gather, one
//     matmul [B*Ho*Wo, K] x [K, Cout]; the input gradient is the exact adjoint
//     (shifted adds, depth-to-space);
//   - ConvTranspose2D: one matmul [B*H*W, Cin] x [Cin, K] and the same adjoint
//     (overlap-add); its gradients reuse the convolution's patches;
//   - MaxPool2D(2): maxima of column pairs then row pairs (copies, no window
//     op), the gradient to the first maximum in row-major order, as PyTorch;
//   - BatchNorm2D: statistics over the internal layout's trailing or leading
//     axes, which the backend reduces and broadcasts with SIMD;
//   - Linear: (W·xᵀ)ᵀ with the input gradient dy·W written out (the backend
//     packs the weight faster as the left operand).
//
// The backend reuses a buffer in place only when the op is its last reader,
// and copies it otherwise: so the hand-written gradients read the stand-ins
// their forward passes get (customVJP, customXGrad in lower.go), never the
// original values a second time.
//
// Between layers the activations stay in the internal layout: a layer's NCHW
// result is a transpose of its internal result, and the next layer of this
// package (including ReLU, BatchNorm2D, MaxPool2D and Flatten) takes the
// internal value directly; transposes nobody uses are dropped by the backend.
// Other shapes (odd strides, k not divisible by the stride) fall back to
// strided slices + one matmul with GoMLX's autodiff. Build with
// GOEXPERIMENT=simd for the AVX2/AVX-512 matmul kernels.
package nn
