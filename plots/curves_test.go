package plots

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"
)

func TestMovingAverage(t *testing.T) {
	got := MovingAverage([]float64{1, 2, 3, math.NaN(), 5, 6}, 3)
	want := []float64{1, 1.5, 2, 2.5, 4, 5.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("MovingAverage = %v, want %v", got, want)
		}
	}
	if got := MovingAverage([]float64{3, 4}, 1); got[0] != 3 || got[1] != 4 {
		t.Errorf("window 1: %v", got)
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// countColour counts pixels within tol of c.
func countColour(img image.Image, c [3]int, tol int) int {
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r0, g0, b0, _ := img.At(x, y).RGBA()
			if absDiff(int(r0>>8), c[0]) <= tol && absDiff(int(g0>>8), c[1]) <= tol && absDiff(int(b0>>8), c[2]) <= tol {
				n++
			}
		}
	}
	return n
}

func lossCurves() Curves {
	c := Curves{Title: "DCGAN losses", XLabel: "iteration", YLabel: "loss", Smooth: 5}
	for i := range 200 {
		x := float64(i * 100)
		c.Add("generator", x, 2+math.Sin(float64(i)/10))
		c.Add("discriminator", x, 0.5+0.2*math.Cos(float64(i)/7))
	}
	return c
}

func TestCurvesPNG(t *testing.T) {
	c := lossCurves()
	b, err := c.PNG(640, 360)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if img.Bounds().Size() != image.Pt(640, 360) {
		t.Fatalf("size %v", img.Bounds().Size())
	}
	// Both series' colours are drawn (bold average lines), and the background is white.
	blue, orange := SeriesColors[0], SeriesColors[1]
	nb := countColour(img, [3]int{int(blue.R), int(blue.G), int(blue.B)}, 10)
	no := countColour(img, [3]int{int(orange.R), int(orange.G), int(orange.B)}, 10)
	if nb < 200 || no < 200 {
		t.Errorf("series pixels: blue %d, orange %d", nb, no)
	}
	if w := countColour(img, [3]int{255, 255, 255}, 0); w < 640*360/2 {
		t.Errorf("only %d white pixels", w)
	}
	svg, err := c.SVG(640, 360)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	for _, want := range []string{"<svg", "generator (mean of 5)", "discriminator (mean of 5)", "iteration", "DCGAN losses"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestCurvesLogAndDegenerate(t *testing.T) {
	c := Curves{LogY: true, YLabel: "loss"}
	c.Add("l", 0, 1)
	c.Add("l", 1, 0)  // dropped on a log axis
	c.Add("l", 2, -3) // dropped
	c.Add("l", 3, math.NaN())
	c.Add("l", 4, 0.01)
	if _, err := c.PNG(300, 200); err != nil {
		t.Errorf("log plot: %v", err)
	}
	for name, c := range map[string]Curves{
		"empty":        {},
		"empty log":    {LogY: true},
		"all NaN":      {Series: []Series{{Name: "x", Y: []float64{math.NaN(), math.Inf(1)}}}},
		"all <=0, log": {LogY: true, Series: []Series{{Name: "x", Y: []float64{0, -1}}}},
		"one point":    {Series: []Series{{Name: "x", Y: []float64{3}}}},
		"flat":         {Series: []Series{{Name: "x", Y: []float64{3, 3, 3}, Smooth: 2}}},
	} {
		b, err := c.PNG(200, 120)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if decodePNG(t, b).Bounds().Dx() != 200 {
			t.Errorf("%s: wrong size", name)
		}
	}
	bad := Curves{Series: []Series{{Name: "x", X: []float64{1}, Y: []float64{1, 2}}}}
	if _, err := bad.PNG(200, 120); err == nil || !strings.Contains(err.Error(), "1 x values and 2 y values") {
		t.Errorf("mismatched series: %v", err)
	}
	if _, err := c.PNG(10, 10); err == nil {
		t.Error("10x10 plot: no error")
	}
}

// TestCurvesFlatRange checks the y axis of flat data: non-negative values
// (a first score, a loss that has not moved) never get a negative axis.
func TestCurvesFlatRange(t *testing.T) {
	for _, c := range []struct {
		y      []float64
		lo, hi float64
	}{
		{[]float64{0.14}, 0, 1},
		{[]float64{0, 0}, 0, 1},
		{[]float64{3, 3, 3}, 2, 4},
		{[]float64{-0.5}, -1.5, 0.5},
	} {
		p, err := Curves{Series: []Series{{Name: "x", Y: c.y}}}.Plot()
		if err != nil {
			t.Fatal(err)
		}
		if p.Y.Min != c.lo || p.Y.Max != c.hi {
			t.Errorf("y %v: axis [%v, %v], want [%v, %v]", c.y, p.Y.Min, p.Y.Max, c.lo, c.hi)
		}
	}
	p, err := Curves{Series: []Series{{Name: "x", Y: []float64{0.14, 0.5}}}}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min != 0.14 || p.Y.Max != 0.5 {
		t.Errorf("a line's range changed: [%v, %v]", p.Y.Min, p.Y.Max)
	}
	// The x axis of one point: steps from 0 (the DQN's first score comes
	// after thousands of steps), and a line's x range unchanged.
	for _, c := range []struct {
		x      []float64
		lo, hi float64
	}{
		{[]float64{6088}, 0, 1.1 * 6088},
		{[]float64{0}, 0, 1},
		{[]float64{-3}, -4, -2},
		{[]float64{6088, 12000}, 6088, 12000},
	} {
		p, err := Curves{Series: []Series{{Name: "score", X: c.x, Y: make([]float64, len(c.x))}}}.Plot()
		if err != nil {
			t.Fatal(err)
		}
		if p.X.Min != c.lo || p.X.Max != c.hi {
			t.Errorf("x %v: axis [%v, %v], want [%v, %v]", c.x, p.X.Min, p.X.Max, c.lo, c.hi)
		}
	}
}

func TestCurvesThinning(t *testing.T) {
	y := make([]float64, 100_000)
	for i := range y {
		y[i] = float64(i % 100)
	}
	if m, band := buckets(points(nil, y, false)); len(m) > maxDrawnPoints || len(band) != 2*len(m) {
		t.Errorf("%d points drawn, band of %d", len(m), len(band))
	}
	c := Curves{Series: []Series{{Name: "steps", Y: y, Smooth: 1000}}}
	if _, err := c.PNG(400, 300); err != nil {
		t.Fatal(err)
	}
}

// TestCurvesEmptySaysSo checks that a chart with nothing to draw (a live
// chart before its first point) says so in its middle and shows no ticks on
// the made-up range, and that a chart with a point says nothing of the kind.
func TestCurvesEmptySaysSo(t *testing.T) {
	for name, c := range map[string]Curves{
		"no series":       {Title: "loss", XLabel: "step"},
		"no points":       {Title: "loss", Series: []Series{{Name: "generator"}}},
		"only NaN on log": {LogY: true, Series: []Series{{Name: "x", Y: []float64{math.NaN()}}}},
	} {
		svg, err := c.SVG(300, 200)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Contains(svg, []byte(emptyText)) {
			t.Errorf("%s: the chart does not say %q", name, emptyText)
		}
		// gonum writes a tick label as text: with none, the only texts are
		// the note and the title or labels.
		for _, tick := range []string{">0<", ">1<", ">0.5<", ">10<"} {
			if bytes.Contains(svg, []byte(tick)) {
				t.Errorf("%s: an empty chart labels a tick %s", name, tick)
			}
		}
	}
	full := Curves{Title: "loss"}
	full.Add("generator", 1, 0.5)
	svg, err := full.SVG(300, 200)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(svg, []byte(emptyText)) {
		t.Errorf("a chart with a point says %q", emptyText)
	}
}

// TestReadableTicks checks that labelled ticks fall on multiples of 1, 2 or 5
// times a power of ten, three to eight of them, inside the axis.
func TestReadableTicks(t *testing.T) {
	labels := func(lo, hi float64) (vals []float64, text []string) {
		for _, tk := range (readableTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				vals = append(vals, tk.Value)
				text = append(text, tk.Label)
			}
		}
		return vals, text
	}
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 20.6, "0 5 10 15 20"}, // minutes of a 20-minute run (gonum: 0 9 18)
		{0, 1000, "0 200 400 600 800 1000"},
		{0, 6700, "0 2k 4k 6k"},
		{0.1, 0.75, "0.2 0.4 0.6"},
		{-3, 3, "-2 0 2"},
		{120, 480, "200 300 400"},
	} {
		_, text := labels(c.lo, c.hi)
		if got := strings.Join(text, " "); got != c.want {
			t.Errorf("ticks of [%g, %g]: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	for lo := -7.0; lo < 7; lo += 1.3 {
		for span := 1e-3; span < 1e7; span *= 3.7 {
			vals, _ := labels(lo*span, lo*span+span)
			if len(vals) < 3 || len(vals) > 8 {
				t.Errorf("[%g, %g]: %d labels %v, want 3 to 8", lo*span, lo*span+span, len(vals), vals)
				continue
			}
			step := vals[1] - vals[0]
			m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9))
			if math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6 {
				t.Errorf("[%g, %g]: step %g is not 1, 2 or 5 times a power of ten", lo*span, lo*span+span, step)
			}
			if vals[0] < lo*span-span*1e-9 || vals[len(vals)-1] > lo*span+span*(1+1e-9) {
				t.Errorf("[%g, %g]: labels %v outside the axis", lo*span, lo*span+span, vals)
			}
		}
	}
}
