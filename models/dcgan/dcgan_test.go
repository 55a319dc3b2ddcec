package dcgan

import (
	"context"
	"errors"
	"gonum.org/v1/gonum/mat"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/envs/atari"
	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/ckpt"
	"github.com/arcade-go/arcade/models/nn"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.LearningRate = -1e-4 }, "LearningRate -0.0001: must be positive"},
		{func(c *Config) { c.BatchSize = 0 }, "BatchSize 0: must be at least 1"},
		{func(c *Config) { c.ImageSize = 63 }, "ImageSize 63 is odd"},
		{func(c *Config) { c.ImageSize = 32 }, "ImageSize 32: the reference architecture"},
		{func(c *Config) { c.Beta1 = 1 }, "Beta1 1"},
		{func(c *Config) { c.LeakySlope = -0.2 }, "LeakySlope -0.2"},
	} {
		c := DefaultConfig()
		tc.change(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
		if _, err := New(kernel.Backend(), c); err == nil {
			t.Errorf("New accepted an invalid config (%s)", tc.want)
		}
	}
}

func TestDescribeIsPyTorchPrint(t *testing.T) {
	want, err := os.ReadFile("testdata/print_net.txt") // print(net) from tutorial.py
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(DefaultConfig()); strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("Describe:\n%s\nwant (PyTorch):\n%s", got, want)
	}
}

// tinyConfig has the reference structure with few filters, for fast tests.
func tinyConfig() Config {
	c := DefaultConfig()
	c.GenFilters, c.DiscrFilters, c.LatentSize, c.BatchSize = 4, 4, 8, 4
	c.ReportEvery, c.ImageEvery = 2, 3
	return c
}

func randomImages(n int, seed uint64) *tensors.Tensor {
	z := FixedNoise(n*3*64*64, 1, seed)
	d := tensors.MustCopyFlatData[float32](z)
	for i := range d {
		d[i] = float32(math.Tanh(float64(d[i])))
	}
	return tensors.FromFlatDataAndDimensions(d, n, 3, 64, 64)
}

func TestSaveLoadResumesExactly(t *testing.T) {
	cfg := tinyConfig()
	dir := t.TempDir()
	a, err := New(kernel.Backend(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	real := randomImages(cfg.BatchSize, 3)
	for range 2 {
		if _, _, _, err := a.TrainStep(real, nil); err != nil {
			t.Fatal(err)
		}
	}
	a.History.Steps = []int64{2}
	da, _ := a.OpenDir(dir, 0)
	if _, err := a.Save(da); err != nil {
		t.Fatal(err)
	}
	b, _ := New(kernel.Backend(), cfg)
	db, _ := b.OpenDir(dir, 0)
	if _, err := b.Load(db); err != nil {
		t.Fatal(err)
	}
	if b.Step != 2 || len(b.History.Steps) != 1 {
		t.Fatalf("step %d history %+v", b.Step, b.History)
	}
	// The next step is identical: weights, optimizer moments, BatchNorm
	// statistics and the noise stream all came back.
	d1, g1, _, err := a.TrainStep(real, nil)
	if err != nil {
		t.Fatal(err)
	}
	d2, g2, _, err := b.TrainStep(real, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d1 != d2 || g1 != g2 {
		t.Errorf("resumed step differs: d %v vs %v, g %v vs %v", d1, d2, g1, g2)
	}

	// A checkpoint of another shape: a clear error naming the file and the mismatch.
	other := cfg
	other.GenFilters = 8
	c, _ := New(kernel.Backend(), other)
	dc, _ := c.OpenDir(dir, 0)
	_, err = c.Load(dc)
	var me *ckpt.MismatchError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "gen_filters is 4 in checkpoint, 8 in this model") ||
		!strings.Contains(err.Error(), filepath.Join(dir, ckpt.FileName(2))) {
		t.Errorf("got %v", err)
	}
}

func TestTrainStopsSavesAndResumes(t *testing.T) {
	cfg := tinyConfig()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // an interrupt before the first step: still a checkpoint, no error
	m, err := Train(ctx, kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 4, Out: io.Discard})
	if err != nil || m.Step != 0 {
		t.Fatalf("step %d, err %v", m.Step, err)
	}
	var reports []int64
	m, err = Train(context.Background(), kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 3, Out: io.Discard,
		OnReport: func(_ *GAN, step int64, d, g float64) { reports = append(reports, step) }})
	if err != nil || m.Step != 3 || len(reports) != 1 || reports[0] != 2 {
		t.Fatalf("step %d reports %v err %v", m.Step, reports, err)
	}
	m, err = Train(context.Background(), kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 4, Out: io.Discard})
	if err != nil || m.Step != 4 || len(m.History.Steps) != 2 {
		t.Fatalf("resume: step %d history %v err %v", m.Step, m.History.Steps, err)
	}
	for _, f := range []string{"samples/step-00000003.png", "samples/step-00000004.png", "losses.png", ckpt.FileName(4)} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	cfg := tinyConfig()
	a, _ := New(kernel.Backend(), cfg)
	if _, _, _, err := a.TrainStep(randomImages(cfg.BatchSize, 5), nil); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := a.Export(out); err != nil {
		t.Fatal(err)
	}
	b, _ := New(kernel.Backend(), cfg)
	if err := b.Import(out); err != nil {
		t.Fatal(err)
	}
	z := FixedNoise(3, cfg.LatentSize, 9)
	ia, _ := a.Generate(z)
	ib, _ := b.Generate(z)
	if r := maxRelDiff(tensors.MustCopyFlatData[float32](ib), tensors.MustCopyFlatData[float32](ia)); r != 0 {
		t.Errorf("imported generator differs: %g", r)
	}
	sd, _ := b.GetStateDict(DiscriminatorScope)
	if n := tensors.MustCopyFlatData[int64](sd["conv_pipe.3.num_batches_tracked"]); n[0] != 3 {
		t.Errorf("discriminator num_batches_tracked = %d, want 3 (three forward passes per step)", n[0])
	}
	// A counter stored as [1] (numpy-based writers, older PyTorch) is taken as the 0-d one.
	dsd, err := ReadSafetensors(filepath.Join(out, ExportFiles[DiscriminatorScope]))
	if err != nil {
		t.Fatal(err)
	}
	dsd["conv_pipe.3.num_batches_tracked"] = tensors.FromFlatDataAndDimensions([]int64{7}, 1)
	if err := b.SetStateDict(DiscriminatorScope, dsd); err != nil {
		t.Errorf("num_batches_tracked of shape [1]: %v", err)
	} else if sd2, _ := b.GetStateDict(DiscriminatorScope); tensors.MustCopyFlatData[int64](sd2["conv_pipe.3.num_batches_tracked"])[0] != 7 ||
		sd2["conv_pipe.3.num_batches_tracked"].Shape().Rank() != 0 {
		t.Errorf("num_batches_tracked after setting [7]: %v", sd2["conv_pipe.3.num_batches_tracked"])
	}
	// Another shape, and a truncated file: clear errors, nothing changed.
	other := cfg
	other.DiscrFilters = 8
	c, _ := New(kernel.Backend(), other)
	if err := c.Import(out); err == nil || !strings.Contains(err.Error(), "discriminator.safetensors") ||
		!strings.Contains(err.Error(), "conv_pipe.0.weight is (Float32)[4, 3, 4, 4], want (Float32)[8, 3, 4, 4]") {
		t.Errorf("got %v", err)
	}
	gpath := filepath.Join(out, ExportFiles[GeneratorScope])
	st, _ := os.Stat(gpath)
	os.Truncate(gpath, st.Size()-10)
	if err := b.Import(out); err == nil || !strings.Contains(err.Error(), "generator.safetensors") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("got %v", err)
	}
}

func TestFrechet(t *testing.T) {
	s1 := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	s2 := mat.NewSymDense(2, []float64{4, 0, 0, 1})
	// 1-D per axis: |1|^2 + (1 + 4 - 2*2) on the first axis, 0 on the second.
	if got := frechet([]float64{0, 0}, s1, []float64{1, 0}, s2); math.Abs(got-2) > 1e-9 {
		t.Errorf("frechet = %v, want 2", got)
	}
	rot := mat.NewSymDense(2, []float64{2, 1, 1, 2})
	if got := frechet([]float64{3, 4}, rot, []float64{3, 4}, rot); math.Abs(got) > 1e-9 {
		t.Errorf("frechet of identical Gaussians = %v", got)
	}
	// Covariances that do not commute, against the 2x2 closed form.
	a := mat.NewSymDense(2, []float64{2, 1, 1, 2})
	b := mat.NewSymDense(2, []float64{1, 0, 0, 3})
	if got := frechet([]float64{0, 0}, a, []float64{0, 0}, b); math.Abs(got-tracedFD(a, b)) > 1e-9 {
		t.Errorf("frechet = %v, want %v", got, tracedFD(a, b))
	}
}

// tracedFD is Tr(A + B - 2 sqrt(A B)) for 2x2 matrices, with the closed form
// Tr(sqrt(M)) = sqrt(Tr(M) + 2 sqrt(det(M))) of a matrix with positive eigenvalues.
func tracedFD(a, b *mat.SymDense) float64 {
	var m mat.Dense
	m.Mul(a, b)
	tr := m.At(0, 0) + m.At(1, 1)
	det := mat.Det(&m)
	return a.At(0, 0) + a.At(1, 1) + b.At(0, 0) + b.At(1, 1) - 2*math.Sqrt(tr+2*math.Sqrt(det))
}

func TestSpread(t *testing.T) {
	same := []float32{0.5, -1, 0.2, 0.5, -1, 0.2}
	if got := Spread(same, 2); got != 0 {
		t.Errorf("Spread of one picture twice = %v, want 0", got)
	}
	// Two pixels, one black in one image and white in the other: std 0.5 there, 0 on the other.
	if got := Spread([]float32{-1, 0, 1, 0}, 2); math.Abs(got-0.25) > 1e-9 {
		t.Errorf("Spread = %v, want 0.25", got)
	}
}

func TestQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the classifier (seconds)")
	}
	q, err := NewQuality(kernel.Backend(), QualityOptions{Cache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if q.Accuracy < 0.95 {
		t.Errorf("classifier accuracy on held-out real frames %.3f < 0.95", q.Accuracy)
	}
	real, _ := atariFrames(192, 5)
	sReal, err := q.Score(real)
	if err != nil {
		t.Fatal(err)
	}
	sNoise, err := q.Score(randomImages(192, 6))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy %.3f; real frames: %s; noise: %s", q.Accuracy, sReal, sNoise)
	if !(sReal.FD*5 < sNoise.FD) {
		t.Errorf("FD of real frames %.3g should be far below FD of noise %.3g", sReal.FD, sNoise.FD)
	}
	for i, s := range sReal.Shares {
		if math.Abs(s-1.0/3) > 0.1 {
			t.Errorf("real frames: share of %s = %.2f, want about 1/3", QualityGames[i], s)
		}
	}
	if _, err := q.Score(randomImages(1, 1)); err == nil {
		t.Error("Score of one image should fail")
	}
}

// atariFrames returns n real labelled frames (other than the classifier's) as a tensor.
func atariFrames(n int, seed uint64) (*tensors.Tensor, []int) {
	imgs, labels := atari.LabelledFrames(n, seed)
	return tensors.FromFlatDataAndDimensions(imgs, n, 3, 64, 64), labels
}

// TestExportLoadsInPyTorch runs testdata/check_export.py: the exported files
// load into the tutorial's own modules with load_state_dict(strict=True), and
// the generator in eval() mode reproduces Generate. Skipped without
// /usr/bin/python3 and torch.
func TestExportLoadsInPyTorch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs PyTorch")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import torch").Run(); err != nil {
		t.Skip("no /usr/bin/python3 with torch")
	}
	m, _ := New(kernel.Backend(), DefaultConfig())
	if _, _, _, err := m.TrainStep(randomImages(4, 8), nil); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := m.Export(out); err != nil {
		t.Fatal(err)
	}
	z := FixedNoise(4, 100, 3)
	imgs, err := m.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSafetensors(filepath.Join(out, "samples.safetensors"), map[string]*tensors.Tensor{"z": z, "images": imgs}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/bin/python3", "check_export.py", out)
	cmd.Dir = "testdata"
	b, err := cmd.CombinedOutput()
	t.Logf("%s", b)
	if err != nil {
		t.Fatal(err)
	}
}

func TestStableConfigValidation(t *testing.T) {
	if err := Stable().Validate(); err != nil {
		t.Fatalf("Stable() is invalid: %v", err)
	}
	for _, tc := range []struct {
		change func(*Config)
		field  string
	}{
		{func(c *Config) { c.RealLabel = 0 }, "RealLabel"},
		{func(c *Config) { c.RealLabel = 1.1 }, "RealLabel"},
		{func(c *Config) { c.SpectralNorm = -1 }, "SpectralNorm"},
		{func(c *Config) { c.DiscrLearningRate = -4e-4 }, "DiscrLearningRate"},
		{func(c *Config) { c.Channels = 1 }, "Channels"},
	} {
		c := Stable()
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: Validate() = %v, want an error naming %s", c, err, tc.field)
		}
	}
	if _, err := Preset("fancy"); err == nil {
		t.Error("Preset(fancy) accepted")
	}
	if d := Stable().RecipeDiff(Tutorial()); len(d) == 0 || !strings.Contains(strings.Join(d, ";"), "Conditional") {
		t.Errorf("RecipeDiff(stable, tutorial) = %q, want Conditional among the fields", d)
	}
	c := Stable()
	c.Seed, c.ImageEvery = 9, 7
	if d := c.RecipeDiff(Stable()); len(d) != 0 {
		t.Errorf("seed and image period are not the recipe, got %q", d)
	}
}

// TestStableRecipe trains the stable recipe (small filters) for two steps,
// checks a resume with another recipe is refused before anything is written,
// and that each exported per-game generator, loaded as the tutorial's
// Generator, draws exactly what the conditional generator draws for that game.
func TestStableRecipe(t *testing.T) {
	cfg := Stable()
	cfg.GenFilters, cfg.DiscrFilters = 4, 4
	m, err := New(kernel.Backend(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, _, err := m.TrainStep(randomImages(cfg.BatchSize, 3), EqualGames(cfg.BatchSize)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := m.TrainStepWithNoise(randomImages(cfg.BatchSize, 3), FixedNoise(cfg.BatchSize, cfg.LatentSize, 1)); err == nil {
		t.Error("a conditional step without games was accepted")
	}
	if _, _, _, err := m.TrainStep(randomImages(2, 3), []int{0, 3}); err == nil {
		t.Error("game 3 was accepted")
	}
	dir := t.TempDir()
	d, err := m.OpenDir(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Save(d); err != nil {
		t.Fatal(err)
	}
	saved, err := SavedConfig(dir)
	if err != nil || saved != cfg {
		t.Errorf("SavedConfig = %+v, %v; want %+v", saved, err, cfg)
	}
	other := cfg
	other.RealLabel, other.DiscrLearningRate = 1, 0
	o, _ := New(kernel.Backend(), other)
	od, _ := o.OpenDir(dir, 0)
	before, _ := os.ReadDir(dir)
	if _, err := o.Load(od); err == nil || !strings.Contains(err.Error(), "RealLabel") || !strings.Contains(err.Error(), "DiscrLearningRate") {
		t.Errorf("resuming with another recipe: %v, want an error naming RealLabel and DiscrLearningRate", err)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("the refused resume changed the directory: %d -> %d entries", len(before), len(after))
	}

	out := t.TempDir()
	files, err := m.Export(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != NumGames+1 {
		t.Errorf("Export wrote %v", files)
	}
	tutorial := cfg
	tutorial.Conditional, tutorial.SpectralNorm = false, 0
	z := FixedNoise(6, cfg.LatentSize, 5)
	for k, game := range QualityGames {
		sd, err := ReadSafetensors(filepath.Join(out, GameGeneratorFile(game)))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := New(kernel.Backend(), tutorial)
		if err := plain.SetStateDict(GeneratorScope, sd); err != nil {
			t.Fatalf("%s: the tutorial's Generator does not take it: %v", game, err)
		}
		want, err := m.GenerateGames(z, []int{k, k, k, k, k, k})
		if err != nil {
			t.Fatal(err)
		}
		got, err := plain.Generate(z)
		if err != nil {
			t.Fatal(err)
		}
		w, g := tensors.MustCopyFlatData[float32](want), tensors.MustCopyFlatData[float32](got)
		for i := range w {
			if math.Abs(float64(w[i]-g[i])) > 1e-4 {
				t.Fatalf("%s: exported generator differs at %d: %v vs %v", game, i, g[i], w[i])
			}
		}
	}
	if _, err := ReadSafetensors(filepath.Join(out, ExportFiles[DiscriminatorScope])); err != nil {
		t.Error(err)
	}
}

func TestDescribeStable(t *testing.T) {
	got := Describe(Stable())
	for _, want := range []string{
		"(0): SpectralNorm(Conv2d(3, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)))",
		"(4): LeakyReLU(negative_slope=0.2)",
		"(embed): Embedding(3, 256)",
		"(1): ConditionalBatchNorm2d(256, games=3",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe(Stable()) lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got[:strings.Index(got, "Generator(")], "BatchNorm2d") {
		t.Errorf("the stable discriminator has no BatchNorm:\n%s", got)
	}
}

// TestStateDictIsTheGraphsVariables checks the one declaration of the networks
// (layers.go) against the variables the graphs create: every state_dict entry
// is a variable of its network's scope with the entry's shape, and every
// variable there is an entry.
func TestStateDictIsTheGraphsVariables(t *testing.T) {
	for name, cfg := range map[string]Config{"tutorial": Tutorial(), "stable": Stable()} {
		m, err := New(kernel.Backend(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.ensureVariables(); err != nil {
			t.Fatal(err)
		}
		for _, net := range []string{GeneratorScope, DiscriminatorScope} {
			entries, err := StateDict(cfg, net)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, e := range entries {
				want[e.Key] = e.Shape.String()
			}
			root := m.Store.RootScope().At("%s", net)
			got := map[string]string{}
			for v := range root.IterVariables() {
				if key := nn.StateDictKey(root, v); key != "" {
					got[key] = v.Shape().String()
				}
			}
			for k, s := range want {
				if got[k] != s {
					t.Errorf("%s %s: state_dict entry %s %s, graph variable %q", name, net, k, s, got[k])
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s %s: graph variable %s is not in the state_dict", name, net, k)
				}
			}
		}
	}
}
