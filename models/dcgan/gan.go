package dcgan

import (
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
	// QualitySteps, FD, Shares: the quality numbers (see Quality) at those steps.
	QualitySteps []int64     `json:"quality_steps"`
	FD           []float64   `json:"fd"`
	Shares       [][]float64 `json:"shares"`
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
	m.trainStep, err = model.NewExec(backend, store, m.trainGraph)
	if err != nil {
		return nil, err
	}
	m.generate, err = model.NewExec(backend, store, func(s *model.Scope, z *Node) *Node {
		return Generator(s.At(GeneratorScope), z, cfg) // inference: BatchNorm uses running statistics
	})
	if err != nil {
		return nil, err
	}
	m.judge, err = model.NewExec(backend, store, func(s *model.Scope, x *Node) *Node {
		return Discriminator(s.At(DiscriminatorScope), x, cfg)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// adam returns the tutorial's optimizer: Adam(lr, betas=(Beta1, Beta2)), PyTorch's epsilon.
func (m *GAN) adam() optimizer.Interface {
	c := m.Config
	return optimizer.Adam().LearningRate(c.LearningRate).Betas(c.Beta1, c.Beta2).Epsilon(c.Epsilon).Done()
}

// trainGraph is one iteration of the tutorial's loop, in its order:
//
//	gen_output_v = net_gener(gen_input_v)
//	D step: BCE(D(real), 1) + BCE(D(gen_output_v.detach()), 0); only D's weights change
//	G step: BCE(D(gen_output_v), 1) through the just-updated D; only G's weights change
//
// G runs forward once and D three times, each in training mode, so G's
// BatchNorm statistics update once and D's three times per step, as in PyTorch.
func (m *GAN) trainGraph(s *model.Scope, real, z *Node) (dLoss, gLoss, fake *Node) {
	g := real.Graph()
	s.Store().SetTraining(g, true)
	gen, discr := s.At(GeneratorScope), s.At(DiscriminatorScope)

	fake = Generator(gen, z, m.Config) // [B,3,64,64]

	dReal := Discriminator(discr, real, m.Config)               // [B]
	dFake := Discriminator(discr, StopGradient(fake), m.Config) // [B], detached
	dLoss = Add(BCE(dReal, 1), BCE(dFake, 0))
	m.adam().UpdateGraph(discr, g, dLoss) // gradients of D's variables only

	dGen := Discriminator(discr, fake, m.Config) // reads D's updated weights
	gLoss = BCE(dGen, 1)
	m.adam().UpdateGraph(gen, g, gLoss) // gradients of G's variables only
	return
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
func (m *GAN) TrainStep(real *tensors.Tensor) (dLoss, gLoss float64, fake *tensors.Tensor, err error) {
	return m.TrainStepWithNoise(real, m.Noise(real.Shape().Dimensions[0]))
}

// TrainStepWithNoise is TrainStep with the noise z [B,LatentSize,1,1] given.
func (m *GAN) TrainStepWithNoise(real, z *tensors.Tensor) (dLoss, gLoss float64, fake *tensors.Tensor, err error) {
	if err := m.checkImages(real); err != nil {
		return 0, 0, nil, err
	}
	if zd := z.Shape().Dimensions; len(zd) != 4 || zd[0] != real.Shape().Dimensions[0] || zd[1] != m.Config.LatentSize || zd[2] != 1 || zd[3] != 1 {
		return 0, 0, nil, fmt.Errorf("dcgan: noise has shape %v, want [%d,%d,1,1]", zd, real.Shape().Dimensions[0], m.Config.LatentSize)
	}
	outs, err := m.trainStep.Call(real, z)
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

// Generate runs the generator in inference mode (BatchNorm running
// statistics, as PyTorch's eval()) on z [N,LatentSize,1,1] and returns
// images [N,3,64,64] in [-1,1].
func (m *GAN) Generate(z *tensors.Tensor) (*tensors.Tensor, error) {
	zd := z.Shape().Dimensions
	if len(zd) != 4 || zd[1] != m.Config.LatentSize || zd[2] != 1 || zd[3] != 1 {
		return nil, fmt.Errorf("dcgan: noise has shape %v, want [N,%d,1,1]", zd, m.Config.LatentSize)
	}
	out, err := m.generate.Call1(z)
	if err != nil {
		return nil, fmt.Errorf("dcgan: generating: %w", err)
	}
	return out, nil
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
// [N,3,64,64] and returns the probabilities [N] that they are real.
func (m *GAN) Discriminate(x *tensors.Tensor) (*tensors.Tensor, error) {
	if err := m.checkImages(x); err != nil {
		return nil, err
	}
	out, err := m.judge.Call1(x)
	if err != nil {
		return nil, fmt.Errorf("dcgan: discriminating: %w", err)
	}
	return out, nil
}

// Load restores the newest valid checkpoint in dir. It returns an error
// wrapping ckpt.ErrNoCheckpoint when there is none (start fresh), and a
// *ckpt.MismatchError for a checkpoint of another model or shape. The
// learning rate and betas come from m.Config, not from the checkpoint, so a
// resumed run can change them.
func (m *GAN) Load(dir *ckpt.Dir) (ckpt.Info, error) {
	var st trainState
	info, err := dir.Load(m.Store, &st)
	if err != nil {
		return info, err
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
			if err := v.SetValue(tensors.FromScalar(float32(m.Config.LearningRate))); err != nil {
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
