//go:build cgo && linux && !noxla

package kernel

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	"k8s.io/klog/v2"
)

// XLAAvailable reports whether this binary can load PJRT plugins (built with
// cgo on Linux and without the noxla tag).
const XLAAvailable = true

// pluginLoadTimeout bounds loading a plugin and creating its client; a plugin
// that takes longer is reported and the pure-Go backend is used instead (the
// stuck load is left behind in its goroutine).
const pluginLoadTimeout = 90 * time.Second

var xlaLoadMu sync.Mutex

// loadXLA creates an XLA backend from a go-xla config "<plugin>[,opt=value...]",
// where <plugin> is an absolute path or a plugin name go-xla can find. GPU
// plugins get preallocate=false (XLA would otherwise reserve most of the GPU's
// memory at start); $XLA_PYTHON_CLIENT_PREALLOCATE and
// $XLA_PYTHON_CLIENT_MEM_FRACTION are honoured as JAX does, and
// ",preallocate=true" in the config overrides both. No
// auto-install is linked, so nothing is downloaded.
func loadXLA(config string) (compute.Backend, error) {
	plugin, _, _ := strings.Cut(config, ",")
	opts := pjrt.NamedValuesMap{}
	if looksLikeGPUPlugin(plugin) {
		opts["preallocate"] = false
		// JAX users' variables, honoured the same way (config options still win).
		if v, err := strconv.ParseBool(os.Getenv("XLA_PYTHON_CLIENT_PREALLOCATE")); err == nil {
			opts["preallocate"] = v
		}
		if f, err := strconv.ParseFloat(os.Getenv("XLA_PYTHON_CLIENT_MEM_FRACTION"), 32); err == nil && f > 0 && f <= 1 {
			opts["memory_fraction"] = float32(f)
		}
		preloadNvidiaPipLibs(plugin)
	}
	type result struct {
		b   compute.Backend
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("panic while loading: %v", r)}
			}
		}()
		xlaLoadMu.Lock()
		defer xlaLoadMu.Unlock()
		restore := quietKlog()
		defer restore()
		b, err := xla.NewWithOptions(config, opts)
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{b: b}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-time.After(pluginLoadTimeout):
		return nil, fmt.Errorf("no answer after %s", pluginLoadTimeout)
	}
}

// looksLikeGPUPlugin guesses from the plugin's name or file name.
func looksLikeGPUPlugin(plugin string) bool {
	n := strings.ToLower(filepath.Base(plugin))
	return strings.Contains(n, "cuda") || strings.Contains(n, "gpu") || strings.Contains(n, "nvidia")
}

// quietKlog stops go-xla's klog warnings from repeating, on stderr, the error
// that Backend reports in its own words; it returns a function restoring klog.
func quietKlog() func() {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	prevThreshold := fs.Lookup("stderrthreshold").Value.String()
	prevToStderr := fs.Lookup("logtostderr").Value.String()
	_ = fs.Set("stderrthreshold", "FATAL")
	_ = fs.Set("logtostderr", "false")
	klog.SetOutput(io.Discard)
	return func() {
		_ = fs.Set("stderrthreshold", prevThreshold)
		_ = fs.Set("logtostderr", prevToStderr)
	}
}
