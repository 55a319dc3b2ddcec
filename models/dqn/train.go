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
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/models/ckpt"
	"github.com/arcade-go/arcade/models/nn"
)

// RunIdentity is the checkpoint identity of a DQN training run.
var RunIdentity = ckpt.Identity{Model: "dqn", Params: map[string]any{"frames": StackFrames, "side": FrameSide, "actions": NumActions}}

// PolicyIdentity is the identity of the best-model checkpoints (online network only).
var PolicyIdentity = ckpt.Identity{Model: "dqn-policy", Params: map[string]any{"frames": StackFrames, "side": FrameSide, "actions": NumActions}}

// BestDir is the sub-directory of a run's directory that keeps the best
// model found by evaluation.
const BestDir = "best"

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
	OnReport    func(Report)    // called after each progress line (live plots), from the training goroutine
	OnEval      func(EvalPoint) // called after each evaluation, from the training goroutine
}

// Report is one progress point.
type Report struct {
	EnvSteps  int64   `json:"env_steps"` // decisions taken, all games
	Frames    int64   `json:"frames"`    // game frames played
	Iters     int64   `json:"iters"`     // training iterations
	Minutes   float64 `json:"minutes"`   // wall time of training, all runs
	Epsilon   float64 `json:"epsilon"`
	Loss      float64 `json:"loss"`       // mean training loss since the last report (NaN before training)
	MeanQ     float64 `json:"mean_q"`     // mean Q(s,a) of the batches since the last report
	MeanScore float64 `json:"mean_score"` // mean score of the last 100 training episodes
	Episodes  int64   `json:"episodes"`   // training episodes finished
	StepsPS   float64 `json:"steps_ps"`   // environment steps per second since the last report
	ItersPS   float64 `json:"iters_ps"`   // training iterations per second since the last report
}

// EvalPoint is one evaluation: greedy episodes with the online network.
type EvalPoint struct {
	EnvSteps   int64   `json:"env_steps"`
	Frames     int64   `json:"frames"`
	Iters      int64   `json:"iters"`
	Minutes    float64 `json:"minutes"`
	MeanScore  float64 `json:"mean_score"`
	MaxScore   int     `json:"max_score"`
	MeanFrames float64 `json:"mean_frames"`
	Scores     []int   `json:"scores"`
	weights    *Weights
}

// History is what a run keeps of its past: progress points and evaluations.
type History struct {
	Reports []Report    `json:"reports"`
	Evals   []EvalPoint `json:"evals"`
	Best    float64     `json:"best"` // best mean evaluation score so far (-1: none)
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
	NextEval  int64      `json:"next_eval"`
	Recent    []int      `json:"recent"` // scores of the last training episodes
	History   History    `json:"history"`
}

// Train runs (or resumes) a DQN training run in opt.Dir until opt.Steps
// environment steps, the budget, or ctx's cancellation (an interrupt), and
// checkpoints it every opt.SaveEvery and at the end. An actor goroutine plays
// and fills the replay memory while this goroutine trains. It returns the
// run's history.
func Train(ctx context.Context, backend compute.Backend, cfg Config, opt TrainOptions) (*History, error) {
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
	defer dir.Close()
	learner, err := NewLearner(backend, cfg)
	if err != nil {
		return nil, err
	}
	st := trainState{Config: cfg, History: History{Best: -1}, NextEval: int64(cfg.EvalEvery)}
	var saved trainState
	info, err := dir.Load(learner.Store(), &saved)
	switch {
	case errors.Is(err, ckpt.ErrNoCheckpoint):
		fmt.Fprintf(opt.Out, "dqn: new run in %s, preset %q\n", opt.Dir, cfg.Name)
	case err != nil:
		return nil, err
	default:
		if diff := configDiff(saved.Config, cfg); diff != "" {
			return nil, fmt.Errorf("dqn: %s holds a run with other hyperparameters (%s); use another directory or the same preset and options", opt.Dir, diff)
		}
		st = saved
		learner.SetIterations(st.Iters)
		fmt.Fprintf(opt.Out, "dqn: resuming %s at %d environment steps, %d training iterations\n", info.Path, st.Actor.Steps, st.Iters)
	}
	st.Rounds++
	if st.Actor.Steps >= opt.Steps {
		fmt.Fprintf(opt.Out, "dqn: already at %d of %d environment steps\n", st.Actor.Steps, opt.Steps)
		return &st.History, nil
	}

	replay, err := NewReplay(cfg.ReplaySize, cfg.Games)
	if err != nil {
		return nil, err
	}
	replayPath := filepath.Join(opt.Dir, replayFile)
	if opt.SaveReplay {
		if f, err := os.Open(replayPath); err == nil {
			if _, err := replay.ReadFrom(f); err != nil {
				fmt.Fprintf(opt.Out, "dqn: not using the saved replay memory: %v\n", err)
			} else {
				fmt.Fprintf(opt.Out, "dqn: restored %d transitions of replay memory\n", replay.Len())
			}
			f.Close()
		}
	}
	actW, err := learner.ActingWeights()
	if err != nil {
		return nil, err
	}
	actor, err := NewActor(backend, cfg, replay, actW, st.Rounds)
	if err != nil {
		return nil, err
	}
	if err := actor.setState(st.Actor); err != nil {
		return nil, err
	}
	onW, err := learner.OnlineWeights()
	if err != nil {
		return nil, err
	}
	var online atomic.Pointer[Weights]
	online.Store(onW)
	evalPolicy, err := NewPolicy(backend, onW)
	if err != nil {
		return nil, err
	}
	samplePCG := rand.NewPCG(uint64(cfg.Seed), 0x5a3b1e)
	if len(st.SampleRNG) > 0 {
		_ = samplePCG.UnmarshalBinary(st.SampleRNG)
	}
	sampleRNG := rand.New(samplePCG)

	// The actor goroutine.
	var (
		stop     atomic.Bool
		iters    atomic.Int64
		envSteps atomic.Int64
		actErr   error
		evalMu   sync.Mutex
		evals    []EvalPoint
		wg       sync.WaitGroup
	)
	iters.Store(st.Iters)
	envSteps.Store(st.Actor.Steps)
	startSeconds := st.Seconds
	start := time.Now()
	minutes := func() float64 { return (startSeconds + time.Since(start).Seconds()) / 60 }
	nextEval := st.NextEval
	observe := int64(cfg.Observe)
	warmLen := max(cfg.BatchSize, min(cfg.Observe, cfg.ReplaySize))
	ratio := cfg.StepsPerUpdate
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			steps := envSteps.Load()
			if steps >= opt.Steps {
				return
			}
			// Throttled only once the memory holds enough to train on (a run resumed
			// without its replay memory refills it first).
			if ratio > 0 && steps >= observe && replay.Len() >= warmLen && float64(steps-observe) >= ratio*float64(iters.Load()+2) {
				time.Sleep(time.Millisecond)
				continue
			}
			if _, err := actor.Step(); err != nil {
				actErr = err
				stop.Store(true)
				return
			}
			steps = actor.Steps()
			envSteps.Store(steps)
			if cfg.EvalEvery > 0 && steps >= nextEval {
				w := online.Load()
				if err := evalPolicy.Load(w); err != nil {
					actErr = err
					stop.Store(true)
					return
				}
				eps, err := Evaluate(evalPolicy, cfg.EvalEpisodes, cfg.EvalMaxPipes, cfg.FrameSkip, cfg.Seed+1_000_003, stop.Load)
				if errors.Is(err, errStopped) {
					return
				}
				if err != nil {
					actErr = err
					stop.Store(true)
					return
				}
				p := EvalPoint{EnvSteps: steps, Frames: actor.frames, Iters: iters.Load(), Minutes: minutes(), MaxScore: 0, weights: w}
				var sf float64
				for _, e := range eps {
					p.Scores = append(p.Scores, e.Score)
					p.MeanScore += float64(e.Score) / float64(len(eps))
					p.MaxScore = max(p.MaxScore, e.Score)
					sf += float64(e.Frames) / float64(len(eps))
				}
				p.MeanFrames = sf
				evalMu.Lock()
				evals = append(evals, p)
				evalMu.Unlock()
				for nextEval <= steps {
					nextEval += int64(cfg.EvalEvery)
				}
			}
		}
	}()

	// The learner: this goroutine.
	run := ckpt.NewRun(ctx, ckpt.RunOptions{SaveEvery: opt.SaveEvery, Budget: opt.Budget, ReportEvery: opt.ReportEvery, Out: opt.Out})
	batch := NewBatch(cfg.BatchSize)
	var (
		lossSum, qSum      float64
		lossN              int
		lastReport         = time.Now()
		lastSteps, lastIts = envSteps.Load(), iters.Load()
	)
	recordEpisodes := func() {
		for _, e := range actor.takeEpisodes() {
			st.Episodes++
			st.Recent = append(st.Recent, e.Score)
			if len(st.Recent) > 100 {
				st.Recent = st.Recent[len(st.Recent)-100:]
			}
		}
	}
	save := func() error {
		recordEpisodes()
		as, err := actor.state()
		if err != nil {
			return err
		}
		st.Actor = as
		st.Actor.Steps = min(st.Actor.Steps, envSteps.Load())
		st.Iters = learner.Iterations()
		st.Seconds = startSeconds + time.Since(start).Seconds()
		st.NextEval = nextEval
		if st.SampleRNG, err = samplePCG.MarshalBinary(); err != nil {
			return err
		}
		if _, err := dir.Save(learner.Store(), st.Iters, &st); err != nil {
			return err
		}
		if opt.SaveReplay {
			var buf bytes.Buffer
			if _, err := replay.WriteTo(&buf); err != nil {
				return err
			}
			if err := ckpt.WriteFileAtomic(replayPath, buf.Bytes()); err != nil {
				return err
			}
		}
		return nil
	}
	handleEvals := func() error {
		evalMu.Lock()
		got := evals
		evals = nil
		evalMu.Unlock()
		for _, p := range got {
			st.History.Evals = append(st.History.Evals, p)
			if opt.OnEval != nil {
				opt.OnEval(p)
			}
			fmt.Fprintf(opt.Out, "eval at %d steps (%.1f min): mean score %.1f, max %d, mean length %.0f frames, scores %v\n",
				p.EnvSteps, p.Minutes, p.MeanScore, p.MaxScore, p.MeanFrames, p.Scores)
			if p.MeanScore > st.History.Best {
				st.History.Best = p.MeanScore
				if err := saveBest(opt.Dir, p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	report := func(force bool) {
		if !force && time.Since(lastReport) < opt.ReportEvery {
			return
		}
		recordEpisodes()
		steps, its := envSteps.Load(), iters.Load()
		dt := time.Since(lastReport).Seconds()
		r := Report{
			EnvSteps: steps, Frames: actor.frameCount(), Iters: its, Minutes: minutes(),
			Epsilon: cfg.Epsilon(steps), Loss: math.NaN(), MeanQ: math.NaN(), MeanScore: math.NaN(), Episodes: st.Episodes,
			StepsPS: float64(steps-lastSteps) / dt, ItersPS: float64(its-lastIts) / dt,
		}
		if lossN > 0 {
			r.Loss, r.MeanQ = lossSum/float64(lossN), qSum/float64(lossN)
		}
		if len(st.Recent) > 0 {
			r.MeanScore = 0
			for _, s := range st.Recent {
				r.MeanScore += float64(s) / float64(len(st.Recent))
			}
		}
		lossSum, qSum, lossN = 0, 0, 0
		lastReport, lastSteps, lastIts = time.Now(), steps, its
		st.History.Reports = append(st.History.Reports, r)
		if len(st.History.Reports) > 5000 {
			st.History.Reports = st.History.Reports[1:]
		}
		fmt.Fprintf(opt.Out, "steps %d/%d  %.0f steps/s  %.2f it/s  iters %d  eps %.4f  loss %.4f  Q %.3f  score(last %d) %.2f  episodes %d  %.1f min\n",
			steps, opt.Steps, r.StepsPS, r.ItersPS, its, r.Epsilon, r.Loss, r.MeanQ, len(st.Recent), r.MeanScore, r.Episodes, r.Minutes)
		if opt.OnReport != nil {
			opt.OnReport(r)
		}
	}

	var loopErr error
	for !run.Done() && !stop.Load() {
		steps := envSteps.Load()
		if steps >= opt.Steps {
			break
		}
		if err := handleEvals(); err != nil {
			loopErr = err
			break
		}
		report(false)
		if run.SaveDue() {
			if err := save(); err != nil {
				loopErr = err
				break
			}
		}
		ready := steps >= observe && replay.Len() >= warmLen
		if ready && ratio > 0 && float64(steps-observe) < ratio*float64(iters.Load()+1) {
			ready = false
		}
		if !ready {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		if err := replay.Sample(sampleRNG, batch); err != nil {
			loopErr = err
			break
		}
		ts, synced, err := learner.Train(batch)
		if err != nil {
			loopErr = err
			break
		}
		iters.Store(learner.Iterations())
		lossSum += float64(ts.Loss)
		qSum += float64(ts.MeanQ)
		lossN++
		if synced {
			aw, err := learner.ActingWeights()
			if err != nil {
				loopErr = err
				break
			}
			actor.SetWeights(aw)
			ow, err := learner.OnlineWeights()
			if err != nil {
				loopErr = err
				break
			}
			online.Store(ow)
		}
	}
	stop.Store(true)
	wg.Wait()
	if loopErr == nil {
		loopErr = actErr
	}
	if err := handleEvals(); err != nil && loopErr == nil {
		loopErr = err
	}
	report(true)
	if err := save(); err != nil {
		if loopErr == nil {
			loopErr = err
		}
	} else {
		why := run.StopReason()
		if why == "" {
			why = "done"
		}
		fmt.Fprintf(opt.Out, "dqn: checkpoint saved at %d environment steps, %d iterations (%s)\n", st.Actor.Steps, st.Iters, why)
	}
	return &st.History, loopErr
}

func (a *Actor) frameCount() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.frames
}

// configDiff names the fields in which two configs differ ("" if none).
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

// saveBest writes the evaluated weights as the run's best model.
func saveBest(runDir string, p EvalPoint) error {
	if p.weights == nil {
		return nil
	}
	store, err := storeFromWeights(p.weights)
	if err != nil {
		return err
	}
	d, err := ckpt.Open(filepath.Join(runDir, BestDir), PolicyIdentity, 1)
	if err != nil {
		return err
	}
	_, err = d.Save(store, p.Iters, p)
	return err
}

func storeFromWeights(w *Weights) (*model.Store, error) {
	store := model.NewStore()
	on := store.RootScope().At(OnlineScope)
	for _, key := range w.Keys() {
		layer, name, _ := strings.Cut(key, ".")
		if err := nn.SetVariable(on.At("%s", layer), name, w.Dims[key], w.Data[key]); err != nil {
			return nil, err
		}
	}
	return store, nil
}

// weightsFromStore reads the online network of a store (a training
// checkpoint's or a best model's).
func weightsFromStore(store *model.Store) (*Weights, error) {
	w := &Weights{Data: map[string][]float32{}, Dims: map[string][]int{}}
	on := store.RootScope().At(OnlineScope)
	for _, layer := range append(append([]string{}, weightLayers...), bnLayers...) {
		found := false
		for v := range on.At("%s", layer).IterVariables() {
			if v.Name() == "num_batches_tracked" {
				continue
			}
			data, dims, err := nn.VariableData(v)
			if err != nil {
				return nil, err
			}
			w.Data[layer+"."+v.Name()], w.Dims[layer+"."+v.Name()] = data, dims
			found = true
		}
		if !found {
			return nil, fmt.Errorf("dqn: the checkpoint has no layer %q of the Q-network", layer)
		}
	}
	return w, nil
}

// LoadPolicy loads a trained Q-network from a run's directory: its best
// model (which = "best", falling back to the latest checkpoint when there is
// none) or its latest training checkpoint (which = "latest"). It returns the
// policy, the config of the run (when known) and the file it read.
func LoadPolicy(backend compute.Backend, runDir, which string) (*Policy, Config, string, error) {
	if _, err := os.Stat(runDir); err != nil {
		return nil, Config{}, "", fmt.Errorf("dqn: run directory: %w", err)
	}
	var st trainState
	latest := func() (*model.Store, string, error) {
		d, err := ckpt.Open(runDir, RunIdentity, 3)
		if err != nil {
			return nil, "", err
		}
		store := model.NewStore()
		info, err := d.Load(store, &st)
		if err != nil {
			return nil, "", err
		}
		return store, info.Path, nil
	}
	var store *model.Store
	var path string
	var err error
	switch which {
	case "best", "":
		bestDir := filepath.Join(runDir, BestDir)
		if _, e := os.Stat(bestDir); e == nil {
			d, err := ckpt.Open(bestDir, PolicyIdentity, 1)
			if err != nil {
				return nil, Config{}, "", err
			}
			store = model.NewStore()
			info, err := d.Load(store, nil)
			if err != nil && !errors.Is(err, ckpt.ErrNoCheckpoint) {
				return nil, Config{}, "", err
			}
			if err == nil {
				path = info.Path
				// The run's config, from its latest checkpoint, when readable.
				if files, e := listRun(runDir); e == nil && len(files) > 0 {
					if f, e := ckpt.ReadFile(files[0]); e == nil {
						_ = json.Unmarshal(f.Header.Extra, &st)
					}
				}
				break
			}
		}
		store, path, err = latest()
	case "latest":
		store, path, err = latest()
	default:
		return nil, Config{}, "", fmt.Errorf("dqn: which = %q, want best or latest", which)
	}
	if err != nil {
		return nil, Config{}, "", err
	}
	w, err := weightsFromStore(store)
	if err != nil {
		return nil, Config{}, "", fmt.Errorf("dqn: %s: %w", path, err)
	}
	p, err := NewPolicy(backend, w)
	if err != nil {
		return nil, Config{}, "", err
	}
	return p, st.Config, path, nil
}

// ReadHistory returns the history saved in a run's latest checkpoint.
func ReadHistory(runDir string) (*History, Config, error) {
	files, err := listRun(runDir)
	if err != nil {
		return nil, Config{}, err
	}
	var lastErr error = fmt.Errorf("dqn: no checkpoint in %s", runDir)
	for _, f := range files {
		cf, err := ckpt.ReadFile(f)
		if err != nil {
			lastErr = err
			continue
		}
		var st trainState
		if err := json.Unmarshal(cf.Header.Extra, &st); err != nil {
			return nil, Config{}, fmt.Errorf("dqn: %s: %w", f, err)
		}
		return &st.History, st.Config, nil
	}
	return nil, Config{}, lastErr
}

// listRun lists a run directory's training checkpoints, newest first.
func listRun(runDir string) ([]string, error) {
	if _, err := os.Stat(runDir); err != nil {
		return nil, fmt.Errorf("dqn: run directory: %w", err)
	}
	d, err := ckpt.Open(runDir, RunIdentity, 3)
	if err != nil {
		return nil, err
	}
	return d.List()
}

// reportJSON is Report with NaN stored as null (JSON has no NaN).
type reportJSON struct {
	EnvSteps  int64    `json:"env_steps"`
	Frames    int64    `json:"frames"`
	Iters     int64    `json:"iters"`
	Minutes   float64  `json:"minutes"`
	Epsilon   float64  `json:"epsilon"`
	Loss      *float64 `json:"loss"`
	MeanQ     *float64 `json:"mean_q"`
	MeanScore *float64 `json:"mean_score"`
	Episodes  int64    `json:"episodes"`
	StepsPS   float64  `json:"steps_ps"`
	ItersPS   float64  `json:"iters_ps"`
}

func nanToNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func nilToNaN(x *float64) float64 {
	if x == nil {
		return math.NaN()
	}
	return *x
}

// MarshalJSON writes NaN values (no loss yet, no episode yet) as null.
func (r Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(reportJSON{
		EnvSteps: r.EnvSteps, Frames: r.Frames, Iters: r.Iters, Minutes: r.Minutes, Epsilon: r.Epsilon,
		Loss: nanToNil(r.Loss), MeanQ: nanToNil(r.MeanQ), MeanScore: nanToNil(r.MeanScore),
		Episodes: r.Episodes, StepsPS: nanToZero(r.StepsPS), ItersPS: nanToZero(r.ItersPS),
	})
}

// UnmarshalJSON reads null values as NaN.
func (r *Report) UnmarshalJSON(b []byte) error {
	var j reportJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Report{
		EnvSteps: j.EnvSteps, Frames: j.Frames, Iters: j.Iters, Minutes: j.Minutes, Epsilon: j.Epsilon,
		Loss: nilToNaN(j.Loss), MeanQ: nilToNaN(j.MeanQ), MeanScore: nilToNaN(j.MeanScore),
		Episodes: j.Episodes, StepsPS: nanToZero(j.StepsPS), ItersPS: nanToZero(j.ItersPS),
	}
	return nil
}

func nanToZero(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
