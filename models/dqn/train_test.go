package dqn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcade-go/arcade/envs/flappy"
	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/ckpt"
)

// tinyConfig is a configuration small enough for a unit test.
func tinyConfig() Config {
	c := Fast()
	c.BatchSize = 4
	c.ReplaySize = 200
	c.Observe = 16
	c.Games = 2
	c.StepsPerUpdate = 4
	c.TargetSync = 2
	c.EvalEvery = 24
	c.EvalEpisodes = 2
	c.EvalMaxPipes = 1
	return c
}

func TestTrainResumesAndRefusesOtherConfigs(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig()
	var out bytes.Buffer
	h, err := Train(context.Background(), kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 32, Out: &out, SaveReplay: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(h.Evals) == 0 {
		t.Fatalf("no evaluation ran:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, BestDir)); err != nil {
		t.Fatalf("no best model saved: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ckpt-*.ckpt"))
	if len(files) != 1 {
		t.Fatalf("checkpoints: %v", files)
	}
	hist, saved, err := ReadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if saved != cfg || len(hist.Evals) != len(h.Evals) {
		t.Fatalf("history/config not saved: %+v", saved)
	}

	// Resume: the step count continues from the checkpoint.
	out.Reset()
	if _, err := Train(context.Background(), kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 48, Out: &out, SaveReplay: true}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "resuming") || !strings.Contains(out.String(), "restored") {
		t.Fatalf("did not resume with the replay memory:\n%s", out.String())
	}
	f, err := ckpt.ReadHeader(mustNewest(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if f.Step < 2 {
		t.Fatalf("newest checkpoint at iteration %d", f.Step)
	}

	// Resume without the replay memory: the actor refills it before the
	// learner trains (this deadlocked once).
	out.Reset()
	if _, err := Train(context.Background(), kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 64, Out: &out}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if h2, _, err := ReadHistory(dir); err != nil || h2.Reports[len(h2.Reports)-1].EnvSteps < 64 {
		t.Fatalf("resume without replay stopped early: %v\n%s", err, out.String())
	}

	// Another preset in the same directory is refused, and nothing is lost.
	other := cfg
	other.Gamma = 0.9
	_, err = Train(context.Background(), kernel.Backend(), other, TrainOptions{Dir: dir, Steps: 64, Out: &out})
	if err == nil || !strings.Contains(err.Error(), "Gamma") {
		t.Fatalf("other hyperparameters: %v", err)
	}
	other = cfg
	other.Net = NetReference
	_, err = Train(context.Background(), kernel.Backend(), other, TrainOptions{Dir: dir, Steps: 64, Out: &out})
	if err == nil || !strings.Contains(err.Error(), "Net: saved small, now reference") {
		t.Fatalf("other network: %v", err)
	}

	// The trained policy loads and plays.
	p, _, err := LoadPolicy(kernel.Backend(), dir, "latest")
	if err != nil {
		t.Fatal(err)
	}
	if p.FrameSkip != cfg.FrameSkip || p.Net != NetSmall {
		t.Fatalf("policy frame skip %d, network %q, want the run's %d, %q", p.FrameSkip, p.Net, cfg.FrameSkip, NetSmall)
	}
	stats, frames, err := Play(p, PlayOptions{Episodes: 1, MaxPipes: 1, GIFFrames: 3})
	if err != nil || len(stats) != 1 || len(frames) != 3 || frames[0].Bounds().Dx() != 288 || frames[0].Bounds().Dy() != 512 {
		t.Fatalf("Play: %v %v %d", err, stats, len(frames))
	}
	best, _, err := LoadPolicy(kernel.Backend(), dir, "best")
	if err != nil {
		t.Fatal(err)
	}
	if best.FrameSkip != cfg.FrameSkip || best.Net != NetSmall {
		t.Fatalf("best model's frame skip %d, network %q, want the run's %d, %q", best.FrameSkip, best.Net, cfg.FrameSkip, NetSmall)
	}
	// A policy file read as the other network is refused with an error.
	wrong, err := NewPolicy(kernel.Backend(), best.loaded, NetReference, 1)
	if err == nil {
		_, err = wrong.Q(make([]float32, flappy.ObservationSize), 1)
	}
	t.Logf("small-network weights as the reference network: %v", err)
	if err == nil {
		t.Fatal("small-network weights played as the reference network: no error")
	}
}

func mustNewest(t *testing.T, dir string) string {
	files, err := listRun(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("no checkpoint: %v", err)
	}
	return files[0]
}

func TestCorruptCheckpointIsReported(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ckpt.FileName(7)), []byte("ARCKPT01garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadPolicy(kernel.Backend(), dir, "latest")
	if err == nil {
		t.Fatal("corrupt checkpoint loaded")
	}
	if _, err := os.Stat(filepath.Join(dir, ckpt.FileName(7))); err != nil {
		t.Fatal("corrupt checkpoint was deleted")
	}
	_, _, err = LoadPolicy(kernel.Backend(), filepath.Join(dir, "nope"), "best")
	if err == nil || errors.Is(err, nil) {
		t.Fatal("missing directory accepted")
	}
	if _, err := Train(context.Background(), kernel.Backend(), Config{}, TrainOptions{Dir: dir, Steps: 1}); err == nil {
		t.Fatal("zero config accepted")
	}
}

func TestReportJSONKeepsNaN(t *testing.T) {
	r := Report{EnvSteps: 5, Loss: math.NaN(), MeanQ: 1.5, MeanScore: math.NaN(), StepsPS: math.Inf(1)}
	b, err := json.Marshal(History{Reports: []Report{r}})
	if err != nil {
		t.Fatal(err)
	}
	var h History
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	got := h.Reports[0]
	if got.EnvSteps != 5 || !math.IsNaN(got.Loss) || got.MeanQ != 1.5 || !math.IsNaN(got.MeanScore) || got.StepsPS != 0 {
		t.Fatalf("round trip: %+v from %s", got, b)
	}
}

// TestBenchmarkRuns runs Benchmark briefly on a tiny config: its concurrent
// measurement is the package's one goroutine (go test -race covers it).
func TestBenchmarkRuns(t *testing.T) {
	cfg := tinyConfig()
	got, err := Benchmark(kernel.Backend(), cfg, 300*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ActorAlone <= 0 || got.LearnerAlone <= 0 || got.SeqSteps <= 0 || got.SeqIters <= 0 || got.ConcSteps <= 0 {
		t.Fatalf("%+v", got)
	}
}

// TestInterruptSavesAndRerunResumes cancels a run mid-way (as an interrupt
// does): it saves, and the rerun continues from there.
func TestInterruptSavesAndRerunResumes(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig()
	cfg.EvalEvery = 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	_, err := Train(ctx, kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: 1000, Out: &out, ReportEvery: time.Nanosecond,
		OnReport: func(r Report) {
			if r.Iters >= 2 {
				cancel()
			}
		}})
	if err != nil || !strings.Contains(out.String(), "(interrupted)") {
		t.Fatalf("%v\n%s", err, out.String())
	}
	h, _, err := ReadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := h.Reports[len(h.Reports)-1].EnvSteps
	if at <= 0 || at >= 1000 {
		t.Fatalf("interrupted at %d steps", at)
	}
	out.Reset()
	if _, err := Train(context.Background(), kernel.Backend(), cfg, TrainOptions{Dir: dir, Steps: at + 8, Out: &out}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "resuming") || !strings.Contains(out.String(), fmt.Sprintf("at %d environment steps", at)) {
		t.Fatalf("rerun did not resume at %d steps:\n%s", at, out.String())
	}
}
