package dcgan

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/arcade-go/arcade/models/ckpt"
)

// GAN holds the generator, the discriminator, their two Adam optimizers and
// the compiled training step, all in one model.Store, plus the noise
// generator, the step count and the loss history.
type GAN struct {
	// Config is the configuration the GAN was built with.
	Config Config
	// Store holds every variable: both networks (with BatchNorm statistics),
	// both optimizers' moments and counters.
	Store *model.Store
	// Step counts completed training steps (iter_no in the tutorial).
	Step int64
	// History is the logged training curve.
	History History

	backend   compute.Backend
	trainStep *model.Exec // (real, z) -> dLoss, gLoss, fake
	generate  *model.Exec // z -> images, inference mode
	judge     *model.Exec // images -> probabilities, inference mode
	noise     *rand.PCG
	rng       *rand.Rand
}

// History is what a learner plots: mean losses every ReportEvery steps and
// the sample-quality numbers every ImageEvery steps.
type History struct {
	// Steps, DLoss, GLoss: mean losses over the ReportEvery steps ending at Steps[i].
	Steps []int64   `json:"steps"`
	DLoss []float64 `json:"d_loss"`
	GLoss []float64 `json:"g_loss"`
	// QualitySteps, FD, Shares, Spread: the quality numbers (see Quality) at those steps.
	QualitySteps []int64     `json:"quality_steps"`
	FD           []float64   `json:"fd"`
	Shares       [][]float64 `json:"shares"`
	Spread       []float64   `json:"spread,omitempty"`
}

// New builds a GAN with freshly initialised weights (drawn on the first step
// or sample; Load replaces them from a checkpoint).
func New(backend compute.Backend, cfg Config) (*GAN, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if backend == nil {
		return nil, errors.New("dcgan.New: nil backend")
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, cfg.Seed)
	m := &GAN{Config: cfg, Store: store, backend: backend}
	m.noise = rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15)
	m.rng = rand.New(m.noise)
	var err error
	if cfg.Conditional {
		m.trainStep, err = model.NewExec(backend, store, m.trainGraph)
	} else { // the tutorial's step has no game inputs
		m.trainStep, err = model.NewExec(backend, store, func(s *model.Scope, real, z *Node) (*Node, *Node, *Node) {
			return m.trainGraph(s, real, z, nil, nil)
		})
	}
	if err != nil {
		return nil, err
	}
	m.generate, err = model.NewExec(backend, store, func(s *model.Scope, z, games *Node) *Node {
		return Generator(s.At(GeneratorScope), z, games, cfg) // inference: BatchNorm uses running statistics
	})
	if err != nil {
		return nil, err
	}
	m.judge, err = model.NewExec(backend, store, func(s *model.Scope, x, games *Node) *Node {
		return Discriminator(s.At(DiscriminatorScope), x, games, cfg)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// adam returns the tutorial's optimizer: Adam(lr, betas=(Beta1, Beta2)), PyTorch's epsilon.
func (m *GAN) adam(lr float64) optimizer.Interface {
	c := m.Config
	return optimizer.Adam().LearningRate(lr).Betas(c.Beta1, c.Beta2).Epsilon(c.Epsilon).Done()
}

// trainGraph is one iteration of the tutorial's loop, in its order:
//
//	gen_output_v = net_gener(gen_input_v)
//	D step: BCE(D(real), 1) + BCE(D(gen_output_v.detach()), 0); only D's weights change
//	G step: BCE(D(gen_output_v), 1) through the just-updated D; only G's weights change
//
// G runs forward once and D three times, each in training mode, so G's
// BatchNorm statistics update once and D's three times per step, as in PyTorch.
//
// A conditional GAN gets the games of the real images and of the fakes to
// draw (one-hot [B,NumGames]); the tutorial's gets nil. The real label is
// Config.RealLabel (1 in the tutorial), also in G's loss.
func (m *GAN) trainGraph(s *model.Scope, real, z, realGames, fakeGames *Node) (dLoss, gLoss, fake *Node) {
	g := real.Graph()
	c := m.Config
	s.Store().SetTraining(g, true)
	gen, discr := s.At(GeneratorScope), s.At(DiscriminatorScope)

	fake = Generator(gen, z, fakeGames, c) // [B,3,64,64]

	dReal := Discriminator(discr, real, realGames, c)               // [B]
	dFake := Discriminator(discr, StopGradient(fake), fakeGames, c) // [B], detached
	dLoss = Add(BCE(dReal, c.RealLabel), BCE(dFake, 0))
	m.adam(c.DiscrLR()).UpdateGraph(discr, g, dLoss) // gradients of D's variables only

	dGen := Discriminator(discr, fake, fakeGames, c) // reads D's updated weights
	gLoss = BCE(dGen, 1)
	m.adam(c.LearningRate).UpdateGraph(gen, g, gLoss) // gradients of G's variables only
	return
}

// GameVectors returns the one-hot game vectors [len(games), NumGames] of game indices (QualityGames' order).
func GameVectors(games []int) *tensors.Tensor {
	v := make([]float32, len(games)*NumGames)
	for i, k := range games {
		v[i*NumGames+k] = 1
	}
	return tensors.FromFlatDataAndDimensions(v, len(games), NumGames)
}

// EqualGames returns n game indices in equal parts, in turn: 0, 1, 2, 0, 1, ...
func EqualGames(n int) []int {
	g := make([]int, n)
	for i := range g {
		g[i] = i % NumGames
	}
	return g
}

// Noise draws n latent vectors z ~ N(0,1), [n,LatentSize,1,1], from the
// GAN's own random stream (saved in checkpoints).
func (m *GAN) Noise(n int) *tensors.Tensor {
	return noiseFrom(m.rng, n, m.Config.LatentSize)
}

// FixedNoise returns n latent vectors that depend only on seed: the same
// batch at every step, so samples from different steps compare.
func FixedNoise(n, latent int, seed uint64) *tensors.Tensor {
	return noiseFrom(rand.New(rand.NewPCG(seed, 0x5eed)), n, latent)
}

func noiseFrom(r *rand.Rand, n, latent int) *tensors.Tensor {
	z := make([]float32, n*latent)
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(z, n, latent, 1, 1)
}

// TrainStep runs one training step on a batch of real images [B,3,64,64] in
// [-1,1] with fresh noise, and returns both losses and the generated batch.
// games[i] is the game of real image i (QualityGames' order); a conditional
// GAN needs it (and draws its fakes' games at random), the tutorial's ignores it.
func (m *GAN) TrainStep(real *tensors.Tensor, games []int) (dLoss, gLoss float64, fake *tensors.Tensor, err error) {
	n := real.Shape().Dimensions[0]
	z := m.Noise(n)
	if !m.Config.Conditional {
		return m.TrainStepWithNoise(real, z)
	}
	if len(games) != n {
		return 0, 0, nil, fmt.Errorf("dcgan: %d games for %d real images", len(games), n)
	}
	fakeGames := make([]int, n)
	for i := range fakeGames {
		fakeGames[i] = m.rng.IntN(NumGames)
	}
	return m.step(real, z, games, fakeGames)
}

// TrainStepWithNoise is the tutorial's TrainStep with the noise z [B,LatentSize,1,1] given.
func (m *GAN) TrainStepWithNoise(real, z *tensors.Tensor) (dLoss, gLoss float64, fake *tensors.Tensor, err error) {
	if m.Config.Conditional {
		return 0, 0, nil, errors.New("dcgan: a conditional GAN needs the games: use TrainStep")
	}
	return m.step(real, z, nil, nil)
}

func (m *GAN) step(real, z *tensors.Tensor, realGames, fakeGames []int) (dLoss, gLoss float64, fake *tensors.Tensor, err error) {
	if err := m.checkImages(real); err != nil {
		return 0, 0, nil, err
	}
	if zd := z.Shape().Dimensions; len(zd) != 4 || zd[0] != real.Shape().Dimensions[0] || zd[1] != m.Config.LatentSize || zd[2] != 1 || zd[3] != 1 {
		return 0, 0, nil, fmt.Errorf("dcgan: noise has shape %v, want [%d,%d,1,1]", zd, real.Shape().Dimensions[0], m.Config.LatentSize)
	}
	if err := checkGames(realGames); err != nil {
		return 0, 0, nil, err
	}
	args := []any{real, z}
	if m.Config.Conditional {
		args = append(args, GameVectors(realGames), GameVectors(fakeGames))
	}
	outs, err := m.trainStep.Call(args...)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("dcgan: training step: %w", err)
	}
	m.Step++
	return scalar(outs[0]), scalar(outs[1]), outs[2], nil
}

func (m *GAN) checkImages(x *tensors.Tensor) error {
	d := x.Shape().Dimensions
	c := m.Config
	if x.DType() != dtypes.Float32 || len(d) != 4 || d[0] < 1 || d[1] != c.Channels || d[2] != c.ImageSize || d[3] != c.ImageSize {
		return fmt.Errorf("dcgan: images are %s, want (Float32)[B, %d, %d, %d]", x.Shape(), c.Channels, c.ImageSize, c.ImageSize)
	}
	return nil
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

func checkGames(games []int) error {
	for i, k := range games {
		if k < 0 || k >= NumGames {
			return fmt.Errorf("dcgan: game %d of image %d: want 0..%d (%s)", k, i, NumGames-1, strings.Join(QualityGames, ", "))
		}
	}
	return nil
}

// Generate runs the generator in inference mode (BatchNorm running
// statistics, as PyTorch's eval()) on z [N,LatentSize,1,1] and returns
// images [N,3,64,64] in [-1,1]. A conditional GAN draws the games in equal
// parts, in turn (EqualGames); GenerateGames picks them.
func (m *GAN) Generate(z *tensors.Tensor) (*tensors.Tensor, error) {
	return m.GenerateGames(z, EqualGames(z.Shape().Dimensions[0]))
}

// RowGames returns the games of n samples laid out in rows of cols (a grid):
// each row one game, in turn.
func RowGames(n, cols int) []int {
	g := make([]int, n)
	for i := range g {
		g[i] = (i / cols) % NumGames
	}
	return g
}

// GenerateGames is Generate with the game of each sample given
// (QualityGames' order); the tutorial's GAN ignores games.
func (m *GAN) GenerateGames(z *tensors.Tensor, games []int) (*tensors.Tensor, error) {
	zd := z.Shape().Dimensions
	if len(zd) != 4 || zd[1] != m.Config.LatentSize || zd[2] != 1 || zd[3] != 1 {
		return nil, fmt.Errorf("dcgan: noise has shape %v, want [N,%d,1,1]", zd, m.Config.LatentSize)
	}
	if len(games) != zd[0] {
		return nil, fmt.Errorf("dcgan: %d games for %d samples", len(games), zd[0])
	}
	if err := checkGames(games); err != nil {
		return nil, err
	}
	out, err := m.generate.Call1(z, GameVectors(games))
	if err != nil {
		return nil, fmt.Errorf("dcgan: generating: %w", err)
	}
	return out, nil
}

// fromCheckpoint returns c as saved in a checkpoint, with the fields that
// checkpoints from before they existed leave at 0 set to the tutorial's value.
func (c Config) fromCheckpoint() Config {
	if c.RealLabel == 0 {
		c.RealLabel = 1
	}
	return c
}

// trainState is the loop state saved beside the variables.
type trainState struct {
	Step    int64   `json:"step"`
	Noise   []byte  `json:"noise_rng"`
	History History `json:"history"`
	Config  Config  `json:"config"`
}

// Save writes a checkpoint of everything (both networks and optimizers, the
// step, the noise generator's state, the history) to dir.
func (m *GAN) Save(dir *ckpt.Dir) (string, error) {
	rngState, err := m.noise.MarshalBinary()
	if err != nil {
		return "", err
	}
	if err := m.ensureVariables(); err != nil {
		return "", err
	}
	return dir.Save(m.Store, m.Step, trainState{Step: m.Step, Noise: rngState, History: m.History, Config: m.Config})
}

// ensureVariables initialises both networks' variables (by running each once
// in inference mode) if they do not exist yet, so a checkpoint or an export
// of a fresh GAN is complete.
func (m *GAN) ensureVariables() error {
	if m.Store.GetVariable("/"+GeneratorScope+"/pipe/0/weight") == nil {
		if _, err := m.Generate(FixedNoise(1, m.Config.LatentSize, 0)); err != nil {
			return err
		}
	}
	if m.Store.GetVariable("/"+DiscriminatorScope+"/conv_pipe/0/weight") == nil {
		c := m.Config
		if _, err := m.Discriminate(tensors.FromShape(shapes.Make(dtypes.Float32, 1, c.Channels, c.ImageSize, c.ImageSize))); err != nil {
			return err
		}
	}
	return nil
}

// Discriminate runs the discriminator in inference mode on images
// [N,3,64,64] and returns the probabilities [N] that they are real (a
// conditional discriminator judges them as games in turn, EqualGames).
func (m *GAN) Discriminate(x *tensors.Tensor) (*tensors.Tensor, error) {
	if err := m.checkImages(x); err != nil {
		return nil, err
	}
	out, err := m.judge.Call1(x, GameVectors(EqualGames(x.Shape().Dimensions[0])))
	if err != nil {
		return nil, fmt.Errorf("dcgan: discriminating: %w", err)
	}
	return out, nil
}

// Load restores the newest valid checkpoint in dir. It returns an error
// wrapping ckpt.ErrNoCheckpoint when there is none (start fresh), and a
// *ckpt.MismatchError for a checkpoint of another model or shape. A
// checkpoint trained with another recipe (Config.RecipeDiff) is refused with
// the fields that differ; nothing is written.
func (m *GAN) Load(dir *ckpt.Dir) (ckpt.Info, error) {
	var st trainState
	info, err := dir.Load(m.Store, &st)
	if err != nil {
		return info, err
	}
	st.Config = st.Config.fromCheckpoint()
	if st.Config.LatentSize != 0 {
		if diff := m.Config.RecipeDiff(st.Config); len(diff) > 0 {
			return info, fmt.Errorf("dcgan: %s was trained with another recipe; this run differs in %s: use another directory, or the run's own settings",
				info.Path, strings.Join(diff, "; "))
		}
	}
	m.Step = st.Step
	m.History = st.History
	if len(st.Noise) > 0 {
		if err := m.noise.UnmarshalBinary(st.Noise); err != nil {
			return info, fmt.Errorf("dcgan: %s: noise state: %w", info.Path, err)
		}
	}
	for v := range m.Store.IterVariables() {
		if strings.HasSuffix(v.Path(), "/"+optimizer.Scope+"/"+optimizer.ParamLearningRate) {
			lr := m.Config.LearningRate
			if strings.HasPrefix(v.Path(), "/"+DiscriminatorScope+"/") {
				lr = m.Config.DiscrLR()
			}
			if err := v.SetValue(tensors.FromScalar(float32(lr))); err != nil {
				return info, err
			}
		}
	}
	return info, nil
}

// OpenDir opens (creating) the checkpoint directory for this GAN's configuration.
func (m *GAN) OpenDir(path string, keep int) (*ckpt.Dir, error) {
	return ckpt.Open(path, m.Config.Identity(), keep)
}

// SavedConfig returns the Config that the newest readable checkpoint in dir
// was trained with, so a run can be sampled, exported or resumed without
// repeating its flags. It wraps ckpt.ErrNoCheckpoint when there is none.
func SavedConfig(dir string) (Config, error) {
	d, err := ckpt.Open(dir, Tutorial().Identity(), 0)
	if err != nil {
		return Config{}, err
	}
	files, err := d.List()
	if err != nil {
		return Config{}, err
	}
	for _, path := range files {
		f, err := ckpt.ReadHeader(path)
		if err != nil {
			continue // corrupt: Load skips it too
		}
		var st trainState
		if err := json.Unmarshal(f.Extra, &st); err != nil || st.Config.LatentSize == 0 {
			continue
		}
		return st.Config.fromCheckpoint(), nil
	}
	return Config{}, fmt.Errorf("dcgan: no checkpoint with a saved configuration in %s: %w", dir, ckpt.ErrNoCheckpoint)
}
