package kernel

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestParseBudget(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   time.Duration
		ok     bool
		hasErr bool
	}{
		{"", 0, false, false},
		{"  ", 0, false, false},
		{"45s", 45 * time.Second, true, false},
		{" 2m ", 2 * time.Minute, true, false},
		{"1h30m", 90 * time.Minute, true, false},
		{"45", 0, false, true},
		{"fast", 0, false, true},
		{"0s", 0, false, true},
		{"-5s", 0, false, true},
	} {
		d, ok, err := parseBudget(tc.in)
		if d != tc.want || ok != tc.ok || (err != nil) != tc.hasErr {
			t.Errorf("parseBudget(%q) = %v, %v, %v; want %v, %v, error=%v", tc.in, d, ok, err, tc.want, tc.ok, tc.hasErr)
		}
	}
}

func TestBudgetFromEnv(t *testing.T) {
	t.Setenv(BudgetEnv, "40s")
	if d, ok := Budget(); !ok || d != 40*time.Second {
		t.Fatalf("Budget() = %v, %v; want 40s, true", d, ok)
	}
	t.Setenv(BudgetEnv, "forty")
	if d, ok := Budget(); ok || d != 0 {
		t.Fatalf("Budget() with a bad value = %v, %v; want unset", d, ok)
	}
}

func TestRunsDir(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(RunsEnv, "")
	root, ok := RepoRoot()
	if !ok {
		t.Fatal("RepoRoot not found from the kernel package directory")
	}
	if modulePathOf(filepath.Join(root, "go.mod")) != ModulePath {
		t.Fatalf("RepoRoot %s does not hold our go.mod", root)
	}
	if got := RunsDir(); got != filepath.Join(root, "runs") {
		t.Errorf("RunsDir() = %s, want %s/runs", got, root)
	}

	custom := t.TempDir()
	t.Setenv(RunsEnv, custom)
	if got := RunsDir(); got != custom {
		t.Errorf("with %s: RunsDir() = %s, want %s", RunsEnv, got, custom)
	}

	// Outside the repository (another module's go.mod above): ./runs.
	t.Setenv(RunsEnv, "")
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(other, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	if got := RunsDir(); got != filepath.Join(sub, "runs") {
		t.Errorf("outside the repo: RunsDir() = %s, want %s", got, filepath.Join(sub, "runs"))
	}
	// GoNB sets GONB_DIR to the notebook's folder; that finds the repository.
	t.Setenv("GONB_DIR", filepath.Join(root, "kernel"))
	if got := RunsDir(); got != filepath.Join(root, "runs") {
		t.Errorf("with GONB_DIR: RunsDir() = %s, want %s/runs", got, root)
	}
}

func TestModulePathOf(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"module github.com/arcade-go/arcade\n\ngo 1.27.4\n":    ModulePath,
		"// comment\nmodule \"github.com/arcade-go/arcade\"\n": ModulePath,
		"module github.com/arcade-go/arcadex\n":                "github.com/arcade-go/arcadex",
		"go 1.22\n":                                            "",
	} {
		p := filepath.Join(dir, "go.mod")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := modulePathOf(p); got != want {
			t.Errorf("modulePathOf(%q) = %q, want %q", content, got, want)
		}
	}
}

func TestInterruptContext(t *testing.T) {
	ctx, cancel := InterruptContext()
	defer cancel()
	if ctx.Err() != nil {
		t.Fatal("context cancelled before any signal")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("SIGINT did not cancel the context")
	}

	// cancel alone also ends it (and releases the handler).
	ctx2, cancel2 := InterruptContext()
	cancel2()
	<-ctx2.Done()
}
