// Command flappytrace plays Flappy Bird from a list of actions and prints the
// game's state after every step, to compare the physics with the reference
// game's.
//
//	go run ./envs/flappy/cmd/flappytrace -seed 1 < actions
//
// The input has one action per line: 0 (do nothing) or 1 (flap). The output
// has one JSON object per step with the fields action, bird_y, bird_vy,
// score, reward, done and pipes (left to right, each with x and gap_y, the y
// of the gap's top edge). A step with done reports the state at the crash;
// the next step starts a new episode. Numbers are as the game holds them (the
// ground clamp makes bird_y fractional, e.g. 380.48).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/arcade-go/arcade/envs/flappy"
)

// record is one line of output.
type record struct {
	Action int           `json:"action"`
	BirdY  float64       `json:"bird_y"`
	BirdVY int           `json:"bird_vy"`
	Score  int           `json:"score"`
	Reward float64       `json:"reward"`
	Done   bool          `json:"done"`
	Pipes  []flappy.Pipe `json:"pipes"`
}

func main() {
	fs := flag.NewFlagSet("flappytrace", flag.ContinueOnError)
	seed := fs.Int64("seed", 0, "seed of the game's random generator (an integer)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: flappytrace [-seed S] < actions\n\nReads one action per line (0 or 1) and prints one JSON object per step.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "flappytrace: unexpected arguments %q (actions are read from stdin)\n", fs.Args())
		os.Exit(2)
	}
	if err := trace(*seed, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "flappytrace: %v\n", err)
		os.Exit(1)
	}
}

// trace plays the actions read from r on a game seeded with seed and writes
// one JSON line per step to w. A line other than 0 or 1 stops it with an
// error naming the line (the steps before it are written).
func trace(seed int64, r io.Reader, w io.Writer) error {
	g := flappy.New(seed)
	out := bufio.NewWriter(w)
	defer out.Flush()
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		var action int
		switch text {
		case "0":
			action = 0
		case "1":
			action = 1
		default:
			return fmt.Errorf("line %d: want an action 0 or 1, got %q", line, sc.Text())
		}
		reward, done := g.Advance(action == 1)
		s := g.State()
		if err := enc.Encode(record{
			Action: action, BirdY: s.BirdY, BirdVY: s.BirdVY, Score: s.Score,
			Reward: reward, Done: done, Pipes: s.Pipes,
		}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading actions: %w", err)
	}
	return nil
}
