package plots

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injected clock advanced by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLiveRateLimitInNotebook(t *testing.T) {
	f, _, _ := useDisplay(t, true)
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := NewLiveWith(LiveConfig{Name: "dcgan", Every: 500 * time.Millisecond, Now: clk.now, CurvesSize: CurvesSize})
	if err := l.Update(); err != nil || l.Renders() != 0 {
		t.Fatalf("nothing set: %d renders, err %v", l.Renders(), err)
	}
	// 100 iterations, 10 ms apart: 1 s in all -> renders at 0, 0.5 s (and not more).
	for i := range 100 {
		l.Point("loss", "generator", float64(i), 1/float64(i+1))
		l.Text("iteration %d", i)
		if err := l.Update(); err != nil {
			t.Fatal(err)
		}
		clk.advance(10 * time.Millisecond)
	}
	if n := l.Renders(); n != 2 {
		t.Errorf("%d renders over 1 s at one per 500 ms, want 2", n)
	}
	// Nothing new: neither Update nor Flush redraws.
	clk.advance(time.Second)
	l.Flush()
	if n := l.Renders(); n != 3 { // iterations 51..99 were still pending
		t.Errorf("after Flush %d renders, want 3", n)
	}
	l.Update()
	l.Flush()
	if n := l.Renders(); n != 3 {
		t.Errorf("redrew without changes: %d renders", n)
	}
	ups := f.updates["test-id"]
	if len(ups) != 3 {
		t.Fatalf("%d updates of the one display id, want 3", len(ups))
	}
	last := ups[2]
	if !strings.Contains(last, "iteration 99") || !strings.Contains(last, "data:image/png;base64,") {
		t.Errorf("last update lacks the text or the curves: %.200q", last)
	}
	if len(f.htmls) != 0 {
		t.Errorf("Live displayed %d new outputs before Close", len(f.htmls))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(f.htmls) != 0 {
		t.Errorf("Close displayed a new output instead of updating the view in place")
	}
	if u := f.updates["test-id"]; !strings.Contains(u[len(u)-1], "iteration 99") {
		t.Errorf("Close did not leave the last data in the view")
	}
	l.Text("after close")
	l.Update()
	if l.Renders() != 4 {
		t.Errorf("render after Close")
	}
}

func TestLiveOutsideNotebookWritesFiles(t *testing.T) {
	_, log, dir := useDisplay(t, false)
	clk := &fakeClock{t: time.Unix(0, 0)}
	l := NewLiveWith(LiveConfig{Name: "dqn", Now: clk.now, ImageScale: 2})
	if l.cfg.Every != 5*time.Second {
		t.Errorf("default interval outside a notebook %v", l.cfg.Every)
	}
	if err := l.Grid("frames", []float32{0, 1, 2, 3, 4, 5, 6, 7}, 2, 1, 2, 2); err != nil {
		t.Fatal(err)
	}
	l.Curves("score").Smooth = 3
	for ep := range 10 {
		l.Point("score", "score", float64(ep), float64(ep%4))
	}
	l.Text("episode %d", 9)
	if err := l.Update(); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "dqn.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`http-equiv="refresh"`, "dqn_frames.png", "dqn_score.png", "episode 9"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("dqn.html lacks %q", want)
		}
	}
	grid := readPNG(t, filepath.Join(dir, "dqn_frames.png"))
	// Grid of 2 2x2 images is 10x6 pixels; ImageScale 2 shows it at 20x12.
	if grid.Bounds().Size().X != 10 || grid.Bounds().Size().Y != 6 {
		t.Errorf("frames PNG %v, want 10x6", grid.Bounds().Size())
	}
	if !strings.Contains(string(html), `src="dqn_frames.png" width="20" height="12"`) {
		t.Error("frames not shown at twice their size")
	}
	if readPNG(t, filepath.Join(dir, "dqn_score.png")).Bounds().Size() != CurvesSize {
		t.Error("score PNG size")
	}
	if !strings.Contains(log.String(), "dqn.html") || !strings.Contains(log.String(), "dqn: episode 9") {
		t.Errorf("log %q", log.String())
	}
	// Within the interval: recorded, not written; Close writes it.
	clk.advance(time.Second)
	l.Text("episode %d", 10)
	l.Update()
	if b, _ := os.ReadFile(filepath.Join(dir, "dqn.html")); strings.Contains(string(b), "episode 10") {
		t.Error("rewrote files within the interval")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dqn.html")); !strings.Contains(string(b), "episode 10") {
		t.Error("Close did not write the last state")
	}
	if n := strings.Count(log.String(), "open "); n != 1 {
		t.Errorf("path announced %d times", n)
	}
}

func TestLiveBadInput(t *testing.T) {
	useDisplay(t, false)
	l := NewLive("bad")
	if err := l.Grid("x", nil, 0, 3, 4, 4); err == nil {
		t.Error("empty batch: no error")
	}
	if err := l.GridTensor("x", nil); err == nil {
		t.Error("nil tensor: no error")
	}
	l.SetCurves("c", Curves{Series: []Series{{Name: "s", X: []float64{1}, Y: []float64{1, 2}}}})
	if err := l.Flush(); err == nil || !strings.Contains(err.Error(), "1 x values") {
		t.Errorf("bad curves: %v", err)
	}
}

func TestLiveReencodesOnlyChangedImages(t *testing.T) {
	f, _, _ := useDisplay(t, true)
	l := NewLive("cache")
	img := testImage()
	l.Image("fake", img)
	l.Flush()
	first := l.pngCache["fake"]
	l.Text("only text changed")
	l.Flush()
	if again := l.pngCache["fake"]; &again.data[0] != &first.data[0] {
		t.Error("unchanged image was encoded again")
	}
	l.Image("fake", WithText(img, 0, 0, "1", TextStyle{}))
	l.Flush()
	if now := l.pngCache["fake"]; now.version == first.version {
		t.Error("new image not encoded")
	}
	if n := len(f.updates["test-id"]); n != 3 {
		t.Errorf("%d updates, want 3", n)
	}
}

func TestLiveConcurrent(t *testing.T) {
	useDisplay(t, true)
	clk := &fakeClock{t: time.Unix(0, 0)}
	var mu sync.Mutex
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clk.advance(100 * time.Millisecond)
		return clk.t
	}
	l := NewLiveWith(LiveConfig{Name: "par", Every: 300 * time.Millisecond, Now: now, CurvesSize: image.Pt(200, 120)})
	var wg sync.WaitGroup
	for g := range 2 { // an actor and a learner
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				l.Point("loss", fmt.Sprint("s", g), float64(i), float64(i))
				l.Image(fmt.Sprint("img", g), testImage())
				l.Text("step %d", i)
				if err := l.Update(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := l.Renders(); n < 2 || n > 70 {
		t.Errorf("%d renders", n)
	}
}

func TestLiveWriterKeepsLastLines(t *testing.T) {
	f, _, _ := useDisplay(t, true)
	l := NewLiveWith(LiveConfig{Name: "dqn", LogLines: 2})
	w := l.Writer()
	fmt.Fprintf(w, "line 1\nline 2\n")
	fmt.Fprintf(w, "line 3 <b>\nline ")
	fmt.Fprintf(w, "4")
	l.Flush()
	ups := f.updates["test-id"]
	if len(ups) != 1 {
		t.Fatalf("%d updates, want 1", len(ups))
	}
	h := ups[0]
	if strings.Contains(h, "line 2") || !strings.Contains(h, "line 3 &lt;b&gt;\nline 4") {
		t.Errorf("log box does not hold the last lines, escaped: %q", h)
	}
	if !strings.Contains(h, "overflow-wrap:break-word") {
		t.Errorf("text may break inside words: %q", h)
	}
}
