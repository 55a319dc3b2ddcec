package dqn

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/arcade-go/arcade/models/ckpt"
)

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
}

// History is what a run keeps of its past: progress points and evaluations.
type History struct {
	Reports []Report    `json:"reports"`
	Evals   []EvalPoint `json:"evals"`
	Best    float64     `json:"best"` // best mean evaluation score so far (-1: none)
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
