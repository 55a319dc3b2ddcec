package flappy

import "testing"

func TestEpisodeFramesOfRandomPlay(t *testing.T) {
	frames, score, err := EpisodeFrames(1, RandomPolicy(0.1, 1), 500, ThemeDay, true)
	if err != nil {
		t.Fatal(err)
	}
	// Replaying the same seeds gives the same episode length; the last frame
	// is the crash (or the step limit).
	g, policy := New(1), RandomPolicy(0.1, 1)
	steps := 0
	for steps < 500 {
		steps++
		if _, done := g.Advance(policy(g)); done {
			break
		}
	}
	if len(frames) != steps+1 || score != g.Score() {
		t.Fatalf("%d frames and score %d, want %d frames (start + steps) and score %d", len(frames), score, steps+1, g.Score())
	}
	if b := frames[0].Bounds(); b.Dx() != ScreenWidth || b.Dy() != ScreenHeight {
		t.Fatalf("frame size %v", b)
	}
	if _, _, err := EpisodeFrames(1, nil, 10, ThemeDay, false); err == nil {
		t.Error("nil policy: no error")
	}
	if _, _, err := EpisodeFrames(1, RandomPolicy(0.5, 1), -1, ThemeDay, false); err == nil {
		t.Error("negative maxSteps: no error")
	}
}

func TestGapPolicyPassesManyPipes(t *testing.T) {
	g, policy := New(8), GapPolicy(16)
	for k := 0; k < 3000; k++ {
		if _, done := g.Advance(policy(g)); done {
			t.Fatalf("the gap policy crashed at step %d with score %d: %v", k+1, g.Score(), g)
		}
	}
	if g.Score() < 70 {
		t.Fatalf("score %d after 3000 steps, want >= 70 (a pipe every ~37 steps)", g.Score())
	}
}
