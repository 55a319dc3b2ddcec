package dcgan

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/kernel"
)

// Parity with the tutorial's PyTorch code: testdata/gen_vectors.py builds the
// tutorial's own Generator and Discriminator, gives them the weights below
// (a formula, so they need not be stored), runs the networks and two
// training steps on batch 4 and on the tutorial's batch 16, and stores the
// results in parity.safetensors and parity-b16.safetensors.
//
// Tolerances. Before any update (G(z), D(real), D(G(z)), the first d_loss):
// 2e-4 relative to the values' magnitude (float32 sums over up to 8192 terms
// in another order). After an update the numbers are ill-conditioned: Adam's
// first step moves every weight by lr*g/(|g|+eps), about +-lr, so rounding
// flips the sign of near-zero gradients, and PyTorch's own float32 and
// float64 runs differ by 0.7% in the first g_loss and 6% in the second
// d_loss. The script stores the float64 run too, and those values must be
// within twice PyTorch's float32-float64 distance (plus 2e-4..5e-4 relative).
// Weight changes must agree to 2e-6 (2% of lr) on all but twice as many
// sampled elements as PyTorch float32 vs float64 disagree on, plus 1%; conv
// biases followed by BatchNorm have an exact zero gradient, so only
// |change| <= lr is checked for them.

// parityWeight is tutorial.param_value: the deterministic value of state_dict
// entry key (flattened, n elements).
func parityWeight(key string, n, rank int) []float32 {
	parts := strings.Split(key, ".")
	layer, _ := strconv.Atoi(parts[1])
	name := parts[2]
	conv := map[string]map[int]bool{"pipe": {0: true, 3: true, 6: true, 9: true, 12: true},
		"conv_pipe": {0: true, 2: true, 5: true, 8: true, 11: true}}
	out := make([]float32, n)
	l := float64(layer)
	for i := range out {
		x := float64(i)
		var v float64
		switch {
		case name == "weight" && rank == 4:
			v = 0.04 * math.Sin(0.7*x+1.1*l+0.3)
		case name == "bias" && conv[parts[0]][layer]:
			v = 0.02 * math.Cos(0.37*x+l)
		case name == "weight":
			v = 1 + 0.2*math.Sin(0.53*x+l)
		default:
			v = 0.1 * math.Cos(0.29*x+0.5*l)
		}
		out[i] = float32(v)
	}
	return out
}

// parityInput is tutorial.parity_input.
func parityInput(n int, freq, phase, amp float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(amp * math.Sin(freq*float64(i)+phase))
	}
	return out
}

// parityBatch is the batch of the parity case being run: 4 (parity.safetensors)
// or 16, the tutorial's (parity-b16.safetensors); forEachParityBatch sets it.
var parityBatch = 4

// forEachParityBatch runs f as a subtest for batch 4 and for batch 16.
func forEachParityBatch(t *testing.T, f func(t *testing.T)) {
	for _, b := range []int{4, 16} {
		t.Run(fmt.Sprintf("batch%d", b), func(t *testing.T) {
			parityBatch = b
			defer func() { parityBatch = 4 }()
			f(t)
		})
	}
}

func parityReal(step int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(parityInput(parityBatch*3*64*64, 0.0131, 0.7+float64(step), 0.9), parityBatch, 3, 64, 64)
}

func parityNoise(step int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(parityInput(parityBatch*100, 0.917, 0.2+float64(step), 1.5), parityBatch, 100, 1, 1)
}

// newParityGAN builds a GAN with the tutorial's configuration and the parity weights.
func newParityGAN(t *testing.T) *GAN {
	t.Helper()
	m, err := New(kernel.Backend(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, net := range []string{GeneratorScope, DiscriminatorScope} {
		entries, _ := StateDict(m.Config, net)
		sd := map[string]*tensors.Tensor{}
		for _, e := range entries {
			dims := e.Shape.Dimensions
			switch {
			case e.Param:
				sd[e.Key] = tensors.FromFlatDataAndDimensions(parityWeight(e.Key, e.Shape.Size(), len(dims)), dims...)
			case strings.HasSuffix(e.Key, "num_batches_tracked"):
				sd[e.Key] = tensors.FromScalar(int64(0))
			default:
				v := float32(0)
				if strings.HasSuffix(e.Key, "running_var") {
					v = 1
				}
				data := make([]float32, e.Shape.Size())
				for i := range data {
					data[i] = v
				}
				sd[e.Key] = tensors.FromFlatDataAndDimensions(data, dims...)
			}
		}
		if err := m.SetStateDict(net, sd); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

var parityVectors = map[int]map[string]*tensors.Tensor{}

func vectors(t *testing.T) map[string]*tensors.Tensor {
	t.Helper()
	if parityVectors[parityBatch] == nil {
		file := "testdata/parity.safetensors"
		if parityBatch != 4 {
			file = fmt.Sprintf("testdata/parity-b%d.safetensors", parityBatch)
		}
		v, err := ReadSafetensors(file)
		if err != nil {
			t.Fatal(err)
		}
		parityVectors[parityBatch] = v
	}
	return parityVectors[parityBatch]
}

func want(t *testing.T, name string) []float32 {
	t.Helper()
	v, ok := vectors(t)[name]
	if !ok {
		t.Fatalf("parity vector %s missing", name)
	}
	if v.DType() == dtypes.Int64 {
		d := tensors.MustCopyFlatData[int64](v)
		out := make([]float32, len(d))
		for i, x := range d {
			out[i] = float32(x)
		}
		return out
	}
	return tensors.MustCopyFlatData[float32](v)
}

func floats(t *testing.T, x *tensors.Tensor) []float32 {
	t.Helper()
	if x.DType() == dtypes.Int64 {
		d := tensors.MustCopyFlatData[int64](x)
		out := make([]float32, len(d))
		for i, v := range d {
			out[i] = float32(v)
		}
		return out
	}
	return tensors.MustCopyFlatData[float32](x)
}

// maxRelDiff returns max |a-b| / (max|b| + tiny), the error relative to the
// magnitude of the reference.
func maxRelDiff(a, b []float32) float64 {
	var scale, d float64
	for i := range b {
		scale = max(scale, math.Abs(float64(b[i])))
	}
	for i := range b {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d / (scale + 1e-12)
}

func checkClose(t *testing.T, what string, got, wantV []float32, tol float64) {
	t.Helper()
	if len(got) != len(wantV) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(wantV))
		return
	}
	if r := maxRelDiff(got, wantV); !(r <= tol) {
		t.Errorf("%s: max relative difference %.3g > %.3g (got[0]=%g want[0]=%g)", what, r, tol, got[0], wantV[0])
	}
}

// samples picks images 0 and B-1 of a [B,3,64,64] batch, as the script
// stores them: whole at batch 4, every 8th value at batch 16 (pick_images).
func samples(x []float32) []float32 {
	plane := 3 * 64 * 64
	both := append(append([]float32{}, x[:plane]...), x[len(x)-plane:]...)
	if parityBatch == 4 {
		return both
	}
	var out []float32
	for i := 0; i < len(both); i += 8 {
		out = append(out, both[i])
	}
	return out
}

func TestForwardParity(t *testing.T) { forEachParityBatch(t, forwardParity) }

func forwardParity(t *testing.T) {
	m := newParityGAN(t)
	// Training-mode forward passes, as in the first step: G(z), D(real), D(G(z)).
	fwd, err := newTrainForward(m)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := fwd.Call(parityReal(0), parityNoise(0))
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "G(z)", samples(floats(t, outs[0])), want(t, "step0.gen_output"), 2e-4)
	checkClose(t, "D(real)", floats(t, outs[1]), want(t, "step0.dis_output_true"), 2e-4)
	checkClose(t, "D(G(z))", floats(t, outs[2]), want(t, "step0.dis_output_fake"), 2e-4)
}

// checkPostUpdate compares a value computed after an Adam update with
// PyTorch's float32 result, allowing twice the distance between PyTorch's own
// float32 and float64 results (the conditioning of the quantity) plus base
// relative to its magnitude.
func checkPostUpdate(t *testing.T, what string, got []float32, name string, base float64) {
	t.Helper()
	w32, w64 := want(t, name), want(t, "f64."+name)
	var spread, diff, scale float64
	for i := range w32 {
		spread = max(spread, math.Abs(float64(w32[i]-w64[i])))
		diff = max(diff, math.Abs(float64(got[i]-w32[i])))
		scale = max(scale, math.Abs(float64(w32[i])))
	}
	if allowed := postUpdateSlack * (2*spread + base*scale); !(diff <= allowed) {
		t.Errorf("%s: differs from PyTorch by %.3g, allowed %.3g (PyTorch float32 vs float64: %.3g)", what, diff, allowed, spread)
	}
}

// postUpdateSlack widens the tolerances of values computed after an Adam
// update on CPUs without AVX-512. The tolerances were set on an AVX-512
// machine; GoMLX's AVX2 kernels add up in another order, and Adam's first
// step turns the sign of each near-zero gradient into a full +-lr change, so
// the updated weights differ from PyTorch's in more elements. Measured on an
// AVX2 EPYC (2026-11-30): step-1 g_loss 0.106 off at batch 4 (allowed 0.0475
// on AVX-512), step-0 g_loss 0.0196 off at batch 16 (allowed 0.0061), up to
// 109 of 256 sampled elements of a weight change off (PyTorch's own float32
// vs float64: 41). A wrong step is far outside even these: g_loss through the
// un-updated discriminator is 0.677, not 1.192.
// changedElements is how many of n sampled elements of a weight change may
// be off, given torchBad off between PyTorch's float32 and float64.
var postUpdateSlack, changedElements = func() (float64, func(torchBad, n int) int) {
	if cpu.X86.HasAVX512F || runtime.GOARCH != "amd64" {
		return 1, func(torchBad, n int) int { return 2*torchBad + n/100 }
	}
	return 4, func(torchBad, n int) int { return 3*torchBad + n/10 }
}()

// biasBeforeBN reports the conv biases that a BatchNorm follows: their
// gradient is exactly zero, so their first Adam step is rounding noise.
func biasBeforeBN(key string) bool {
	for _, k := range []string{"pipe.0.", "pipe.3.", "pipe.6.", "pipe.9.", "conv_pipe.2.", "conv_pipe.5.", "conv_pipe.8."} {
		if strings.HasPrefix(key, k) && strings.HasSuffix(key, ".bias") {
			return true
		}
	}
	return false
}

// TestTrainStepParity runs the tutorial's step at batch 4 and at its own
// batch 16 (a lowering that is right only for small batches would pass the
// first and fail the second).
func TestTrainStepParity(t *testing.T) { forEachParityBatch(t, trainStepParity) }

func trainStepParity(t *testing.T) {
	m := newParityGAN(t)
	before := map[string][]float32{}
	for _, net := range []string{GeneratorScope, DiscriminatorScope} {
		sd, err := m.GetStateDict(net)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range sd {
			before[net[:1]+"."+k] = floats(t, v)
		}
	}
	dLoss, gLoss, fake, err := m.TrainStepWithNoise(parityReal(0), parityNoise(0))
	if err != nil {
		t.Fatal(err)
	}
	// Before any update: tight.
	checkClose(t, "step 0 d_loss", []float32{float32(dLoss)}, want(t, "step0.d_loss"), 2e-4)
	checkClose(t, "step 0 generator output", samples(floats(t, fake)), want(t, "step0.gen_output"), 2e-4)
	// Through the just-updated discriminator. At batch 16 PyTorch's float32
	// and float64 g_loss agree (8e-5) only because two layers' rounding
	// cancels: putting float64's conv_pipe.5 (or conv_pipe.2) update alone
	// into the float32 network moves g_loss by +2.9e-3 (-2.1e-3), and Go's
	// update agrees with float64 on one and float32 on the other (2.0e-3
	// off). 5e-3 still catches a real fault: g_loss through the old
	// discriminator is 0.677, not 1.192.
	gBase := 2e-4
	if parityBatch == 16 {
		gBase = 5e-3
	}
	checkPostUpdate(t, "step 0 g_loss", []float32{float32(gLoss)}, "step0.g_loss", gBase)

	// Updated weights (a strided subset of each parameter's change) and
	// BatchNorm buffers: G's statistics updated once, D's three times.
	const lr = 1e-4
	for _, net := range []string{GeneratorScope, DiscriminatorScope} {
		sd, err := m.GetStateDict(net)
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := StateDict(m.Config, net)
		for _, e := range entries {
			key := net[:1] + "." + e.Key
			now := floats(t, sd[e.Key])
			if !e.Param {
				checkPostUpdate(t, "buffer "+key, now, "step0.buffer."+key, 2e-4)
				continue
			}
			w32, w64 := want(t, "step0.delta."+key), want(t, "f64.step0.delta."+key)
			stride := max(1, len(now)/256)
			var bad, torchBad int
			for j := range w32 {
				d := now[j*stride] - before[key][j*stride]
				if biasBeforeBN(e.Key) {
					if math.Abs(float64(d)) > 1.01*lr {
						bad++
					}
					continue
				}
				if math.Abs(float64(d-w32[j])) > 2e-6 {
					bad++
				}
				if math.Abs(float64(w64[j]-w32[j])) > 2e-6 {
					torchBad++
				}
			}
			if bad > changedElements(torchBad, len(w32)) {
				t.Errorf("weight change %s: %d of %d sampled elements differ from PyTorch by more than 2e-6 (PyTorch float32 vs float64: %d)", key, bad, len(w32), torchBad)
			}
		}
	}
	// Inference mode after the step uses the updated running statistics.
	img, err := m.Generate(parityNoise(0))
	if err != nil {
		t.Fatal(err)
	}
	checkPostUpdate(t, "generator in eval mode", samples(floats(t, img)), "step0.eval_output", 5e-4)

	// A second step exercises the Adam moments and the updated statistics.
	dLoss, gLoss, _, err = m.TrainStepWithNoise(parityReal(1), parityNoise(1))
	if err != nil {
		t.Fatal(err)
	}
	checkPostUpdate(t, "step 1 d_loss", []float32{float32(dLoss)}, "step1.d_loss", 5e-4)
	checkPostUpdate(t, "step 1 g_loss", []float32{float32(gLoss)}, "step1.g_loss", 5e-4)
	if m.Step != 2 {
		t.Errorf("Step = %d, want 2", m.Step)
	}
	t.Logf("step 1: d_loss %.6f g_loss %.6f; PyTorch float32 %.6f %.6f, float64 %.6f %.6f", dLoss, gLoss,
		want(t, "step1.d_loss")[0], want(t, "step1.g_loss")[0], want(t, "f64.step1.d_loss")[0], want(t, "f64.step1.g_loss")[0])
}

// newTrainForward builds the first half of a training step without the
// updates: G(z), D(real), D(G(z)) in training mode.
func newTrainForward(m *GAN) (*model.Exec, error) {
	return model.NewExec(kernel.Backend(), m.Store, func(s *model.Scope, real, z *Node) (*Node, *Node, *Node) {
		s.Store().SetTraining(real.Graph(), true)
		fake := Generator(s.At(GeneratorScope), z, nil, m.Config)
		d := s.At(DiscriminatorScope)
		return fake, Discriminator(d, real, nil, m.Config), Discriminator(d, fake, nil, m.Config)
	})
}
