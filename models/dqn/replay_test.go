package dqn

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/arcade-go/arcade/envs/flappy"
)

// frameOf returns a frame whose pixel (k mod 4096) and pixel 0 are lit, to tell frames apart.
func frameOf(k int) *flappy.Frame {
	var f flappy.Frame
	f[k%flappy.FramePixels] = 1
	f[0] = 1
	return &f
}

func litPixel(t *testing.T, state []float32) int {
	t.Helper()
	lit := -1
	for i, v := range state {
		switch v {
		case flappy.Object:
			if i != 0 {
				lit = i
			}
		case flappy.Background:
		default:
			t.Fatalf("pixel %d = %v, want %v or %v", i, v, flappy.Object, flappy.Background)
		}
	}
	return lit
}

// fill plays a fake game: frame k is pushed at step k, s = frames k-4..k-1, s' = k-3..k.
func fill(t *testing.T, r *Replay, steps int) {
	t.Helper()
	var ids []FrameID
	for k := range steps + 4 {
		ids = append(ids, r.PushFrame(frameOf(k+1)))
		if k >= 4 {
			s := FrameStack(ids[k-4 : k])
			s2 := FrameStack(ids[k-3 : k+1])
			if err := r.Add(s, k%2, float32(k), s2, k%7 == 0); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestReplaySampleMatchesTransitions(t *testing.T) {
	r, err := NewReplay(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, r, 250) // wraps the transition ring twice
	if r.Len() != 100 || r.Added() != 250 {
		t.Fatalf("Len %d Added %d, want 100 and 250", r.Len(), r.Added())
	}
	b := NewBatch(32)
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[float32]bool{}
	for range 20 {
		if err := r.Sample(rng, b); err != nil {
			t.Fatal(err)
		}
		rewards := map[float32]bool{}
		for i := range b.Size {
			k := int(b.Rewards[i])
			if rewards[b.Rewards[i]] {
				t.Fatalf("transition %d sampled twice in one batch", k)
			}
			rewards[b.Rewards[i]] = true
			seen[b.Rewards[i]] = true
			if k < 250+4-100 {
				t.Fatalf("sampled evicted transition %d", k)
			}
			if int(b.Actions[i]) != k%2 || (b.Terminal[i] == 1) != (k%7 == 0) {
				t.Fatalf("transition %d: action %d terminal %v", k, b.Actions[i], b.Terminal[i])
			}
			for f := range flappy.StackSize {
				st := b.States[(i*flappy.StackSize+f)*flappy.FramePixels : (i*flappy.StackSize+f+1)*flappy.FramePixels]
				if got, want := litPixel(t, st), k-4+f+1; got != want {
					t.Fatalf("transition %d: s frame %d lights pixel %d, want %d", k, f, got, want)
				}
				nx := b.NextStates[(i*flappy.StackSize+f)*flappy.FramePixels : (i*flappy.StackSize+f+1)*flappy.FramePixels]
				if got, want := litPixel(t, nx), k-3+f+1; got != want {
					t.Fatalf("transition %d: s' frame %d lights pixel %d, want %d", k, f, got, want)
				}
			}
		}
	}
	if len(seen) < 90 {
		t.Fatalf("only %d distinct transitions of 100 sampled in 640 draws", len(seen))
	}
}

func TestReplayErrors(t *testing.T) {
	if _, err := NewReplay(0, 1); err == nil {
		t.Fatal("capacity 0 accepted")
	}
	r, _ := NewReplay(10, 1)
	if err := r.Add(FrameStack{0, 0, 0, 0}, 0, 0, FrameStack{0, 0, 0, 1}, false); err == nil {
		t.Fatal("transition with unknown frames accepted")
	}
	if err := r.Sample(rand.New(rand.NewPCG(1, 1)), NewBatch(4)); err != ErrNotEnough {
		t.Fatalf("Sample on empty memory: %v", err)
	}
}

func TestReplayWriteRead(t *testing.T) {
	r, _ := NewReplay(50, 1)
	fill(t, r, 80)
	var buf bytes.Buffer
	if _, err := r.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r2, _ := NewReplay(50, 1)
	if _, err := r2.ReadFrom(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	b1, b2 := NewBatch(16), NewBatch(16)
	if err := r.Sample(rand.New(rand.NewPCG(3, 3)), b1); err != nil {
		t.Fatal(err)
	}
	if err := r2.Sample(rand.New(rand.NewPCG(3, 3)), b2); err != nil {
		t.Fatal(err)
	}
	for i := range b1.States {
		if b1.States[i] != b2.States[i] || b1.NextStates[i] != b2.NextStates[i] {
			t.Fatal("restored memory samples different states")
		}
	}
	for i := range b1.Rewards {
		if b1.Rewards[i] != b2.Rewards[i] {
			t.Fatal("restored memory samples different rewards")
		}
	}
	// A truncated file or one of another capacity is refused and loses nothing.
	if _, err := r2.ReadFrom(bytes.NewReader(buf.Bytes()[:buf.Len()/2])); err == nil {
		t.Fatal("truncated replay file accepted")
	}
	if r2.Len() != 50 {
		t.Fatalf("failed read changed the memory: Len %d", r2.Len())
	}
	r3, _ := NewReplay(60, 1)
	if _, err := r3.ReadFrom(bytes.NewReader(buf.Bytes())); err == nil || !strings.Contains(err.Error(), "capacity") {
		t.Fatalf("capacity mismatch: %v", err)
	}
}

func TestReplayConcurrent(t *testing.T) {
	r, _ := NewReplay(200, 1)
	fill(t, r, 40)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b := NewBatch(32)
		rng := rand.New(rand.NewPCG(5, 5))
		for range 200 {
			if err := r.Sample(rng, b); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	fill(t, r, 500)
	wg.Wait()
}

func TestConfigValidate(t *testing.T) {
	for _, name := range []string{"reference", "yenchenlin", "fast"} {
		c, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	ref := Reference()
	if ref.Gamma != 0.99 || ref.ReplaySize != 50000 || ref.BatchSize != 32 || ref.Observe != 100 || ref.TargetSync != 100 || ref.LR != 2e-4 || ref.Beta1 != 0.9 {
		t.Fatalf("reference preset drifted: %+v", ref)
	}
	bad := []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Gamma = 1.5 }, "Gamma"},
		{func(c *Config) { c.Gamma = -0.1 }, "Gamma"},
		{func(c *Config) { c.ReplaySize = 16 }, "smaller than BatchSize"},
		{func(c *Config) { c.LR = 0 }, "LR"},
		{func(c *Config) { c.EpsilonStart = 2 }, "EpsilonStart"},
		{func(c *Config) { c.TargetSync = 0 }, "TargetSync"},
		{func(c *Config) { c.FrameSkip = 0 }, "FrameSkip"},
		{func(c *Config) { c.Net = "big" }, "Net"},
		{func(c *Config) { c.Net = "" }, "Net"},
	}
	for _, b := range bad {
		c := Reference()
		b.mut(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("want error naming %q, got %v", b.want, err)
		}
	}
	c := Reference()
	c.Gamma, c.LR, c.Games = 2, 0, 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "Gamma") || !strings.Contains(err.Error(), "LR") || !strings.Contains(err.Error(), "Games") {
		t.Errorf("want every bad field named, got %v", err)
	}
	if _, err := Preset("slow"); err == nil {
		t.Fatal("unknown preset accepted")
	}
}

func TestEpsilonSchedule(t *testing.T) {
	c := Yenchenlin()
	if got := c.Epsilon(0); got != 0.1 {
		t.Fatalf("epsilon(0) = %v", got)
	}
	if got := c.Epsilon(int64(c.Observe) + int64(c.EpsilonSteps)/2); got < 0.05 || got > 0.0501 {
		t.Fatalf("epsilon halfway = %v, want ~0.05", got)
	}
	if got := c.Epsilon(1 << 40); got != 0.0001 {
		t.Fatalf("epsilon at the end = %v", got)
	}
	if got := Reference().Epsilon(12345); got != 0 {
		t.Fatalf("reference epsilon = %v, want 0", got)
	}
}

func TestNStepTransitions(t *testing.T) {
	r, _ := NewReplay(16, 1)
	cfg := Reference()
	cfg.NStep, cfg.Gamma = 3, 0.5
	a := &Actor{cfg: cfg, replay: r, pending: make([][]pendingStep, 1)}
	var ids []FrameID
	for k := range 10 {
		ids = append(ids, r.PushFrame(frameOf(k+1)))
	}
	st := func(k int) FrameStack { return FrameStack(ids[k : k+4]) }
	rewards := []float64{1, 2, 3, 4, -1}
	for k, rew := range rewards {
		if err := a.store(0, pendingStep{s: st(k), action: k % 2, reward: rew}, st(k+1), k == len(rewards)-1); err != nil {
			t.Fatal(err)
		}
		if want := []int{0, 0, 1, 2, 5}[k]; r.Len() != want {
			t.Fatalf("after decision %d: %d transitions, want %d", k+1, r.Len(), want)
		}
	}
	want := map[float32]struct {
		steps    int32
		terminal float32
		lit      int // pixel lit by the newest frame of s'
	}{
		2.75: {3, 0, 3}, 4.5: {3, 0, 4}, 4.75: {3, 1, 5}, 3.5: {2, 1, 5}, -1: {1, 1, 5},
	}
	b := NewBatch(5)
	if err := r.Sample(rand.New(rand.NewPCG(1, 1)), b); err != nil {
		t.Fatal(err)
	}
	for i := range b.Size {
		w, ok := want[b.Rewards[i]]
		if !ok {
			t.Fatalf("unexpected n-step return %v", b.Rewards[i])
		}
		last := b.NextStates[(i*flappy.StackSize+3)*flappy.FramePixels : (i*flappy.StackSize+4)*flappy.FramePixels]
		if b.Steps[i] != w.steps || b.Terminal[i] != w.terminal || litPixel(t, last) != w.lit+4 {
			t.Fatalf("return %v: steps %d terminal %v s' newest lights %d; want %+v", b.Rewards[i], b.Steps[i], b.Terminal[i], litPixel(t, last), w)
		}
	}
}
