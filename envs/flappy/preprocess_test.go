package flappy

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// blackScreen returns an opaque black 288x512 image.
func blackScreen() *image.RGBA {
	img := NewScreen()
	copy(img.Pix, blackBackground)
	return img
}

func TestPreprocessKnownFrames(t *testing.T) {
	var f Frame
	// An all-black screen is all background.
	if err := Preprocess(blackScreen(), &f); err != nil || f.Count() != 0 {
		t.Fatalf("black screen: %d pixels on (err %v), want 0", f.Count(), err)
	}
	// A white box over x in [100,150), y in [200,260). Output column j mixes
	// screen columns floor(4.5j+1.75) and the next, so j = 22..32 (100.75 ..
	// 145.75); output row i mixes rows 8i+3 and 8i+4, so i = 25..32.
	img := blackScreen()
	for y := 200; y < 260; y++ {
		for x := 100; x < 150; x++ {
			img.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
		}
	}
	if err := Preprocess(img, &f); err != nil {
		t.Fatal(err)
	}
	for i := range FrameSize {
		for j := range FrameSize {
			want := uint8(0)
			if i >= 25 && i <= 32 && j >= 22 && j <= 32 {
				want = 1
			}
			if f[i*FrameSize+j] != want {
				t.Fatalf("white box: pixel (row %d, col %d) = %d, want %d", i, j, f[i*FrameSize+j], want)
			}
		}
	}
	// Screen pixel (1, 3) weighs 1/4 * 1/2 in output (0, 0): a green of 8
	// resizes to 1, gray 1, not above the threshold; a green of 32 resizes to
	// 4, gray 2, above it.
	for _, c := range []struct {
		g    uint8
		want uint8
	}{{8, 0}, {32, 1}} {
		img := blackScreen()
		img.SetRGBA(1, 3, color.RGBA{0, c.g, 0, 255})
		_ = Preprocess(img, &f)
		if f[0] != c.want || f.Count() != int(c.want) {
			t.Errorf("one pixel of green %d: output (0,0) = %d with %d on, want %d", c.g, f[0], f.Count(), c.want)
		}
	}
}

func TestSpriteColorsSurviveThreshold(t *testing.T) {
	// Observe assumes every opaque sprite color passes the threshold with the
	// smallest weight of the resize (1/8, at screen pixel (1, 3)).
	seen := map[[3]uint8]bool{}
	sprites := []*sprite{&lowerPipeSprite, &upperPipeSprite, &baseSprite}
	for i := range birdSprites {
		sprites = append(sprites, &birdSprites[i])
	}
	var f Frame
	for _, s := range sprites {
		for i := 0; i < len(s.pix); i += 4 {
			c := [3]uint8{s.pix[i], s.pix[i+1], s.pix[i+2]}
			if s.pix[i+3] == 0 || seen[c] {
				continue
			}
			seen[c] = true
			img := blackScreen()
			img.SetRGBA(1, 3, color.RGBA{c[0], c[1], c[2], 255})
			_ = Preprocess(img, &f)
			if f[0] != 1 {
				t.Errorf("sprite color %v vanishes at weight 1/8", c)
			}
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d sprite colors", len(seen))
	}
}

func TestFastObservationEqualsRenderThenResize(t *testing.T) {
	// Tolerance: none. Over random play (crashes included) Observe must give
	// exactly the pixels of Preprocess(Render(ThemeBlack)).
	img := NewScreen()
	var fast, slow Frame
	frames, differing := 0, 0
	for seed := int64(0); seed < 4; seed++ {
		g := New(seed)
		rng := rand.New(rand.NewPCG(uint64(seed), 9))
		for k := 0; k < 400; k++ {
			flap := pilot(g)
			if rng.IntN(10) == 0 {
				flap = !flap
			}
			g.Advance(flap)
			g.Observe(&fast)
			g.Render(img, ThemeBlack)
			if err := Preprocess(img, &slow); err != nil {
				t.Fatal(err)
			}
			frames++
			for i := range fast {
				if fast[i] != slow[i] {
					differing++
				}
			}
		}
	}
	t.Logf("%d frames, %d of %d pixels differ", frames, differing, frames*FramePixels)
	if differing != 0 {
		t.Fatalf("fast observation differs from render-then-resize in %d of %d pixels", differing, frames*FramePixels)
	}
}

func TestObservationOfTheStartScreen(t *testing.T) {
	// At the start the pipes are off screen (x = 288, 432): the frame holds the
	// ground (output rows 50..63, since row 50 samples screen row 404) and the
	// bird at y = 244..267: output rows 31..33 (row 30 samples screen rows
	// 243 and 244, and the bird's top row is transparent).
	g := New(0)
	var f Frame
	g.Observe(&f)
	for i := range FrameSize {
		n := 0
		for j := range FrameSize {
			n += int(f[i*FrameSize+j])
		}
		switch {
		case i >= 50:
			if n != FrameSize {
				t.Errorf("row %d: %d pixels on, want the ground's %d", i, n, FrameSize)
			}
		case i >= 31 && i <= 33:
			if n == 0 || n > 9 {
				t.Errorf("row %d: %d pixels on, want the bird's 1..9", i, n)
			}
		default:
			if n != 0 {
				t.Errorf("row %d: %d pixels on, want 0", i, n)
			}
		}
	}
	var buf strings.Builder
	for i := 28; i < 36; i++ {
		for j := 10; j < 24; j++ {
			buf.WriteByte(".#"[f[i*FrameSize+j]])
		}
		buf.WriteByte('\n')
	}
	t.Logf("bird in the start frame (rows 28..35, columns 10..23):\n%s", buf.String())
}

func TestStackKeepsLastFourOldestFirst(t *testing.T) {
	var frames [6]Frame
	for k := range frames {
		frames[k][k] = 1 // frame k has pixel k on
	}
	var s Stack
	s.Reset(&frames[0])
	for k := 1; k < 6; k++ {
		s.Push(&frames[k])
	}
	dst := make([]float32, ObservationSize)
	if err := s.WriteFloat32(dst); err != nil {
		t.Fatal(err)
	}
	for c := range StackSize {
		want := c + 2 // frames 2, 3, 4, 5
		for p := 0; p < 8; p++ {
			v := dst[c*FramePixels+p]
			if (p == want && v != Object) || (p != want && v != Background) {
				t.Fatalf("channel %d pixel %d = %v, want frame %d", c, p, v, want)
			}
		}
	}
	// WriteStack of the same frames gives the same input.
	dst2 := make([]float32, ObservationSize)
	if err := WriteStack(dst2, &frames[2], &frames[3], &frames[4], &frames[5]); err != nil {
		t.Fatal(err)
	}
	for i := range dst {
		if dst[i] != dst2[i] {
			t.Fatalf("WriteStack differs from Stack.WriteFloat32 at %d", i)
		}
	}
}

func TestPackedFrameRoundTrip(t *testing.T) {
	g := New(11)
	var f, back Frame
	for k := 0; k < 30; k++ {
		g.Advance(pilot(g))
	}
	g.Observe(&f)
	p := f.Pack()
	p.Unpack(&back)
	if back != f {
		t.Fatal("Unpack(Pack(f)) != f")
	}
	a, b := make([]float32, FramePixels), make([]float32, FramePixels)
	_ = f.WriteFloat32(a)
	_ = p.WriteFloat32(b)
	for i := range a {
		want := float32(-128 + 255*int(f[i])) // threshold output minus 128
		if a[i] != want || b[i] != want {
			t.Fatalf("pixel %d: Frame.WriteFloat32 %v, PackedFrame.WriteFloat32 %v, want %v", i, a[i], b[i], want)
		}
	}
	if n := f.Count(); n < 900 || n > 2000 {
		t.Fatalf("test frame has %d pixels on, want ground, pipes and bird", n)
	}
}

func TestBadInputGivesErrors(t *testing.T) {
	var s Stack
	var f Frame
	if err := s.WriteFloat32(make([]float32, 10)); err == nil {
		t.Error("Stack.WriteFloat32 into 10 float32: no error")
	}
	if err := f.WriteFloat32(nil); err == nil {
		t.Error("Frame.WriteFloat32 into nil: no error")
	}
	if err := WriteStack(make([]float32, ObservationSize), &f, nil, &f, &f); err == nil {
		t.Error("WriteStack with a nil frame: no error")
	}
	if err := Preprocess(nil, &f); err == nil {
		t.Error("Preprocess(nil): no error")
	}
	for _, n := range []int{0, -3} {
		if _, err := NewBatch(n, 1); err == nil || !strings.Contains(err.Error(), "positive") {
			t.Errorf("NewBatch(%d): error %v, want one saying the size must be positive", n, err)
		}
	}
	b, _ := NewBatch(3, 1)
	if _, _, err := b.Step([]bool{true}); err == nil {
		t.Error("Batch.Step with 1 action for 3 games: no error")
	}
	if err := b.Observations(make([]float32, ObservationSize)); err == nil {
		t.Error("Batch.Observations into room for 1 of 3 games: no error")
	}
	if g := New(1); g.Render(image.NewRGBA(image.Rect(0, 0, 10, 10)), ThemeDay) {
		t.Error("Render into a 10x10 image reported success")
	}
}

var updatePreprocess = flag.Bool("update", false, "rewrite testdata/preprocess/*.png (then run make_expected.py there)")

func TestPreprocessMatchesTorchBilinear(t *testing.T) {
	// testdata/preprocess/*.expected.txt come from an independent
	// implementation (torch's bilinear resize, see make_expected.py) of the
	// reference preprocessing of the screens *.png.
	dir := filepath.Join("testdata", "preprocess")
	if *updatePreprocess {
		g := New(3)
		for range 70 {
			g.Advance(pilot(g))
		}
		writePNG(t, filepath.Join(dir, "black_screen.png"), g.Image(ThemeBlack))
		// Dim noise (0..3 per channel) on the sampled rows 8i+3, 8i+4: the
		// outputs land around the threshold and exercise the resize's
		// rounding. Other rows stay black (and the PNG small).
		noise := blackScreen()
		rng := rand.New(rand.NewPCG(5, 5))
		for y := 3; y < ScreenHeight; y += 8 {
			for x := range ScreenWidth {
				for _, yy := range []int{y, y + 1} {
					noise.SetRGBA(x, yy, color.RGBA{uint8(rng.IntN(4)), uint8(rng.IntN(4)), uint8(rng.IntN(4)), 255})
				}
			}
		}
		writePNG(t, filepath.Join(dir, "dim_noise.png"), noise)
	}
	for _, name := range []string{"black_screen", "dim_noise"} {
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, name+".expected.txt"))
		if err != nil {
			t.Fatal(err)
		}
		var got Frame
		if err := Preprocess(img, &got); err != nil {
			t.Fatal(err)
		}
		lines := strings.Fields(string(want))
		if len(lines) != FrameSize {
			t.Fatalf("%s: %d lines of expected output", name, len(lines))
		}
		differing, on := 0, 0
		for i, line := range lines {
			for j := range FrameSize {
				w := line[j] - '0'
				on += int(w)
				if got[i*FrameSize+j] != w {
					differing++
				}
			}
		}
		t.Logf("%s: %d pixels on, %d differ from torch", name, on, differing)
		if differing != 0 || on == 0 || on == FramePixels {
			t.Errorf("%s: %d of %d pixels differ from the torch reference (%d on)", name, differing, FramePixels, on)
		}
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
