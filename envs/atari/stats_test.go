package atari

import "testing"

// TestRandomPlay plays each game with random actions until a few episodes
// end, and checks that they end, that points are scored and that lives are
// lost: the variety the tutorial's frames need.
func TestRandomPlay(t *testing.T) {
	for _, name := range TutorialGames {
		e, err := NewEnv(name, 7)
		if err != nil {
			t.Fatal(err)
		}
		rng := newRand(7, 9)
		episodes, steps, blank, pos, neg := 0, 0, 0, 0, 0
		e.Reset()
		lives0 := e.Game().Lives()
		livesLost := false
		for episodes < 3 && steps < 50000 {
			obs, r, done, err := e.Step(e.SampleAction(rng))
			if err != nil {
				t.Fatal(err)
			}
			steps++
			if obs.Mean() <= MinMean {
				blank++
			}
			if r > 0 {
				pos++
			} else if r < 0 {
				neg++
			}
			if e.Game().Lives() < lives0 {
				livesLost = true
			}
			if done {
				episodes++
				e.Reset()
			}
		}
		t.Logf("%s: %d episodes in %d steps (%.0f steps each), %d blank frames (%.2f%%), rewards +%d -%d",
			name, episodes, steps, float64(steps)/float64(max(episodes, 1)), blank, 100*float64(blank)/float64(steps), pos, neg)
		if episodes < 3 {
			t.Errorf("%s: only %d episodes ended in %d random steps", name, episodes, steps)
		}
		if pos+neg == 0 {
			t.Errorf("%s: no reward in %d random steps", name, steps)
		}
		if lives0 > 0 && !livesLost {
			t.Errorf("%s: no life lost in %d random steps", name, steps)
		}
	}
}
