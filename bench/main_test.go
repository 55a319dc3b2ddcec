package main

import (
	"slices"
	"testing"
)

func TestTorchMalloc(t *testing.T) {
	env, err := torchMalloc("keep")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"MALLOC_MMAP_THRESHOLD_=33554432", "MALLOC_TRIM_THRESHOLD_=68719476736"}
	if !slices.Equal(env, want) {
		t.Errorf("keep: %q, want %q", env, want)
	}
	if env, err := torchMalloc("default"); err != nil || env != nil {
		t.Errorf("default: %q, %v; want no settings", env, err)
	}
	if _, err := torchMalloc("tcmalloc"); err == nil {
		t.Error("an unknown mode was accepted")
	}
}

func TestMedianOfLeavesInputAlone(t *testing.T) {
	v := []float64{0.3, 0.1, 0.2, 0.9}
	if got := medianOf(v); got != 0.25 {
		t.Errorf("medianOf(%v) = %v, want 0.25", v, got)
	}
	if !slices.Equal(v, []float64{0.3, 0.1, 0.2, 0.9}) {
		t.Errorf("medianOf reordered its input: %v", v)
	}
}

func TestThreadCounts(t *testing.T) {
	got, err := threadCounts("2, 1,2")
	if err != nil || !slices.Equal(got, []int{1, 2}) {
		t.Errorf("threadCounts: %v, %v; want [1 2]", got, err)
	}
	for _, bad := range []string{"0", "x", "1,,2"} {
		if _, err := threadCounts(bad); err == nil {
			t.Errorf("threadCounts(%q) accepted", bad)
		}
	}
}
