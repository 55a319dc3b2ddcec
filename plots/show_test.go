package plots

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeDisplay records what would go to the notebook.
type fakeDisplay struct {
	mu      sync.Mutex
	nb      bool
	htmls   []string
	pngs    [][]byte
	updates map[string][]string
}

func (f *fakeDisplay) notebook() bool { return f.nb }
func (f *fakeDisplay) html(h string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.htmls = append(f.htmls, h)
}
func (f *fakeDisplay) png(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pngs = append(f.pngs, b)
}
func (f *fakeDisplay) update(id, h string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.updates == nil {
		f.updates = map[string][]string{}
	}
	f.updates[id] = append(f.updates[id], h)
}
func (f *fakeDisplay) newID() string { return "test-id" }

// useDisplay swaps the front end and output settings for one test.
func useDisplay(t *testing.T, nb bool) (*fakeDisplay, *bytes.Buffer, string) {
	t.Helper()
	f := &fakeDisplay{nb: nb}
	var log bytes.Buffer
	dir := t.TempDir()
	outMu.Lock()
	oldOut, oldLog, oldDir := out, Log, Dir
	out, Log, Dir = f, &log, dir
	outMu.Unlock()
	t.Cleanup(func() {
		outMu.Lock()
		out, Log, Dir = oldOut, oldLog, oldDir
		outMu.Unlock()
	})
	return f, &log, dir
}

func testImage() *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, 6, 4))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
		if i%4 == 3 {
			m.Pix[i] = 255
		}
	}
	return m
}

func TestShowOutsideNotebookWritesFiles(t *testing.T) {
	_, log, dir := useDisplay(t, false)
	img := testImage()
	if err := ShowImage("fake grid/1", img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fake_grid_1.png")
	got := readPNG(t, path)
	if d := sameRGB(img, got); d != 0 || got.Bounds() != img.Bounds() {
		t.Errorf("written PNG differs in %d pixels", d)
	}
	if !strings.Contains(log.String(), "plots: wrote "+path) {
		t.Errorf("log %q does not name %s", log.String(), path)
	}
	g, err := GIF([]image.Image{img, img}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ShowGIF("play", g); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "play.gif")); !bytes.Equal(b, g) {
		t.Error("play.gif differs from the GIF shown")
	}
	if err := ShowSVG("loss", []byte("<svg></svg>")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "loss.svg")); err != nil {
		t.Error(err)
	}
	if err := ShowCurves("curves", lossCurves()); err != nil {
		t.Fatal(err)
	}
	if c := readPNG(t, filepath.Join(dir, "curves.png")); c.Bounds().Size() != CurvesSize {
		t.Errorf("curves.png is %v", c.Bounds().Size())
	}
	if err := ShowPNG("x", nil); err == nil {
		t.Error("empty PNG: no error")
	}
	if err := ShowImage("x", nil); err == nil {
		t.Error("nil image: no error")
	}
}

func TestShowInNotebook(t *testing.T) {
	f, log, dir := useDisplay(t, true)
	if err := ShowImage("grid", testImage()); err != nil {
		t.Fatal(err)
	}
	if len(f.pngs) != 1 || sameRGB(testImage(), decodePNG(t, f.pngs[0])) != 0 {
		t.Fatalf("notebook got %d PNGs", len(f.pngs))
	}
	frames := []image.Image{testImage(), WithText(testImage(), 0, 0, "1", TextStyle{Color: color.Black})}
	if err := ShowFrames("play", frames, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	h := f.htmls[len(f.htmls)-1]
	const prefix = `<img src="data:image/gif;base64,`
	if !strings.HasPrefix(h, prefix) {
		t.Fatalf("GIF html %.60q", h)
	}
	raw, err := base64.StdEncoding.DecodeString(h[len(prefix):strings.Index(h, `" alt=`)])
	if err != nil {
		t.Fatal(err)
	}
	if g := decodeGIF(t, raw); len(g.Image) != 2 || g.Delay[0] != 10 {
		t.Errorf("inlined GIF: %d frames, delay %d", len(g.Image), g.Delay[0])
	}
	if log.Len() != 0 {
		t.Errorf("notebook path logged %q", log.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("notebook path wrote %d files", len(entries))
	}
}

func TestShowFileEmbedsTheFile(t *testing.T) {
	f, _, _ := useDisplay(t, true)
	if err := ShowFile("testdata/../testdata", "x"); err == nil {
		t.Errorf("a folder was shown")
	}
	dir := t.TempDir()
	png := filepath.Join(dir, "a.png")
	if err := WritePNG(png, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if err := ShowFigures(Figure{Path: png, Caption: "two <pixels>"}); err != nil {
		t.Fatal(err)
	}
	if len(f.htmls) != 1 || !strings.Contains(f.htmls[0], `src="data:image/png;base64,`) || !strings.Contains(f.htmls[0], "two &lt;pixels&gt;") {
		t.Errorf("ShowFigures output: %v", f.htmls)
	}
	if strings.Contains(f.htmls[0], "width=") {
		t.Errorf("a figure without Scale got a size: %v", f.htmls[0])
	}
}

func TestShowFiguresScale(t *testing.T) {
	f, _, _ := useDisplay(t, true)
	dir := t.TempDir()
	png := filepath.Join(dir, "strip.png")
	if err := WritePNG(png, image.NewRGBA(image.Rect(0, 0, 5, 2))); err != nil {
		t.Fatal(err)
	}
	if err := ShowFigures(Figure{Path: png, Scale: 3}, Figure{Path: png, Scale: 1}); err != nil {
		t.Fatal(err)
	}
	if len(f.htmls) != 1 {
		t.Fatalf("%d outputs", len(f.htmls))
	}
	if n := strings.Count(f.htmls[0], `width="15" height="6"`); n != 1 {
		t.Errorf("Scale 3 of a 5x2 picture: %d tags sized 15x6 in %s", n, f.htmls[0])
	}
	if n := strings.Count(f.htmls[0], "width="); n != 1 {
		t.Errorf("Scale 1 sized too: %d sized tags", n)
	}
	if err := ShowFigures(Figure{Path: png, Scale: -2}); err == nil || !strings.Contains(err.Error(), "negative Scale") {
		t.Errorf("Scale -2: %v", err)
	}
	svg := filepath.Join(dir, "a.svg")
	if err := os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ShowFigures(Figure{Path: svg, Scale: 2}); err == nil || !strings.Contains(err.Error(), "Scale needs") {
		t.Errorf("an SVG with Scale 2: %v", err)
	}
}
