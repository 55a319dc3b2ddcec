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
// n non-blank frames at native size as DIR/<game>_NNNN.png.
func runFrames(args []string) error {
	fs := flag.NewFlagSet("frames", flag.ContinueOnError)
	game := fs.String("game", "breakout", "game to play: breakout, pong or airraid")
	n := fs.Int("n", 16, "number of frames to write")
	seed := fs.Uint64("seed", 1, "random seed (the same seed writes the same frames)")
	out := fs.String("o", "frames", "directory to write the PNG files into (created if missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *n < 1 {
		return fmt.Errorf("-n %d: want at least 1 frame", *n)
	}
	g, err := atari.NewGame(*game)
	if err != nil {
		return err
	}
	name := g.Name()
	frames, err := atari.RealFrames(name, *n, *seed)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for i, f := range frames {
		path := filepath.Join(*out, fmt.Sprintf("%s_%04d.png", name, i))
		if err := writePNG(path, f); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d %dx%d frames of %s to %s\n", len(frames), frames[0].Width, frames[0].Height, name, *out)
	return nil
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
