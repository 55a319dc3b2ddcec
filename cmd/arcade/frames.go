package main

import (
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/arcade-go/arcade/envs/atari"
)

func init() {
	register("frames", "write PNG frames of an Atari remake played with random actions", runFrames)
}

// runFrames plays a game with random actions (Gym -v0 semantics) and writes
// n non-blank frames at native size as DIR/<game>_NNNN.png, each as soon as
// it is played: memory does not grow with n.
func runFrames(args []string) error {
	fs := flag.NewFlagSet("frames", flag.ContinueOnError)
	game := fs.String("game", "breakout", "game to play: breakout, pong or airraid")
	n := fs.Int("n", 16, "number of frames to write")
	seed := fs.Uint64("seed", 1, "random seed (the same seed writes the same frames)")
	out := fs.String("o", "frames", "directory to write the PNG files into (created if missing)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var bad flagErrors
	bad.check(*n >= 1, "-n %d: want at least 1 frame", *n)
	bad.check(*out != "", "-o: want a directory")
	if err := bad.err(); err != nil {
		return err
	}
	g, err := atari.NewGame(*game)
	if err != nil {
		return usagef("-game: %v", err)
	}
	name := g.Name()
	next, err := atari.NewFrameSource(name, *seed)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	w, h, err := writeFrames(*out, name, *n, next)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d %dx%d frames of %s to %s\n", *n, w, h, name, *out)
	return nil
}

// writeFrames writes n frames from next as dir/<name>_NNNN.png, one at a
// time, and returns the frames' size.
func writeFrames(dir, name string, n int, next func() *atari.Frame) (w, h int, err error) {
	for i := range n {
		f := next()
		w, h = f.Width, f.Height
		if err := writePNG(filepath.Join(dir, fmt.Sprintf("%s_%04d.png", name, i)), f); err != nil {
			return w, h, err
		}
	}
	return w, h, nil
}

func writePNG(path string, f *atari.Frame) error {
	w, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(w, f.Image()); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
