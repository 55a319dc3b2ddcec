package flappy

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var referenceDir = flag.String("reference-dir", "", "write inputs for testdata/reference/run_ref.py into this folder")

// TestWriteReferenceInputs writes, when -reference-dir is set, what
// testdata/reference/run_ref.py needs to run the reference's frame_step on
// the same game: our hit masks ([x][y], as pygame's), the gap draws of seed
// 3, 20,000 actions of the gap policy with 1 in 40 flipped, and our trace of
// them (the flappytrace format).
func TestWriteReferenceInputs(t *testing.T) {
	if *referenceDir == "" {
		t.Skip("set -reference-dir to write the inputs of the reference check")
	}
	mask := func(s *sprite) [][]bool {
		m := make([][]bool, s.w)
		for x := range m {
			m[x] = make([]bool, s.h)
			for y := range m[x] {
				m[x][y] = s.opaque(x, y)
			}
		}
		return m
	}
	const seed, steps = 3, 20000
	s := uint64(seed)
	rng := rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)) // as Game.Reset
	gaps := make([]int, steps)
	for i := range gaps {
		gaps[i] = rng.IntN(len(gapTops))
	}
	g, policy := New(seed), GapPolicy(16)
	flips := rand.New(rand.NewPCG(7, 7))
	actions := make([]int, steps)
	var trace []byte
	for k := range actions {
		flap := policy(g)
		if flips.IntN(40) == 0 {
			flap = !flap
		}
		if flap {
			actions[k] = 1
		}
		r, done := g.Advance(flap)
		st := g.State()
		line, _ := json.Marshal(map[string]any{"action": actions[k], "bird_y": st.BirdY, "bird_vy": st.BirdVY,
			"score": st.Score, "reward": r, "done": done, "pipes": st.Pipes})
		trace = append(append(trace, line...), '\n')
	}
	in, _ := json.Marshal(map[string]any{
		"player":  [][][]bool{mask(&birdSprites[0]), mask(&birdSprites[1]), mask(&birdSprites[2])},
		"pipe":    [][][]bool{mask(&upperPipeSprite), mask(&lowerPipeSprite)},
		"gaps":    gaps,
		"actions": actions,
	})
	for name, data := range map[string][]byte{"ref_input.json": in, "go_trace.jsonl": trace} {
		if err := os.WriteFile(filepath.Join(*referenceDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %s steps to %s", strconv.Itoa(steps), *referenceDir)
}
