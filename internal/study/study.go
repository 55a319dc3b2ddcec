// Package study holds what the GAN's and the DQN's study commands
// (models/dcgan/study, models/dqn/study) share: picking runs by name,
// medians, the machine's load and atomic record files.
package study

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// Select returns the runs of all named in the comma-separated list names, in
// the list's order, or all of them when names is empty; name gives a run's
// name. An unknown name is an error that says how to list them.
func Select[R any](all []R, names string, name func(R) string) ([]R, error) {
	if names == "" {
		return all, nil
	}
	var out []R
	for _, n := range strings.Split(names, ",") {
		i := slices.IndexFunc(all, func(r R) bool { return name(r) == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown run %q (-list shows them)", n)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// Median returns the median of x (the upper one of an even count), 0 for none.
func Median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Clone(x)
	sort.Float64s(s)
	return s[len(s)/2]
}

// LoadAvg returns the machine's 1, 5 and 15-minute load averages
// (/proc/loadavg), or "?".
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// WriteFile writes b to path atomically: to a temporary file beside it, then
// renamed over it.
func WriteFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
