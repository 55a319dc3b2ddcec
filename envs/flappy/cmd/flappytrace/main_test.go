package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/arcade-go/arcade/envs/flappy"
)

var update = flag.Bool("update", false, "rewrite testdata/actions.txt and testdata/trace_seed3.jsonl")

// writeTestdata writes 400 actions of a pilot that flies through gaps with
// random mistakes (so the trace scores, crashes and restarts) and their trace.
func writeTestdata(t *testing.T) {
	g := flappy.New(3)
	rng := rand.New(rand.NewPCG(3, 3))
	var actions bytes.Buffer
	for range 400 {
		s := g.State()
		flap := false
		for _, p := range s.Pipes {
			if p.X+flappy.PipeWidth >= flappy.BirdX-4 {
				flap = s.BirdY+flappy.BirdHeight > float64(p.GapY+flappy.PipeGapSize-16)
				break
			}
		}
		if rng.IntN(25) == 0 {
			flap = !flap
		}
		a := 0
		if flap {
			a = 1
		}
		fmt.Fprintf(&actions, "%d\n", a)
		g.Advance(flap)
	}
	var out bytes.Buffer
	if err := trace(3, bytes.NewReader(actions.Bytes()), &out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/actions.txt", actions.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/trace_seed3.jsonl", out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTraceFallsToTheGroundThenStartsANewEpisode(t *testing.T) {
	var out bytes.Buffer
	if err := trace(1, strings.NewReader(strings.Repeat("0\n", 20)), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines, want 20", len(lines))
	}
	var first, crash, next map[string]any
	for i, p := range []*map[string]any{&first, &crash, &next} {
		if err := json.Unmarshal([]byte(lines[[]int{0, 18, 19}[i]]), p); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"action", "bird_y", "bird_vy", "score", "reward", "done", "pipes"} {
		if _, ok := first[k]; !ok {
			t.Fatalf("field %q missing in %s", k, lines[0])
		}
	}
	if first["bird_y"] != 245.0 || first["done"] != false || first["reward"] != 0.1 {
		t.Fatalf("first step %s, want bird_y 245, reward 0.1, not done", lines[0])
	}
	pipes := first["pipes"].([]any)
	if len(pipes) != 2 || pipes[0].(map[string]any)["x"] != 284.0 || pipes[1].(map[string]any)["x"] != 428.0 {
		t.Fatalf("first step pipes %v, want x 284 and 428", pipes)
	}
	if _, ok := pipes[0].(map[string]any)["gap_y"]; !ok {
		t.Fatalf("pipe without gap_y: %v", pipes[0])
	}
	if crash["bird_y"] != 380.48 || crash["done"] != true || crash["reward"] != -1.0 {
		t.Fatalf("step 19 %s, want the crash at bird_y 380.48 with reward -1", lines[18])
	}
	if next["bird_y"] != 245.0 || next["done"] != false {
		t.Fatalf("step 20 %s, want the first step of a new episode", lines[19])
	}
}

func TestTraceRejectsBadLines(t *testing.T) {
	for _, in := range []string{"0\n1\n2\n", "0\n1\nflap\n", "0\n1\n\n"} {
		var out bytes.Buffer
		err := trace(1, strings.NewReader(in), &out)
		if err == nil || !strings.Contains(err.Error(), "line 3") {
			t.Errorf("input %q: error %v, want one naming line 3", in, err)
		}
		if n := strings.Count(out.String(), "\n"); n != 2 {
			t.Errorf("input %q: %d steps written before the bad line, want 2", in, n)
		}
	}
}

func TestTraceMatchesTestdata(t *testing.T) {
	// testdata/trace_seed3.jsonl is the trace of testdata/actions.txt with
	// -seed 3 (written by `go test -run TestTraceMatchesTestdata -update`,
	// the same as `go run . -seed 3 < testdata/actions.txt`); it pins the
	// physics, the gap draws of the seed and the output format.
	if *update {
		writeTestdata(t)
	}
	actions, err := os.ReadFile("testdata/actions.txt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/trace_seed3.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := trace(3, bytes.NewReader(actions), &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(out.String(), "\n")
	wantLines := strings.Split(string(want), "\n")
	if len(got) != len(wantLines) {
		t.Fatalf("%d lines, want %d", len(got), len(wantLines))
	}
	for i := range got {
		if got[i] != wantLines[i] {
			t.Fatalf("line %d:\n got %s\nwant %s", i+1, got[i], wantLines[i])
		}
	}
}
