package dqn

import (
	"fmt"
	"image"
	"math"

	"github.com/arcade-go/arcade/plots"
)

// Live draws a training run in one notebook output (a [plots.Live]): the
// score curves (mean of the last 100 training episodes, greedy evaluations),
// the TD loss, a status line, and the last few progress lines of [Train],
// which otherwise pile up under the cell. On a resumed run it first draws the
// history kept in the run's checkpoint, so the curves go on from where they
// stopped instead of starting empty.
//
//	live := dqn.NewLive(runDir)
//	defer live.Close()
//	h, err := dqn.Train(ctx, backend, cfg, live.Options(dqn.TrainOptions{Dir: runDir, Steps: n}))
type Live struct {
	View *plots.Live // the view; add to it (Image, Point) between Updates if you like
}

// NewLive returns a live view for the run in runDir, with its saved history
// drawn (none for a new run).
func NewLive(runDir string) *Live {
	// Two panels side by side fit a notebook's width (about 970 pixels).
	v := plots.NewLiveWith(plots.LiveConfig{Name: "dqn", CurvesSize: image.Pt(470, 300)})
	score := v.Curves("score")
	score.Title, score.XLabel, score.YLabel = "score (pipes passed)", "environment steps", "pipes"
	loss := v.Curves("loss")
	loss.Title, loss.XLabel, loss.YLabel, loss.LogY = "TD loss", "environment steps", "mean squared TD error", true
	l := &Live{View: v}
	if h, _, err := ReadHistory(runDir); err == nil {
		for _, r := range h.Reports {
			l.report(r)
		}
		for _, e := range h.Evals {
			l.eval(e)
		}
		if n := len(h.Reports); n > 0 {
			r := h.Reports[n-1]
			v.Text("resuming at %d steps, %d iterations, %.1f min of training so far", r.EnvSteps, r.Iters, r.Minutes)
		}
		v.Flush()
	}
	return l
}

// Options returns opt with its progress lines (Out) shown in the view and
// OnReport/OnEval drawing into it; hooks already set in opt run first.
func (l *Live) Options(opt TrainOptions) TrainOptions {
	opt.Out = l.View.Writer()
	onReport, onEval := opt.OnReport, opt.OnEval
	opt.OnReport = func(r Report) {
		if onReport != nil {
			onReport(r)
		}
		l.report(r)
		l.View.Text("%s", statusLine(r))
		l.View.Update()
	}
	opt.OnEval = func(p EvalPoint) {
		if onEval != nil {
			onEval(p)
		}
		l.eval(p)
		l.View.Update()
	}
	return opt
}

// Close draws the last data; call it when training ends (defer).
func (l *Live) Close() error { return l.View.Close() }

func (l *Live) report(r Report) {
	if !math.IsNaN(r.MeanScore) {
		l.View.Point("score", "training, last 100 episodes", float64(r.EnvSteps), r.MeanScore)
	}
	if !math.IsNaN(r.Loss) && r.Loss > 0 {
		l.View.Point("loss", "TD loss", float64(r.EnvSteps), r.Loss)
	}
}

func (l *Live) eval(p EvalPoint) {
	l.View.Point("score", "evaluation, greedy", float64(p.EnvSteps), p.MeanScore)
}

// statusLine is the view's one line of numbers; a speed of 0 (the first
// report after a resume measures nothing yet) is left out.
func statusLine(r Report) string {
	s := fmt.Sprintf("%d steps · %d iterations · %.1f min · epsilon %.3f", r.EnvSteps, r.Iters, r.Minutes, r.Epsilon)
	if r.StepsPS > 0 {
		s += fmt.Sprintf(" · %.0f steps/s · %.2f it/s", r.StepsPS, r.ItersPS)
	}
	if !math.IsNaN(r.MeanScore) {
		s += fmt.Sprintf(" · score %.1f (last 100 episodes)", r.MeanScore)
	}
	return s
}
