package dcgan

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Entry is one entry of a network's PyTorch state_dict.
type Entry struct {
	// Key is the state_dict key, e.g. "pipe.1.running_mean".
	Key string
	// Shape is the tensor's shape (Float32, or Int64 for num_batches_tracked).
	Shape shapes.Shape
	// Param is true for trainable parameters (weight, bias), false for BatchNorm buffers.
	Param bool
}

// varPath is the store path of a state_dict key of net.
func varPath(net, key string) string { return "/" + net + "/" + strings.ReplaceAll(key, ".", "/") }

// GetStateDict returns the current values of a network's state_dict entries.
func (m *GAN) GetStateDict(net string) (map[string]*tensors.Tensor, error) {
	entries, err := StateDict(m.Config, net)
	if err != nil {
		return nil, err
	}
	if err := m.ensureVariables(); err != nil {
		return nil, err
	}
	out := map[string]*tensors.Tensor{}
	for _, e := range entries {
		v := m.Store.GetVariable(varPath(net, e.Key))
		if v == nil || !v.HasValue() {
			return nil, fmt.Errorf("dcgan: %s has no variable for %s", net, e.Key)
		}
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		out[e.Key] = t
	}
	return out, nil
}

// SetStateDict sets a network's variables from a state_dict, strictly (as
// PyTorch's load_state_dict(strict=True)): every key must be present with
// its exact shape and dtype, and no other key may be there. On an error
// nothing is changed.
func (m *GAN) SetStateDict(net string, sd map[string]*tensors.Tensor) error {
	entries, err := StateDict(m.Config, net)
	if err != nil {
		return err
	}
	sd = scalarCounters(sd)
	var problems []string
	want := map[string]bool{}
	for _, e := range entries {
		want[e.Key] = true
		t, ok := sd[e.Key]
		if !ok {
			problems = append(problems, "missing "+e.Key)
			continue
		}
		if t.DType() != e.Shape.DType {
			problems = append(problems, fmt.Sprintf("%s: dtype %s not supported (want %s)", e.Key, stName(t.DType()), stName(e.Shape.DType)))
			continue
		}
		if !t.Shape().Equal(e.Shape) {
			problems = append(problems, fmt.Sprintf("%s is %s, want %s", e.Key, t.Shape(), e.Shape))
			continue
		}
		if p := checkValues(e.Key, t); p != "" {
			problems = append(problems, p)
		}
	}
	var extra []string
	for k := range sd {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		problems = append(problems, "unexpected "+k)
	}
	if len(problems) > 0 {
		return fmt.Errorf("dcgan: state_dict does not fit the %s: %s", net, strings.Join(problems, "; "))
	}
	for _, e := range entries {
		t := sd[e.Key]
		path := varPath(net, e.Key)
		if v := m.Store.GetVariable(path); v != nil {
			if err := v.SetValue(t); err != nil {
				return err
			}
			continue
		}
		v, err := m.Store.CreateVariable(path, t)
		if err != nil {
			return err
		}
		v.Trainable = e.Param
	}
	return nil
}

// ExportFiles are the names Export writes in its output directory.
var ExportFiles = map[string]string{GeneratorScope: "generator.safetensors", DiscriminatorScope: "discriminator.safetensors"}

// Export writes generator.safetensors and discriminator.safetensors into
// dir: the tutorial modules' state_dicts (BatchNorm running statistics and
// num_batches_tracked included), loadable by PyTorch's load_state_dict.
//
// A conditional GAN (the stable recipe) has no single tutorial Generator:
// Export writes one per game instead, GameGeneratorFile(game), each the
// tutorial's Generator with that game's scale and shift folded into its
// BatchNorms (loadable by the tutorial's module, drawing that game), and the
// discriminator in its own layout (StateDict). It returns the files written.
func (m *GAN) Export(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	if m.Config.Conditional {
		for k, game := range QualityGames {
			sd, err := m.GameGeneratorStateDict(k)
			if err != nil {
				return nil, err
			}
			path := filepath.Join(dir, GameGeneratorFile(game))
			if err := WriteSafetensors(path, sd); err != nil {
				return nil, err
			}
			written = append(written, path)
		}
		sd, err := m.GetStateDict(DiscriminatorScope)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, ExportFiles[DiscriminatorScope])
		return append(written, path), WriteSafetensors(path, sd)
	}
	for _, net := range []string{GeneratorScope, DiscriminatorScope} {
		sd, err := m.GetStateDict(net)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, ExportFiles[net])
		if err := WriteSafetensors(path, sd); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	return written, nil
}

// GameGeneratorFile is the file Export writes for one game of a conditional GAN.
func GameGeneratorFile(game string) string { return "generator-" + game + ".safetensors" }

// GameGeneratorStateDict returns the conditional generator drawing game k as
// the tutorial's Generator state_dict: each BatchNorm's weight and bias
// become gamma*(1+scale[k]) and beta*(1+scale[k])+shift[k], which is what
// the conditional BatchNorm computes for game k.
func (m *GAN) GameGeneratorStateDict(k int) (map[string]*tensors.Tensor, error) {
	if !m.Config.Conditional {
		return nil, errors.New("dcgan: the GAN is not conditional: its generator is the tutorial's as it is")
	}
	if k < 0 || k >= NumGames {
		return nil, fmt.Errorf("dcgan: game %d: want 0..%d", k, NumGames-1)
	}
	full, err := m.GetStateDict(GeneratorScope)
	if err != nil {
		return nil, err
	}
	tutorial := m.Config
	tutorial.Conditional = false
	entries, err := StateDict(tutorial, GeneratorScope)
	if err != nil {
		return nil, err
	}
	out := map[string]*tensors.Tensor{}
	for _, e := range entries {
		out[e.Key] = full[e.Key]
	}
	for _, i := range []int{1, 4, 7, 10} {
		key := func(n string) string { return fmt.Sprintf("pipe.%d.%s", i, n) }
		gamma := tensors.MustCopyFlatData[float32](full[key("weight")])
		beta := tensors.MustCopyFlatData[float32](full[key("bias")])
		scale := tensors.MustCopyFlatData[float32](full[key("game_scale")])
		shift := tensors.MustCopyFlatData[float32](full[key("game_shift")])
		c := len(gamma)
		g2, b2 := make([]float32, c), make([]float32, c)
		for j := range c {
			s := 1 + scale[k*c+j]
			g2[j], b2[j] = gamma[j]*s, beta[j]*s+shift[k*c+j]
		}
		out[key("weight")] = tensors.FromFlatDataAndDimensions(g2, c)
		out[key("bias")] = tensors.FromFlatDataAndDimensions(b2, c)
	}
	return out, nil
}

// Import reads generator.safetensors and discriminator.safetensors from dir
// (as written by Export, or by PyTorch from the tutorial's modules) into the
// GAN. Errors name the file and every mismatching key.
func (m *GAN) Import(dir string) error {
	if m.Config.Conditional {
		return errors.New("dcgan: import reads the tutorial's two networks; a conditional GAN (the stable recipe) cannot be rebuilt from its exported per-game generators")
	}
	sds := map[string]map[string]*tensors.Tensor{}
	for _, net := range []string{GeneratorScope, DiscriminatorScope} {
		path := filepath.Join(dir, ExportFiles[net])
		sd, err := ReadSafetensors(path)
		if err != nil {
			return err
		}
		// PyTorch may save num_batches_tracked as a 0-d int64 or (older code) as [1].
		sds[net] = sd
		if err := m.checkStateDict(net, sd); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	for _, net := range []string{GeneratorScope, DiscriminatorScope} {
		if err := m.SetStateDict(net, sds[net]); err != nil {
			return err
		}
	}
	return nil
}

// checkStateDict validates without changing anything.
func (m *GAN) checkStateDict(net string, sd map[string]*tensors.Tensor) error {
	probe := &GAN{Config: m.Config, Store: model.NewStore()}
	return probe.SetStateDict(net, sd)
}

// scalarCounters returns sd with every num_batches_tracked of shape [1]
// (older PyTorch code, and numpy-based writers, store the counter so) as the
// 0-d int64 the tutorial's modules hold; sd itself is not changed.
func scalarCounters(sd map[string]*tensors.Tensor) map[string]*tensors.Tensor {
	out := make(map[string]*tensors.Tensor, len(sd))
	for k, t := range sd {
		if strings.HasSuffix(k, "num_batches_tracked") && t.DType() == dtypes.Int64 && t.Shape().Rank() == 1 && t.Shape().Size() == 1 {
			t = tensors.FromScalar(tensors.MustCopyFlatData[int64](t)[0])
		}
		out[k] = t
	}
	return out
}

// stName is a dtype's safetensors name ("F32"), or GoMLX's when it has none.
func stName(dt dtypes.DType) string {
	if s, ok := safetensorsDTypes[dt]; ok {
		return s
	}
	return dt.String()
}

// checkValues returns what is wrong with a state_dict entry's values ("" if
// nothing): weights and statistics must be finite, a BatchNorm running_var
// and num_batches_tracked must not be negative. It names the first bad element.
func checkValues(key string, t *tensors.Tensor) string {
	switch t.DType() {
	case dtypes.Float32:
		variance := strings.HasSuffix(key, "running_var")
		for i, v := range tensors.MustCopyFlatData[float32](t) {
			switch x := float64(v); {
			case math.IsNaN(x) || math.IsInf(x, 0):
				return fmt.Sprintf("%s: element %d is %v (values must be finite)", key, i, v)
			case variance && x < 0:
				return fmt.Sprintf("%s: element %d is %v (a variance must be >= 0)", key, i, v)
			}
		}
	case dtypes.Int64:
		for i, v := range tensors.MustCopyFlatData[int64](t) {
			if v < 0 {
				return fmt.Sprintf("%s: element %d is %d (a counter must be >= 0)", key, i, v)
			}
		}
	}
	return ""
}
