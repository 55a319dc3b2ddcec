package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/arcade-go/arcade/kernel"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// refTensor is a tensor in testdata/vectors.json.
type refTensor struct {
	Dims []int     `json:"dims"`
	Data []float64 `json:"data"`
}

func (r refTensor) f32() []float32 {
	out := make([]float32, len(r.Data))
	for i, v := range r.Data {
		out[i] = float32(v)
	}
	return out
}

// refCase is one PyTorch reference case written by testdata/gen_vectors.py.
type refCase struct {
	Name       string               `json:"name"`
	Layer      string               `json:"layer"`
	Args       []any                `json:"args"`
	Train      bool                 `json:"train"`
	X          refTensor            `json:"x"`
	Params     map[string]refTensor `json:"params"`
	Y          refTensor            `json:"y"`
	Grads      map[string]refTensor `json:"grads"`
	StateAfter map[string]refTensor `json:"state_after"`
}

func loadCases(t *testing.T) []refCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	return file.Cases
}

func argInt(c refCase, i int) int { return int(c.Args[i].(float64)) }

// buildCase applies the layer(s) of case c to x under scope s.
func buildCase(c refCase, s *model.Scope, x *Node) *Node {
	switch c.Layer {
	case "conv":
		return Conv2D(s, x, argInt(c, 0), argInt(c, 1), argInt(c, 2), argInt(c, 3), c.Args[4].(bool))
	case "convT":
		return ConvTranspose2D(s, x, argInt(c, 0), argInt(c, 1), argInt(c, 2), argInt(c, 3), c.Args[4].(bool))
	case "bn2d":
		return BatchNorm2D(s, x)
	case "bn1d":
		return BatchNorm1D(s, x)
	case "maxpool":
		return MaxPool2D(x, argInt(c, 0))
	case "linear":
		return Linear(s, x, argInt(c, 0), c.Args[1].(bool))
	case "conv_sn":
		s.SetParam(ParamSpectralNorm, 1)
		return Conv2D(s, x, argInt(c, 0), argInt(c, 1), argInt(c, 2), argInt(c, 3), c.Args[4].(bool))
	case "linear_sn":
		s.SetParam(ParamSpectralNorm, 1)
		return Linear(s, x, argInt(c, 0), c.Args[1].(bool))
	case "chain_dqn":
		y := MaxPool2D(ReLU(BatchNorm2D(s.In("bn"), Conv2D(s.In("conv"), x, 4, 3, 1, 1, true))), 2)
		return BatchNorm1D(s.In("bn1"), Linear(s.In("fc"), Flatten(y), 5, true))
	case "chain_s2pool":
		return MaxPool2D(ReLU(BatchNorm2D(s.In("bn"), Conv2D(s.In("conv"), x, 4, 4, 2, 1, true))), 2)
	case "chain_gen":
		y := ReLU(BatchNorm2D(s.In("bn"), ConvTranspose2D(s.In("c1"), x, 4, 4, 1, 0, false)))
		return Tanh(ConvTranspose2D(s.In("c2"), y, 3, 4, 2, 1, false))
	}
	panic("unknown layer " + c.Layer)
}

// scopeForKey returns the scope and variable name of a state_dict key under root.
func scopeForKey(root *model.Scope, key string) (*model.Scope, string) {
	parts := strings.Split(key, ".")
	s := root
	for _, p := range parts[:len(parts)-1] {
		s = s.At("%s", p)
	}
	return s, parts[len(parts)-1]
}

// checkClose compares got with the reference, with a tolerance scaled by the
// reference's largest magnitude.
// tolerance is the largest |got-want| accepted, relative to the reference's
// largest magnitude (raised for GPUs, whose float32 convolutions may use TF32).
var tolerance = 1e-4

func checkClose(t *testing.T, what string, got *tensors.Tensor, want refTensor) {
	t.Helper()
	if !slices.Equal(got.Shape().Dimensions, want.Dims) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape().Dimensions, want.Dims)
		return
	}
	var g []float64
	got.MustConstFlatData(func(flat any) {
		switch f := flat.(type) {
		case []float32:
			for _, v := range f {
				g = append(g, float64(v))
			}
		case []int64:
			for _, v := range f {
				g = append(g, float64(v))
			}
		}
	})
	scale := 1.0
	for _, v := range want.Data {
		scale = max(scale, math.Abs(v))
	}
	for i := range g {
		if d := math.Abs(g[i] - want.Data[i]); d > tolerance*scale || math.IsNaN(g[i]) {
			t.Errorf("%s[%d]: got %.7g, want %.7g (|diff| %.3g, scale %.3g)", what, i, g[i], want.Data[i], d, scale)
			return
		}
	}
}

// runCase runs case c on backend with the given lowering and compares forward
// output, gradients and running statistics with PyTorch.
func runCase(t *testing.T, backend compute.Backend, c refCase, mode lowering) {
	t.Helper()
	forceLowering = mode
	defer func() { forceLowering = lowerAuto }()
	store := model.NewStore()
	root := store.Scope("/layer")
	for key, p := range c.Params {
		s, name := scopeForKey(root, key)
		if err := SetVariable(s, name, p.Dims, p.f32()); err != nil {
			t.Fatal(err)
		}
	}
	gradKeys := make([]string, 0, len(c.Grads))
	for k := range c.Grads {
		if k != "x" {
			gradKeys = append(gradKeys, k)
		}
	}
	slices.Sort(gradKeys)
	exec, err := model.NewExec(backend, store, func(s *model.Scope, x *Node) []*Node {
		g := x.Graph()
		s.Store().SetTraining(g, c.Train)
		y := buildCase(c, s.In("layer"), x)
		w := AddScalar(MulScalar(IotaFull(g, y.Shape()), 0.01), 0.5)
		loss := ReduceAllSum(Mul(y, w))
		wrt := []*Node{x}
		for _, k := range gradKeys {
			vs, name := scopeForKey(root, k)
			v := vs.GetVariable(name)
			if v == nil {
				panic(fmt.Sprintf("variable for %q not found", k))
			}
			wrt = append(wrt, v.NodeValue(g))
		}
		return append([]*Node{y}, Gradient(loss, wrt...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(c.X.f32(), c.X.Dims...))
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	checkClose(t, c.Name+" y", out[0], c.Y)
	checkClose(t, c.Name+" dL/dx", out[1], c.Grads["x"])
	for i, k := range gradKeys {
		checkClose(t, c.Name+" dL/d"+k, out[2+i], c.Grads[k])
	}
	for key, want := range c.StateAfter {
		s, name := scopeForKey(root, key)
		checkClose(t, c.Name+" "+key+" after step", s.GetVariable(name).MustValue(), want)
	}
}

// TestAgainstPyTorch checks every layer, forward and gradients, against
// PyTorch 1.13 on the default backend, with both the matmul lowering and the
// native convolution.
func TestAgainstPyTorch(t *testing.T) {
	backend := kernel.Backend()
	for _, c := range loadCases(t) {
		for _, mode := range []lowering{lowerMatMul, lowerNative} {
			t.Run(fmt.Sprintf("%s/%s", c.Name, map[lowering]string{lowerMatMul: "matmul", lowerNative: "native"}[mode]), func(t *testing.T) {
				runCase(t, backend, c, mode)
			})
		}
	}
}

// TestGPUParity runs every PyTorch case on XLA CUDA with the layers' automatic
// choice (XLA's own convolutions). It is skipped, saying why, when the process
// backend (kernel.Backend) is not XLA on a GPU.
func TestGPUParity(t *testing.T) {
	backend := kernel.Backend()
	info := kernel.BackendInfo()
	where := strings.ToLower(info.Plugin + " " + strings.Join(info.Devices, " "))
	onGPU := strings.Contains(where, "cuda") || strings.Contains(where, "nvidia") || strings.Contains(where, "gpu")
	if !strings.HasPrefix(strings.ToLower(backend.Name()), "xla") || !onGPU {
		t.Skipf("GPU parity not run: the backend is %q (%s), not XLA on CUDA; on a GPU machine install a PJRT CUDA plugin (see `arcade info`)",
			backend.Name(), info.Reason)
	}
	saved := tolerance
	tolerance = 2e-3 // TF32 convolutions and matmuls
	defer func() { tolerance = saved }()
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) { runCase(t, backend, c, lowerAuto) })
	}
}
