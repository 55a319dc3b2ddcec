package plots

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"image"
	_ "image/jpeg" // a JPEG's size for Figure.Scale
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/arcade-go/arcade/internal/atomicfile"
	"github.com/arcade-go/arcade/kernel"
	"github.com/janpfeifer/gonb/gonbui"
)

// Dir is where the Show functions and [Live] write their files outside a
// notebook. Empty means [OutDir]'s default.
var Dir string

// DirEnv overrides the default output directory outside a notebook.
const DirEnv = "ARCADE_PLOTS"

// Log receives one line per file written outside a notebook ("plots: wrote
// runs/plots/fake.png") and Live's text lines. Defaults to os.Stdout.
var Log io.Writer = os.Stdout

// CurvesSize is the size in pixels [ShowCurves] and [Live] draw curves at.
var CurvesSize = image.Pt(640, 360)

// OutDir returns where files go outside a notebook: [Dir] if set, else
// $ARCADE_PLOTS, else runs/plots at the repository root (kernel.RunsDir).
func OutDir() string {
	if Dir != "" {
		return Dir
	}
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	return filepath.Join(kernel.RunsDir(), "plots")
}

// display is the notebook front end; tests replace it.
type display interface {
	notebook() bool
	html(h string)
	png(b []byte)
	update(id, h string)
	newID() string
}

type gonbDisplay struct{}

func (gonbDisplay) notebook() bool      { return gonbui.IsNotebook }
func (gonbDisplay) html(h string)       { gonbui.DisplayHTML(h) }
func (gonbDisplay) png(b []byte)        { gonbui.DisplayPNG(b) }
func (gonbDisplay) update(id, h string) { gonbui.UpdateHTML(id, h) }
func (gonbDisplay) newID() string       { return "arcade_plots_" + gonbui.UniqueId() }

var (
	outMu sync.Mutex
	out   display = gonbDisplay{}
)

func front() display {
	outMu.Lock()
	defer outMu.Unlock()
	return out
}

// InNotebook reports whether the Show functions display inline (true) or
// write files (false).
func InNotebook() bool { return front().notebook() }

// fileName turns a display name into a safe file name with the extension.
func fileName(name, ext string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "plot"
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	return strings.TrimSuffix(b.String(), ext) + ext
}

// writeOut writes data to OutDir()/name+ext and returns the path.
func writeOut(name, ext string, data []byte) (string, error) {
	dir := OutDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("plots: output directory: %w", err)
	}
	path := filepath.Join(dir, fileName(name, ext))
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return "", fmt.Errorf("plots: %w", err)
	}
	return path, nil
}

func showFile(name, ext string, data []byte) error {
	path, err := writeOut(name, ext, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(Log, "plots: wrote %s\n", kernel.ShortPath(path))
	return nil
}

// ShowPNG shows PNG bytes under the cell, or outside a notebook writes
// OutDir()/name.png and prints its path.
func ShowPNG(name string, pngData []byte) error {
	if len(pngData) == 0 {
		return fmt.Errorf("plots: ShowPNG %q: no data", name)
	}
	if d := front(); d.notebook() {
		d.png(pngData)
		return nil
	}
	return showFile(name, ".png", pngData)
}

// ShowSVG shows an SVG document under the cell, or writes name.svg.
func ShowSVG(name string, svg []byte) error {
	if len(svg) == 0 {
		return fmt.Errorf("plots: ShowSVG %q: no data", name)
	}
	if d := front(); d.notebook() {
		d.html("<div>" + string(svg) + "</div>")
		return nil
	}
	return showFile(name, ".svg", svg)
}

// ShowGIF shows an animated GIF under the cell (as an <img> with the GIF
// inlined), or writes name.gif.
func ShowGIF(name string, gifData []byte) error {
	if len(gifData) == 0 {
		return fmt.Errorf("plots: ShowGIF %q: no data", name)
	}
	if d := front(); d.notebook() {
		d.html(imgTag("image/gif", gifData, name))
		return nil
	}
	return showFile(name, ".gif", gifData)
}

// ShowImage shows an image (a Grid, a frame) as PNG, or writes name.png.
func ShowImage(name string, img image.Image) error {
	b, err := encodePNG(img)
	if err != nil {
		return fmt.Errorf("plots: ShowImage %q: %w", name, err)
	}
	return ShowPNG(name, b)
}

// ShowFrames shows frames as an animated GIF (delay per frame), or writes
// name.gif; see [GIF].
func ShowFrames(name string, frames []image.Image, delay time.Duration) error {
	b, err := GIF(frames, delay)
	if err != nil {
		return fmt.Errorf("plots: ShowFrames %q: %w", name, err)
	}
	return ShowGIF(name, b)
}

// ShowCurves draws the curves at [CurvesSize] and shows them as PNG, or
// writes name.png.
func ShowCurves(name string, c Curves) error {
	b, err := c.PNG(CurvesSize.X, CurvesSize.Y)
	if err != nil {
		return err
	}
	return ShowPNG(name, b)
}

// Figure is a picture file and the caption shown under it.
type Figure struct {
	Path    string // PNG, GIF, JPEG or SVG; relative paths as in [ShowFile]
	Caption string // "" for none
	// Scale, when above 1, shows a PNG, GIF or JPEG that many times its size
	// with sharp pixels (a strip of 64x64 samples is otherwise tiny); 0 or 1
	// shows it at its own size.
	Scale int
}

// ShowFile shows a picture file of the repository (PNG, GIF, JPEG or SVG)
// under the cell, with caption under it ("" for none). The file is embedded in
// the output as a data URI, so it shows wherever the Jupyter server is rooted
// (a Markdown link such as ../models/dcgan/figures/x.png is outside the
// folder the server serves, and breaks). A relative path is taken from the
// notebook's folder ($GONB_DIR), as a Markdown link would be:
//
//	plots.ShowFile("../models/dcgan/figures/samples-2000.png", "after 2,000 steps")
//
// Outside a notebook it prints the file's path.
func ShowFile(path, caption string) error {
	return ShowFigures(Figure{Path: path, Caption: caption})
}

// ShowFigures shows picture files side by side (wrapping on a narrow page),
// each with its caption; see [ShowFile].
func ShowFigures(figs ...Figure) error {
	var b strings.Builder
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">`)
	for _, f := range figs {
		path := f.Path
		if !filepath.IsAbs(path) {
			if dir := os.Getenv("GONB_DIR"); dir != "" && InNotebook() {
				path = filepath.Join(dir, path)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("plots: ShowFile: %w", errors.New(kernel.ShortPaths(err.Error())))
		}
		if !InNotebook() {
			fmt.Fprintf(Log, "plots: %s (%s)\n", kernel.ShortPath(path), f.Caption)
			continue
		}
		mime := ""
		switch strings.ToLower(filepath.Ext(path)) {
		case ".png":
			mime = "image/png"
		case ".gif":
			mime = "image/gif"
		case ".jpg", ".jpeg":
			mime = "image/jpeg"
		case ".svg":
			mime = "image/svg+xml"
		default:
			return fmt.Errorf("plots: ShowFile %s: not a PNG, GIF, JPEG or SVG file", f.Path)
		}
		var size image.Point // zero: the file's own size
		if f.Scale < 0 {
			return fmt.Errorf("plots: ShowFile %s: negative Scale %d", f.Path, f.Scale)
		}
		if f.Scale > 1 {
			if mime == "image/svg+xml" {
				return fmt.Errorf("plots: ShowFile %s: Scale needs a PNG, GIF or JPEG file", f.Path)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				return fmt.Errorf("plots: ShowFile %s: %w", f.Path, err)
			}
			size = image.Pt(cfg.Width*f.Scale, cfg.Height*f.Scale)
		}
		alt := f.Caption
		if alt == "" {
			alt = filepath.Base(path)
		}
		b.WriteString(`<figure style="margin:0">`)
		b.WriteString(imgTagSized(mime, data, alt, size))
		if f.Caption != "" {
			fmt.Fprintf(&b, `<figcaption style="font-size:small;text-align:center;max-width:40em">%s</figcaption>`, html.EscapeString(f.Caption))
		}
		b.WriteString(`</figure>`)
	}
	b.WriteString(`</div>`)
	if d := front(); d.notebook() {
		d.html(b.String())
	}
	return nil
}

// WritePNG writes img as a PNG file at path, creating its directory.
func WritePNG(path string, img image.Image) error {
	b, err := encodePNG(img)
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return os.WriteFile(path, b, 0o644)
}

func encodePNG(img image.Image) ([]byte, error) {
	if img == nil {
		return nil, fmt.Errorf("nil image")
	}
	if img.Bounds().Empty() {
		return nil, fmt.Errorf("empty image %v", img.Bounds())
	}
	if s := img.Bounds().Size(); s.X > 1<<14 || s.Y > 1<<14 {
		return nil, fmt.Errorf("image of %dx%d pixels is too large to show", s.X, s.Y)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// imgTag is an <img> with the data inlined as base64; small pictures are
// drawn with sharp pixels.
func imgTag(mime string, data []byte, alt string) string {
	return imgTagSized(mime, data, alt, image.Point{})
}

// imgTagSized is imgTag shown at size (in CSS pixels) when size is not zero.
func imgTagSized(mime string, data []byte, alt string, size image.Point) string {
	if size != (image.Point{}) {
		return fmt.Sprintf(`<img src="data:%s;base64,%s" alt="%s" title="%s" width="%d" height="%d" style="image-rendering:pixelated;max-width:100%%;height:auto">`,
			mime, base64.StdEncoding.EncodeToString(data), html.EscapeString(alt), html.EscapeString(alt), size.X, size.Y)
	}
	return fmt.Sprintf(`<img src="data:%s;base64,%s" alt="%s" title="%s" style="image-rendering:pixelated;max-width:100%%">`,
		mime, base64.StdEncoding.EncodeToString(data), html.EscapeString(alt), html.EscapeString(alt))
}
