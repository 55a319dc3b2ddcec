package kernel

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestShortPaths(t *testing.T) {
	root, ok := RepoRoot()
	if !ok {
		t.Skip("not inside the repository")
	}
	in := "dqn: resuming " + filepath.Join(root, "runs", "dqn", "ckpt-000012.ckpt") + " at 10 steps"
	if got, want := ShortPaths(in), "dqn: resuming runs/dqn/ckpt-000012.ckpt at 10 steps"; got != want {
		t.Errorf("ShortPaths = %q, want %q", got, want)
	}
	if got := ShortPath(root); got != "." {
		t.Errorf("ShortPath(root) = %q, want \".\"", got)
	}
	var b bytes.Buffer
	ShortPathsWriter(&b).Write([]byte("saved " + filepath.Join(root, "runs", "x") + "\n"))
	if b.String() != "saved runs/x\n" {
		t.Errorf("writer wrote %q", b.String())
	}
}
