package kernel

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// testChooser returns a chooser isolated from the machine: an empty home and
// system root, no GPU, the given variables, and a log buffer.
func testChooser(t *testing.T, env map[string]string) (*chooser, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	c := &chooser{
		getenv:  func(k string) string { return env[k] },
		home:    t.TempDir(),
		sysRoot: t.TempDir(),
		hasGPU:  func() bool { return false },
		loadXLA: loadXLA,
		newGo:   gobackend.New,
		procs:   2,
		log:     &log,
	}
	return c, &log
}

func lines(b *bytes.Buffer) []string {
	s := strings.TrimRight(b.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// touch creates an empty file (and its folders).
func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNoPluginFallsBackWithOneLine(t *testing.T) {
	c, log := testChooser(t, nil)
	ch := c.choose()
	if ch.backend == nil || ch.details.Name != "go" {
		t.Fatalf("got backend %v details %+v, want the Go backend", ch.backend, ch.details)
	}
	l := lines(log)
	if len(l) != 1 || !strings.Contains(l[0], "pure-Go") || !strings.Contains(l[0], "no PJRT CUDA plugin found") {
		t.Fatalf("want exactly one fallback line, got %q", l)
	}
	if len(ch.details.Devices) == 0 {
		t.Errorf("no devices listed for the Go backend")
	}
}

func TestExplicitGoIsSilent(t *testing.T) {
	c, log := testChooser(t, map[string]string{BackendEnv: "go"})
	ch := c.choose()
	if ch.details.Name != "go" || log.Len() != 0 {
		t.Fatalf("GOMLX_BACKEND=go: got %q and log %q; want go and no output", ch.details.Name, log)
	}
}

func TestUnknownBackendName(t *testing.T) {
	c, log := testChooser(t, map[string]string{BackendEnv: "tpu-magic"})
	ch := c.choose()
	if ch.details.Name != "go" {
		t.Fatalf("got %q, want fallback to go", ch.details.Name)
	}
	l := lines(log)
	if len(l) != 1 {
		t.Fatalf("want one line, got %q", l)
	}
	for _, want := range []string{`"tpu-magic"`, "not a backend name", "go, go:<options>, xla, xla:cuda", "pure-Go"} {
		if !strings.Contains(l[0], want) {
			t.Errorf("line %q lacks %q", l[0], want)
		}
	}
}

func TestBadGoOptions(t *testing.T) {
	c, log := testChooser(t, map[string]string{BackendEnv: "go:nonsense_option"})
	ch := c.choose()
	if ch.details.Name != "go" || ch.backend == nil {
		t.Fatalf("got %+v", ch.details)
	}
	if !strings.Contains(log.String(), "nonsense_option") {
		t.Errorf("log does not name the bad option: %q", log)
	}
}

func TestGoOptionsPassedThrough(t *testing.T) {
	var got string
	c, _ := testChooser(t, map[string]string{BackendEnv: "go:ops_sequential"})
	c.newGo = func(cfg string) (compute.Backend, error) { got = cfg; return gobackend.New(cfg) }
	c.choose()
	if got != "num_executors=2,ops_sequential" {
		t.Fatalf("Go backend config = %q, want num_executors=2,ops_sequential", got)
	}
}

func TestGoConfigOneExecutorPerThread(t *testing.T) {
	for _, c := range []struct {
		cfg   string
		procs int
		want  string
	}{
		{"", 1, "num_executors=1"},
		{"", 2, "num_executors=2"},
		{"", 64, "num_executors=8"},
		{"num_executors=3", 2, "num_executors=2,num_executors=3"},
	} {
		if got := goConfig(c.cfg, c.procs); got != c.want {
			t.Errorf("goConfig(%q, %d) = %q, want %q", c.cfg, c.procs, got, c.want)
		}
	}
}

func TestMissingPluginPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope", "xla_cuda_plugin.so")
	c, log := testChooser(t, map[string]string{PluginPathEnv: missing})
	ch := c.choose()
	if ch.details.Name != "go" {
		t.Fatalf("got %q, want go", ch.details.Name)
	}
	if !strings.Contains(log.String(), missing) || !strings.Contains(log.String(), "does not exist") {
		t.Fatalf("log does not name the missing path: %q", log)
	}
}

// TestGarbagePluginFile loads real files through go-xla: an empty file and a
// shared library that is not a PJRT plugin. Each must give a line naming the
// file and why, then the Go backend, and no panic.
func TestGarbagePluginFile(t *testing.T) {
	if !XLAAvailable {
		t.Skip("built without XLA support")
	}
	dir := t.TempDir()
	empty := touch(t, filepath.Join(dir, "empty", "xla_cuda_plugin.so"))
	cases := map[string]string{empty: "dlopen failed"}
	for _, lib := range []string{"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6"} {
		data, err := os.ReadFile(lib)
		if err != nil {
			continue
		}
		p := filepath.Join(dir, "lib", "pjrt_c_api_cuda_plugin.so")
		touch(t, p)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		cases[p] = "not a PJRT plugin"
		break
	}
	for path, reason := range cases {
		for _, env := range []map[string]string{
			{PluginPathEnv: path},
			{PluginPathEnv: filepath.Dir(path)},
			{BackendEnv: "xla:" + path},
			{BackendEnv: "xla:cuda", PluginPathEnv: path},
		} {
			c, log := testChooser(t, env)
			ch := c.choose()
			if ch.details.Name != "go" || ch.backend == nil {
				t.Errorf("%v: got %+v, want the Go backend", env, ch.details)
			}
			l := lines(log)
			if len(l) != 2 {
				t.Errorf("%v: want an error line and a fallback line, got %q", env, l)
				continue
			}
			if !strings.Contains(l[0], path) || !strings.Contains(l[0], reason) {
				t.Errorf("%v: error line %q should name %s and say %q", env, l[0], path, reason)
			}
			if !strings.Contains(l[1], "pure-Go") {
				t.Errorf("%v: second line %q is not the fallback", env, l[1])
			}
		}
	}
}

// fakeXLA records the configs it is asked to load and fails or succeeds.
type fakeXLA struct {
	configs []string
	fail    bool
}

func (f *fakeXLA) load(cfg string) (compute.Backend, error) {
	f.configs = append(f.configs, cfg)
	if f.fail {
		return nil, errors.New("no CUDA device")
	}
	return gobackend.New("") // stands in for an XLA backend
}

func TestDiscoverJAXPluginNeedsGPU(t *testing.T) {
	c, log := testChooser(t, nil)
	p12 := touch(t, filepath.Join(c.home, ".local/lib/python3.11/site-packages/jax_plugins/xla_cuda12/xla_cuda_plugin.so"))
	p13 := touch(t, filepath.Join(c.home, ".local/lib/python3.11/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so"))
	fake := &fakeXLA{}
	c.loadXLA = fake.load

	if got := c.discoverPlugins(); len(got) != 2 || got[0] != p13 || got[1] != p12 {
		t.Fatalf("discoverPlugins = %q, want [%s %s]", got, p13, p12)
	}
	ch := c.choose()
	if ch.details.Name != "go" || len(fake.configs) != 0 {
		t.Fatalf("without a GPU: got %q and loads %q; want go and no load", ch.details.Name, fake.configs)
	}
	if l := lines(log); len(l) != 1 || !strings.Contains(l[0], p13) || !strings.Contains(l[0], "no NVIDIA GPU") {
		t.Fatalf("want one line naming %s and the missing GPU, got %q", p13, l)
	}

	c.hasGPU = func() bool { return true }
	ch = c.choose()
	if ch.details.Name != "xla" || ch.details.Plugin != p13 {
		t.Fatalf("with a GPU: got %+v, want xla with %s", ch.details, p13)
	}
	if fake.configs[0] != p13 {
		t.Fatalf("loaded %q, want %q", fake.configs, p13)
	}
}

func TestDiscoverPluginOfThePythonOnPath(t *testing.T) {
	// A virtualenv on PATH but not activated (no VIRTUAL_ENV), as on this
	// project's GPU machine (/opt/torch/.venv): its site-packages are searched.
	c, _ := testChooser(t, map[string]string{"PATH": "relative/bin:/opt/none/bin:/opt/torch/.venv/bin:/usr/bin"})
	touch(t, filepath.Join(c.sysRoot, "opt/torch/.venv/bin/python3"))
	touch(t, filepath.Join(c.sysRoot, "usr/bin/python3"))
	p := touch(t, filepath.Join(c.sysRoot, "opt/torch/.venv/lib/python3.12/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so"))
	if got := c.discoverPlugins(); len(got) != 1 || got[0] != p {
		t.Fatalf("discoverPlugins = %q, want [%s]", got, p)
	}
}

func TestDiscoverFailingPluginTriesNextThenFallsBack(t *testing.T) {
	c, log := testChooser(t, nil)
	venv := t.TempDir()
	c.getenv = func(k string) string {
		if k == "VIRTUAL_ENV" {
			return venv
		}
		return ""
	}
	a := touch(t, filepath.Join(venv, "lib/python3.12/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so"))
	b := touch(t, filepath.Join(c.sysRoot, "usr/local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so"))
	c.hasGPU = func() bool { return true }
	fake := &fakeXLA{fail: true}
	c.loadXLA = fake.load
	ch := c.choose()
	if ch.details.Name != "go" {
		t.Fatalf("got %q, want go", ch.details.Name)
	}
	// go-xla's own install comes before site-packages.
	if len(fake.configs) != 2 || fake.configs[0] != b || fake.configs[1] != a {
		t.Fatalf("load order %q, want [%s %s]", fake.configs, b, a)
	}
	if l := lines(log); len(l) != 3 || !strings.Contains(l[0], b) || !strings.Contains(l[1], a) || !strings.Contains(l[0], "no CUDA device") {
		t.Fatalf("want two error lines naming the plugins and a fallback line, got %q", l)
	}
}

func TestXLACudaUsesDiscoveredPluginWithOptions(t *testing.T) {
	c, log := testChooser(t, map[string]string{BackendEnv: "xla:cuda,preallocate=true"})
	p := touch(t, filepath.Join(c.home, ".local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so"))
	fake := &fakeXLA{}
	c.loadXLA = fake.load
	ch := c.choose() // no GPU visible: an explicit request still tries
	if ch.details.Name != "xla" || len(fake.configs) != 1 || fake.configs[0] != p+",preallocate=true" {
		t.Fatalf("got %+v loading %q", ch.details, fake.configs)
	}
	if log.Len() != 0 {
		t.Errorf("unexpected output %q", log)
	}
}

func TestPluginPathDirectoryAndFile(t *testing.T) {
	dir := t.TempDir()
	p := touch(t, filepath.Join(dir, "pjrt_c_api_cuda_plugin.so"))
	touch(t, filepath.Join(dir, "libsomething_else.so"))
	for _, v := range []string{dir, p, "::" + dir + ":"} {
		c, _ := testChooser(t, map[string]string{PluginPathEnv: v})
		fake := &fakeXLA{}
		c.loadXLA = fake.load
		ch := c.choose()
		if ch.details.Name != "xla" || ch.details.Plugin != p || !strings.Contains(ch.details.Reason, PluginPathEnv) {
			t.Errorf("%s=%q: got %+v", PluginPathEnv, v, ch.details)
		}
	}
}

func TestPluginErrorText(t *testing.T) {
	err := errors.New(`backend "xla":: failed to load PJRT plugin for name "/x/p.so": failed to dynamically load PJRT plugin from "/x/p.so: file too short": "/x/p.so" -- check with ldd`)
	if got := pluginError("/x/p.so", err); got != "dlopen failed: file too short (a missing library shows with: ldd /x/p.so)" {
		t.Errorf("pluginError = %q", got)
	}
}

func TestProcessBackendIsUsable(t *testing.T) {
	b := Backend()
	if b == nil || Backend() != b {
		t.Fatal("Backend() must return the same non-nil backend every time")
	}
	d := BackendInfo()
	if d.Name == "" || d.Reason == "" || !strings.Contains(d.String(), "backend: "+d.Name) {
		t.Fatalf("BackendInfo incomplete: %+v", d)
	}
}

func TestPreloadNvidiaPipLibsIgnoresOtherPaths(t *testing.T) {
	if !XLAAvailable {
		t.Skip("built without XLA support")
	}
	sp := filepath.Join(t.TempDir(), "lib/python3.12/site-packages")
	plugin := touch(t, filepath.Join(sp, "jax_plugins/xla_cuda13/xla_cuda_plugin.so"))
	touch(t, filepath.Join(sp, "nvidia/cu13/lib/libcudart.so.13")) // empty: dlopen fails, skipped
	if err := os.MkdirAll(filepath.Join(sp, "nvidia/cu13/bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", os.Getenv("PATH"))
	if n := preloadNvidiaPipLibs(plugin); n != 0 {
		t.Errorf("loaded %d libraries from empty files", n)
	}
	if !strings.HasPrefix(os.Getenv("PATH"), filepath.Join(sp, "nvidia/cu13/bin")) {
		t.Errorf("PATH does not start with the pip ptxas folder: %s", os.Getenv("PATH"))
	}
	if n := preloadNvidiaPipLibs("/usr/local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so"); n != 0 {
		t.Errorf("a non-pip plugin path loaded %d libraries", n)
	}
}

func TestXLARelativePluginPathMadeAbsolute(t *testing.T) {
	dir := t.TempDir()
	touch(t, filepath.Join(dir, "sub", "my_cuda_plugin.so"))
	t.Chdir(dir)
	c, _ := testChooser(t, map[string]string{BackendEnv: "xla:sub/my_cuda_plugin.so,allocator=cuda_async"})
	fake := &fakeXLA{}
	c.loadXLA = fake.load
	ch := c.choose()
	want := filepath.Join(dir, "sub", "my_cuda_plugin.so")
	if ch.details.Plugin != want || len(fake.configs) != 1 || fake.configs[0] != want+",allocator=cuda_async" {
		t.Fatalf("got plugin %q, loads %q; want %q with the option kept", ch.details.Plugin, fake.configs, want)
	}
}

// In a notebook the plain fallback line goes to stdout (info), once per
// kernel; after a plugin failed it stays on stderr (log) every time.
func TestFallbackLineQuietInNotebook(t *testing.T) {
	c, log := testChooser(t, nil)
	var info bytes.Buffer
	shown := false
	c.info = &info
	c.firstTime = func() bool { first := !shown; shown = true; return first }
	c.choose()
	c.choose()
	if log.Len() != 0 || len(lines(&info)) != 1 {
		t.Fatalf("stderr %q, stdout %q: want nothing on stderr and one line on stdout", log, &info)
	}

	missing := filepath.Join(t.TempDir(), "nope.so")
	c, log = testChooser(t, map[string]string{PluginPathEnv: missing})
	info.Reset()
	c.info = &info
	c.firstTime = func() bool { return false }
	c.choose()
	if info.Len() != 0 || len(lines(log)) != 2 {
		t.Fatalf("after a plugin problem: stderr %q, stdout %q: want both lines on stderr", log, &info)
	}
}

func TestNarrowSIMDWarning(t *testing.T) {
	for _, tc := range []struct {
		name string
		bits int
		avx2 bool
		warn bool
	}{
		{"go", 128, true, true},
		{"go", 256, true, false},
		{"go", 512, true, false},
		{"go", 128, false, false}, // AVX only, or arm64: 128 is all there is
		{"go", 0, true, false},    // no GOEXPERIMENT=simd: slowCPUWarning's case
		{"xla", 128, true, false},
	} {
		got := narrowSIMDWarning(tc.name, tc.bits, tc.avx2)
		if (got != "") != tc.warn || (tc.warn && !strings.Contains(got, "GODEBUG="+SIMDGodebug)) {
			t.Errorf("narrowSIMDWarning(%q, %d bits, AVX2 %v) = %q, want a warning: %v", tc.name, tc.bits, tc.avx2, got, tc.warn)
		}
	}
}

func TestSlowCPUWarning(t *testing.T) {
	for _, tc := range []struct {
		name            string
		simdBuild, avx2 bool
		warn            bool
	}{
		{"go", false, true, true},
		{"go", true, true, false},
		{"go", false, false, false},
		{"xla", false, true, false},
	} {
		got := slowCPUWarning(tc.name, tc.simdBuild, tc.avx2)
		if (got != "") != tc.warn || (tc.warn && !strings.Contains(got, "GOEXPERIMENT=simd")) {
			t.Errorf("slowCPUWarning(%q, simd build %v, AVX2 %v) = %q, want a warning: %v", tc.name, tc.simdBuild, tc.avx2, got, tc.warn)
		}
	}
}
