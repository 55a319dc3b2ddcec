package kernel

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ShortPaths rewrites the absolute paths in text for people to read and for
// notebooks' outputs, which must not carry the machine's folders: a path
// inside the repository becomes relative to it ("runs/dqn-notebook/..."), one
// under $ARCADE_RUNS starts with "$ARCADE_RUNS/", one under the home folder
// with "~/".
func ShortPaths(text string) string {
	for _, r := range shortPathRules() {
		if strings.Contains(text, r.prefix) {
			text = strings.ReplaceAll(text, r.prefix, r.short)
		}
	}
	return text
}

// ShortPath is [ShortPaths] of one path; the repository root itself is ".".
func ShortPath(path string) string {
	if root, ok := RepoRoot(); ok && filepath.Clean(path) == root {
		return "."
	}
	return ShortPaths(path)
}

// ShortPathsWriter returns a writer that passes text to w through
// [ShortPaths], for a training loop's progress lines (TrainOptions.Out).
// Each Write should hold whole lines, as fmt.Fprintf's do.
func ShortPathsWriter(w io.Writer) io.Writer { return shortWriter{w} }

type shortWriter struct{ w io.Writer }

func (s shortWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, ShortPaths(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

type pathRule struct{ prefix, short string }

var (
	pathRulesOnce sync.Once
	pathRules     []pathRule
)

// shortPathRules lists the prefixes to rewrite, longest (most specific) first.
func shortPathRules() []pathRule {
	pathRulesOnce.Do(func() {
		sep := string(filepath.Separator)
		if d := os.Getenv(RunsEnv); d != "" {
			if abs, err := filepath.Abs(d); err == nil {
				pathRules = append(pathRules, pathRule{abs + sep, "$" + RunsEnv + sep})
			}
		}
		if root, ok := RepoRoot(); ok {
			pathRules = append(pathRules, pathRule{root + sep, ""})
		}
		if home, err := os.UserHomeDir(); err == nil && len(home) > 1 {
			pathRules = append(pathRules, pathRule{home + sep, "~" + sep})
		}
	})
	return pathRules
}
