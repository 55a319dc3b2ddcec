package kernel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallKernelTwice(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(t.TempDir(), "jupyter")
	for i := range 2 {
		dir, err := InstallKernel(InstallOptions{RepoRoot: root, DataDir: data, SkipBuild: true})
		if err != nil {
			t.Fatalf("install %d: %v", i, err)
		}
		if want := filepath.Join(data, "kernels", KernelName); dir != want {
			t.Fatalf("installed in %s, want %s", dir, want)
		}
	}
	dir := filepath.Join(data, "kernels", KernelName)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "kernel.json,logo-svg.svg" {
		t.Errorf("kernel dir holds %q, want kernel.json and logo-svg.svg only", names)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec KernelSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("kernel.json is not JSON: %v\n%s", err, raw)
	}
	wantArgv := append([]string{filepath.Join(root, "bin", "gonb"), "--kernel", "{connection_file}"}, GonbQuietFlags...)
	if strings.Join(spec.Argv, " ") != strings.Join(wantArgv, " ") {
		t.Errorf("argv = %q, want %q", spec.Argv, wantArgv)
	}
	if spec.DisplayName != KernelDisplayName || spec.Language != "go" || spec.InterruptMode != "message" {
		t.Errorf("spec = %+v", spec)
	}
	if spec.Env["GOTOOLCHAIN"] != Toolchain {
		t.Errorf("GOTOOLCHAIN = %q, want %q", spec.Env["GOTOOLCHAIN"], Toolchain)
	}
	path := filepath.SplitList(spec.Env["PATH"])
	if len(path) < 2 || path[0] != filepath.Join(root, "bin") {
		t.Errorf("PATH = %q, want %s/bin first", spec.Env["PATH"], root)
	}
	if goCmd, err := goCommand(); err == nil && path[1] != filepath.Dir(goCmd) {
		t.Errorf("PATH[1] = %q, want the go command's folder %q", path[1], filepath.Dir(goCmd))
	}
	if got, want := spec.Env["GOEXPERIMENT"] == "simd", SIMDSupported(); got != want {
		t.Errorf("GOEXPERIMENT=simd set: %v, CPU supports it: %v", got, want)
	}
	if got, want := spec.Env["GODEBUG"] == SIMDGodebug, SIMDSupported(); got != want {
		t.Errorf("GODEBUG=%s set: %v, CPU supports it: %v", SIMDGodebug, got, want)
	}
}

func TestJupyterDataDir(t *testing.T) {
	d := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", d)
	if got, err := JupyterDataDir(); err != nil || got != d {
		t.Errorf("JupyterDataDir() = %q, %v; want %q", got, err, d)
	}
	t.Setenv("JUPYTER_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", d)
	if got, _ := JupyterDataDir(); got != filepath.Join(d, ".local", "share", "jupyter") {
		t.Errorf("default JupyterDataDir() = %q", got)
	}
}

func TestInstallOutsideRepoFails(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Chdir(t.TempDir())
	_, err := InstallKernel(InstallOptions{DataDir: t.TempDir(), SkipBuild: true})
	if err == nil || !strings.Contains(err.Error(), "Arcade repository") {
		t.Fatalf("want a clear error outside the repository, got %v", err)
	}
}

// The Makefile's `make tools` and InstallKernel build the same gopls.
func TestGoplsVersionMatchesMakefile(t *testing.T) {
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Skip(err)
	}
	if !strings.Contains(string(mk), "GOPLS_VERSION ?= "+GoplsVersion+"\n") {
		t.Errorf("the Makefile's GOPLS_VERSION is not kernel.GoplsVersion (%s)", GoplsVersion)
	}
}
