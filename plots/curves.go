package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one named line of a [Curves] plot.
type Series struct {
	// Name is the legend entry ("generator", "discriminator", "score").
	Name string
	// X are the x values (iteration, episode); nil means 0, 1, 2, ...
	X []float64
	// Y are the values. NaN and ±Inf points are left out (and, on a log
	// axis, values <= 0).
	Y []float64
	// Smooth is the window of a trailing moving average: above 1, the raw
	// values are drawn faint and their moving average bold on top. 0 takes
	// Curves.Smooth.
	Smooth int
}

// Curves is a line plot of named series: losses against iterations, scores
// and episode lengths against episodes.
//
//	c := plots.Curves{Title: "DCGAN", XLabel: "iteration", YLabel: "loss", Smooth: 10}
//	c.Add("generator", it, lossG)
//	c.Add("discriminator", it, lossD)
//	png, err := c.PNG(640, 360)
type Curves struct {
	// Title is drawn above the plot; may be empty.
	Title string
	// XLabel and YLabel name the axes.
	XLabel, YLabel string
	// LogY draws the y axis on a log scale.
	LogY bool
	// Smooth is the moving-average window of series whose own Smooth is 0.
	Smooth int
	// Series are the lines, drawn in order with colours from [SeriesColors].
	Series []Series
}

// SeriesColors are the lines' colours in order (matplotlib's "tab10", the
// colours PyTorch users know from TensorBoard and matplotlib).
var SeriesColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
}

// maxDrawnPoints bounds the points drawn per line: longer series are
// averaged over consecutive buckets (after smoothing), and their raw values
// drawn as a faint min-max band, so a plot of a million steps renders in tens
// of milliseconds (a long jagged line takes seconds to rasterise).
const maxDrawnPoints = 400

// Add appends the point (x, y) to the series called name, creating it (at
// the end) when it does not exist yet.
func (c *Curves) Add(name string, x, y float64) {
	for i := range c.Series {
		if c.Series[i].Name == name {
			s := &c.Series[i]
			if s.X == nil && len(s.Y) > 0 { // implicit x so far: make it explicit
				s.X = make([]float64, len(s.Y))
				for j := range s.X {
					s.X[j] = float64(j)
				}
			}
			s.X = append(s.X, x)
			s.Y = append(s.Y, y)
			return
		}
	}
	c.Series = append(c.Series, Series{Name: name, X: []float64{x}, Y: []float64{y}})
}

// Len is the number of points over all series.
func (c Curves) Len() int {
	n := 0
	for _, s := range c.Series {
		n += len(s.Y)
	}
	return n
}

// Clone returns a deep copy (the live view renders a copy while training
// goes on appending).
func (c Curves) Clone() Curves {
	d := c
	d.Series = make([]Series, len(c.Series))
	for i, s := range c.Series {
		s.X = append([]float64(nil), s.X...)
		s.Y = append([]float64(nil), s.Y...)
		d.Series[i] = s
	}
	return d
}

// MovingAverage returns the trailing moving average of y over window values:
// out[i] is the mean of the finite values among y[i-window+1 .. i] (fewer at
// the start), NaN if there are none. A window <= 1 returns a copy of y.
func MovingAverage(y []float64, window int) []float64 {
	out := make([]float64, len(y))
	if window <= 1 {
		copy(out, y)
		return out
	}
	sum, n := 0.0, 0
	for i, v := range y {
		if finite(v) {
			sum += v
			n++
		}
		if j := i - window; j >= 0 && finite(y[j]) {
			sum -= y[j]
			n--
		}
		if n > 0 {
			out[i] = sum / float64(n)
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// points returns the drawable (x, y) pairs: finite, and positive on a log axis.
func points(x, y []float64, logY bool) plotter.XYs {
	xy := make(plotter.XYs, 0, len(y))
	for i, v := range y {
		xv := float64(i)
		if x != nil {
			xv = x[i]
		}
		if !finite(v) || !finite(xv) || (logY && v <= 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: xv, Y: v})
	}
	return xy
}

// buckets reduces xy to at most maxDrawnPoints points, each the mean of
// consecutive points, and returns the band of each bucket's min and max
// as a closed outline (nil when xy is short enough to draw as it is).
func buckets(xy plotter.XYs) (mean, band plotter.XYs) {
	if len(xy) <= maxDrawnPoints {
		return xy, nil
	}
	k := (len(xy) + maxDrawnPoints - 1) / maxDrawnPoints
	var lo, hi plotter.XYs
	for i := 0; i < len(xy); i += k {
		part := xy[i:min(i+k, len(xy))]
		var sx, sy float64
		mn, mx := part[0].Y, part[0].Y
		for _, p := range part {
			sx += p.X
			sy += p.Y
			mn, mx = min(mn, p.Y), max(mx, p.Y)
		}
		n := float64(len(part))
		mean = append(mean, plotter.XY{X: sx / n, Y: sy / n})
		lo = append(lo, plotter.XY{X: sx / n, Y: mn})
		hi = append(hi, plotter.XY{X: sx / n, Y: mx})
	}
	band = append(band, hi...)
	for i := len(lo) - 1; i >= 0; i-- {
		band = append(band, lo[i])
	}
	return mean, band
}

// Plot builds the gonum/plot plot, for callers who want to change it further.
func (c Curves) Plot() (p *plot.Plot, err error) {
	p, _, err = c.plot(true)
	return p, err
}

// plot builds the plot; with inside, the legend is drawn over the plot area
// (gonum's way), else it is left in p.Legend for the caller to draw outside.
// It returns the number of legend entries.
func (c Curves) plot(inside bool) (p *plot.Plot, entries int, err error) {
	defer func() { // gonum/plot panics on some degenerate input; never pass that on
		if r := recover(); r != nil {
			p, entries, err = nil, 0, fmt.Errorf("plots: curves %q: %v", c.Title, r)
		}
	}()
	for _, s := range c.Series {
		if s.X != nil && len(s.X) != len(s.Y) {
			return nil, 0, fmt.Errorf("plots: curves %q: series %q has %d x values and %d y values", c.Title, s.Name, len(s.X), len(s.Y))
		}
	}
	p = plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	p.X.Tick.Marker = readableTicks{}
	p.Y.Tick.Marker = readableTicks{}
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	drawn := 0
	for i, s := range c.Series {
		col := SeriesColors[i%len(SeriesColors)]
		faint := color.RGBA{scale8(col.R, 0x50), scale8(col.G, 0x50), scale8(col.B, 0x50), 0x50} // premultiplied
		window := s.Smooth
		if window == 0 {
			window = c.Smooth
		}
		raw := points(s.X, s.Y, c.LogY)
		if len(raw) == 0 {
			continue
		}
		drawn += len(raw)
		line, band := buckets(raw)
		if band != nil {
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return nil, 0, fmt.Errorf("plots: series %q: %w", s.Name, err)
			}
			poly.Color = faint
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		name := s.Name
		if window > 1 {
			if band == nil { // the raw line, faint, under its average
				l, err := plotter.NewLine(raw)
				if err != nil {
					return nil, 0, fmt.Errorf("plots: series %q: %w", s.Name, err)
				}
				l.Color = faint
				l.Width = vg.Points(1)
				p.Add(l)
			}
			line, _ = buckets(points(s.X, MovingAverage(s.Y, window), c.LogY))
			name = fmt.Sprintf("%s (mean of %d)", s.Name, window)
			if len(line) == 0 {
				continue
			}
		}
		l, err := plotter.NewLine(line)
		if err != nil {
			return nil, 0, fmt.Errorf("plots: series %q: %w", s.Name, err)
		}
		l.Color = col
		l.Width = vg.Points(1.5)
		if window > 1 {
			l.Width = vg.Points(2)
		}
		p.Add(l)
		if len(line) == 1 { // one point: a line would be invisible
			sc, err := plotter.NewScatter(line)
			if err != nil {
				return nil, 0, fmt.Errorf("plots: series %q: %w", s.Name, err)
			}
			sc.Color = col
			p.Add(sc)
		}
		p.Legend.Add(name, l)
		entries++
	}
	if entries > 0 && inside {
		p.Add(legendBox{&p.Legend})
	}
	if drawn == 0 { // empty axes need a valid range (and a positive one on a log axis)
		p.X.Min, p.X.Max = 0, 1
		p.Y.Min, p.Y.Max = 0, 1
		if c.LogY {
			p.Y.Min, p.Y.Max = 1, 10
		}
		// No ticks on a range nothing chose, and a word in the middle: a
		// live chart is empty until its first point arrives.
		p.X.Tick.Marker = plot.ConstantTicks(nil)
		p.Y.Tick.Marker = plot.ConstantTicks(nil)
		p.Add(emptyNote{p.X.Label.TextStyle})
	} else {
		if p.Y.Min == p.Y.Max && !c.LogY {
			p.Y.Min, p.Y.Max = flatRange(p.Y.Min)
		}
		if p.X.Min == p.X.Max {
			p.X.Min, p.X.Max = flatXRange(p.X.Min)
		}
	}
	return p, entries, nil
}

// flatRange is the y range of a chart whose values all equal v (one point, or
// a flat line): v in the middle of a span of 2, as gonum/plot would draw it,
// but starting at 0 when v is not negative, so that a first score of 0.14
// pipes does not show an axis down to -0.86 pipes.
func flatRange(v float64) (lo, hi float64) {
	lo, hi = v-1, v+1
	if v >= 0 && lo < 0 {
		lo, hi = 0, max(1, 2*v)
	}
	return lo, hi
}

// flatXRange is the x range of a chart whose points all have x = v (the
// first point of a curve over training steps): from 0 to v and a tenth more
// when v is not negative, so that a first score logged after 6,088
// environment steps shows on an axis of steps from 0, not from 6,087 to 6,089,
// and its marker is not cut by the frame (one at step 0: 0 to 1); a negative
// v in the middle of a span of 2, as gonum/plot would draw it.
func flatXRange(v float64) (lo, hi float64) {
	if v >= 0 {
		return 0, max(1.1*v, 1)
	}
	return v - 1, v + 1
}

// emptyText is what a chart with no points yet says in its middle.
const emptyText = "no points yet"

// emptyNote writes emptyText in the middle of an empty plot area.
type emptyNote struct{ style draw.TextStyle }

func (n emptyNote) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := n.style
	sty.Color = color.Gray{0x80}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}, emptyText)
}

// legendBox is drawn after the lines, under the legend, so the legend stays
// readable where it covers data.
type legendBox struct{ l *plot.Legend }

func (b legendBox) Plot(c draw.Canvas, _ *plot.Plot) {
	r := b.l.Rectangle(c)
	if !b.l.Left { // gonum v0.17's Rectangle puts a right-hand legend on the left
		w := r.Max.X - r.Min.X
		r.Max.X = c.Max.X
		r.Min.X = c.Max.X - w
	}
	pad := vg.Points(3)
	r.Min.X -= pad
	r.Min.Y -= pad
	r.Max.X += pad
	r.Max.Y += pad
	c.SetColor(color.RGBA{0xe6, 0xe6, 0xe6, 0xe6}) // white at 90% (premultiplied)
	c.Fill(r.Path())
}

// logTicks labels a log axis at 1, 2 and 5 times powers of ten when it spans
// less than three decades (gonum's LogTicks labels only the powers of ten,
// which can leave a single label), else at the powers of ten.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	labels := []float64{1, 2, 5}
	if math.Log10(hi/lo) >= 3 {
		labels = []float64{1}
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		base := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := base * float64(m)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if slices.Contains(labels, float64(m)) {
				t.Label = tickLabel(v, base)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled >= 2 {
		return ticks
	}
	// A narrow range (FD between 120 and 480, say): label every 1..9 tick, or
	// when that still leaves fewer than two, use evenly spaced ticks.
	if len(ticks) >= 2 {
		for i := range ticks {
			e := math.Pow(10, math.Floor(math.Log10(ticks[i].Value)))
			ticks[i].Label = tickLabel(ticks[i].Value, e)
		}
		return ticks
	}
	return readableTicks{}.Ticks(lo, hi)
}

// readableTicks places labelled ticks at multiples of 1, 2 or 5 times a
// power of ten, three to eight across the axis, with unlabelled ticks between,
// and labels them as a person writes them: 1250 and 0.5, not "1250.00" and
// "0.50"; 120k, 1.5M. (gonum's default also takes steps of 3 and 4, which put
// a 20-minute axis's labels at 0, 9 and 18.)
type readableTicks struct{}

func (readableTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) || math.IsNaN(hi-lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step, minors := niceStep(hi - lo)
	minor := step / float64(minors)
	eps := minor * 1e-6
	var ticks []plot.Tick
	for i := math.Ceil((lo - eps) / minor); i*minor <= hi+eps; i++ {
		v := i * minor
		t := plot.Tick{Value: v}
		if k := math.Round(v / step); math.Abs(v-k*step) <= eps {
			t.Value = k * step // no 0.30000000000000004
			t.Label = tickLabel(t.Value, step)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceStep returns the largest step of 1, 2 or 5 times a power of ten that
// leaves at least three labels on an axis of length span (three to eight),
// and how many minor intervals split it.
func niceStep(span float64) (step float64, minors int) {
	p := math.Pow(10, math.Floor(math.Log10(span)))
	for _, c := range []struct {
		m      float64
		minors int
	}{{5, 5}, {2, 4}, {1, 5}, {0.5, 5}, {0.2, 4}, {0.1, 5}} {
		if span/(c.m*p) >= 3 {
			return c.m * p, c.minors
		}
	}
	return 0.1 * p, 5 // not reached: span/(0.1p) >= 10
}

// tickLabel writes v with no more digits than a step of step between labels
// needs; 10,000 and above as k, a million and above as M.
func tickLabel(v, step float64) string {
	if math.Abs(v) < step*1e-6 {
		v = 0
	}
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= 10*u.div || (math.Abs(v) >= u.div && step >= u.div) {
			return tickNumber(v/u.div, step/u.div) + u.unit
		}
	}
	return tickNumber(v, step)
}

func tickNumber(v, step float64) string {
	decimals := 0
	if step > 0 && step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
		// a step of 0.25 needs 2 decimals, 0.2 one
		for decimals < 6 && math.Abs(step*math.Pow(10, float64(decimals))-math.Round(step*math.Pow(10, float64(decimals)))) > 1e-6 {
			decimals++
		}
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

func scale8(v, a uint8) uint8 { return uint8(uint16(v) * uint16(a) / 255) }

// pixelsToPoints converts a size in pixels to points at 96 dpi, the density
// the PNG is rendered at (so 12 pt labels are 16 px high).
const pngDPI = 96

func pixelsToPoints(px int) vg.Length { return vg.Length(px) * 72 / pngDPI }

func checkSize(w, h int) error {
	if w < 50 || h < 50 || w > 8000 || h > 8000 {
		return fmt.Errorf("plots: curves size %dx%d: want 50..8000 pixels each way", w, h)
	}
	return nil
}

// Image draws the curves into a w x h pixel image.
func (c Curves) Image(w, h int) (img image.Image, err error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	p, entries, err := c.plot(false)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("plots: drawing curves %q: %v", c.Title, r)
		}
	}()
	cv := vgimg.NewWith(vgimg.UseWH(pixelsToPoints(w), pixelsToPoints(h)), vgimg.UseDPI(pngDPI))
	drawWithLegendBelow(p, entries, draw.New(cv))
	return cv.Image(), nil
}

// PNG draws the curves as a w x h pixel PNG.
func (c Curves) PNG(w, h int) ([]byte, error) {
	img, err := c.Image(w, h)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("plots: encoding curves PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG draws the curves as an SVG document that a browser shows w x h pixels
// large.
func (c Curves) SVG(w, h int) (svg []byte, err error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	p, entries, err := c.plot(false)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			svg, err = nil, fmt.Errorf("plots: drawing curves %q: %v", c.Title, r)
		}
	}()
	cv := vgsvg.New(pixelsToPoints(w), pixelsToPoints(h))
	drawWithLegendBelow(p, entries, draw.New(cv))
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encoding curves SVG: %w", err)
	}
	return buf.Bytes(), nil
}

// drawWithLegendBelow draws p with its legend (entries lines) in a strip
// under the plot, so the legend never hides a curve.
func drawWithLegendBelow(p *plot.Plot, entries int, dc draw.Canvas) {
	if entries == 0 {
		p.Draw(dc)
		return
	}
	leg := p.Legend
	p.Legend = plot.NewLegend()
	lineH := leg.TextStyle.Height("Mg") + leg.Padding
	stripH := lineH*vg.Length(entries) + vg.Points(4)
	p.Draw(draw.Crop(dc, 0, 0, stripH, 0))
	strip := dc
	strip.Max.Y = dc.Min.Y + stripH
	leg.Top, leg.Left = true, true
	leg.XOffs = vg.Points(40) // under the plot area, past the y axis's labels
	leg.Draw(strip)
}
