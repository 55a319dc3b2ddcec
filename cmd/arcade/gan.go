package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/ckpt"
	"github.com/arcade-go/arcade/models/dcgan"
)

func init() {
	register("train gan", "train the Atari GAN (resumes from -dir; Ctrl-C saves and stops)", trainGAN)
	register("sample", "write generator samples from a GAN checkpoint (PNG grid or .safetensors)", sampleGAN)
	register("export gan", "write a GAN checkpoint as PyTorch-loadable generator/discriminator.safetensors", exportGAN)
	register("import gan", "read generator/discriminator.safetensors into a GAN checkpoint directory", importGAN)
}

// ganDir is the default checkpoint directory of the GAN.
func ganDir() string { return filepath.Join(kernel.RunsDir(), "gan") }

// ganFlags adds the configuration flags shared by the GAN commands.
func ganFlags(fs *flag.FlagSet) (dir *string, cfg *dcgan.Config) {
	c := dcgan.DefaultConfig()
	cfg = &c
	dir = fs.String("dir", ganDir(), "checkpoint directory")
	fs.IntVar(&c.GenFilters, "gen-filters", c.GenFilters, "generator base filters (GENER_FILTERS)")
	fs.IntVar(&c.DiscrFilters, "discr-filters", c.DiscrFilters, "discriminator base filters (DISCR_FILTERS)")
	fs.IntVar(&c.LatentSize, "latent", c.LatentSize, "latent vector size (LATENT_VECTOR_SIZE)")
	return
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

func trainGAN(args []string) error {
	fs := flag.NewFlagSet("train gan", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	steps := fs.Int64("steps", 2000, "total training steps to reach (a rerun resumes)")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "batch size (BATCH_SIZE)")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "Adam learning rate (LEARNING_RATE)")
	fs.Float64Var(&cfg.LeakySlope, "leaky", cfg.LeakySlope, "discriminator LeakyReLU slope (0: the tutorial's ReLU)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	fs.IntVar(&cfg.ReportEvery, "report-every", cfg.ReportEvery, "steps between logged mean losses")
	fs.IntVar(&cfg.ImageEvery, "image-every", cfg.ImageEvery, "steps between sample grids and quality numbers")
	saveEvery := fs.Duration("save-every", 3*time.Minute, "wall time between checkpoints")
	keep := fs.Int("keep", 3, "checkpoints to keep")
	quality := fs.Bool("quality", true, "score samples with the game classifier every -image-every steps")
	if err := parse(fs, args); err != nil {
		return err
	}
	opt := dcgan.TrainOptions{Dir: *dir, Steps: *steps, Keep: *keep, SaveEvery: *saveEvery}
	if b, ok := kernel.Budget(); ok {
		opt.Budget = b
	}
	backend := kernel.Backend()
	if *quality {
		q, err := dcgan.NewQuality(backend, dcgan.QualityOptions{Cache: filepath.Join(kernel.RunsDir(), "gan-classifier")})
		if err != nil {
			return err
		}
		fmt.Printf("quality classifier: %.1f%% accuracy on held-out real frames\n", 100*q.Accuracy)
		opt.Quality = q
	}
	ctx, stop := kernel.InterruptContext()
	defer stop()
	fmt.Printf("training the Atari GAN in %s to step %d\n", *dir, *steps)
	_, err := dcgan.Train(ctx, backend, *cfg, opt)
	return err
}

// loadGAN builds a GAN of cfg and restores the newest checkpoint of dir.
func loadGAN(dir string, cfg dcgan.Config) (*dcgan.GAN, error) {
	m, err := dcgan.New(kernel.Backend(), cfg)
	if err != nil {
		return nil, err
	}
	d, err := m.OpenDir(dir, 0)
	if err != nil {
		return nil, err
	}
	if _, err := m.Load(d); err != nil {
		if errors.Is(err, ckpt.ErrNoCheckpoint) {
			return nil, fmt.Errorf("no GAN checkpoint in %s (train one with: arcade train gan -dir %s)", dir, dir)
		}
		return nil, err
	}
	return m, nil
}

func sampleGAN(args []string) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	n := fs.Int("n", 64, "number of samples")
	seed := fs.Uint64("seed", 1, "noise seed")
	out := fs.String("o", "samples.png", "output: a .png grid, or .safetensors with z [N,100,1,1] and images [N,3,64,64]")
	quality := fs.Bool("quality", false, "also print the samples' quality (Fréchet distance to real frames, share per game)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n %d: need at least one sample", *n)
	}
	m, err := loadGAN(*dir, *cfg)
	if err != nil {
		return err
	}
	z := dcgan.FixedNoise(*n, cfg.LatentSize, *seed)
	imgs, err := m.Generate(z) // inference mode: BatchNorm running statistics
	if err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".png":
		err = dcgan.WriteGridPNG(*out, imgs)
	case ".safetensors":
		err = dcgan.WriteSafetensors(*out, map[string]*tensors.Tensor{"z": z, "images": imgs})
	default:
		return fmt.Errorf("-o %s: the name must end in .png or .safetensors", *out)
	}
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d samples of step %d to %s\n", *n, m.Step, *out)
	if *quality {
		q, err := dcgan.NewQuality(kernel.Backend(), dcgan.QualityOptions{Cache: filepath.Join(kernel.RunsDir(), "gan-classifier")})
		if err != nil {
			return err
		}
		s, err := q.Score(imgs)
		if err != nil {
			return err
		}
		fmt.Printf("quality of the %d samples: %s\n", *n, s)
	}
	return nil
}

func exportGAN(args []string) error {
	fs := flag.NewFlagSet("export gan", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	out := fs.String("o", "gan-export", "output directory for generator.safetensors and discriminator.safetensors")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := loadGAN(*dir, *cfg)
	if err != nil {
		return err
	}
	if err := m.Export(*out); err != nil {
		return err
	}
	fmt.Printf("exported step %d to %s/{generator,discriminator}.safetensors\n", m.Step, *out)
	fmt.Println("in PyTorch: net.load_state_dict(tensors), with the tutorial's Generator and Discriminator")
	return nil
}

func importGAN(args []string) error {
	fs := flag.NewFlagSet("import gan", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	in := fs.String("i", "gan-export", "directory holding generator.safetensors and discriminator.safetensors")
	step := fs.Int64("step", 0, "step number to record in the checkpoint")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(*in); err != nil {
		return err
	}
	m, err := dcgan.New(kernel.Backend(), *cfg)
	if err != nil {
		return err
	}
	if err := m.Import(*in); err != nil {
		return err
	}
	m.Step = *step
	d, err := m.OpenDir(*dir, 0)
	if err != nil {
		return err
	}
	path, err := m.Save(d)
	if err != nil {
		return err
	}
	fmt.Printf("imported %s into %s (optimizer state starts fresh)\n", *in, path)
	return nil
}
