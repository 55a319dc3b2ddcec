package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// composite replays a decoded GIF (disposal None, transparency) into full frames.
func composite(t *testing.T, g *gif.GIF) []*image.RGBA {
	t.Helper()
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var out []*image.RGBA
	for i, f := range g.Image {
		if g.Disposal[i] != gif.DisposalNone {
			t.Fatalf("frame %d disposal %d", i, g.Disposal[i])
		}
		draw.Draw(canvas, f.Bounds(), f, f.Bounds().Min, draw.Over)
		out = append(out, toRGBA(canvas))
	}
	return out
}

// scene draws a frame: background, a moving "sprite", a fixed "ground".
func scene(w, h, i int, bg, sprite, ground color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	draw.Draw(m, image.Rect(0, h-4, w, h), image.NewUniform(ground), image.Point{}, draw.Src)
	x := (i * 3) % (w - 6)
	draw.Draw(m, image.Rect(x, h/3, x+6, h/3+5), image.NewUniform(sprite), image.Point{}, draw.Src)
	return m
}

func decodeGIF(t *testing.T, b []byte) *gif.GIF {
	t.Helper()
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func sameRGB(a, b image.Image) (diff int) {
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r0, g0, b0, _ := a.At(x, y).RGBA()
			r1, g1, b1, _ := b.At(x, y).RGBA()
			if r0>>8 != r1>>8 || g0>>8 != g1>>8 || b0>>8 != b1>>8 {
				diff++
			}
		}
	}
	return diff
}

func TestGIFExactColoursFramesDelay(t *testing.T) {
	// Atari-like colours (Pong's background, paddles, ball; Breakout's bricks).
	bg := color.RGBA{144, 72, 17, 255}
	sprite := color.RGBA{236, 236, 236, 255}
	ground := color.RGBA{92, 186, 92, 255}
	var frames []image.Image
	for i := range 12 {
		frames = append(frames, scene(40, 30, i, bg, sprite, ground))
	}
	for _, full := range []bool{false, true} {
		b, err := GIFOptions{Delay: 40 * time.Millisecond, Full: full}.GIF(frames)
		if err != nil {
			t.Fatal(err)
		}
		g := decodeGIF(t, b)
		if len(g.Image) != 12 {
			t.Fatalf("full=%v: %d frames, want 12", full, len(g.Image))
		}
		for i, d := range g.Delay {
			if d != 4 {
				t.Fatalf("frame %d delay %d cs, want 4", i, d)
			}
		}
		if g.LoopCount != 0 {
			t.Errorf("loop count %d, want 0 (forever)", g.LoopCount)
		}
		pal := g.Image[0].Palette
		for _, c := range []color.RGBA{bg, sprite, ground} {
			found := false
			for _, p := range pal {
				if p == color.Color(c) {
					found = true
				}
			}
			if !found {
				t.Errorf("palette lacks %v", c)
			}
		}
		for i, f := range composite(t, g) {
			if d := sameRGB(frames[i], f); d != 0 {
				t.Fatalf("full=%v frame %d: %d pixels differ", full, i, d)
			}
		}
		if !full && g.Image[3].Bounds().Dx() >= 40 {
			t.Errorf("differenced frame 3 covers %v, want only the moved sprite", g.Image[3].Bounds())
		}
	}
}

func TestGIFDelayRounding(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 10}, {33 * time.Millisecond, 3}, {5 * time.Millisecond, 2}, {time.Second, 100}} {
		if got := (GIFOptions{Delay: c.d}).delayCS(); got != c.want {
			t.Errorf("delay %v -> %d cs, want %d", c.d, got, c.want)
		}
	}
}

func TestGIFManyColours(t *testing.T) {
	// A noisy background (thousands of colours) with exact colours that must survive.
	rng := rand.New(rand.NewPCG(1, 2))
	bird := color.RGBA{250, 200, 40, 255}
	pipe := color.RGBA{115, 191, 46, 255}
	var frames []image.Image
	for i := range 4 {
		m := image.NewRGBA(image.Rect(0, 0, 64, 64))
		for p := 0; p < len(m.Pix); p += 4 {
			m.Pix[p], m.Pix[p+1], m.Pix[p+2], m.Pix[p+3] = uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255
		}
		draw.Draw(m, image.Rect(0, 0, 64, 20), image.NewUniform(pipe), image.Point{}, draw.Src)
		draw.Draw(m, image.Rect(i*4, 30, i*4+8, 36), image.NewUniform(bird), image.Point{}, draw.Src)
		frames = append(frames, m)
	}
	pal, err := Palette(frames, 255)
	if err != nil {
		t.Fatal(err)
	}
	if len(pal) != 255 {
		t.Errorf("palette of %d colours, want 255", len(pal))
	}
	if pal[0] != color.Color(pipe) || pal[1] != color.Color(bird) {
		t.Errorf("most frequent colours %v %v, want pipe %v then bird %v", pal[0], pal[1], pipe, bird)
	}
	b, err := GIF(frames, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	got := composite(t, decodeGIF(t, b))
	if c := got[2].RGBAAt(10, 32); c != bird {
		t.Errorf("bird pixel %v, want %v", c, bird)
	}
	// The noise is approximated: mean absolute error per channel well under 64.
	var sum, n int
	for p := 0; p < len(got[0].Pix); p += 4 {
		src := frames[0].(*image.RGBA).Pix
		for k := range 3 {
			sum += absDiff(int(got[0].Pix[p+k]), int(src[p+k]))
			n++
		}
	}
	if mean := float64(sum) / float64(n); mean > 40 {
		t.Errorf("mean error %.1f per channel", mean)
	}
}

func TestGIFBadInput(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 4, 4))
	b := image.NewRGBA(image.Rect(0, 0, 5, 4))
	for _, c := range []struct {
		frames []image.Image
		want   string
	}{
		{nil, "no frames"},
		{[]image.Image{a, b}, "same size"},
		{[]image.Image{a, nil}, "frame 1 is nil"},
	} {
		if _, err := GIF(c.frames, 0); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// TestGIFFlappySize checks that a Flappy-sized recording (288x512, a static
// sky, scrolling ground, moving pipes and bird) stays small.
func TestGIFFlappySize(t *testing.T) {
	sky := color.RGBA{78, 192, 202, 255}
	pipeC := color.RGBA{115, 191, 46, 255}
	groundC := color.RGBA{222, 216, 149, 255}
	birdC := color.RGBA{250, 200, 40, 255}
	var frames []image.Image
	for i := range 30 {
		m := image.NewRGBA(image.Rect(0, 0, 288, 512))
		draw.Draw(m, m.Rect, image.NewUniform(sky), image.Point{}, draw.Src)
		px := 200 - 4*i
		draw.Draw(m, image.Rect(px, 0, px+52, 150), image.NewUniform(pipeC), image.Point{}, draw.Src)
		draw.Draw(m, image.Rect(px, 250, px+52, 404), image.NewUniform(pipeC), image.Point{}, draw.Src)
		for x := 0; x < 288; x += 12 { // stripes scrolling on the ground
			off := (x + 4*i) % 24
			c := groundC
			if off < 12 {
				c = color.RGBA{200, 190, 120, 255}
			}
			draw.Draw(m, image.Rect(x, 404, x+12, 420), image.NewUniform(c), image.Point{}, draw.Src)
		}
		draw.Draw(m, image.Rect(57, 200+i, 91, 224+i), image.NewUniform(birdC), image.Point{}, draw.Src)
		frames = append(frames, WithText(m, 130, 30, "12", TextStyle{Scale: 3}))
	}
	b, err := GIF(frames, 33*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	full, err := GIFOptions{Delay: 33 * time.Millisecond, Full: true}.GIF(frames)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("30 frames 288x512: %d bytes differenced, %d bytes full", len(b), len(full))
	if len(b) >= len(full) {
		t.Errorf("differencing did not help: %d >= %d bytes", len(b), len(full))
	}
	if len(b) > 100_000 {
		t.Errorf("GIF of 30 simple frames is %d bytes", len(b))
	}
	got := composite(t, decodeGIF(t, b))
	for i := range frames {
		if d := sameRGB(frames[i], got[i]); d != 0 {
			t.Fatalf("frame %d: %d pixels differ", i, d)
		}
	}
}
