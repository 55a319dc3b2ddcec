package dcgan

import (
	"errors"
	"fmt"

	"github.com/arcade-go/arcade/models/ckpt"
)

// Config holds the hyperparameters of the Atari GAN. DefaultConfig returns the
// tutorial's values (Lapan, Deep RL Hands-On, ch. 3, 03_atari_gan.py).
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
	// LearningRate is Adam's learning rate for both networks (LEARNING_RATE = 1e-4).
	LearningRate float64
	// Beta1 is Adam's first-moment decay (0.5 in the tutorial; PyTorch's default is 0.9).
	Beta1 float64
	// Beta2 is Adam's second-moment decay (0.999).
	Beta2 float64
	// Epsilon is Adam's epsilon (PyTorch's default 1e-8; GoMLX's default would be 1e-7).
	Epsilon float64
	// LeakySlope is the negative slope of the discriminator's hidden activations:
	// 0 is the tutorial's plain ReLU, 0.2 the DCGAN paper's LeakyReLU.
	LeakySlope float64
	// Seed seeds the weight initialisation and the noise.
	Seed int64
	// ReportEvery is the number of steps between logged mean losses (REPORT_EVERY_ITER = 100).
	ReportEvery int
	// ImageEvery is the number of steps between image grids and the quality number (SAVE_IMAGE_EVERY_ITER = 1000).
	ImageEvery int
}

// DefaultConfig returns the tutorial's hyperparameters.
func DefaultConfig() Config {
	return Config{
		LatentSize: 100, GenFilters: 64, DiscrFilters: 64, ImageSize: 64, Channels: 3,
		BatchSize: 16, LearningRate: 1e-4, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-8,
		LeakySlope: 0, Seed: 1, ReportEvery: 100, ImageEvery: 1000,
	}
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
	if c.Channels != 1 && c.Channels != 3 {
		bad("Channels %d: must be 1 or 3", c.Channels)
	}
	if c.BatchSize < 1 {
		bad("BatchSize %d: must be at least 1 (the tutorial uses 16)", c.BatchSize)
	}
	if !(c.LearningRate > 0) {
		bad("LearningRate %g: must be positive (the tutorial uses 1e-4)", c.LearningRate)
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
	}}
}
