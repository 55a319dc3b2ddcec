package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
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
	bindGANConfig(fs, &c)
	return
}

// bindGANConfig binds the network-shape flags to c.
func bindGANConfig(fs *flag.FlagSet, c *dcgan.Config) {
	fs.IntVar(&c.GenFilters, "gen-filters", c.GenFilters, "generator base filters (GENER_FILTERS)")
	fs.IntVar(&c.DiscrFilters, "discr-filters", c.DiscrFilters, "discriminator base filters (DISCR_FILTERS)")
	fs.IntVar(&c.LatentSize, "latent", c.LatentSize, "latent vector size (LATENT_VECTOR_SIZE)")
}

// recipeFlags binds the training recipe's flags to c.
func recipeFlags(fs *flag.FlagSet, c *dcgan.Config) {
	fs.IntVar(&c.BatchSize, "batch", c.BatchSize, "batch size (BATCH_SIZE)")
	fs.Float64Var(&c.LearningRate, "lr", c.LearningRate, "Adam learning rate of G (and of D unless -discr-lr) (LEARNING_RATE)")
	fs.Float64Var(&c.DiscrLearningRate, "discr-lr", c.DiscrLearningRate, "Adam learning rate of D (0: -lr)")
	fs.Float64Var(&c.LeakySlope, "leaky", c.LeakySlope, "discriminator LeakyReLU slope (0: the tutorial's ReLU)")
	fs.Float64Var(&c.RealLabel, "real-label", c.RealLabel, "target of real images in D's loss (1; 0.9 is one-sided label smoothing)")
	fs.IntVar(&c.SpectralNorm, "spectral-norm", c.SpectralNorm, "power iterations of spectral norm in D, replacing its BatchNorm (0: off)")
	fs.BoolVar(&c.Conditional, "conditional", c.Conditional, "give both networks the game (conditional BatchNorm in G, projection in D)")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "random seed")
	fs.IntVar(&c.ReportEvery, "report-every", c.ReportEvery, "steps between logged mean losses")
	fs.IntVar(&c.ImageEvery, "image-every", c.ImageEvery, "steps between sample grids and quality numbers")
}

// applyPreset returns the named preset with every flag the user set in fs
// (bound to another Config by ganFlags/recipeFlags) applied on top.
func applyPreset(name string, fs *flag.FlagSet) (dcgan.Config, error) {
	c, err := dcgan.Preset(name)
	if err != nil {
		return c, err
	}
	over := flag.NewFlagSet("preset", flag.ContinueOnError)
	bindGANConfig(over, &c)
	recipeFlags(over, &c)
	fs.Visit(func(f *flag.Flag) {
		if over.Lookup(f.Name) != nil && err == nil {
			err = over.Set(f.Name, f.Value.String())
		}
	})
	return c, err
}

func trainGAN(args []string) error {
	fs := flag.NewFlagSet("train gan", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	preset := fs.String("preset", "tutorial", "recipe: tutorial (the book's, exactly) or stable (learns all three games); other flags override single fields")
	steps := fs.Int64("steps", 2000, "total training steps to reach (a rerun resumes)")
	recipeFlags(fs, cfg)
	saveEvery := fs.Duration("save-every", 3*time.Minute, "wall time between checkpoints")
	keep := fs.Int("keep", 3, "checkpoints to keep")
	quality := fs.Bool("quality", true, "score samples with the game classifier every -image-every steps")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := applyPreset(*preset, fs)
	if err != nil {
		return usagef("-preset: %v", err)
	}
	*cfg = c
	bad := checkGANFlags(*cfg)
	bad.check(*steps >= 1, "-steps %d: want at least 1", *steps)
	bad.check(*keep >= 1, "-keep %d: want at least 1 checkpoint", *keep)
	bad.check(*saveEvery > 0, "-save-every %s: want a positive duration", *saveEvery)
	if err := bad.err(); err != nil {
		return err
	}
	opt := dcgan.TrainOptions{Dir: *dir, Steps: *steps, Keep: *keep, SaveEvery: *saveEvery}
	if b, ok := kernel.Budget(); ok {
		opt.Budget = b
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := ckpt.CheckWriter(*dir); err != nil { // before the classifier trains
		return err
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
	_, err = dcgan.Train(ctx, backend, *cfg, opt)
	if err == nil && ctx.Err() != nil { // Ctrl-C: saved, but say so in the exit status
		return errInterrupted
	}
	return err
}

// loadGAN builds the GAN that dir's newest checkpoint was trained as (its
// saved recipe; cfg for checkpoints that predate saving it) and restores it.
func loadGAN(dir string, cfg dcgan.Config) (*dcgan.GAN, error) {
	if saved, err := dcgan.SavedConfig(dir); err == nil {
		cfg = saved
	}
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

// maxGrid is the most samples `arcade sample` puts in a PNG grid (128 rows
// of 8); more go to a .safetensors file, which is written batch by batch.
const maxGrid = 1024

// maxScored is the most samples -quality scores: the first ones.
const maxScored = 1024

func sampleGAN(args []string) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	n := fs.Int("n", 64, fmt.Sprintf("number of samples (a .png grid holds at most %d; a .safetensors file any number, written batch by batch)", maxGrid))
	seed := fs.Uint64("seed", 1, "noise seed")
	out := fs.String("o", "samples.png", "output: a .png grid, or .safetensors with z [N,100,1,1] and images [N,3,64,64]")
	quality := fs.Bool("quality", false, fmt.Sprintf("also print the quality of the first %d samples (Fréchet distance to real frames, share per game)", maxScored))
	game := fs.String("game", "", "draw only this game (breakout, airraid or pong) with a conditional GAN (-preset stable); default: all games in equal parts")
	if err := parse(fs, args); err != nil {
		return err
	}
	bad := checkShapeFlags(*cfg)
	gameIndex := slices.Index(dcgan.QualityGames, *game)
	bad.check(*game == "" || gameIndex >= 0, "-game %s: want one of %s", *game, strings.Join(dcgan.QualityGames, ", "))
	ext := strings.ToLower(filepath.Ext(*out))
	bad.check(*n >= 1, "-n %d: want at least 1 sample", *n)
	bad.check(ext == ".png" || ext == ".safetensors", "-o %s: the name must end in .png or .safetensors", *out)
	bad.check(ext != ".png" || *n <= maxGrid, "-n %d: a .png grid holds at most %d samples; write more to a .safetensors file (-o samples.safetensors)", *n, maxGrid)
	if err := bad.err(); err != nil {
		return err
	}
	m, err := loadGAN(*dir, *cfg)
	if err != nil {
		return err
	}
	if *game != "" && !m.Config.Conditional {
		return fmt.Errorf("-game %s: the GAN in %s was trained without the game (the tutorial's recipe) and draws whatever it draws; train with -preset stable to choose", *game, *dir)
	}
	var scored []*tensors.Tensor // the first maxScored samples, for -quality
	keep := func(imgs *tensors.Tensor) {
		if *quality && rows(scored) < maxScored {
			scored = append(scored, imgs)
		}
	}
	c := m.Config
	switch ext {
	case ".png":
		var all []*tensors.Tensor
		err = m.Samples(*n, 0, *seed, gameIndex, func(_, imgs *tensors.Tensor) error {
			all = append(all, imgs)
			keep(imgs)
			return nil
		})
		if err == nil {
			err = dcgan.WriteGridPNG(*out, concatRows(all, *n))
		}
	case ".safetensors":
		specs := []dcgan.TensorSpec{
			{Name: "z", Shape: shapes.Make(dtypes.Float32, *n, c.LatentSize, 1, 1)},
			{Name: "images", Shape: shapes.Make(dtypes.Float32, *n, c.Channels, c.ImageSize, c.ImageSize)},
		}
		err = dcgan.WriteSafetensorsStream(*out, specs, func(put func(string, *tensors.Tensor) error) error {
			return m.Samples(*n, 0, *seed, gameIndex, func(z, imgs *tensors.Tensor) error {
				keep(imgs)
				if err := put("z", z); err != nil {
					return err
				}
				return put("images", imgs)
			})
		})
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
		k := min(*n, maxScored)
		s, err := q.Score(concatRows(scored, k))
		if err != nil {
			return err
		}
		fmt.Printf("quality of the first %d samples: %s\n", k, s)
	}
	return nil
}

// rows counts the rows (first dimension) of batches.
func rows(batches []*tensors.Tensor) int {
	n := 0
	for _, b := range batches {
		n += b.Shape().Dimensions[0]
	}
	return n
}

// concatRows joins the first n rows of float32 batches [b,...] into one tensor.
func concatRows(batches []*tensors.Tensor, n int) *tensors.Tensor {
	dims := append([]int{n}, batches[0].Shape().Dimensions[1:]...)
	row := batches[0].Shape().Size() / batches[0].Shape().Dimensions[0]
	data := make([]float32, 0, n*row)
	for _, b := range batches {
		data = append(data, tensors.MustCopyFlatData[float32](b)...)
	}
	return tensors.FromFlatDataAndDimensions(data[:n*row], dims...)
}

func exportGAN(args []string) error {
	fs := flag.NewFlagSet("export gan", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	out := fs.String("o", "gan-export", "output directory for generator.safetensors and discriminator.safetensors")
	if err := parse(fs, args); err != nil {
		return err
	}
	bad := checkShapeFlags(*cfg)
	bad.check(*out != "", "-o: want an output directory")
	if err := bad.err(); err != nil {
		return err
	}
	m, err := loadGAN(*dir, *cfg)
	if err != nil {
		return err
	}
	files, err := m.Export(*out)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Printf("exported step %d to %s\n", m.Step, f)
	}
	if !m.Config.Conditional {
		fmt.Println("in PyTorch: net.load_state_dict(tensors), with the tutorial's Generator and Discriminator")
		return nil
	}
	fmt.Println("a stable (conditional) GAN: each generator-<game>.safetensors is the tutorial's Generator drawing that game")
	fmt.Println("(net.load_state_dict(tensors) with the tutorial's module); discriminator.safetensors is not the tutorial's")
	fmt.Println("Discriminator (spectral norm, game projection): its layout is in models/dcgan/README.md")
	return nil
}

// importGAN writes imported weights as a new checkpoint that is the newest
// of -dir: a directory with checkpoints up to step S gets step S+1 (the
// weights start a new chapter of that run; nothing of it is deleted now),
// an empty one step 0; an explicit -step not above S is refused.
func importGAN(args []string) error {
	fs := flag.NewFlagSet("import gan", flag.ContinueOnError)
	dir, cfg := ganFlags(fs)
	in := fs.String("i", "gan-export", "directory holding generator.safetensors and discriminator.safetensors")
	step := fs.Int64("step", -1, "step number of the new checkpoint; it must be the directory's newest (default: one past its newest checkpoint, 0 in an empty directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	bad := checkShapeFlags(*cfg)
	bad.check(*step >= -1, "-step %d: want a step >= 0 (or -1 for one past the newest)", *step)
	if err := bad.err(); err != nil {
		return err
	}
	if _, err := os.Stat(*in); err != nil {
		return err
	}
	d, err := ckpt.OpenWriter(*dir, cfg.Identity(), 0)
	if err != nil {
		return err
	}
	defer d.Close()
	newest, h, err := d.Newest()
	if err != nil {
		return fmt.Errorf("%w; import into another directory, or give the flags of that GAN", err)
	}
	switch {
	case h == nil && *step == -1:
		*step = 0
	case h != nil && *step == -1:
		*step = h.Step + 1
	case h != nil && *step <= h.Step:
		return usagef("-step %d: %s already holds step %d (%s); an import must be the newest checkpoint (leave out -step to import as step %d)",
			*step, *dir, h.Step, filepath.Base(newest), h.Step+1)
	}
	m, err := dcgan.New(kernel.Backend(), *cfg)
	if err != nil {
		return err
	}
	if err := m.Import(*in); err != nil {
		return err
	}
	m.Step = *step
	path, err := m.Save(d)
	if err != nil {
		return err
	}
	if h != nil {
		fmt.Printf("imported %s into %s as step %d, the newest (the run was at step %d; optimizer state starts fresh)\n", *in, path, *step, h.Step)
	} else {
		fmt.Printf("imported %s into %s (optimizer state starts fresh)\n", *in, path)
	}
	return nil
}
