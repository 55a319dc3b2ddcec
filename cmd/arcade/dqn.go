package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/dqn"
	"github.com/arcade-go/arcade/plots"
)

func init() {
	register("train dqn", "train the Flappy Bird DQN (resumes from -dir)", trainDQN)
	register("play", "let a trained Flappy Bird DQN play; prints scores, writes a GIF", playDQN)
}

func trainDQN(args []string) error {
	fs := flag.NewFlagSet("train dqn", flag.ContinueOnError)
	dir := fs.String("dir", "", "checkpoint directory (default: runs/dqn-<preset>); a rerun resumes from it")
	steps := fs.Int64("steps", 200000, "environment steps (decisions, all games together) to reach, counting earlier runs")
	preset := fs.String("preset", "reference", "hyperparameters: reference (the OneFlow port), yenchenlin (epsilon 0.1->0.0001 over 3M steps) or fast")
	double := fs.Bool("double", false, "Double DQN (overrides the preset)")
	net := fs.String("net", "", "Q-network: reference (the port's) or small (strided, ~3x faster to train); default: the preset's")
	games := fs.Int("games", 0, "games played side by side (0: the preset's)")
	skip := fs.Int("frameskip", 0, "game frames per decision (0: the preset's)")
	ratio := fs.Float64("ratio", -1, "environment steps per training iteration (0: one per decision of the games; -1: the preset's)")
	seed := fs.Int64("seed", 0, "seed (0: the preset's)")
	saveEvery := fs.Duration("save-every", 3*time.Minute, "wall time between checkpoints")
	budget := fs.Duration("budget", 0, "stop after this wall time (default: $ARCADE_BUDGET, else none)")
	saveReplay := fs.Bool("save-replay", false, "also checkpoint the replay memory (~35 MB)")
	bench := fs.Duration("bench", 0, "instead of training, measure actor and learner alone, then the training loop sequential and concurrent, this long each")
	if err := parse(fs, args); err != nil {
		return err
	}
	var bad flagErrors
	bad.check(*steps >= 1, "-steps %d: want at least 1", *steps)
	bad.check(*games >= 0, "-games %d: want at least 1 (or 0 for the preset's)", *games)
	bad.check(*skip >= 0, "-frameskip %d: want at least 1 (or 0 for the preset's)", *skip)
	bad.check(*ratio >= 0 || *ratio == -1, "-ratio %g: want >= 0 (or -1 for the preset's)", *ratio)
	bad.check(*saveEvery > 0, "-save-every %s: want a positive duration", *saveEvery)
	bad.check(*budget >= 0, "-budget %s: want a positive duration (or 0 for none)", *budget)
	bad.check(*bench >= 0, "-bench %s: want a positive duration (or 0 to train)", *bench)
	cfg, err := dqn.Preset(*preset)
	if err != nil {
		bad.check(false, "-preset: %v", err)
	}
	if err := bad.err(); err != nil {
		return err
	}
	if *double {
		cfg.DoubleDQN = true
	}
	if *net != "" {
		cfg.Net = *net
	}
	if *games > 0 {
		cfg.Games = *games
	}
	if *skip > 0 {
		cfg.FrameSkip = *skip
	}
	if *ratio >= 0 {
		cfg.StepsPerUpdate = *ratio
	}
	if *seed != 0 {
		cfg.Seed = *seed
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *bench > 0 {
		r, err := dqn.Benchmark(kernel.Backend(), cfg, *bench, os.Stdout)
		if err != nil {
			return err
		}
		fmt.Println(r)
		return nil
	}
	if *dir == "" {
		*dir = filepath.Join(kernel.RunsDir(), "dqn-"+cfg.Name)
	}
	if *budget == 0 {
		if b, ok := kernel.Budget(); ok {
			*budget = b
		}
	}
	ctx, cancel := kernel.InterruptContext()
	defer cancel()
	_, err = dqn.Train(ctx, kernel.Backend(), cfg, dqn.TrainOptions{
		Dir: *dir, Steps: *steps, SaveEvery: *saveEvery, Budget: *budget, SaveReplay: *saveReplay,
	})
	if err == nil && ctx.Err() != nil { // Ctrl-C: saved, but say so in the exit status
		return errInterrupted
	}
	return err
}

func playDQN(args []string) error {
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	dir := fs.String("dir", "", "run directory written by 'arcade train dqn' (required)")
	which := fs.String("model", "best", "best (the best evaluated model, else the latest) or latest")
	episodes := fs.Int("episodes", 3, "episodes to play")
	maxPipes := fs.Int("max-pipes", 1000, "end an episode after this many pipes")
	gifPath := fs.String("gif", "", "write an animated GIF (288x512, score drawn) of the first episodes here")
	gifFrames := fs.Int("gif-frames", 900, "at most this many GIF frames (15 per second of play)")
	seed := fs.Int64("seed", 12345, "seed of the games")
	if err := parse(fs, args); err != nil {
		return err
	}
	var bad flagErrors
	bad.check(*dir != "", "-dir is required (a directory written by 'arcade train dqn')")
	bad.check(*which == "best" || *which == "latest", "-model %q: want best or latest", *which)
	bad.check(*episodes >= 1, "-episodes %d: want at least 1", *episodes)
	bad.check(*maxPipes >= 1, "-max-pipes %d: want at least 1", *maxPipes)
	bad.check(*gifFrames >= 1, "-gif-frames %d: want at least 1", *gifFrames)
	if err := bad.err(); err != nil {
		return err
	}
	p, path, err := dqn.LoadPolicy(kernel.Backend(), *dir, *which)
	if err != nil && *which == "best" { // an unusable best/: the latest, as -model's help says
		if p2, path2, lerr := dqn.LoadPolicy(kernel.Backend(), *dir, "latest"); lerr == nil {
			fmt.Fprintf(os.Stderr, "warning: the best model is unusable (%v); playing the latest checkpoint\n", err)
			p, path, err = p2, path2, nil
		}
	}
	if err != nil {
		return err
	}
	fmt.Printf("playing %s\n", path)
	nGIF := 0
	if *gifPath != "" {
		nGIF = *gifFrames
	}
	stats, frames, err := dqn.Play(p, dqn.PlayOptions{
		Episodes: *episodes, MaxPipes: *maxPipes, Seed: *seed, GIFFrames: nGIF,
	})
	if err != nil {
		return err
	}
	total := 0
	for i, s := range stats {
		fmt.Printf("episode %d: score %d (%d frames)\n", i+1, s.Score, s.Steps)
		total += s.Score
	}
	fmt.Printf("mean score %.1f over %d episodes\n", float64(total)/float64(len(stats)), len(stats))
	if *gifPath != "" {
		data, err := plots.GIF(frames, 66*time.Millisecond)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*gifPath, data, 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s (%d frames)\n", *gifPath, len(frames))
	}
	return nil
}
