package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/envs/atari"
	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/ckpt"
	"github.com/arcade-go/arcade/models/dcgan"
)

func TestUnknownCommandNamesTheWord(t *testing.T) {
	for args, want := range map[string]string{
		"bogus":     `unknown command "bogus"`,
		"train foo": `unknown command "train foo" (train takes: dqn, gan)`,
		"train":     `"train" needs one of: dqn, gan`,
	} {
		if got := unknown(strings.Fields(args)); got != want {
			t.Errorf("arcade %s: %q, want %q", args, got, want)
		}
	}
}

func TestExitStatusAndMessages(t *testing.T) {
	var w bytes.Buffer
	err := playDQN(nil)
	if code := report("play", err, &w); code != 2 || !strings.Contains(w.String(), "-dir is required") {
		t.Errorf("play without -dir: status %d, output %q", code, w.String())
	}
	w.Reset()
	if code := report("train gan", errInterrupted, &w); code != 130 || !strings.Contains(w.String(), "interrupted") {
		t.Errorf("interrupted run: status %d, output %q", code, w.String())
	}
	if code := report("x", errors.New("boom"), &w); code != 1 {
		t.Errorf("plain error: status %d", code)
	}
}

// TestFlagsCheckedBeforeWork: bad values are refused at once, each named,
// before any directory is made or model built; stray arguments too.
func TestFlagsCheckedBeforeWork(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cases := []struct {
		run  func([]string) error
		args []string
		want []string
	}{
		{trainGAN, []string{"-dir", dir, "-keep", "-3", "-save-every", "-1s", "-steps", "-5"}, []string{"-keep -3", "-save-every -1s", "-steps -5"}},
		{trainGAN, []string{"-dir", dir, "-batch", "0", "-lr", "-1"}, []string{"-batch 0", "-lr -1"}},
		{trainGAN, []string{"-dir", dir, "foo"}, []string{`unexpected argument "foo"`}},
		{trainDQN, []string{"-dir", dir, "-games", "-3", "-frameskip", "-1", "-ratio", "-7", "-steps", "0"}, []string{"-games -3", "-frameskip -1", "-ratio -7", "-steps 0"}},
		{trainDQN, []string{"-dir", dir, "extra"}, []string{`unexpected argument "extra"`}},
		{playDQN, []string{"-dir", dir, "-episodes", "0", "-model", "worst"}, []string{"-episodes 0", `-model "worst"`}},
		{sampleGAN, []string{"-dir", dir, "-n", "100000", "-o", "x.png"}, []string{"-n 100000: a .png grid holds at most 1024", ".safetensors"}},
		{sampleGAN, []string{"-dir", dir, "-o", "x.jpg"}, []string{"-o x.jpg"}},
		{importGAN, []string{"-dir", dir, "-step", "-4"}, []string{"-step -4"}},
		{runFrames, []string{"-o", dir, "-n", "-2"}, []string{"-n -2"}},
	}
	for _, c := range cases {
		err := c.run(c.args)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", c.args, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %q does not name %q", c.args, err, w)
			}
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a refused command created %s", dir)
	}
}

func TestTrainRefusesReadOnlyDirFirst(t *testing.T) {
	dir := "/proc" // not writable, even for root
	if os.Geteuid() != 0 {
		dir = t.TempDir()
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
	}
	err := trainGAN([]string{"-dir", dir, "-steps", "1", "-quality=false"})
	if err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("err = %v, want a 'not writable' error before training", err)
	}
}

// tinyGANFlags makes the GAN commands use a small network.
var tinyGANFlags = []string{"-gen-filters", "4", "-discr-filters", "4", "-latent", "8"}

func tinyGAN(t *testing.T) (*dcgan.GAN, dcgan.Config) {
	t.Helper()
	cfg := dcgan.DefaultConfig()
	cfg.GenFilters, cfg.DiscrFilters, cfg.LatentSize = 4, 4, 8
	m, err := dcgan.New(kernel.Backend(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, cfg
}

// TestImportIsTheNewest: importing into a directory whose run is at step 9
// writes step 10 (kept by pruning, used by sample); an explicit older
// -step is refused.
func TestImportIsTheNewest(t *testing.T) {
	m, cfg := tinyGAN(t)
	dir, exp := t.TempDir(), t.TempDir()
	d, err := ckpt.OpenWriter(dir, cfg.Identity(), 0)
	if err != nil {
		t.Fatal(err)
	}
	m.Step = 9
	if _, err := m.Save(d); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := m.Export(exp); err != nil {
		t.Fatal(err)
	}
	if err := importGAN(append([]string{"-dir", dir, "-i", exp}, tinyGANFlags...)); err != nil {
		t.Fatal(err)
	}
	files, _ := (func() ([]string, error) { r, _ := ckpt.Open(dir, cfg.Identity(), 0); return r.List() })()
	if len(files) != 2 || filepath.Base(files[0]) != ckpt.FileName(10) {
		t.Fatalf("checkpoints after import: %v, want step 10 newest and step 9 kept", files)
	}
	err = importGAN(append([]string{"-dir", dir, "-i", exp, "-step", "3"}, tinyGANFlags...))
	if err == nil || !strings.Contains(err.Error(), "already holds step 10") {
		t.Fatalf("-step 3 into a run at step 10: %v", err)
	}

	// sample streams a .safetensors of more samples than one batch.
	out := filepath.Join(t.TempDir(), "s.safetensors")
	n := dcgan.SampleBatch + 5
	if err := sampleGAN(append([]string{"-dir", dir, "-n", fmt.Sprint(n), "-o", out, "-seed", "3"}, tinyGANFlags...)); err != nil {
		t.Fatal(err)
	}
	got, err := dcgan.ReadSafetensors(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := got["images"].Shape().Dimensions; d[0] != n || d[1] != 3 {
		t.Errorf("images %v, want [%d 3 64 64]", d, n)
	}
	want := tensors.MustCopyFlatData[float32](dcgan.FixedNoise(n, cfg.LatentSize, 3))
	if z := tensors.MustCopyFlatData[float32](got["z"]); len(z) != len(want) || z[len(z)-1] != want[len(want)-1] {
		t.Errorf("z is not FixedNoise(%d, 8, 3)", n)
	}
}

// TestFramesWrittenAsTheyCome: each frame is on disk before the next is
// played, so memory does not grow with -n.
func TestFramesWrittenAsTheyCome(t *testing.T) {
	dir := t.TempDir()
	src, err := atari.NewFrameSource("pong", 1)
	if err != nil {
		t.Fatal(err)
	}
	played := 0
	next := func() *atari.Frame {
		if played > 0 {
			if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("pong_%04d.png", played-1))); err != nil {
				t.Fatalf("frame %d played before frame %d was written", played, played-1)
			}
		}
		played++
		return src()
	}
	if _, _, err := writeFrames(dir, "pong", 5, next); err != nil {
		t.Fatal(err)
	}
	if played != 5 {
		t.Errorf("played %d frames, want 5", played)
	}
}
