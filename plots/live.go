package plots

import (
	"fmt"
	"html"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/arcade-go/arcade/internal/atomicfile"
	"github.com/arcade-go/arcade/kernel"
	"github.com/gomlx/gomlx/core/tensors"
)

// LiveConfig configures a [Live] view. The zero value is usable.
type LiveConfig struct {
	// Name titles the view and prefixes its files outside a notebook; "" means "live".
	Name string
	// Every is the least time between two refreshes: Update calls closer
	// together only record the new data. 0 means 500 ms in a notebook and 5 s
	// outside one (where every refresh rewrites files).
	Every time.Duration
	// Dir is where the files go outside a notebook; "" means OutDir().
	Dir string
	// CurvesSize is the size of each curves panel in pixels; zero means CurvesSize.
	CurvesSize image.Point
	// ImageScale shows images that many times larger (the browser enlarges
	// them with sharp pixels; the PNGs keep their size): 2 or 3 makes a grid
	// of 64x64 images easier to see. 0 means 1.
	ImageScale int
	// LogLines is how many of the last lines written to [Live.Writer] the
	// view shows; 0 means 6.
	LogLines int
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
}

// Live is one output that shows the latest images (grids of generated and
// real images, a game frame), curves (losses, scores) and a line of text, and
// is refreshed in place while a model trains. In a notebook it is one cell
// output updated through gonbui.UpdateHTML; outside one, each refresh
// rewrites <name>.html (which reloads itself in a browser) and a PNG per
// image and per curves panel under the output directory, and prints the text.
//
// Setters only record data; [Live.Update] redraws at most once per
// LiveConfig.Every, so it can be called every iteration. Call [Live.Close]
// (or at least [Live.Flush]) at the end so the last data is shown. A Live is
// safe for use by several goroutines.
//
//	live := plots.NewLive("dcgan")
//	defer live.Close()
//	for it := range iters {
//		...
//		live.Point("loss", "generator", float64(it), lossG)
//		live.Point("loss", "discriminator", float64(it), lossD)
//		if it%100 == 0 {
//			live.GridTensor("fake", fake)
//		}
//		live.Text("iteration %d, %.1f it/s", it, speed)
//		live.Update()
//	}
type Live struct {
	cfg LiveConfig
	d   display
	id  string

	mu      sync.Mutex
	images  []namedImage
	curves  []namedCurves
	text    string
	logs    []string // the last LogLines complete lines written to Writer
	partial string   // a line written to Writer without its newline yet
	dirty   bool
	last    time.Time
	renders int
	closed  bool
	err     error

	version int // counts Image calls, so unchanged images are not re-encoded

	renderMu    sync.Mutex // one render at a time, outside mu
	announced   bool
	printedText string
	pngCache    map[string]cachedPNG // by image name, under renderMu
}

type namedImage struct {
	name    string
	img     image.Image
	version int
}

type cachedPNG struct {
	version int
	data    []byte
}

type namedCurves struct {
	name string
	c    *Curves
}

// NewLive returns a live view with the default configuration.
func NewLive(name string) *Live { return NewLiveWith(LiveConfig{Name: name}) }

// NewLiveWith returns a live view with the given configuration.
func NewLiveWith(cfg LiveConfig) *Live {
	d := front()
	if cfg.Name == "" {
		cfg.Name = "live"
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Second
		if d.notebook() {
			cfg.Every = 500 * time.Millisecond
		}
	}
	if cfg.CurvesSize == (image.Point{}) {
		cfg.CurvesSize = CurvesSize
	}
	cfg.ImageScale = max(cfg.ImageScale, 1)
	if cfg.LogLines <= 0 {
		cfg.LogLines = 6
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &Live{cfg: cfg, d: d}
	if d.notebook() {
		l.id = d.newID()
	}
	return l
}

// Image sets the image shown under name (added after the others the first
// time). The image must not be changed afterwards; pass a copy if needed.
func (l *Live) Image(name string, img image.Image) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirty = true
	l.version++
	for i := range l.images {
		if l.images[i].name == name {
			l.images[i].img = img
			l.images[i].version = l.version
			return
		}
	}
	l.images = append(l.images, namedImage{name, img, l.version})
}

// Grid sets the image under name to [Grid](data, shape...).
func (l *Live) Grid(name string, data []float32, shape ...int) error {
	img, err := Grid(data, shape...)
	if err != nil {
		return err
	}
	l.Image(name, img)
	return nil
}

// GridTensor sets the image under name to [GridTensor](t).
func (l *Live) GridTensor(name string, t *tensors.Tensor) error {
	img, err := GridTensor(t)
	if err != nil {
		return err
	}
	l.Image(name, img)
	return nil
}

// Curves returns the curves panel called name, creating it (titled name) the
// first time, so its labels, LogY and Smooth can be set before training:
//
//	live.Curves("score").Smooth = 20
//
// Change it only from one goroutine, before Updates start; add points with
// [Live.Point].
func (l *Live) Curves(name string) *Curves {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.panel(name)
}

func (l *Live) panel(name string) *Curves {
	for _, p := range l.curves {
		if p.name == name {
			return p.c
		}
	}
	c := &Curves{Title: name}
	l.curves = append(l.curves, namedCurves{name, c})
	return c
}

// SetCurves replaces the curves panel called name by a copy of c.
func (l *Live) SetCurves(name string, c Curves) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirty = true
	cc := c.Clone()
	for i := range l.curves {
		if l.curves[i].name == name {
			*l.curves[i].c = cc
			return
		}
	}
	l.curves = append(l.curves, namedCurves{name, &cc})
}

// Point appends (x, y) to the series of the curves panel called panel.
func (l *Live) Point(panel, series string, x, y float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirty = true
	l.panel(panel).Add(series, x, y)
}

// Text sets the line of text shown above the pictures (fmt.Sprintf).
func (l *Live) Text(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirty = true
	l.text = fmt.Sprintf(format, args...)
}

// Writer returns an io.Writer whose lines (a training loop's progress lines,
// its "checkpoint saved" notes) the view shows in a box under its text line,
// the last LiveConfig.LogLines of them, instead of letting them pile up under
// the cell. Absolute paths inside the repository are shown relative to it.
// Writing does not redraw; the next Update or Flush does. Outside a notebook
// the lines go to [Log] as they come.
func (l *Live) Writer() io.Writer { return liveWriter{l} }

type liveWriter struct{ l *Live }

func (w liveWriter) Write(p []byte) (int, error) {
	l := w.l
	if !l.d.notebook() {
		return Log.Write([]byte(kernel.ShortPaths(string(p))))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirty = true
	text := l.partial + string(p)
	lines := strings.Split(text, "\n")
	l.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		l.logs = append(l.logs, kernel.ShortPaths(strings.TrimRight(line, "\r")))
	}
	if n := len(l.logs) - l.cfg.LogLines; n > 0 {
		l.logs = append(l.logs[:0], l.logs[n:]...)
	}
	return len(p), nil
}

// Update redraws the view if something changed and LiveConfig.Every has
// passed since the last redraw; otherwise it returns at once. It returns the
// redraw's error, if any.
func (l *Live) Update() error {
	l.mu.Lock()
	now := l.cfg.Now()
	if l.closed || !l.dirty || (l.renders > 0 && now.Sub(l.last) < l.cfg.Every) {
		l.mu.Unlock()
		return nil
	}
	return l.renderLocked(now)
}

// Flush redraws the view now if anything changed since the last redraw.
func (l *Live) Flush() error {
	l.mu.Lock()
	if l.closed || (!l.dirty && l.renders > 0) {
		l.mu.Unlock()
		return nil
	}
	return l.renderLocked(l.cfg.Now())
}

// Close draws the last data in place (the view stays where it is, above
// anything printed meanwhile). Later calls do nothing.
func (l *Live) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	snap := l.snapshotLocked(l.cfg.Now())
	l.mu.Unlock()
	l.renderMu.Lock()
	defer l.renderMu.Unlock()
	if l.d.notebook() {
		h, err := l.html(snap)
		l.d.update(l.id, h)
		return err
	}
	return l.writeFiles(snap)
}

// Renders returns how many times the view has been redrawn.
func (l *Live) Renders() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.renders
}

// liveSnapshot is the data of one redraw, copied under the lock.
type liveSnapshot struct {
	images []namedImage
	curves []namedCurves
	text   string
	logs   []string
}

func (l *Live) snapshotLocked(now time.Time) liveSnapshot {
	l.last = now
	l.dirty = false
	l.renders++
	s := liveSnapshot{images: append([]namedImage(nil), l.images...), text: l.text, logs: append([]string(nil), l.logs...)}
	if l.partial != "" {
		s.logs = append(s.logs, kernel.ShortPaths(l.partial))
		if len(s.logs) > l.cfg.LogLines {
			s.logs = s.logs[1:]
		}
	}
	for _, p := range l.curves {
		c := p.c.Clone()
		s.curves = append(s.curves, namedCurves{p.name, &c})
	}
	return s
}

// renderLocked takes a snapshot, unlocks l.mu and draws it.
func (l *Live) renderLocked(now time.Time) error {
	snap := l.snapshotLocked(now)
	l.mu.Unlock()
	l.renderMu.Lock()
	defer l.renderMu.Unlock()
	if l.d.notebook() {
		h, err := l.html(snap)
		l.d.update(l.id, h)
		return err
	}
	return l.writeFiles(snap)
}

// picture is one encoded PNG of a redraw and the size to show it at.
type picture struct {
	name    string
	png     []byte
	size    image.Point
	caption bool // curves carry their title inside the picture
}

// pictures encodes the snapshot's images (reusing the PNG of an image that
// did not change) and then its curves panels. Call with renderMu held.
func (l *Live) pictures(s liveSnapshot) ([]picture, error) {
	var errs []string
	var out []picture
	if l.pngCache == nil {
		l.pngCache = map[string]cachedPNG{}
	}
	for _, im := range s.images {
		if im.img == nil {
			continue
		}
		c, ok := l.pngCache[im.name]
		if !ok || c.version != im.version {
			b, e := encodePNG(im.img)
			if e != nil {
				errs = append(errs, fmt.Sprintf("image %q: %v", im.name, e))
				continue
			}
			c = cachedPNG{im.version, b}
			l.pngCache[im.name] = c
		}
		out = append(out, picture{im.name, c.data, im.img.Bounds().Size().Mul(l.cfg.ImageScale), true})
	}
	for _, p := range s.curves {
		b, e := p.c.PNG(l.cfg.CurvesSize.X, l.cfg.CurvesSize.Y)
		if e != nil {
			errs = append(errs, e.Error())
			continue
		}
		out = append(out, picture{p.name, b, l.cfg.CurvesSize, false})
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("plots: live view %q: %s", l.cfg.Name, strings.Join(errs, "; "))
	}
	return out, nil
}

// html lays the snapshot out as one block of HTML with inlined PNGs.
// Call with renderMu held.
func (l *Live) html(s liveSnapshot) (string, error) {
	pics, err := l.pictures(s)
	var b strings.Builder
	b.WriteString(`<div class="arcade-live" style="font-family:sans-serif">`)
	// pre-wrap keeps the numbers' spacing; overflow-wrap breaks a line only
	// between words (Jupyter's own output boxes break inside words).
	const mono = `font-family:monospace;white-space:pre-wrap;word-break:normal;overflow-wrap:break-word`
	fmt.Fprintf(&b, `<div style="%s"><b>%s</b> %s</div>`, mono, html.EscapeString(l.cfg.Name), html.EscapeString(s.text))
	if len(s.logs) > 0 {
		fmt.Fprintf(&b, `<div class="arcade-live-log" style="%s;font-size:smaller;color:#444;border-left:3px solid #ddd;padding-left:6px;margin:4px 0">%s</div>`,
			mono, html.EscapeString(strings.Join(s.logs, "\n")))
	}
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">`)
	for _, p := range pics {
		// Classes tell images (grids, frames) from charts, for the browser test.
		caption, class := "", "arcade-live-chart"
		if p.caption {
			caption = `<figcaption style="font-size:small;text-align:center">` + html.EscapeString(p.name) + `</figcaption>`
			class = "arcade-live-image"
		}
		fmt.Fprintf(&b, `<figure class="%s" style="margin:0">%s%s</figure>`, class, imgTagSized("image/png", p.png, p.name, p.size), caption)
	}
	if err != nil {
		fmt.Fprintf(&b, `<div style="color:#b00">%s</div>`, html.EscapeString(err.Error()))
	}
	b.WriteString(`</div></div>`)
	return b.String(), err
}

// writeFiles writes the snapshot's PNGs and an HTML page that shows them and
// reloads itself, prints where they are the first time, and prints the text
// when it changed.
func (l *Live) writeFiles(s liveSnapshot) error {
	dir := l.cfg.Dir
	if dir == "" {
		dir = OutDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("plots: live view directory: %w", err)
	}
	pics, err := l.pictures(s)
	var page strings.Builder
	refresh := max(int(l.cfg.Every/time.Second), 1)
	fmt.Fprintf(&page, "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"%d\"><title>%s</title></head><body>\n",
		refresh, html.EscapeString(l.cfg.Name))
	fmt.Fprintf(&page, "<pre><b>%s</b> %s</pre>\n", html.EscapeString(l.cfg.Name), html.EscapeString(s.text))
	if len(s.logs) > 0 {
		fmt.Fprintf(&page, "<pre style=\"color:#444\">%s</pre>\n", html.EscapeString(strings.Join(s.logs, "\n")))
	}
	for _, p := range pics {
		file := fileName(l.cfg.Name+"_"+p.name, ".png")
		if e := atomicfile.Write(filepath.Join(dir, file), p.png, 0o644); e != nil {
			return fmt.Errorf("plots: %w", e)
		}
		fmt.Fprintf(&page, "<figure style=\"display:inline-block;margin:4px\"><img src=\"%s\" width=\"%d\" height=\"%d\" style=\"image-rendering:pixelated\"><figcaption>%s</figcaption></figure>\n",
			html.EscapeString(file), p.size.X, p.size.Y, html.EscapeString(p.name))
	}
	page.WriteString("</body></html>\n")
	htmlPath := filepath.Join(dir, fileName(l.cfg.Name, ".html"))
	if e := atomicfile.Write(htmlPath, []byte(page.String()), 0o644); e != nil {
		return fmt.Errorf("plots: %w", e)
	}
	if !l.announced {
		l.announced = true
		fmt.Fprintf(Log, "plots: live view %q: open %s (PNGs beside it)\n", l.cfg.Name, kernel.ShortPaths(htmlPath))
	}
	if s.text != "" && s.text != l.printedText {
		l.printedText = s.text
		fmt.Fprintf(Log, "%s: %s\n", l.cfg.Name, s.text)
	}
	return err
}
