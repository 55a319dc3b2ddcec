package flappy

import (
	"math/rand/v2"
	"testing"
)

func TestBatchIsDeterministicAndMatchesSingleGames(t *testing.T) {
	const n, seed = 5, 9
	a, _ := NewBatch(n, seed)
	b, _ := NewBatch(n, seed)
	singles := make([]*Game, n)
	for i := range singles {
		singles[i] = New(GameSeed(seed, i))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	flaps := make([]bool, n)
	obsA, obsB := make([]float32, n*ObservationSize), make([]float32, n*ObservationSize)
	episodes := 0
	var f Frame
	for k := 0; k < 600; k++ {
		for i := range flaps {
			flaps[i] = rng.IntN(7) == 0
		}
		ra, da, err := a.Step(flaps)
		if err != nil {
			t.Fatal(err)
		}
		rb, db, _ := b.Step(flaps)
		for i := range flaps {
			if ra[i] != rb[i] || da[i] != db[i] {
				t.Fatalf("step %d game %d: batches with one seed differ", k, i)
			}
			// The batch's game i is the single game seeded GameSeed(seed, i),
			// restarted right after a crash.
			r, done := singles[i].Advance(flaps[i])
			if r != ra[i] || done != da[i] {
				t.Fatalf("step %d game %d: batch (%v, %v) vs single game (%v, %v)", k, i, ra[i], da[i], r, done)
			}
			if done {
				singles[i].Observe(&f)
				if f != *a.TerminalFrame(i) {
					t.Fatalf("step %d game %d: terminal frame differs", k, i)
				}
				singles[i].Restart()
				st := a.Stack(i)
				for c := range StackSize {
					if *st.Frame(c) != *a.Frame(i) {
						t.Fatalf("step %d game %d: after a crash the stack should hold 4 copies of the new first frame", k, i)
					}
				}
			}
			singles[i].Observe(&f)
			if f != *a.Frame(i) {
				t.Fatalf("step %d game %d: frame differs from the single game's", k, i)
			}
		}
		episodes += len(a.Finished())
		for _, e := range a.Finished() {
			if !da[e.Game] || e.Steps < 1 {
				t.Fatalf("step %d: finished episode %+v not reported done", k, e)
			}
		}
		_ = a.Observations(obsA)
		_ = b.Observations(obsB)
		for i := range obsA {
			if obsA[i] != obsB[i] {
				t.Fatalf("step %d: observations differ at %d", k, i)
			}
		}
	}
	if episodes < n {
		t.Fatalf("only %d episodes ended in 600 random steps of %d games", episodes, n)
	}
	if GameSeed(seed, 0) == GameSeed(seed, 1) || GameSeed(seed, 0) == GameSeed(seed+1, 0) {
		t.Fatal("GameSeed collides")
	}
}
