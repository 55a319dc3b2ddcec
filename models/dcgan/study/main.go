// Command study trains the GAN recipes side by side and writes the table of
// models/dcgan/README.md: for each run, at 500, 1,000 and 2,000 steps, the
// Fréchet distance to real frames, the share of samples the classifier gives
// each game, the spread of the samples, and the wall time per step.
//
//	make gan-study                       # every run into results-2026-12-01, then the table
//	go run ./models/dcgan/study -runs stable-s1,stable-nocond-s1 -out /tmp/gan-study
//	go run ./models/dcgan/study -table   # only the table of the first study (results/, 2026-11-30)
//
// Each run trains in its own directory under -out (checkpoints, samples,
// train.log) and, when done, writes record.json there. A run with a record is
// never trained again; an interrupted run resumes from its checkpoint. Runs
// take 1.5 to 7 minutes on 2 cores (2026-12-01): run them one at a time.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/internal/atomicfile"
	"github.com/arcade-go/arcade/internal/study"
	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/dcgan"
)

// run is one training run of the study.
type run struct {
	Name   string `json:"name"`
	About  string `json:"about"`
	Steps  int64  `json:"steps"`
	Config dcgan.Config
}

// record is what a finished run writes.
type record struct {
	Name    string                `json:"name"`
	About   string                `json:"about"`
	Config  dcgan.Config          `json:"config"`
	Scores  map[int64]dcgan.Score `json:"scores"`
	StepSec float64               `json:"step_seconds"` // median wall time of a step
	Load    string                `json:"load"`         // /proc/loadavg at the end
	Date    string                `json:"date"`
	// Minutes is the wall time from the run's start to each quality check,
	// the checks themselves included (what a person waits for); absent when
	// the run was resumed from a checkpoint.
	Minutes map[int64]float64 `json:"minutes,omitempty"`
}

// runs lists the study: the two recipes on three seeds to 2,000 steps, and
// the stable recipe minus one ingredient at a time on the same three seeds to
// 1,000 steps (the 64 filters, at 2.5 times the cost a step, on seed 1;
// spectral norm, which showed nothing at 1,000 steps, to 2,000).
func runs() []run {
	var rs []run
	for _, seed := range []int64{1, 2, 3} {
		t := dcgan.Tutorial()
		t.Seed, t.ImageEvery = seed, 500
		rs = append(rs, run{fmt.Sprintf("tutorial-s%d", seed), "the book's recipe", 2000, t})
		s := dcgan.Stable()
		s.Seed = seed
		rs = append(rs, run{fmt.Sprintf("stable-s%d", seed), "the stable recipe", 2000, s})
	}
	all := []int64{1, 2, 3}
	minus := []struct {
		name, about string
		change      func(*dcgan.Config)
		seeds       []int64
		steps       int64
	}{
		{"nocond", "stable without the game (unconditional G and D)", func(c *dcgan.Config) { c.Conditional = false }, all, 1000},
		{"nosn", "stable with D's BatchNorm instead of spectral norm", func(c *dcgan.Config) { c.SpectralNorm = 0 }, all, 2000},
		{"relu", "stable with ReLU in D instead of LeakyReLU 0.2", func(c *dcgan.Config) { c.LeakySlope = 0 }, all, 1000},
		{"onelr", "stable with one learning rate (1e-4) for both", func(c *dcgan.Config) { c.DiscrLearningRate = 0 }, all, 1000},
		{"label1", "stable with real labels 1 (no smoothing)", func(c *dcgan.Config) { c.RealLabel = 1 }, all, 1000},
		{"f64", "stable with the tutorial's 64 filters in G and D", func(c *dcgan.Config) { c.GenFilters, c.DiscrFilters = 64, 64 }, nil, 1000},
	}
	for _, m := range minus {
		c := dcgan.Stable()
		m.change(&c)
		if c == dcgan.Stable() {
			continue // the ingredient is already so in the stable recipe
		}
		seeds := m.seeds
		if seeds == nil {
			seeds = []int64{1}
		}
		for _, seed := range seeds {
			c.Seed = seed
			rs = append(rs, run{fmt.Sprintf("stable-%s-s%d", m.name, seed), m.about, m.steps, c})
		}
	}
	return rs
}

func main() {
	out := flag.String("out", "models/dcgan/study/results", "directory of the runs (records, logs and samples are committed; checkpoints are not)")
	only := flag.String("runs", "", "comma-separated run names (default: all, in order)")
	tableOnly := flag.Bool("table", false, "only print the table from the existing records")
	list := flag.Bool("list", false, "list the runs and exit")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	all := runs()
	if *list {
		for _, r := range all {
			fmt.Printf("%-22s %5d steps  %s\n", r.Name, r.Steps, r.About)
		}
		return
	}
	selected, err := study.Select(all, *only, func(r run) string { return r.Name })
	if err != nil {
		fail(err)
	}
	if !*tableOnly {
		ctx, stop := kernel.InterruptContext()
		defer stop()
		q, err := dcgan.NewQuality(kernel.Backend(), dcgan.QualityOptions{Cache: filepath.Join(kernel.RunsDir(), "gan-classifier")})
		if err != nil {
			fail(err)
		}
		for _, r := range selected {
			if err := train(ctx, q, *out, r); err != nil {
				fail(err)
			}
			if ctx.Err() != nil {
				fail(errors.New("interrupted: rerun to resume"))
			}
		}
	}
	if err := table(os.Stdout, *out, all); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "study:", err)
	os.Exit(1)
}

// train runs r unless it has a record, and writes the record.
func train(ctx context.Context, q *dcgan.Quality, out string, r run) error {
	sr, err := study.OpenRun(out, r.Name)
	if sr == nil || err != nil {
		return err
	}
	defer sr.Close()
	dir, recPath, w := sr.Dir, sr.Record, sr.Log
	fmt.Fprintf(w, "== %s (%s): %d steps, %+v\n", r.Name, r.About, r.Steps, r.Config)

	var intervals []float64 // wall seconds of each ReportEvery block without an image step
	last := time.Now()
	lastStep := int64(-1)
	var start time.Time // zero when the run resumed
	minutes := map[int64]float64{}
	m, err := dcgan.Train(ctx, kernel.Backend(), r.Config, dcgan.TrainOptions{
		Dir: dir, Steps: r.Steps, Keep: 1, Out: w, ProgressEvery: 30 * time.Second, Quality: q,
		OnStart: func(m *dcgan.GAN) {
			last, lastStep = time.Now(), m.Step
			if m.Step == 0 {
				start = last
			}
		},
		OnReport: func(m *dcgan.GAN, step int64, _, _ float64) {
			now := time.Now()
			n := step - lastStep
			if lastStep >= 0 && n > 0 && (step-n)/int64(r.Config.ImageEvery) == step/int64(r.Config.ImageEvery) {
				intervals = append(intervals, now.Sub(last).Seconds()/float64(n))
			}
			last, lastStep = now, step
		},
		OnImages: func(m *dcgan.GAN, step int64, _, _ *tensors.Tensor, _ *dcgan.Score) {
			last, lastStep = time.Now(), step
			if !start.IsZero() {
				minutes[step] = last.Sub(start).Minutes()
			}
		},
	})
	if err != nil {
		return err
	}
	if m.Step < r.Steps {
		return nil // stopped early: no record, a rerun resumes
	}
	rec := record{Name: r.Name, About: r.About, Config: r.Config, Scores: map[int64]dcgan.Score{},
		StepSec: study.Median(intervals), Load: study.LoadAvg(), Date: time.Now().Format(time.DateOnly)}
	if !start.IsZero() {
		rec.Minutes = minutes
	}
	for i, s := range m.History.QualitySteps {
		rec.Scores[s] = dcgan.Score{FD: m.History.FD[i], Shares: m.History.Shares[i], Spread: at(m.History.Spread, i)}
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(recPath, b, 0o644); err != nil {
		return err
	}
	// Checkpoints are ~20-75 MB: keep the record, the log, the curves and
	// the samples at 1,000 steps and at the end.
	files, _ := filepath.Glob(filepath.Join(dir, "ckpt-*"))
	samples, _ := filepath.Glob(filepath.Join(dir, "samples", "step-*.png"))
	for _, f := range samples {
		if b := filepath.Base(f); b != "step-00001000.png" && b != fmt.Sprintf("step-%08d.png", r.Steps) {
			files = append(files, f)
		}
	}
	for _, f := range append(files, filepath.Join(dir, ".lock")) {
		os.Remove(f)
	}
	return nil
}

func at(x []float64, i int) float64 {
	if i < len(x) {
		return x[i]
	}
	return 0
}

// table prints the markdown table of every run that has a record.
func table(w io.Writer, out string, all []run) error {
	fmt.Fprintln(w, "| run | step | minutes | FD | breakout / airraid / pong | spread | s/step |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---:|---:|")
	for _, r := range all {
		b, err := os.ReadFile(filepath.Join(out, r.Name, "record.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		for _, step := range []int64{500, 1000, 2000} {
			s, ok := rec.Scores[step]
			if !ok {
				continue
			}
			shares := make([]string, len(s.Shares))
			for i, v := range s.Shares {
				shares[i] = fmt.Sprintf("%.0f%%", 100*v)
			}
			minutes := "" // not recorded: a resumed run, or the first study's records
			if m, ok := rec.Minutes[step]; ok {
				minutes = fmt.Sprintf("%.1f", m)
			}
			fmt.Fprintf(w, "| %s | %d | %s | %.3g | %s | %.3f | %.2f |\n", r.Name, step, minutes, s.FD, strings.Join(shares, " / "), s.Spread, rec.StepSec)
		}
	}
	return nil
}
