package kernel

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// ModulePath is the Go module path of this repository; RepoRoot looks for the
// go.mod that declares it.
const ModulePath = "github.com/arcade-go/arcade"

// BudgetEnv is the environment variable that bounds the wall time of every
// training cell (a Go duration such as "45s"). `make test` sets it short so a
// whole notebook runs in minutes.
const BudgetEnv = "ARCADE_BUDGET"

// RunsEnv overrides the directory returned by RunsDir.
const RunsEnv = "ARCADE_RUNS"

var budgetWarnOnce sync.Once

// Budget returns the wall-time budget from $ARCADE_BUDGET and whether one is
// set. A value that is not a positive Go duration (e.g. "45s", "2m") is
// reported once on stderr and treated as unset, so a typo never stops a
// notebook; the cells then run their full length.
func Budget() (time.Duration, bool) {
	d, ok, err := parseBudget(os.Getenv(BudgetEnv))
	if err != nil {
		budgetWarnOnce.Do(func() {
			fmt.Fprintf(os.Stderr, "arcade: ignoring %s: %v (use a Go duration such as 45s or 2m)\n", BudgetEnv, err)
		})
	}
	return d, ok
}

// parseBudget parses a budget value; "" is unset without error.
func parseBudget(s string) (time.Duration, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not a duration", s)
	}
	if d <= 0 {
		return 0, false, fmt.Errorf("%q is not positive", s)
	}
	return d, true, nil
}

// InterruptContext returns a context that is cancelled on the first SIGINT or
// SIGTERM (a notebook's "interrupt kernel" sends SIGINT, then SIGKILL 5 s
// later), so a training loop can save a checkpoint and return. After the first
// signal the default handling is restored: a second Ctrl-C kills the process.
// Call cancel when the loop is done to release the signal handler.
func InterruptContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			signal.Stop(ch)
			cancel()
		})
	}
	go func() {
		select {
		case <-ch:
			stop()
		case <-ctx.Done():
			stop()
		}
	}()
	return ctx, stop
}

// InNotebook reports whether the program was started by the GoNB kernel (a
// notebook cell), as opposed to a terminal.
func InNotebook() bool { return gonbui.IsNotebook }

// RepoRoot returns the root of the Arcade repository: the nearest directory,
// walking up from the working directory (and then from $GONB_DIR, set by the
// GoNB kernel), whose go.mod declares ModulePath. ok is false when none is found.
func RepoRoot() (dir string, ok bool) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if g := os.Getenv("GONB_DIR"); g != "" {
		starts = append(starts, g)
	}
	for _, s := range starts {
		if d, ok := findModuleRoot(s); ok {
			return d, true
		}
	}
	return "", false
}

// findModuleRoot walks up from dir to the go.mod that declares ModulePath.
func findModuleRoot(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if modulePathOf(filepath.Join(dir, "go.mod")) == ModulePath {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// modulePathOf returns the module path declared in the go.mod file, or "".
func modulePathOf(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// RunsDir returns the directory for checkpoints and run outputs: $ARCADE_RUNS
// when set, else <repository root>/runs, else ./runs when the repository root
// cannot be found. It does not create the directory.
func RunsDir() string {
	if d := os.Getenv(RunsEnv); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs
		}
		return d
	}
	if root, ok := RepoRoot(); ok {
		return filepath.Join(root, "runs")
	}
	if abs, err := filepath.Abs("runs"); err == nil {
		return abs
	}
	return "runs"
}
