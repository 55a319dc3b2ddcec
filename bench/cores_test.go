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

func TestRoundEfficiency(t *testing.T) {
	// Two rounds; the last: CPUs at 0.30 and 0.40 s a step, both together
	// 0.20 s: ideal 1/(1/0.3+1/0.4) = 0.1714 s, efficiency 0.857.
	perCPU := [][]float64{{0.29, 0.30}, {0.31, 0.40}}
	all := []float64{0.15, 0.20}
	if got, want := roundEfficiency(perCPU, all), (1/(1/0.3+1/0.4))/0.20; math.Abs(got-want) > 1e-12 {
		t.Fatalf("roundEfficiency = %v, want %v (the last round's)", got, want)
	}
}
