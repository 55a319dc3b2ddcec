package ckpt

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// RunOptions configures a Run.
type RunOptions struct {
	// SaveEvery is the wall time between periodic saves (default 3 minutes).
	SaveEvery time.Duration
	// Budget stops the run after this wall time (0: no limit), e.g. from kernel.Budget().
	Budget time.Duration
	// ReportEvery is the wall time between progress lines (default 5 s).
	ReportEvery time.Duration
	// Out receives progress lines (default stdout).
	Out io.Writer
}

// Run is the boilerplate of a training loop: when to stop, when to save,
// when to print a progress line. The loop itself stays in the caller.
type Run struct {
	ctx        context.Context
	opt        RunOptions
	start      time.Time
	lastSave   time.Time
	lastReport time.Time
	firstStep  int64
	reportStep int64
	started    bool
	reason     string
}

// NewRun starts the clocks of a run. ctx cancels it (e.g. kernel.InterruptContext).
func NewRun(ctx context.Context, opt RunOptions) *Run {
	if opt.SaveEvery <= 0 {
		opt.SaveEvery = 3 * time.Minute
	}
	if opt.ReportEvery <= 0 {
		opt.ReportEvery = 5 * time.Second
	}
	if opt.Out == nil {
		opt.Out = os.Stdout
	}
	now := time.Now()
	return &Run{ctx: ctx, opt: opt, start: now, lastSave: now, lastReport: now}
}

// Done reports whether the loop should stop: the context was cancelled
// (interrupt) or the budget is spent. StopReason then says which.
func (r *Run) Done() bool {
	if r.reason != "" {
		return true
	}
	if r.ctx != nil && r.ctx.Err() != nil {
		r.reason = "interrupted"
		return true
	}
	if r.opt.Budget > 0 && time.Since(r.start) >= r.opt.Budget {
		r.reason = fmt.Sprintf("budget of %s spent", r.opt.Budget)
		return true
	}
	return false
}

// StopReason is "" while the run goes on, else "interrupted" or "budget of ... spent".
func (r *Run) StopReason() string { return r.reason }

// Elapsed is the wall time since NewRun.
func (r *Run) Elapsed() time.Duration { return time.Since(r.start) }

// SaveDue reports whether SaveEvery has passed since the last save (or the
// start), and if so restarts that clock: call it once per step and save when true.
func (r *Run) SaveDue() bool {
	if time.Since(r.lastSave) >= r.opt.SaveEvery {
		r.lastSave = time.Now()
		return true
	}
	return false
}

// Progress prints "step N/T  X steps/s  <msg>" at most every ReportEvery
// (always for the first call and when step == total). It returns whether it printed.
// step counts completed steps; steps/s is measured over the steps since the previous line.
func (r *Run) Progress(step, total int64, format string, args ...any) bool {
	now := time.Now()
	first := !r.started
	if first {
		r.started, r.firstStep, r.reportStep, r.lastReport = true, step-1, step-1, r.start
	}
	if !first && now.Sub(r.lastReport) < r.opt.ReportEvery && step != total {
		return false
	}
	rate := float64(step-r.reportStep) / now.Sub(r.lastReport).Seconds()
	r.reportStep, r.lastReport = step, now
	fmt.Fprintf(r.opt.Out, "step %d/%d  %.2f steps/s  %s\n", step, total, rate, fmt.Sprintf(format, args...))
	return true
}

// StepsPerSecond is the mean rate since the first Progress call.
func (r *Run) StepsPerSecond(step int64) float64 {
	if !r.started {
		return 0
	}
	return float64(step-r.firstStep) / time.Since(r.start).Seconds()
}
