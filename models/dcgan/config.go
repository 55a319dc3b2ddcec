package dcgan

import (
	"errors"
	"fmt"

	"github.com/arcade-go/arcade/models/ckpt"
)

// NumGames is the number of games the GAN learns (len(QualityGames)): the
// size of the one-hot game vectors of a conditional GAN.
const NumGames = 3

// Config holds the hyperparameters of the Atari GAN. Tutorial returns the
// tutorial's values (Lapan, Deep RL Hands-On, ch. 3, 03_atari_gan.py),
// Stable the recipe that learns all three games.
type Config struct {
	// LatentSize is the length of the noise vector z ~ N(0,1), shape [B,LatentSize,1,1] (LATENT_VECTOR_SIZE = 100).
	LatentSize int
	// GenFilters is the generator's base filter count; its layers have 8x, 4x, 2x, 1x of it (GENER_FILTERS = 64).
	GenFilters int
	// DiscrFilters is the discriminator's base filter count; its layers have 1x, 2x, 4x, 8x of it (DISCR_FILTERS = 64).
	DiscrFilters int
	// ImageSize is the side of the square images; the architecture (4 stride-2 layers from 4x4) needs 64 (IMAGE_SIZE).
	ImageSize int
	// Channels is the number of colour channels of the images (3, RGB).
	Channels int
	// BatchSize is the number of real (and of fake) images per training step (BATCH_SIZE = 16).
	BatchSize int
	// LearningRate is Adam's learning rate for the generator, and for the
	// discriminator too unless DiscrLearningRate is set (LEARNING_RATE = 1e-4).
	LearningRate float64
	// DiscrLearningRate, when not 0, is the discriminator's own learning rate:
	// two time-scales (TTUR, Heusel et al. 2017), D faster than G. 0 is the
	// tutorial's one rate for both.
	DiscrLearningRate float64
	// Beta1 is Adam's first-moment decay (0.5 in the tutorial; PyTorch's default is 0.9).
	Beta1 float64
	// Beta2 is Adam's second-moment decay (0.999).
	Beta2 float64
	// Epsilon is Adam's epsilon (PyTorch's default 1e-8; GoMLX's default would be 1e-7).
	Epsilon float64
	// LeakySlope is the negative slope of the discriminator's hidden activations:
	// 0 is the tutorial's plain ReLU, 0.2 the DCGAN paper's LeakyReLU.
	LeakySlope float64
	// RealLabel is the target of real images in the discriminator's loss: 1
	// in the tutorial; 0.9 is one-sided label smoothing (Salimans et al. 2016),
	// which keeps D from growing over-confident on real frames.
	RealLabel float64
	// SpectralNorm, when not 0, is the number of power iterations per step of
	// spectral normalisation on every discriminator weight (Miyato et al.
	// 2018), which then replaces the discriminator's BatchNorm layers
	// (Kurach et al. 2019 found BatchNorm hurts D). 0 is the tutorial's D.
	SpectralNorm int
	// Conditional gives both networks the game of each image: the generator's
	// BatchNorms get a per-game scale and shift, the discriminator a
	// projection of the game (Miyato & Koyama 2018). Random play makes each
	// game's frames nearly one picture, three far-apart modes that an
	// unconditional GAN collapses onto one of; with the game as input it draws
	// all three, and sampling picks the game. false is the tutorial's GAN.
	Conditional bool
	// Seed seeds the weight initialisation and the noise.
	Seed int64
	// ReportEvery is the number of steps between logged mean losses (REPORT_EVERY_ITER = 100).
	ReportEvery int
	// ImageEvery is the number of steps between image grids and the quality number (SAVE_IMAGE_EVERY_ITER = 1000).
	ImageEvery int
}

// Tutorial returns the tutorial's hyperparameters, exactly.
func Tutorial() Config {
	return Config{
		LatentSize: 100, GenFilters: 64, DiscrFilters: 64, ImageSize: 64, Channels: 3,
		BatchSize: 16, LearningRate: 1e-4, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-8,
		LeakySlope: 0, RealLabel: 1, Seed: 1, ReportEvery: 100, ImageEvery: 1000,
	}
}

// DefaultConfig returns the tutorial's hyperparameters (Tutorial).
func DefaultConfig() Config { return Tutorial() }

// Stable returns the recipe that learns recognisable, varied frames of all
// three games: the tutorial's DCGAN shape, latent size, image size and batch
// with half the filters (32: a quarter of the work, 40% of the time), plus the
// stabilisers models/dcgan/README.md measures one by one: the game
// as input to both networks (the ingredient that gives coverage), spectral
// normalisation instead of BatchNorm in D, LeakyReLU 0.2 in D, two learning
// rates (D 4e-4, G 1e-4) and real labels of 0.9 (without them the
// discriminator saturated on one seed of two; see the README's study).
func Stable() Config {
	c := Tutorial()
	c.GenFilters, c.DiscrFilters = 32, 32 // a quarter of the work per step; see the README's study
	c.Conditional = true
	c.SpectralNorm = 1
	c.LeakySlope = 0.2
	c.DiscrLearningRate = 4e-4
	c.RealLabel = 0.9
	c.ImageEvery = 500
	return c
}

// Presets are the named recipes, for flags and notebooks.
var Presets = map[string]func() Config{"tutorial": Tutorial, "stable": Stable}

// Preset returns the named recipe, or an error listing the names.
func Preset(name string) (Config, error) {
	if f, ok := Presets[name]; ok {
		return f(), nil
	}
	return Config{}, fmt.Errorf("dcgan: unknown preset %q (want tutorial or stable)", name)
}

// DiscrLR is the discriminator's learning rate: DiscrLearningRate, or LearningRate when that is 0.
func (c Config) DiscrLR() float64 {
	if c.DiscrLearningRate != 0 {
		return c.DiscrLearningRate
	}
	return c.LearningRate
}

// Validate returns an error naming every field out of range.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.LatentSize < 1 {
		bad("LatentSize %d: must be at least 1", c.LatentSize)
	}
	if c.GenFilters < 1 || c.DiscrFilters < 1 {
		bad("GenFilters %d, DiscrFilters %d: must be at least 1", c.GenFilters, c.DiscrFilters)
	}
	switch {
	case c.ImageSize%2 != 0:
		bad("ImageSize %d is odd: the networks halve/double the size at every layer and need 64", c.ImageSize)
	case c.ImageSize != 64:
		bad("ImageSize %d: the reference architecture (4x4 -> 8 -> 16 -> 32 -> 64) needs 64", c.ImageSize)
	}
	if c.Channels != 3 {
		bad("Channels %d: must be 3 (the Atari frames are RGB)", c.Channels)
	}
	if c.BatchSize < 1 {
		bad("BatchSize %d: must be at least 1 (the tutorial uses 16)", c.BatchSize)
	}
	if !(c.LearningRate > 0) {
		bad("LearningRate %g: must be positive (the tutorial uses 1e-4)", c.LearningRate)
	}
	if c.DiscrLearningRate != 0 && !(c.DiscrLearningRate > 0) {
		bad("DiscrLearningRate %g: must be positive, or 0 for LearningRate", c.DiscrLearningRate)
	}
	if !(c.RealLabel > 0 && c.RealLabel <= 1) {
		bad("RealLabel %g: must be in (0, 1] (1 is the tutorial's, 0.9 one-sided smoothing)", c.RealLabel)
	}
	if c.SpectralNorm < 0 {
		bad("SpectralNorm %d: must be 0 (off) or a number of power iterations >= 1", c.SpectralNorm)
	}
	if !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 >= 0 && c.Beta2 < 1) {
		bad("Beta1 %g, Beta2 %g: must be in [0, 1)", c.Beta1, c.Beta2)
	}
	if !(c.Epsilon > 0) {
		bad("Epsilon %g: must be positive", c.Epsilon)
	}
	if c.LeakySlope < 0 || c.LeakySlope >= 1 {
		bad("LeakySlope %g: must be in [0, 1) (0 is plain ReLU)", c.LeakySlope)
	}
	if c.ReportEvery < 1 || c.ImageEvery < 1 {
		bad("ReportEvery %d, ImageEvery %d: must be at least 1", c.ReportEvery, c.ImageEvery)
	}
	if len(errs) > 0 {
		return fmt.Errorf("dcgan.Config: %w", errors.Join(errs...))
	}
	return nil
}

// Identity is what a checkpoint of this configuration is checked against:
// the hyperparameters that fix the variables' shapes.
func (c Config) Identity() ckpt.Identity {
	return ckpt.Identity{Model: "dcgan", Params: map[string]any{
		"latent": c.LatentSize, "gen_filters": c.GenFilters, "discr_filters": c.DiscrFilters,
		"image_size": c.ImageSize, "channels": c.Channels,
		"conditional": c.Conditional, "spectral_norm": c.SpectralNorm > 0,
	}}
}

// RecipeDiff lists the training fields (everything but Seed, ReportEvery and
// ImageEvery) in which c differs from other, as "Field: c's value (other's
// value)"; empty when a run of other can be continued with c.
func (c Config) RecipeDiff(other Config) []string {
	type field struct {
		name string
		a, b any
	}
	fields := []field{
		{"LatentSize", c.LatentSize, other.LatentSize}, {"GenFilters", c.GenFilters, other.GenFilters},
		{"DiscrFilters", c.DiscrFilters, other.DiscrFilters}, {"ImageSize", c.ImageSize, other.ImageSize},
		{"Channels", c.Channels, other.Channels}, {"BatchSize", c.BatchSize, other.BatchSize},
		{"LearningRate", c.LearningRate, other.LearningRate}, {"DiscrLearningRate", c.DiscrLearningRate, other.DiscrLearningRate},
		{"Beta1", c.Beta1, other.Beta1}, {"Beta2", c.Beta2, other.Beta2}, {"Epsilon", c.Epsilon, other.Epsilon},
		{"LeakySlope", c.LeakySlope, other.LeakySlope}, {"RealLabel", c.RealLabel, other.RealLabel},
		{"SpectralNorm", c.SpectralNorm, other.SpectralNorm}, {"Conditional", c.Conditional, other.Conditional},
	}
	var diffs []string
	for _, f := range fields {
		if f.a != f.b {
			diffs = append(diffs, fmt.Sprintf("%s: %v (the run has %v)", f.name, f.a, f.b))
		}
	}
	return diffs
}
