package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFramesCommand(t *testing.T) {
	dir := t.TempDir()
	if err := runFrames([]string{"-game", "airraid", "-n", "3", "-seed", "2", "-o", dir}); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "airraid_*.png"))
	if len(paths) != 3 {
		t.Fatalf("wrote %d files, want 3", len(paths))
	}
	first, _ := os.ReadFile(paths[0])
	img, err := png.Decode(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 250 {
		t.Errorf("frame is %dx%d, want 160x250", b.Dx(), b.Dy())
	}
	// The same seed writes the same frames.
	dir2 := t.TempDir()
	if err := runFrames([]string{"-game", "airraid", "-n", "1", "-seed", "2", "-o", dir2}); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(dir2, "airraid_0000.png"))
	if !bytes.Equal(first, again) {
		t.Errorf("seed 2 wrote a different first frame the second time")
	}
	err = runFrames([]string{"-game", "galaga", "-o", t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "airraid, breakout, pong") {
		t.Errorf("-game galaga: err = %v, want one listing the valid names", err)
	}
	if err := runFrames([]string{"-n", "0", "-o", t.TempDir()}); err == nil {
		t.Errorf("-n 0 accepted")
	}
}
