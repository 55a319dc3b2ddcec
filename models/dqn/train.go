package dqn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/arcade-go/arcade/envs/flappy"
	"github.com/arcade-go/arcade/internal/atomicfile"
	"github.com/arcade-go/arcade/models/ckpt"
)

// networkParams fix the Q-network's shapes: what a checkpoint is checked against.
var networkParams = map[string]any{"frames": flappy.StackSize, "side": flappy.FrameSize, "actions": NumActions}

// RunIdentity is the checkpoint identity of a DQN training run.
var RunIdentity = ckpt.Identity{Model: "dqn", Params: networkParams}

// replayFile is the replay memory's file in a run's directory (optional).
const replayFile = "replay.bin"

// TrainOptions says how long to train and where to keep the run.
type TrainOptions struct {
	Dir         string          // checkpoint directory; a rerun resumes from it
	Steps       int64           // environment steps (decisions, all games together) to reach, counting earlier runs
	SaveEvery   time.Duration   // wall time between checkpoints (default 3 minutes)
	Budget      time.Duration   // stop after this wall time (0: no limit), e.g. kernel.Budget()
	ReportEvery time.Duration   // wall time between progress lines (default 10 s)
	SaveReplay  bool            // also save the replay memory (~35 MB for 50,000 transitions) and restore it on resume
	Out         io.Writer       // progress lines (default stdout)
	OnReport    func(Report)    // called after each progress line (live plots)
	OnEval      func(EvalPoint) // called after each evaluation
}

// trainState is the checkpoint's extra state.
type trainState struct {
	Config    Config     `json:"config"`
	Actor     actorState `json:"actor"`
	Iters     int64      `json:"iters"`
	Episodes  int64      `json:"episodes"`
	Seconds   float64    `json:"seconds"` // wall time of all earlier runs
	Rounds    int64      `json:"rounds"`  // runs started
	SampleRNG []byte     `json:"sample_rng"`
	NextEval  int64      `json:"next_eval"` // environment steps of the next evaluation
	Recent    []int      `json:"recent"`    // scores of the last training episodes
	History   History    `json:"history"`
}

// Train runs (or resumes) a DQN training run in opt.Dir until opt.Steps
// environment steps, the budget, or ctx's cancellation (an interrupt), and
// checkpoints it every opt.SaveEvery and at the end. It returns the run's
// history.
//
// The loop is CleanRL's dqn.py: act in every game and store the
// transitions; every StepsPerUpdate environment steps sample a batch and take
// a training step, copying the online network to the target every
// TargetSync iterations; evaluate every EvalEvery steps; report and save on
// timers. All in one goroutine: on 2 cores, acting and learning in turn was
// faster than an actor playing beside the learner at the same replay ratio
// (both use both cores; see Benchmark and models/dqn/README.md).
func Train(ctx context.Context, backend compute.Backend, cfg Config, opt TrainOptions) (*History, error) {
	t, err := newTrainer(backend, cfg, &opt)
	if err != nil {
		return nil, err
	}
	defer t.dir.Close()
	if t.st.Actor.Steps >= opt.Steps {
		fmt.Fprintf(opt.Out, "dqn: already at %d of %d environment steps\n", t.st.Actor.Steps, opt.Steps)
		return &t.st.History, nil
	}
	run := ckpt.NewRun(ctx, ckpt.RunOptions{SaveEvery: opt.SaveEvery, Budget: opt.Budget, ReportEvery: opt.ReportEvery, Out: opt.Out})
	var loopErr error
	for !run.Done() && t.actor.Steps() < opt.Steps {
		// Act: one epsilon-greedy decision in every game; the transitions go
		// into the replay memory.
		episodes, err := t.actor.Step()
		if err != nil {
			loopErr = err
			break
		}
		t.record(episodes)

		// Learn: sample a batch and take a training step, once per
		// StepsPerUpdate environment steps when the memory holds enough;
		// every TargetSync iterations the online network is copied to the
		// target, with which the actor plays (as the reference).
		for loopErr == nil && t.learnDue() {
			var synced bool
			if synced, loopErr = t.learn(); synced && loopErr == nil {
				loopErr = t.syncActor()
			}
		}
		if loopErr != nil {
			break
		}

		// Evaluate the online network with greedy episodes every EvalEvery steps.
		if cfg.EvalEvery > 0 && t.actor.Steps() >= t.st.NextEval {
			if err := t.evaluate(run.Done); err != nil && !errors.Is(err, errStopped) {
				loopErr = err
				break
			}
		}

		t.report(false)
		if run.SaveDue() {
			if err := t.save(); err != nil {
				loopErr = err
				break
			}
		}
	}
	t.report(true)
	if err := t.save(); err != nil {
		return &t.st.History, errors.Join(loopErr, err)
	}
	why := run.StopReason()
	if why == "" {
		why = "done"
	}
	fmt.Fprintf(opt.Out, "dqn: checkpoint saved at %d environment steps, %d iterations (%s)\n", t.st.Actor.Steps, t.st.Iters, why)
	return &t.st.History, loopErr
}

// trainer is Train's state: the pieces of the algorithm and the
// bookkeeping around them (progress, evaluations, checkpoints).
type trainer struct {
	cfg        Config
	opt        *TrainOptions
	dir        *ckpt.Dir
	st         trainState
	learner    *Learner
	replay     *Replay
	actor      *Actor
	evalPolicy *Policy
	batch      *Batch
	samplePCG  *rand.PCG
	sampleRNG  *rand.Rand
	warmLen    int // transitions the memory must hold before training

	start                time.Time // of this run
	lastReport           time.Time
	lastSteps, lastIters int64
	lossSum, qSum        float64
	lossN                int
}

// newTrainer opens the run directory (locked for writing) and builds a new
// run or resumes the saved one; a saved run with other hyperparameters is
// refused with their names, and nothing on disk changes.
func newTrainer(backend compute.Backend, cfg Config, opt *TrainOptions) (*trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Dir == "" {
		return nil, errors.New("dqn: TrainOptions.Dir is empty")
	}
	if opt.Steps <= 0 {
		return nil, fmt.Errorf("dqn: TrainOptions.Steps = %d, want > 0", opt.Steps)
	}
	if opt.Out == nil {
		opt.Out = os.Stdout
	}
	if opt.ReportEvery <= 0 {
		opt.ReportEvery = 10 * time.Second
	}
	dir, err := ckpt.OpenWriter(opt.Dir, RunIdentity, 3) // writable, locked, partial saves removed
	if err != nil {
		return nil, err
	}
	t, err := buildTrainer(backend, cfg, opt, dir)
	if err != nil {
		dir.Close()
		return nil, err
	}
	return t, nil
}

func buildTrainer(backend compute.Backend, cfg Config, opt *TrainOptions, dir *ckpt.Dir) (*trainer, error) {
	t := &trainer{cfg: cfg, opt: opt, dir: dir, batch: NewBatch(cfg.BatchSize),
		warmLen: max(cfg.BatchSize, min(cfg.Observe, cfg.ReplaySize))}
	var err error
	if t.learner, err = NewLearner(backend, cfg); err != nil {
		return nil, err
	}
	t.st = trainState{Config: cfg, History: History{Best: -1}, NextEval: int64(cfg.EvalEvery)}
	// A run of other hyperparameters (another network's shapes included) is
	// refused by name before its weights are read.
	if _, h, err := dir.Newest(); err == nil && h != nil {
		var saved trainState
		if json.Unmarshal(h.Extra, &saved) == nil {
			if err := checkSameConfig(opt.Dir, saved.Config, cfg); err != nil {
				return nil, err
			}
		}
	}
	var saved trainState
	info, err := dir.Load(t.learner.Store(), &saved)
	switch {
	case errors.Is(err, ckpt.ErrNoCheckpoint):
		fmt.Fprintf(opt.Out, "dqn: new run in %s, preset %q\n", opt.Dir, cfg.Name)
	case err != nil:
		return nil, err
	default:
		if err := checkSameConfig(opt.Dir, saved.Config, cfg); err != nil {
			return nil, err
		}
		saved.Config = cfg
		t.st = saved
		t.learner.SetIterations(t.st.Iters)
		fmt.Fprintf(opt.Out, "dqn: resuming %s at %d environment steps, %d training iterations\n", info.Path, t.st.Actor.Steps, t.st.Iters)
	}
	t.st.Rounds++

	if t.replay, err = NewReplay(cfg.ReplaySize, cfg.Games); err != nil {
		return nil, err
	}
	if opt.SaveReplay {
		if f, err := os.Open(filepath.Join(opt.Dir, replayFile)); err == nil {
			if _, err := t.replay.ReadFrom(f); err != nil {
				fmt.Fprintf(opt.Out, "dqn: not using the saved replay memory: %v\n", err)
			} else {
				fmt.Fprintf(opt.Out, "dqn: restored %d transitions of replay memory\n", t.replay.Len())
			}
			f.Close()
		}
	}
	actW, err := t.learner.ActingWeights()
	if err != nil {
		return nil, err
	}
	if t.actor, err = NewActor(backend, cfg, t.replay, actW, t.st.Rounds); err != nil {
		return nil, err
	}
	if err := t.actor.setState(t.st.Actor); err != nil {
		return nil, err
	}
	if t.evalPolicy, err = NewPolicy(backend, actW, cfg.Net, cfg.FrameSkip); err != nil {
		return nil, err
	}
	t.samplePCG = rand.NewPCG(uint64(cfg.Seed), 0x5a3b1e)
	if len(t.st.SampleRNG) > 0 {
		if err := t.samplePCG.UnmarshalBinary(t.st.SampleRNG); err != nil {
			return nil, fmt.Errorf("dqn: restoring the sampler's random state: %w", err)
		}
	}
	t.sampleRNG = rand.New(t.samplePCG)
	t.start, t.lastReport = time.Now(), time.Now()
	t.lastSteps, t.lastIters = t.actor.Steps(), t.learner.Iterations()
	return t, nil
}

// ratio is the environment steps per training iteration.
func (t *trainer) ratio() float64 {
	if t.cfg.StepsPerUpdate == 0 {
		return float64(t.cfg.Games)
	}
	return t.cfg.StepsPerUpdate
}

// learnDue reports whether the learner takes a training iteration now: the
// memory holds enough transitions, and the environment steps after Observe
// are at least ratio() per iteration.
func (t *trainer) learnDue() bool {
	steps := t.actor.Steps()
	if steps < int64(t.cfg.Observe) || t.replay.Len() < t.warmLen {
		return false
	}
	return float64(steps-int64(t.cfg.Observe)) >= t.ratio()*float64(t.learner.Iterations()+1)
}

// learn takes one training iteration on a sampled batch; synced reports
// that the target network was refreshed.
func (t *trainer) learn() (synced bool, err error) {
	if err := t.replay.Sample(t.sampleRNG, t.batch); err != nil {
		return false, err
	}
	stats, synced, err := t.learner.Train(t.batch)
	if err != nil {
		return false, err
	}
	t.lossSum, t.qSum, t.lossN = t.lossSum+float64(stats.Loss), t.qSum+float64(stats.MeanQ), t.lossN+1
	return synced, nil
}

// syncActor gives the actor the learner's acting weights (the target network).
func (t *trainer) syncActor() error {
	w, err := t.learner.ActingWeights()
	if err != nil {
		return err
	}
	return t.actor.SetWeights(w)
}

// record counts finished training episodes and keeps the last 100 scores.
func (t *trainer) record(episodes []flappy.Episode) {
	for _, e := range episodes {
		t.st.Episodes++
		t.st.Recent = append(t.st.Recent, e.Score)
	}
	if len(t.st.Recent) > 100 {
		t.st.Recent = t.st.Recent[len(t.st.Recent)-100:]
	}
}

// minutes is the wall time of the run, all rounds.
func (t *trainer) minutes() float64 { return (t.st.Seconds + time.Since(t.start).Seconds()) / 60 }

// evaluate plays EvalEpisodes greedy episodes with the online network on
// games no training episode plays, records the result, keeps the best model
// and schedules the next evaluation. stop interrupts it (errStopped).
func (t *trainer) evaluate(stop func() bool) error {
	w, err := t.learner.OnlineWeights()
	if err != nil {
		return err
	}
	if err := t.evalPolicy.Load(w); err != nil {
		return err
	}
	eps, err := evaluate(t.evalPolicy, t.cfg.EvalEpisodes, t.cfg.EvalMaxPipes, t.cfg.Seed+1_000_003, stop)
	if err != nil {
		return err
	}
	steps := t.actor.Steps()
	p := EvalPoint{EnvSteps: steps, Frames: t.actor.Frames(), Iters: t.learner.Iterations(), Minutes: t.minutes()}
	for _, e := range eps {
		p.Scores = append(p.Scores, e.Score)
		p.MeanScore += float64(e.Score) / float64(len(eps))
		p.MaxScore = max(p.MaxScore, e.Score)
		p.MeanFrames += float64(e.Steps) / float64(len(eps))
	}
	for t.st.NextEval <= steps {
		t.st.NextEval += int64(t.cfg.EvalEvery)
	}
	t.st.History.Evals = append(t.st.History.Evals, p)
	fmt.Fprintf(t.opt.Out, "eval at %d steps (%.1f min): mean score %.1f, max %d, mean length %.0f frames, scores %v\n",
		p.EnvSteps, p.Minutes, p.MeanScore, p.MaxScore, p.MeanFrames, p.Scores)
	if t.opt.OnEval != nil {
		t.opt.OnEval(p)
	}
	if p.MeanScore > t.st.History.Best {
		t.st.History.Best = p.MeanScore
		return saveBest(t.opt.Dir, w, p, t.cfg.Net, t.cfg.FrameSkip)
	}
	return nil
}

// report prints a progress line and adds it to the history, every
// ReportEvery (or now when force, unless nothing moved since the last one).
func (t *trainer) report(force bool) {
	if !force && time.Since(t.lastReport) < t.opt.ReportEvery {
		return
	}
	steps, its := t.actor.Steps(), t.learner.Iterations()
	if force && steps == t.lastSteps && its == t.lastIters && len(t.st.History.Reports) > 0 {
		return // nothing new since the last line
	}
	dt := time.Since(t.lastReport).Seconds()
	r := Report{
		EnvSteps: steps, Frames: t.actor.Frames(), Iters: its, Minutes: t.minutes(),
		Epsilon: t.cfg.Epsilon(steps), Loss: math.NaN(), MeanQ: math.NaN(), MeanScore: math.NaN(), Episodes: t.st.Episodes,
		StepsPS: float64(steps-t.lastSteps) / dt, ItersPS: float64(its-t.lastIters) / dt,
	}
	if t.lossN > 0 {
		r.Loss, r.MeanQ = t.lossSum/float64(t.lossN), t.qSum/float64(t.lossN)
	}
	if len(t.st.Recent) > 0 {
		r.MeanScore = 0
		for _, s := range t.st.Recent {
			r.MeanScore += float64(s) / float64(len(t.st.Recent))
		}
	}
	t.lossSum, t.qSum, t.lossN = 0, 0, 0
	t.lastReport, t.lastSteps, t.lastIters = time.Now(), steps, its
	t.st.History.Reports = append(t.st.History.Reports, r)
	if len(t.st.History.Reports) > 5000 {
		t.st.History.Reports = t.st.History.Reports[1:]
	}
	fmt.Fprintf(t.opt.Out, "steps %d/%d  %.0f steps/s  %.2f it/s  iters %d  eps %.4f  loss %.4f  Q %.3f  score(last %d) %.2f  episodes %d  %.1f min\n",
		steps, t.opt.Steps, r.StepsPS, r.ItersPS, its, r.Epsilon, r.Loss, r.MeanQ, len(t.st.Recent), r.MeanScore, r.Episodes, r.Minutes)
	if t.opt.OnReport != nil {
		t.opt.OnReport(r)
	}
}

// save writes a checkpoint (and the replay memory when asked).
func (t *trainer) save() error {
	as, err := t.actor.state()
	if err != nil {
		return err
	}
	t.st.Actor = as
	t.st.Iters = t.learner.Iterations()
	t.st.Seconds += time.Since(t.start).Seconds()
	t.start = time.Now()
	if t.st.SampleRNG, err = t.samplePCG.MarshalBinary(); err != nil {
		return err
	}
	if _, err := t.dir.Save(t.learner.Store(), t.st.Iters, &t.st); err != nil {
		return err
	}
	if t.opt.SaveReplay {
		var buf bytes.Buffer
		if _, err := t.replay.WriteTo(&buf); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(t.opt.Dir, replayFile), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// configDiff names the fields in which two configs differ ("" if none).
// checkSameConfig refuses to resume the run in dir, saved with config saved,
// with config cfg when their hyperparameters differ, naming the fields.
func checkSameConfig(dir string, saved, cfg Config) error {
	if saved.Net == "" { // saved before Config.Net: the port's network
		saved.Net = NetReference
	}
	if diff := configDiff(saved, cfg); diff != "" {
		return fmt.Errorf("dqn: %s holds a run with other hyperparameters (%s); use another directory or the same preset and options", dir, diff)
	}
	return nil
}

func configDiff(a, b Config) string {
	var diffs []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			diffs = append(diffs, fmt.Sprintf("%s: saved %v, now %v", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return strings.Join(diffs, ", ")
}
