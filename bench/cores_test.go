package main

import (
	"math"
	"testing"
)

func TestIdealTime(t *testing.T) {
	for _, c := range []struct {
		t    []float64
		want float64
	}{
		{[]float64{0.3, 0.3}, 0.15}, // equal CPUs: t/N
		{[]float64{0.3, 0.6}, 0.2},  // rates 1/0.3 + 1/0.6 = 5 steps/s
		{[]float64{0.3}, 0.3},       // one CPU
		{[]float64{0.3, 0}, 0},      // a missing figure gives no ideal
	} {
		if got := idealTime(c.t); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("idealTime(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}
