package atari

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// playFrames returns n frames of the game played with random actions from a
// -v0 Env (blank ones included), resetting when an episode ends.
func playFrames(t testing.TB, name string, n int, seed uint64) []*Frame {
	t.Helper()
	e, err := NewEnv(name, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(seed, 77)
	out := []*Frame{e.Reset()}
	for len(out) < n {
		obs, _, done, err := e.Step(e.SampleAction(rng))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, obs)
		if done {
			out = append(out, e.Reset())
		}
	}
	return out
}

func TestFrameSizes(t *testing.T) {
	want := map[string][2]int{"breakout": {210, 160}, "pong": {210, 160}, "airraid": {250, 160}}
	for name, hw := range want {
		for i, f := range playFrames(t, name, 50, 1) {
			if f.Height != hw[0] || f.Width != hw[1] || len(f.Pix) != hw[0]*hw[1]*3 {
				t.Fatalf("%s frame %d: %dx%d with %d bytes, want %dx%d", name, i, f.Height, f.Width, len(f.Pix), hw[0], hw[1])
			}
			if obs := Preprocess(f, ImageSize, nil); len(obs) != 3*64*64 {
				t.Fatalf("%s: observation has %d values, want 3*64*64", name, len(obs))
			}
		}
	}
}

func TestPalette(t *testing.T) {
	p := Palette()
	if len(p) != 128 {
		t.Fatalf("palette has %d colours, want 128", len(p))
	}
	distinct := map[[3]uint8]bool{}
	for _, c := range p {
		distinct[[3]uint8{c.R, c.G, c.B}] = true
	}
	if len(distinct) < 120 {
		t.Errorf("only %d distinct colours in the palette", len(distinct))
	}
	// Facts the model was fitted to: each channel within 20 of the real screen.
	facts := []struct {
		c   Color
		rgb [3]int
	}{
		{HL(0, 0), [3]int{0, 0, 0}}, {HL(0, 7), [3]int{236, 236, 236}}, {HL(0, 3), [3]int{142, 142, 142}},
		{poField, [3]int{144, 72, 17}}, {poOrange, [3]int{213, 130, 74}}, {poGreen, [3]int{92, 186, 92}},
		{boRowColor[0], [3]int{200, 72, 72}}, {boRowColor[5], [3]int{66, 72, 200}}, {boRowColor[4], [3]int{72, 160, 72}},
	}
	for _, f := range facts {
		r, g, b := f.c.RGB()
		got := [3]int{int(r), int(g), int(b)}
		for i := range got {
			if d := got[i] - f.rgb[i]; d < -20 || d > 20 {
				t.Errorf("colour %#02x = %v, want near %v", uint8(f.c), got, f.rgb)
				break
			}
		}
	}
	if HL(5, 3).Hue() != 5 || HL(5, 3).Lum() != 3 || Color(0x47).Lum() != 3 {
		t.Errorf("colour byte fields wrong")
	}
}

// Every pixel of every frame of every game is one of the 128 NTSC colours.
func TestPixelsInPalette(t *testing.T) {
	for _, name := range TutorialGames {
		colours := map[[3]uint8]bool{}
		for i, f := range playFrames(t, name, 300, 2) {
			for j := 0; j < len(f.Pix); j += 3 {
				c := [3]uint8(f.Pix[j : j+3])
				if colours[c] {
					continue
				}
				if !InPalette(c[0], c[1], c[2]) {
					t.Fatalf("%s frame %d pixel (%d,%d) = %v not in the palette", name, i, j/3%f.Width, j/3/f.Width, c)
				}
				colours[c] = true
			}
		}
		if len(colours) < 4 {
			t.Errorf("%s: only %d colours in 300 frames", name, len(colours))
		}
	}
}

// Frames change under random play: not all frames of a game are equal.
func TestFramesVary(t *testing.T) {
	for _, name := range TutorialGames {
		frames := playFrames(t, name, 100, 3)
		distinct := map[string]bool{}
		for _, f := range frames {
			distinct[string(f.Pix)] = true
		}
		if len(distinct) < 50 {
			t.Errorf("%s: %d distinct frames out of 100", name, len(distinct))
		}
	}
}

func TestBatches(t *testing.T) {
	b, err := NewBatcher(BatchConfig{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	// The first batch starts with the reset frames of breakout, airraid, pong.
	first := b.Next()
	if !slices.Equal(first.Labels[:3], []int{0, 1, 2}) {
		t.Errorf("first batch labels start %v, want [0 1 2]", first.Labels[:3])
	}
	plane := 3 * 64 * 64
	for i, name := range TutorialGames {
		w, _ := NewInputWrapper(name, 5*1000003+uint64(i))
		want := w.Reset()
		got := first.Images[i*plane : (i+1)*plane]
		for j := range want {
			if got[j] != want[j]*2/255-1 {
				t.Fatalf("first batch image %d is not %s's reset frame", i, name)
			}
		}
	}
	counts := make([]int, 3)
	for k := 0; k < 30; k++ {
		batch := first
		if k > 0 {
			batch = b.Next()
		}
		if !slices.Equal(batch.Shape(), []int{16, 3, 64, 64}) || len(batch.Image(15)) != plane {
			t.Fatalf("batch shape %v", batch.Shape())
		}
		if batch.N != 16 || len(batch.Images) != 16*plane || len(batch.Labels) != 16 || batch.Size != 64 {
			t.Fatalf("batch %d: N=%d, %d values, %d labels, size %d; want 16 [3,64,64] images", k, batch.N, len(batch.Images), len(batch.Labels), batch.Size)
		}
		lo, hi := float32(1), float32(-1)
		for _, v := range batch.Images {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo < -1 || hi > 1 {
			t.Fatalf("batch %d: values in [%g,%g], want within [-1,1]", k, lo, hi)
		}
		if lo != -1 || hi < 0.5 {
			t.Errorf("batch %d: values in [%g,%g]; expected black pixels at -1 and bright ones", k, lo, hi)
		}
		for i := 0; i < batch.N; i++ {
			counts[batch.Labels[i]]++
			// The filter: every kept image has mean > 0.01 on the 0..255 scale.
			m := Mean(batch.Images[i*plane:(i+1)*plane])*255/2 + 255.0/2
			if m <= MinMean+1e-3 {
				t.Fatalf("batch %d image %d is blank (mean %g)", k, i, m)
			}
		}
	}
	for g, c := range counts {
		if c < 100 {
			t.Errorf("game %s: %d images in 480, want roughly a third", TutorialGames[g], c)
		}
	}
	if b.Dropped == 0 {
		t.Errorf("the blank-frame filter dropped nothing in %d observations", b.Kept)
	}
	t.Logf("kept %d, dropped %d blank observations (%.2f%%)", b.Kept, b.Dropped, 100*float64(b.Dropped)/float64(b.Kept+b.Dropped))
}

// The filter drops exactly the blank observations: a black frame has mean 0.
func TestBlankFilter(t *testing.T) {
	g := &AirRaid{}
	g.Reset(1)
	g.blank = true
	f := NewFrame(g.Size())
	f.Fill(HL(4, 4))
	g.Render(f)
	if m := Mean(Preprocess(f, ImageSize, nil)); m > MinMean {
		t.Errorf("blank Air Raid frame has mean %g", m)
	}
	g.blank = false
	g.Render(f)
	if m := Mean(Preprocess(f, ImageSize, nil)); m <= MinMean {
		t.Errorf("normal Air Raid frame has mean %g", m)
	}
	blank := 0
	for _, name := range []string{"breakout", "airraid"} {
		for _, f := range playFrames(t, name, 1000, 4) {
			if f.Mean() <= MinMean {
				blank++
			}
		}
	}
	if blank == 0 || blank > 100 {
		t.Errorf("%d blank frames in 2000 of Breakout and Air Raid; want some, but few", blank)
	}
}

func TestBatchDeterminism(t *testing.T) {
	run := func(seed uint64) []*Batch {
		b, err := NewBatcher(BatchConfig{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		var out []*Batch
		for batch := range b.All() {
			if out = append(out, batch); len(out) == 5 {
				break
			}
		}
		return out
	}
	a, b, c := run(11), run(11), run(12)
	for i := range a {
		if !slices.Equal(a[i].Images, b[i].Images) || !slices.Equal(a[i].Labels, b[i].Labels) {
			t.Fatalf("batch %d differs between two runs with the same seed", i)
		}
	}
	if slices.Equal(a[4].Images, c[4].Images) {
		t.Errorf("seeds 11 and 12 gave the same batch")
	}
}

func TestLabelledAndRealFrames(t *testing.T) {
	imgs, labels := LabelledFrames(30, 3)
	imgs2, labels2 := LabelledFrames(30, 3)
	if len(imgs) != 30*3*64*64 || len(labels) != 30 {
		t.Fatalf("LabelledFrames(30): %d values, %d labels", len(imgs), len(labels))
	}
	if !slices.Equal(imgs, imgs2) || !slices.Equal(labels, labels2) {
		t.Errorf("LabelledFrames not repeatable for a seed")
	}
	for i, l := range labels {
		if l != i%3 {
			t.Fatalf("labels %v: want 0,1,2 in turn", labels)
		}
	}
	for _, v := range imgs {
		if v < -1 || v > 1 {
			t.Fatalf("LabelledFrames value %g outside [-1,1]", v)
		}
	}
	frames, err := RealFrames("Pong-v0", 10, 1)
	if err != nil || len(frames) != 10 {
		t.Fatalf("RealFrames: %d frames, %v", len(frames), err)
	}
	for _, f := range frames {
		if f.Mean() <= MinMean {
			t.Errorf("RealFrames returned a blank frame")
		}
	}
	if _, err := RealFrames("tetris", 1, 1); err == nil || !strings.Contains(err.Error(), "breakout") {
		t.Errorf("RealFrames(tetris): err = %v, want one listing the valid names", err)
	}
}

func TestNewGame(t *testing.T) {
	for _, name := range []string{"breakout", "Breakout-v0", "PongNoFrameskip-v4", "AIRRAID"} {
		if _, err := NewGame(name); err != nil {
			t.Errorf("NewGame(%q): %v", name, err)
		}
	}
	_, err := NewGame("pacman")
	if err == nil || !strings.Contains(err.Error(), "airraid, breakout, pong") {
		t.Errorf("NewGame(pacman): err = %v, want one listing the valid names", err)
	}
	if err := Register("pong", func() Game { return &Pong{} }); err == nil {
		t.Errorf("Register accepted a taken name")
	}
	if err := (BatchConfig{Games: []string{"pong", "nope"}}).Validate(); err == nil {
		t.Errorf("BatchConfig with an unknown game validated")
	}
	if err := (BatchConfig{BatchSize: 2}).Validate(); err == nil {
		t.Errorf("BatchConfig with batch 2 < 3 games validated")
	}
}

func TestResetAndDone(t *testing.T) {
	e, _ := NewEnv("breakout", 1)
	if _, _, _, err := e.Step(0); err == nil {
		t.Errorf("Step before Reset: no error")
	}
	e.Reset()
	if _, _, _, err := e.Step(4); err == nil || !strings.Contains(err.Error(), "out of range 0..3") {
		t.Errorf("Step(4) on Breakout: err = %v", err)
	}
	if e.Game().Lives() != 5 {
		t.Errorf("Breakout starts with %d lives, want 5", e.Game().Lives())
	}
	rng := newRand(1, 1)
	steps := 0
	for {
		_, _, done, err := e.Step(e.SampleAction(rng))
		if err != nil {
			t.Fatal(err)
		}
		steps++
		if done {
			break
		}
		if steps > 20000 {
			t.Fatal("Breakout did not end in 20000 random steps")
		}
	}
	if l := e.Game().Lives(); l != 0 {
		t.Errorf("Breakout ended with %d lives", l)
	}
	if _, _, done, err := e.Step(0); err == nil || !done {
		t.Errorf("Step after the end: done=%v err=%v, want done and an error", done, err)
	}
	f := e.Reset()
	if e.Game().Lives() != 5 || f.Mean() == 0 {
		t.Errorf("after Reset: %d lives, frame mean %g", e.Game().Lives(), f.Mean())
	}
	if _, _, _, err := e.Step(1); err != nil {
		t.Errorf("Step after Reset: %v", err)
	}
	// Pong ends when a side reaches 21.
	p := &Pong{}
	p.Reset(1)
	for i := 0; i < 200000 && !p.over; i++ {
		p.Step(int(i/7) % 6)
	}
	if !p.over || max(p.scoreC, p.scoreP) != 21 {
		t.Errorf("Pong: over=%v at %d-%d", p.over, p.scoreC, p.scoreP)
	}
}

// counter is a Game that counts frames and records the actions it is given,
// to check the -v0 wrapper; it is also an example of a non-remake source.
type counter struct {
	frames  int
	actions []int
}

func (c *counter) Name() string          { return "counter" }
func (c *counter) NumActions() int       { return 2 }
func (c *counter) ActionNames() []string { return []string{"NOOP", "FIRE"} }
func (c *counter) Size() (int, int)      { return 2, 2 }
func (c *counter) Reset(uint64)          { c.frames, c.actions = 0, c.actions[:0] }
func (c *counter) Lives() int            { return 1 }
func (c *counter) Render(f *Frame)       { f.Fill(HL(0, 7)) }
func (c *counter) Step(a int) (float64, bool) {
	c.frames++
	c.actions = append(c.actions, a)
	return 1, false
}

func TestV0Semantics(t *testing.T) {
	c := &counter{}
	e, err := Wrap(c, V0, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Reset runs 0..30 no-op frames.
	noops := map[int]bool{}
	for i := 0; i < 300; i++ {
		e.Reset()
		if c.frames > 30 || slices.Contains(c.actions, 1) {
			t.Fatalf("Reset ran %d frames, actions %v", c.frames, c.actions)
		}
		noops[c.frames] = true
	}
	if len(noops) < 25 {
		t.Errorf("Reset ran only %d different no-op counts", len(noops))
	}
	// Each step runs 2..4 frames; its reward is the sum over them.
	skips := map[int]int{}
	e.Reset()
	for i := 0; i < 3000; i++ {
		before := c.frames
		_, r, _, err := e.Step(i / 2 % 2) // actions change every other step
		if err != nil {
			t.Fatal(err)
		}
		n := c.frames - before
		if n < 2 || n > 4 || r != float64(n) {
			t.Fatalf("step ran %d frames with reward %g", n, r)
		}
		skips[n]++
	}
	if len(skips) != 3 {
		t.Errorf("frame skips seen: %v, want 2, 3 and 4", skips)
	}
	// Sticky actions: when the agent switches action, the first frame keeps
	// the old one with probability 0.25.
	sticky, switches := 0, 0
	e.Reset()
	for i := 0; i < 4000; i++ {
		want := i % 2
		start := len(c.actions)
		e.Step(want)
		if c.actions[start] != want {
			sticky++
		}
		switches++
	}
	if f := float64(sticky) / float64(switches); math.Abs(f-0.25) > 0.04 {
		t.Errorf("first frame kept the old action %.3f of the time, want 0.25", f)
	}
	if _, err := Wrap(c, EnvConfig{FrameSkipMin: 3, FrameSkipMax: 2}, 1); err == nil {
		t.Errorf("Wrap accepted frame skip 3..2")
	}
	if _, err := Wrap(c, EnvConfig{FrameSkipMin: 1, FrameSkipMax: 1, StickyProb: 2}, 1); err == nil {
		t.Errorf("Wrap accepted sticky probability 2")
	}
}

// Sticky actions at probability 1 keep the console on NOOP: FIRE never serves.
func TestStickyNeverServes(t *testing.T) {
	e, _ := Wrap(&Breakout{}, EnvConfig{FrameSkipMin: 4, FrameSkipMax: 4, StickyProb: 1}, 1)
	e.Reset()
	for i := 0; i < 50; i++ {
		e.Step(1)
	}
	if e.Game().(*Breakout).inPlay {
		t.Errorf("ball served although every action stuck on NOOP")
	}
	e, _ = Wrap(&Breakout{}, EnvConfig{FrameSkipMin: 4, FrameSkipMax: 4}, 1)
	e.Reset()
	e.Step(1)
	if !e.Game().(*Breakout).inPlay {
		t.Errorf("FIRE did not serve the ball")
	}
}

func TestPreprocess(t *testing.T) {
	// A constant frame stays constant; a horizontal ramp stays a ramp.
	f := NewFrame(210, 160)
	for y := 0; y < 210; y++ {
		for x := 0; x < 160; x++ {
			i := (y*160 + x) * 3
			f.Pix[i], f.Pix[i+1], f.Pix[i+2] = 200, uint8(x), uint8(y)
		}
	}
	obs := Preprocess(f, 64, nil)
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			r, g, b := obs[y*64+x], obs[4096+y*64+x], obs[8192+y*64+x]
			// cv2 INTER_LINEAR: src = (dst+0.5)*scale-0.5 on each axis (its fixed
			// point truncates, hence the tolerance of one).
			wantG := math.Round(math.Max(0, (float64(x)+0.5)*2.5-0.5))
			wantB := math.Round(math.Max(0, (float64(y)+0.5)*210/64-0.5))
			if r != 200 || math.Abs(float64(g)-wantG) > 1 || math.Abs(float64(b)-wantB) > 1 {
				t.Fatalf("(%d,%d) = %v,%v,%v, want 200,%v,%v", x, y, r, g, b, wantG, wantB)
			}
		}
	}
}
