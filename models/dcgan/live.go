package dcgan

import (
	"math"
	"time"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/plots"
)

// Panels of the live view.
const (
	livePanelLosses = "losses"
	livePanelFD     = "Fréchet distance to real frames (lower is better)"
	livePanelSpread = "spread of the samples"
)

// Live draws a GAN's training in one notebook output (a [plots.Live]): the
// last generated and real batches as grids, the losses, the quality checks
// (the Fréchet distance, and the spread of the samples against real
// frames'), a status line, and the last few progress lines of [Train], which
// otherwise pile up under the cell. On a resumed run it first draws the
// history kept in the checkpoint, so the curves go on from where they stopped.
//
//	live := dcgan.NewLive("gan", quality)
//	defer live.Close()
//	m, err := dcgan.Train(ctx, backend, cfg, live.Options(dcgan.TrainOptions{Dir: dir, Steps: n, Quality: quality}))
type Live struct {
	View *plots.Live // the view; add to it (Image, Point) between Updates if you like

	realSpread float64 // the spread of real frames; NaN: not drawn
	steps      int64   // the run's target, for the status line
	start      time.Time
	startStep  int64
}

// NewLive returns a live view named name (its title) for a run scored by q
// (nil: no line for the real frames' spread), grids shown at twice their size.
func NewLive(name string, q *Quality) *Live {
	return newLive(plots.NewLiveWith(plots.LiveConfig{Name: name, ImageScale: 2}), q)
}

func newLive(v *plots.Live, q *Quality) *Live {
	l := &Live{View: v, realSpread: math.NaN()}
	if q != nil {
		l.realSpread = q.RealSpread
	}
	v.Curves(livePanelLosses).XLabel = "step"
	fd := v.Curves(livePanelFD)
	fd.XLabel, fd.LogY = "step", true
	v.Curves(livePanelSpread).XLabel = "step"
	return l
}

// Options returns opt with its progress lines (Out, every 30 s unless
// ProgressEvery says otherwise) shown in the view and OnStart, OnReport,
// OnLive and OnImages drawing into it; hooks already set in opt run first.
func (l *Live) Options(opt TrainOptions) TrainOptions {
	opt.Out = l.View.Writer()
	if opt.ProgressEvery == 0 {
		opt.ProgressEvery = 30 * time.Second
	}
	l.steps = opt.Steps
	onStart, onReport, onLive, onImages := opt.OnStart, opt.OnReport, opt.OnLive, opt.OnImages
	opt.OnStart = func(m *GAN) {
		if onStart != nil {
			onStart(m)
		}
		l.history(m)
	}
	opt.OnReport = func(m *GAN, step int64, dLoss, gLoss float64) {
		if onReport != nil {
			onReport(m, step, dLoss, gLoss)
		}
		l.losses(step, dLoss, gLoss)
	}
	opt.OnLive = func(m *GAN, step int64, real, fake *tensors.Tensor, dLoss, gLoss float64) {
		if onLive != nil {
			onLive(m, step, real, fake, dLoss, gLoss)
		}
		l.grids(real, fake)
		l.status(step, dLoss, gLoss)
		l.View.Update()
	}
	opt.OnImages = func(m *GAN, step int64, real, fake *tensors.Tensor, q *Score) {
		if onImages != nil {
			onImages(m, step, real, fake, q)
		}
		l.grids(real, fake)
		if q != nil { // Train itself logs the numbers to Out
			l.quality(step, q.FD, q.Spread)
		}
		if h := m.History; len(h.DLoss) > 0 { // the status line follows the run to its last step
			l.status(step, h.DLoss[len(h.DLoss)-1], h.GLoss[len(h.GLoss)-1])
		}
		l.View.Update()
	}
	return opt
}

// Close draws the last data; call it when training ends (defer).
func (l *Live) Close() error { return l.View.Close() }

// history draws the curves of a resumed run and starts the speed's clock.
func (l *Live) history(m *GAN) {
	l.start, l.startStep = time.Now(), m.Step
	h := m.History
	for i, s := range h.Steps {
		l.losses(s, h.DLoss[i], h.GLoss[i])
	}
	for i, s := range h.QualitySteps {
		spread := math.NaN() // not recorded by older checkpoints
		if i < len(h.Spread) {
			spread = h.Spread[i]
		}
		l.quality(s, h.FD[i], spread)
	}
	l.View.Text("step %d of %d", m.Step, l.steps)
	l.View.Update()
}

func (l *Live) losses(step int64, dLoss, gLoss float64) {
	l.View.Point(livePanelLosses, "discriminator", float64(step), dLoss)
	l.View.Point(livePanelLosses, "generator", float64(step), gLoss)
}

func (l *Live) quality(step int64, fd, spread float64) {
	l.View.Point(livePanelFD, "FD", float64(step), fd)
	if !math.IsNaN(spread) {
		l.View.Point(livePanelSpread, "generated", float64(step), spread)
	}
	if !math.IsNaN(l.realSpread) {
		l.View.Point(livePanelSpread, "real frames", float64(step), l.realSpread)
	}
}

// grids shows the batches; a batch that is not [N, C, H, W] is not drawn.
func (l *Live) grids(real, fake *tensors.Tensor) {
	_ = l.View.GridTensor("fake", fake)
	_ = l.View.GridTensor("real", real)
}

// status is the view's line of numbers: the step, the speed since the run
// (re)started and the last losses.
func (l *Live) status(step int64, dLoss, gLoss float64) {
	rate := float64(step-l.startStep) / time.Since(l.start).Seconds()
	l.View.Text("step %d of %d, %.2f steps/s, d_loss %.3f, g_loss %.3f", step, l.steps, rate, dLoss, gLoss)
}
