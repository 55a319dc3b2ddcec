// Command study trains the DQN presets of models/dqn/README.md's table for a
// fixed wall time each, lets each run's best model play games it never saw,
// and writes the table and the learning curves:
//
//	make dqn-study                       # every run, 20 minutes each, into results-2026-12-01
//	go run ./models/dqn/study            # every run (fast-refnet-s1 too), 45 minutes each, into results
//	go run ./models/dqn/study -runs fast-s2,fast-s3
//	go run ./models/dqn/study -table     # only the table and the curves, from the records
//
// Each run trains in its own directory under -out (checkpoints, train.log)
// for -minutes of wall time in all (an interrupted run resumes and trains
// only what is left), then writes record.json there: the evaluations, the
// minutes to a mean evaluation score above 100, the loop's throughput, and
// the scores of 5 greedy episodes on unseen game seeds (as `arcade play
// -seed 2026 -episodes 5`). A run with a record is never trained again. A run
// uses both cores for its whole budget: run one at a time unless -note says
// how they shared the machine.
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

	"github.com/arcade-go/arcade/internal/atomicfile"
	"github.com/arcade-go/arcade/internal/study"
	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/dqn"
	"github.com/arcade-go/arcade/plots"
)

// Target is the mean score, over greedy episodes, that the study times.
const Target = 100

// run is one training run of the study.
type run struct {
	Name   string
	About  string
	Config dqn.Config
}

// record is what a finished run writes.
type record struct {
	Name    string          `json:"name"`
	About   string          `json:"about"`
	Config  dqn.Config      `json:"config"`
	Minutes float64         `json:"minutes"` // wall time trained
	Evals   []dqn.EvalPoint `json:"evals"`

	// The first evaluation whose mean exceeded Target (Minutes -1: none).
	ToTarget dqn.EvalPoint `json:"to_target"`

	// The best model (by evaluation) playing unseen games.
	UnseenSeed   int64   `json:"unseen_seed"`
	UnseenScores []int   `json:"unseen_scores"`
	UnseenMean   float64 `json:"unseen_mean"`

	StepsPS float64 `json:"steps_ps"` // median environment steps/s of the progress lines after the observation phase
	ItersPS float64 `json:"iters_ps"` // median training iterations/s, the same lines
	Load    string  `json:"load"`     // /proc/loadavg when the record was written
	Note    string  `json:"note"`     // how the run shared the machine (-note)
	Date    string  `json:"date"`
}

// runs lists the study: the fast preset on three seeds, and on seed 1 the
// fast preset with the port's network (what the faster learner buys).
func runs() []run {
	var rs []run
	for _, seed := range []int64{1, 2, 3} {
		c := dqn.Fast()
		c.Seed = seed
		rs = append(rs, run{fmt.Sprintf("fast-s%d", seed), "the fast preset", c})
	}
	c := dqn.Fast()
	c.Net = dqn.NetReference
	rs = append(rs, run{"fast-refnet-s1", "the fast preset with the port's network", c})
	return rs
}

func main() {
	out := flag.String("out", "models/dqn/study/results", "directory of the runs (records, logs and curves are committed; checkpoints are not)")
	only := flag.String("runs", "", "comma-separated run names (default: all, in order)")
	minutes := flag.Float64("minutes", 45, "wall-clock minutes of training per run")
	unseen := flag.Int64("unseen-seed", 2026, "seed of the unseen games the best model plays (as arcade play -seed)")
	note := flag.String("note", "alone on the machine", "how the runs share the machine, kept in the records")
	tableOnly := flag.Bool("table", false, "only write the table and the curves from the existing records")
	list := flag.Bool("list", false, "list the runs and exit")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if *minutes <= 0 {
		fail(fmt.Errorf("-minutes %g: want > 0", *minutes))
	}
	all := runs()
	if *list {
		for _, r := range all {
			fmt.Printf("%-16s %s\n", r.Name, r.About)
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
		for _, r := range selected {
			if err := train(ctx, *out, r, *minutes, *unseen, *note); err != nil {
				fail(fmt.Errorf("%s: %w", r.Name, err))
			}
			if ctx.Err() != nil {
				fail(errors.New("interrupted: rerun to resume"))
			}
		}
	}
	recs, err := readRecords(*out, all)
	if err != nil {
		fail(err)
	}
	table(os.Stdout, recs)
	if err := writeCurves(*out, recs); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "study:", err)
	os.Exit(1)
}

// train runs r for what is left of its budget unless it has a record, then
// lets its best model play unseen games and writes the record.
func train(ctx context.Context, out string, r run, minutes float64, unseenSeed int64, note string) error {
	sr, err := study.OpenRun(out, r.Name)
	if sr == nil || err != nil {
		return err
	}
	defer sr.Close()
	dir, recPath, w := sr.Dir, sr.Record, sr.Log

	trained := 0.0
	if h, _, err := dqn.ReadHistory(dir); err == nil && len(h.Reports) > 0 {
		trained = h.Reports[len(h.Reports)-1].Minutes
	}
	if left := minutes - trained; left > 0.05 {
		fmt.Fprintf(w, "== %s (%s): %.1f of %.0f minutes left, %+v\n", r.Name, r.About, left, minutes, r.Config)
		_, err := dqn.Train(ctx, kernel.Backend(), r.Config, dqn.TrainOptions{
			Dir: dir, Steps: 1_000_000_000, Budget: time.Duration(left * float64(time.Minute)), Out: w, ReportEvery: 30 * time.Second,
		})
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil // interrupted: saved, no record; a rerun resumes
		}
	}
	h, cfg, err := dqn.ReadHistory(dir)
	if err != nil {
		return err
	}
	rec := record{Name: r.Name, About: r.About, Config: cfg, Evals: h.Evals, ToTarget: dqn.EvalPoint{Minutes: -1},
		UnseenSeed: unseenSeed, Load: study.LoadAvg(), Note: note, Date: time.Now().Format(time.DateOnly)}
	if n := len(h.Reports); n > 0 {
		rec.Minutes = h.Reports[n-1].Minutes
	}
	for _, e := range h.Evals {
		if e.MeanScore > Target {
			rec.ToTarget = e
			break
		}
	}
	var sps, ips []float64
	for _, rp := range h.Reports {
		if rp.Iters > 0 && rp.ItersPS > 0 {
			sps, ips = append(sps, rp.StepsPS), append(ips, rp.ItersPS)
		}
	}
	rec.StepsPS, rec.ItersPS = study.Median(sps), study.Median(ips)

	p, path, err := dqn.LoadPolicy(kernel.Backend(), dir, "best")
	if err != nil {
		return err
	}
	eps, _, err := dqn.Play(p, dqn.PlayOptions{Episodes: 5, MaxPipes: 1000, Seed: unseenSeed})
	if err != nil {
		return err
	}
	for _, e := range eps {
		rec.UnseenScores = append(rec.UnseenScores, e.Score)
		rec.UnseenMean += float64(e.Score) / float64(len(eps))
	}
	fmt.Fprintf(w, "%s: %s on unseen games (seed %d): scores %v, mean %.1f\n", r.Name, kernel.ShortPath(path), unseenSeed, rec.UnseenScores, rec.UnseenMean)

	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(recPath, b, 0o644)
}

// readRecords reads the record of every run that has one, in the study's order.
func readRecords(out string, all []run) ([]record, error) {
	var recs []record
	for _, r := range all {
		b, err := os.ReadFile(filepath.Join(out, r.Name, "record.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// table prints the markdown table of the records.
func table(w io.Writer, recs []record) {
	fmt.Fprintf(w, "| run | network | minutes to a mean of %d | steps / iterations then | best evaluation (minute) | unseen games: mean (scores) | steps/s | it/s | load at the end, sharing |\n", Target)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---|---:|---:|---|")
	for _, r := range recs {
		to, there := "not in "+fmt.Sprintf("%.0f", r.Minutes), "-"
		if r.ToTarget.Minutes >= 0 {
			to = fmt.Sprintf("%.1f", r.ToTarget.Minutes)
			there = fmt.Sprintf("%d / %d", r.ToTarget.EnvSteps, r.ToTarget.Iters)
		}
		best := dqn.EvalPoint{MeanScore: -1}
		for _, e := range r.Evals {
			if e.MeanScore > best.MeanScore {
				best = e
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.1f (%.0f) | %.1f (%s) | %.0f | %.2f | %s, %s |\n",
			r.Name, r.Config.Net, to, there, best.MeanScore, best.Minutes, r.UnseenMean, ints(r.UnseenScores),
			r.StepsPS, r.ItersPS, r.Load, r.Note)
	}
}

func ints(x []int) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, " ")
}

// writeCurves writes the learning curves of the records, mean evaluation
// score against minutes and against environment steps, as curves-minutes.png
// and curves-steps.png in out.
func writeCurves(out string, recs []record) error {
	if len(recs) == 0 {
		return nil
	}
	byTime := plots.Curves{Title: "DQN: mean greedy evaluation score", XLabel: "minutes of training (2 cores)", YLabel: "score (pipes)"}
	bySteps := plots.Curves{Title: "DQN: mean greedy evaluation score", XLabel: "environment steps (decisions, all games)", YLabel: "score (pipes)"}
	var lastMinute, lastStep float64
	for _, r := range recs {
		for _, e := range r.Evals {
			byTime.Add(r.Name, e.Minutes, e.MeanScore)
			bySteps.Add(r.Name, float64(e.EnvSteps), e.MeanScore)
			lastMinute, lastStep = max(lastMinute, e.Minutes), max(lastStep, float64(e.EnvSteps))
		}
	}
	target := fmt.Sprintf("a mean of %d", Target)
	byTime.Add(target, 0, Target)
	byTime.Add(target, lastMinute, Target)
	bySteps.Add(target, 0, Target)
	bySteps.Add(target, lastStep, Target)
	for name, c := range map[string]plots.Curves{"curves-minutes.png": byTime, "curves-steps.png": bySteps} {
		b, err := c.PNG(800, 450)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
