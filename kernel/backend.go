// Package kernel stands between a notebook (or the CLI) and GoMLX: it picks
// the compute backend once per process, installs the GoNB Jupyter kernel, and
// holds the small helpers a notebook cell needs.
package kernel

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"golang.org/x/sys/cpu"
)

// BackendEnv is GoMLX's variable naming the backend: "go", "go:<options>",
// "xla" (any PJRT plugin found, CUDA first), "xla:cuda" or
// "xla:<absolute path to a PJRT plugin .so>", optionally followed by
// ",option=value" pairs that go-xla understands (e.g. "xla:cuda,preallocate=true").
const BackendEnv = "GOMLX_BACKEND"

// PluginPathEnv is go-xla's variable: a ":"-separated list of PJRT plugin
// files or of directories holding them.
const PluginPathEnv = "PJRT_PLUGIN_LIBRARY_PATH"

// validBackends is shown when GOMLX_BACKEND names something unknown.
const validBackends = `go, go:<options>, xla, xla:cuda, xla:<absolute path to a PJRT plugin .so>`

// BackendDetails says which backend this process uses and why.
type BackendDetails struct {
	// Name is the backend's name: "go" (pure Go, CPU) or "xla" (PJRT).
	Name string
	// Plugin is the PJRT plugin file (or name) when Name is "xla".
	Plugin string
	// Reason says why this backend was chosen.
	Reason string
	// Description is the backend's own one-line description.
	Description string
	// Devices holds one description per device.
	Devices []string
	// Problems lists settings or plugins that were tried and failed, in order.
	Problems []string
}

// String formats the details for people, one fact per line.
func (d BackendDetails) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "backend: %s", d.Name)
	if d.Plugin != "" {
		fmt.Fprintf(&b, " (plugin %s)", d.Plugin)
	}
	fmt.Fprintf(&b, "\nwhy:     %s\n", d.Reason)
	for i, dev := range d.Devices {
		fmt.Fprintf(&b, "device %d: %s\n", i, dev)
	}
	for _, p := range d.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	return b.String()
}

type choice struct {
	backend compute.Backend
	details BackendDetails
}

var chosen = sync.OnceValue(func() choice {
	c := newChooser()
	ch := c.choose()
	if w := slowCPUWarning(ch.details.Name, SIMDBuild, SIMDSupported()); w != "" {
		fmt.Fprintln(os.Stderr, w)
	}
	if w := narrowSIMDWarning(ch.details.Name, SIMDVectorBits(), cpu.X86.HasAVX2); w != "" {
		fmt.Fprintln(os.Stderr, w)
	}
	return ch
})

// slowCPUWarning returns the line that warns a program on the pure-Go
// backend (name "go") built without GOEXPERIMENT=simd on a CPU with
// AVX2/AVX-512 that its matrix multiplies run in plain Go (the DQN's learner
// step measured 4.2 times slower), or "" when that is not the case.
func slowCPUWarning(name string, simdBuild, simdCPU bool) string {
	if name != "go" || simdBuild || !simdCPU {
		return ""
	}
	return "arcade: built without GOEXPERIMENT=simd, so GoMLX's CPU matrix multiplies run in plain Go, about 4 times slower on this CPU: export GOEXPERIMENT=simd before go run/go build (make and the notebook kernel set it)"
}

// narrowSIMDWarning returns the line that warns a program on the pure-Go
// backend whose simd package chose 128-bit vectors on a CPU with AVX2 (see
// SIMDGodebug), or "" when that is not the case.
func narrowSIMDWarning(name string, vectorBits int, avx2 bool) string {
	if name != "go" || vectorBits != 128 || !avx2 {
		return ""
	}
	return "arcade: Go's simd package chose 128-bit vectors on this AVX2 CPU (it lacks VPCLMULQDQ), so GoMLX's element-wise ops run at half width: export GODEBUG=" + SIMDGodebug + " before go run, or reinstall the notebook kernel (make kernel) if it was installed before the kernel set it"
}

// Backend returns the process-wide compute backend, chosen once on first use:
//
//  1. $GOMLX_BACKEND when set (see BackendEnv);
//  2. a PJRT plugin named by $PJRT_PLUGIN_LIBRARY_PATH (files, or directories
//     holding a CUDA plugin);
//  3. a CUDA PJRT plugin found in the usual places (go-xla's install folders,
//     $LD_LIBRARY_PATH, and the jax_plugins folder that JAX's jax-cuda13-pjrt /
//     jax-cuda12-pjrt packages install under site-packages), used only when
//     an NVIDIA GPU is visible;
//  4. else the pure-Go backend.
//
// It never downloads anything. When it falls back to the pure-Go backend it
// prints one line saying why: on stderr outside a notebook; in a notebook on
// stdout, and only in the first program of the kernel (being on the CPU is
// normal, not an error). A plugin that exists but does not load adds one line
// on stderr naming the file and the reason, and then the fallback line goes to
// stderr too. It never panics.
func Backend() compute.Backend { return chosen().backend }

// BackendInfo returns which backend Backend chose, why, and its devices.
// It chooses the backend if that has not happened yet.
func BackendInfo() BackendDetails {
	d := chosen().details
	d.Devices = append([]string(nil), d.Devices...)
	d.Problems = append([]string(nil), d.Problems...)
	return d
}

// chooser holds what choosing a backend depends on, so tests can vary it.
type chooser struct {
	getenv func(string) string
	home   string
	// sysRoot prefixes the system folders searched for plugins ("/" normally).
	sysRoot string
	// hasGPU reports whether an NVIDIA GPU is visible.
	hasGPU func() bool
	// loadXLA creates an XLA backend from a go-xla config ("<plugin>[,opts]").
	loadXLA func(config string) (compute.Backend, error)
	// newGo creates the pure-Go backend.
	newGo func(config string) (compute.Backend, error)
	// procs is the number of threads Go runs at once (GOMAXPROCS).
	procs int
	// log receives the error lines, and the fallback line after an error.
	log io.Writer
	// info receives the fallback line when nothing went wrong; nil means log.
	info io.Writer
	// firstTime reports whether the fallback line should be shown to info
	// (false after the first program of a notebook kernel); nil means always.
	firstTime func() bool
}

func newChooser() *chooser {
	home, _ := os.UserHomeDir()
	return &chooser{
		getenv:    os.Getenv,
		home:      home,
		sysRoot:   "/",
		hasGPU:    hasNvidiaGPU,
		loadXLA:   loadXLA,
		newGo:     gobackend.New,
		procs:     runtime.GOMAXPROCS(0),
		log:       os.Stderr,
		info:      infoWriter(),
		firstTime: firstInKernel,
	}
}

// infoWriter is where the fallback line goes when nothing went wrong: stdout
// in a notebook (Jupyter shows stderr in a pink box), stderr elsewhere.
func infoWriter() io.Writer {
	if InNotebook() {
		return os.Stdout
	}
	return os.Stderr
}

// firstInKernel reports true once per GoNB kernel: GoNB runs a new program for
// every cell, so it leaves a marker in the kernel's temporary folder
// ($GONB_TMP_DIR). Outside a notebook it is always true.
func firstInKernel() bool {
	dir := os.Getenv("GONB_TMP_DIR")
	if !InNotebook() || dir == "" {
		return true
	}
	f, err := os.OpenFile(filepath.Join(dir, ".arcade_backend_shown"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return os.IsNotExist(err) // the folder is gone: say it anyway
	}
	f.Close()
	return true
}

// hasNvidiaGPU reports whether NVIDIA device files exist (cheap; no
// subprocess): /dev/nvidia0... on Linux, /dev/dxg under WSL2.
func hasNvidiaGPU() bool {
	m, _ := filepath.Glob("/dev/nvidia[0-9]*")
	if len(m) > 0 {
		return true
	}
	_, err := os.Stat("/dev/dxg")
	return err == nil
}

// choose picks the backend; see Backend for the order.
func (c *chooser) choose() choice {
	var problems []string
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		problems = append(problems, msg)
		fmt.Fprintf(c.log, "arcade: %s\n", msg)
	}
	// tryPlugins loads the first plugin that works, reporting each failure.
	tryPlugins := func(paths []string, opts string) (choice, bool) {
		for _, p := range paths {
			b, err := c.loadXLA(p + opts)
			if err != nil {
				fail("PJRT plugin %s does not load: %s", p, pluginError(p, err))
				continue
			}
			return c.xlaChoice(b, p, ""), true
		}
		return choice{}, false
	}

	if v := strings.TrimSpace(c.getenv(BackendEnv)); v != "" {
		name, cfg, _ := strings.Cut(v, ":")
		switch strings.ToLower(name) {
		case "go", "simplego":
			b, err := c.newGo(goConfig(cfg, c.procs))
			if err == nil {
				return c.goChoice(b, fmt.Sprintf("%s=%s", BackendEnv, v), problems)
			}
			fail("%s=%q: %s", BackendEnv, v, oneLine(err))
			return c.fallback(fmt.Sprintf("the Go backend options in %s=%q are invalid", BackendEnv, v), problems)
		case "xla", "stablehlo", "hlo", "shlo":
			plugin, opts, _ := strings.Cut(cfg, ",")
			if opts != "" {
				opts = "," + opts
			}
			why := fmt.Sprintf("%s=%s", BackendEnv, v)
			switch {
			case plugin == "" || strings.EqualFold(plugin, "cuda") || strings.EqualFold(plugin, "gpu"):
				paths, missing := c.configuredPlugins()
				for _, m := range missing {
					fail("%s entry %s does not exist", PluginPathEnv, m)
				}
				paths = appendNew(paths, c.discoverPlugins()...)
				if ch, ok := tryPlugins(paths, opts); ok {
					ch.details.Reason = why
					ch.details.Problems = problems
					return ch
				}
				if plugin == "" {
					// Any other plugin go-xla finds in its own folders (e.g. cpu).
					if b, err := c.loadXLA(opts); err == nil {
						ch := c.xlaChoice(b, "", why)
						ch.details.Problems = problems
						return ch
					}
				}
				if len(paths) == 0 {
					fail("%s asks for XLA but no PJRT CUDA plugin was found (install jax-cuda13-pjrt or jax-cuda12-pjrt with pip, or set %s to the plugin .so)", why, PluginPathEnv)
				}
				return c.fallback(why+" could not be used", problems)
			default:
				// A relative file path ("./plugin.so") becomes absolute: go-xla
				// takes any other non-absolute value for a plugin name.
				if !filepath.IsAbs(plugin) && strings.ContainsRune(plugin, filepath.Separator) {
					if abs, err := filepath.Abs(plugin); err == nil {
						plugin = abs
						cfg = abs + opts
					}
				}
				b, err := c.loadXLA(cfg)
				if err != nil {
					fail("PJRT plugin %s does not load: %s", plugin, pluginError(plugin, err))
					return c.fallback(why+" could not be used", problems)
				}
				return c.xlaChoice(b, plugin, why)
			}
		default:
			msg := fmt.Sprintf("%s=%q is not a backend name (valid: %s)", BackendEnv, v, validBackends)
			problems = append(problems, msg)
			return c.fallback(msg, problems)
		}
	}

	paths, missing := c.configuredPlugins()
	for _, m := range missing {
		fail("%s entry %s does not exist", PluginPathEnv, m)
	}
	if ch, ok := tryPlugins(paths, ""); ok {
		ch.details.Reason = PluginPathEnv + " names this plugin"
		ch.details.Problems = problems
		return ch
	}
	found := c.discoverPlugins()
	if len(found) > 0 && !c.hasGPU() {
		return c.fallback(fmt.Sprintf("a CUDA PJRT plugin is installed (%s) but no NVIDIA GPU is visible (/dev/nvidia*)", found[0]), problems)
	}
	if ch, ok := tryPlugins(found, ""); ok {
		ch.details.Reason = "found a CUDA PJRT plugin and an NVIDIA GPU"
		ch.details.Problems = problems
		return ch
	}
	switch {
	case len(problems) > 0:
		return c.fallback("no PJRT plugin could be loaded (see above)", problems)
	default:
		return c.fallback(fmt.Sprintf("no PJRT CUDA plugin found (to use a GPU, pip install jax-cuda13-pjrt or set %s to the plugin .so)", PluginPathEnv), problems)
	}
}

// fallback returns the pure-Go backend and prints the one line saying why.
func (c *chooser) fallback(why string, problems []string) choice {
	w := c.log
	if len(problems) == 0 && c.info != nil {
		w = c.info
	}
	if len(problems) > 0 || c.firstTime == nil || c.firstTime() {
		fmt.Fprintf(w, "arcade: using the pure-Go CPU backend: %s\n", why)
	}
	b, err := c.newGo(goConfig("", c.procs))
	if err != nil {
		// gobackend.New("") has no way to fail today; keep the process alive anyway.
		fmt.Fprintf(c.log, "arcade: the pure-Go backend failed to start: %v\n", err)
	}
	return c.goChoice(b, why, problems)
}

// goConfig returns the pure-Go backend's configuration: the user's options
// (cfg, from GOMLX_BACKEND=go:<cfg>) after one graph executor per thread Go
// runs (procs), at most 8. The backend's own default is its worker pool's size,
// 2*GOMAXPROCS capped at 8: on 2 threads up to 4 ops then run at once,
// time-sliced on the 2 cores, and the DCGAN's training step took 9-12% longer
// (the DQN steps within noise; 2026-12-01, bench/README.md). A num_executors in
// cfg comes later and wins.
func goConfig(cfg string, procs int) string {
	const backendDefault = 8 // the backend's DefaultNumExecutors (internal)
	executors := fmt.Sprintf("num_executors=%d", min(max(procs, 1), backendDefault))
	if cfg == "" {
		return executors
	}
	return executors + "," + cfg
}

func (c *chooser) goChoice(b compute.Backend, why string, problems []string) choice {
	return choice{backend: b, details: BackendDetails{
		Name: "go", Reason: why, Description: describe(b), Devices: devices(b), Problems: problems,
	}}
}

func (c *chooser) xlaChoice(b compute.Backend, plugin, why string) choice {
	return choice{backend: b, details: BackendDetails{
		Name: "xla", Plugin: plugin, Reason: why, Description: describe(b), Devices: devices(b),
	}}
}

func describe(b compute.Backend) string {
	if b == nil {
		return ""
	}
	return b.Description()
}

func devices(b compute.Backend) []string {
	if b == nil {
		return nil
	}
	n := b.NumDevices()
	out := make([]string, n)
	for i := range n {
		out[i] = b.DeviceDescription(compute.DeviceNum(i))
	}
	return out
}

// oneLine shortens an error to its first line.
func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

var reDlopen = regexp.MustCompile(`failed to dynamically load PJRT plugin from "(.*?)": "`)

// pluginError turns go-xla's error for a plugin into a short reason.
func pluginError(path string, err error) string {
	s := oneLine(err)
	switch {
	case strings.Contains(s, `failed to find symbol "GetPjrtApi"`):
		return "it does not export GetPjrtApi, so it is not a PJRT plugin"
	case reDlopen.MatchString(s):
		msg := reDlopen.FindStringSubmatch(s)[1]
		msg = strings.TrimPrefix(msg, path+": ")
		return fmt.Sprintf("dlopen failed: %s (a missing library shows with: ldd %s)", msg, path)
	}
	s = strings.TrimPrefix(s, `backend "xla":: `)
	s = strings.TrimPrefix(s, `backend "xla": `)
	if i := strings.Index(s, `": `); i >= 0 && strings.HasPrefix(s, "failed to load PJRT plugin for name") {
		s = s[i+3:]
	}
	return s
}

func appendNew(list []string, more ...string) []string {
	for _, m := range more {
		dup := false
		for _, l := range list {
			if l == m {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, m)
		}
	}
	return list
}
