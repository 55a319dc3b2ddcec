// Package study holds what the GAN's and the DQN's study commands
// (models/dcgan/study, models/dqn/study) share: picking runs by name,
// medians and the machine's load (records are written through
// internal/atomicfile).
package study

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// Run is one run's folder under a study's output folder: its record file
// and its log.
type Run struct {
	Dir    string    // the run's folder (checkpoints, train.log, record.json)
	Record string    // the path of its record.json
	Log    io.Writer // standard output and the folder's train.log (appended)

	logFile *os.File
}

// OpenRun opens the folder of run name under out, creating it, with its log
// open for appending. It returns nil (and says so on standard output) when
// the run already has a record: a study never trains a run twice.
func OpenRun(out, name string) (*Run, error) {
	r := &Run{Dir: filepath.Join(out, name)}
	r.Record = filepath.Join(r.Dir, "record.json")
	if _, err := os.Stat(r.Record); err == nil {
		fmt.Printf("%s: done before (%s)\n", name, r.Record)
		return nil, nil
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(r.Dir, "train.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	r.logFile, r.Log = f, io.MultiWriter(os.Stdout, f)
	return r, nil
}

// Close closes the run's log.
func (r *Run) Close() error { return r.logFile.Close() }

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
