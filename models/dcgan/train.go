package dcgan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/envs/atari"
	"github.com/arcade-go/arcade/models/ckpt"
)

// TrainOptions says how long to train and where to keep the state.
type TrainOptions struct {
	// Dir is the checkpoint directory; training resumes from its newest checkpoint.
	Dir string
	// Steps is the total number of steps to reach (a resumed run does only the missing ones).
	Steps int64
	// Keep is how many checkpoints to keep (default 3).
	Keep int
	// SaveEvery is the wall time between checkpoints (default 3 minutes); one is also saved at the end and on interrupt.
	SaveEvery time.Duration
	// Budget stops training after this wall time (0: none); see kernel.Budget.
	Budget time.Duration
	// Out receives the progress lines (default stdout).
	Out io.Writer
	// ProgressEvery is the wall time between progress lines (default 5 s).
	ProgressEvery time.Duration
	// Quality, if set, scores samples every Config.ImageEvery steps (and at the end).
	Quality *Quality
	// QualitySamples is the number of generated images scored (default 256).
	QualitySamples int
	// OnStart, if set, is called once the GAN is built and resumed, before the first step.
	OnStart func(m *GAN)
	// OnReport, if set, is called every Config.ReportEvery steps with the mean losses.
	OnReport func(m *GAN, step int64, dLoss, gLoss float64)
	// OnLive, if set, is called every LiveEvery of wall time with the last real
	// and generated batches and the mean losses since the last report, so a
	// live view moves between the (rarer) report and image steps.
	OnLive func(m *GAN, step int64, real, fake *tensors.Tensor, dLoss, gLoss float64)
	// LiveEvery is the wall time between OnLive calls (default 10 s).
	LiveEvery time.Duration
	// OnImages, if set, is called every Config.ImageEvery steps (and at the end)
	// with the last real batch, the last generated batch and the quality (nil without Quality).
	OnImages func(m *GAN, step int64, real, fake *tensors.Tensor, q *Score)
}

// FixedNoiseSeed seeds the fixed noise batch whose samples are saved as
// Dir/samples/step-NNNNNNNN.png every ImageEvery steps (with Dir/losses.png
// and Dir/quality.png, the curves so far).
const FixedNoiseSeed = 2024

// Train trains the GAN on the tutorial's three games, resuming from the
// newest checkpoint in opt.Dir, until opt.Steps, the budget, or ctx's
// cancellation (an interrupt), and saves a checkpoint on the way out. It
// returns the GAN (for sampling) even when stopped early.
func Train(ctx context.Context, backend compute.Backend, cfg Config, opt TrainOptions) (*GAN, error) {
	if opt.Steps < 0 {
		return nil, fmt.Errorf("dcgan.Train: negative Steps %d", opt.Steps)
	}
	if opt.Out == nil {
		opt.Out = os.Stdout
	}
	if opt.QualitySamples <= 0 {
		opt.QualitySamples = 256
	}
	if opt.LiveEvery <= 0 {
		opt.LiveEvery = 10 * time.Second
	}
	m, err := New(backend, cfg)
	if err != nil {
		return nil, err
	}
	dir, err := ckpt.OpenWriter(opt.Dir, m.Config.Identity(), opt.Keep) // writable, locked, partial saves removed
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	if info, err := m.Load(dir); err == nil {
		fmt.Fprintf(opt.Out, "resumed from %s (step %d)\n", info.Path, info.Step)
	} else if !errors.Is(err, ckpt.ErrNoCheckpoint) {
		return nil, err
	}
	if opt.OnStart != nil {
		opt.OnStart(m)
	}
	if m.Step >= opt.Steps {
		fmt.Fprintf(opt.Out, "already at step %d of %d\n", m.Step, opt.Steps)
		return m, nil
	}
	// The real frames: the tutorial's iterate_batches, seeded by the step so a
	// resumed run sees new frames.
	batches, err := atari.NewBatcher(atari.BatchConfig{BatchSize: cfg.BatchSize, Seed: uint64(cfg.Seed)*7919 + uint64(m.Step)})
	if err != nil {
		return nil, err
	}
	fixedZ := FixedNoise(64, cfg.LatentSize, FixedNoiseSeed)
	save := func() error {
		path, err := m.Save(dir)
		if err == nil {
			fmt.Fprintf(opt.Out, "saved %s\n", path)
		}
		return err
	}

	run := ckpt.NewRun(ctx, ckpt.RunOptions{SaveEvery: opt.SaveEvery, Budget: opt.Budget, Out: opt.Out, ReportEvery: opt.ProgressEvery})
	var dLosses, gLosses []float64
	var real, fake *tensors.Tensor
	lastLive := time.Now()
	for m.Step < opt.Steps && !run.Done() {
		batch := batches.Next()
		real = tensors.FromFlatDataAndDimensions(batch.Images, batch.N, cfg.Channels, cfg.ImageSize, cfg.ImageSize)
		var dLoss, gLoss float64
		dLoss, gLoss, fake, err = m.TrainStep(real, batch.Labels) // D step, then G step; m.Step++
		if err != nil {
			return m, err
		}
		dLosses, gLosses = append(dLosses, dLoss), append(gLosses, gLoss)

		if m.Step%int64(cfg.ReportEvery) == 0 {
			d, g := mean(dLosses), mean(gLosses)
			m.History.Steps = append(m.History.Steps, m.Step)
			m.History.DLoss, m.History.GLoss = append(m.History.DLoss, d), append(m.History.GLoss, g)
			dLosses, gLosses = dLosses[:0], gLosses[:0]
			if opt.OnReport != nil {
				opt.OnReport(m, m.Step, d, g)
			}
		}
		if m.Step%int64(cfg.ImageEvery) == 0 {
			if err := m.images(opt, filepath.Join(opt.Dir, "samples"), fixedZ, real, fake); err != nil {
				return m, err
			}
		}
		if opt.OnLive != nil && time.Since(lastLive) >= opt.LiveEvery {
			d, g := dLoss, gLoss
			if len(dLosses) > 0 {
				d, g = mean(dLosses), mean(gLosses)
			}
			opt.OnLive(m, m.Step, real, fake, d, g)
			lastLive = time.Now()
		}
		run.Progress(m.Step, opt.Steps, "d_loss=%.3f g_loss=%.3f", dLoss, gLoss)
		if run.SaveDue() {
			if err := save(); err != nil {
				return m, err
			}
		}
	}
	if r := run.StopReason(); r != "" {
		fmt.Fprintf(opt.Out, "stopped at step %d: %s\n", m.Step, r)
	}
	if real != nil && m.Step%int64(cfg.ImageEvery) != 0 {
		if err := m.images(opt, filepath.Join(opt.Dir, "samples"), fixedZ, real, fake); err != nil {
			return m, err
		}
	}
	return m, save()
}

// images writes the fixed-noise sample grid, scores the samples and calls OnImages.
func (m *GAN) images(opt TrainOptions, samplesDir string, fixedZ, real, fake *tensors.Tensor) error {
	imgs, err := m.GenerateGames(fixedZ, RowGames(fixedZ.Shape().Dimensions[0], 8))
	if err != nil {
		return err
	}
	if err := WriteGridPNG(filepath.Join(samplesDir, fmt.Sprintf("step-%08d.png", m.Step)), imgs); err != nil {
		return err
	}
	var score *Score
	if opt.Quality != nil {
		s, err := opt.Quality.ScoreGAN(m, opt.QualitySamples)
		if err != nil {
			return err
		}
		score = &s
		m.History.QualitySteps = append(m.History.QualitySteps, m.Step)
		m.History.FD = append(m.History.FD, s.FD)
		m.History.Shares = append(m.History.Shares, s.Shares)
		m.History.Spread = append(m.History.Spread, s.Spread)
		fmt.Fprintf(opt.Out, "step %d quality: %s\n", m.Step, s)
	}
	if err := PlotHistory(filepath.Dir(samplesDir), m.History); err != nil {
		return err
	}
	if opt.OnImages != nil {
		opt.OnImages(m, m.Step, real, fake, score)
	}
	return nil
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
