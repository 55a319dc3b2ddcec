package study

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	all := []string{"a", "b", "c"}
	id := func(s string) string { return s }
	if got, err := Select(all, "", id); err != nil || len(got) != 3 {
		t.Fatalf("all: %v %v", got, err)
	}
	if got, err := Select(all, "c,a", id); err != nil || strings.Join(got, "") != "ca" {
		t.Fatalf("c,a: %v %v", got, err)
	}
	if _, err := Select(all, "a,x", id); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("unknown run: %v", err)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 3}} {
		if got := Median(tc.x); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func TestOpenRun(t *testing.T) {
	out := t.TempDir()
	r, err := OpenRun(out, "a")
	if err != nil || r == nil {
		t.Fatalf("new run: %v %v", r, err)
	}
	fmt.Fprintln(r.Log, "first")
	r.Close()
	r, _ = OpenRun(out, "a") // resumed: the log is appended to
	fmt.Fprintln(r.Log, "second")
	r.Close()
	if b, _ := os.ReadFile(filepath.Join(out, "a", "train.log")); string(b) != "first\nsecond\n" {
		t.Fatalf("log %q", b)
	}
	if err := os.WriteFile(r.Record, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := OpenRun(out, "a"); r != nil || err != nil {
		t.Fatalf("a run with a record was opened again: %v %v", r, err)
	}
}
