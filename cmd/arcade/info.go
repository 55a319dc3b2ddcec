package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/arcade-go/arcade/kernel"
)

func init() {
	register("info", "show the backend chosen and why, devices, versions and where checkpoints go", runInfo)
}

// versionModules are the modules whose versions `arcade info` reports.
var versionModules = []string{
	"github.com/gomlx/gomlx",
	"github.com/gomlx/compute",
	"github.com/gomlx/go-xla",
	"github.com/janpfeifer/gonb",
}

func runInfo(args []string) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	d := kernel.BackendInfo()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(w, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	row("backend", "%s", d.Name)
	if d.Plugin != "" {
		row("plugin", "%s", d.Plugin)
	}
	row("why", "%s", d.Reason)
	if d.Description != "" {
		row("description", "%s", d.Description)
	}
	for i, dev := range d.Devices {
		row(fmt.Sprintf("device %d", i), "%s", dev)
	}
	for _, p := range d.Problems {
		row("problem", "%s", p)
	}
	row("go", "%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	deps := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			v := m.Version
			if m.Replace != nil {
				v += " => " + m.Replace.Path + " " + m.Replace.Version
			}
			deps[m.Path] = v
		}
	}
	for _, m := range versionModules {
		v := deps[m]
		if v == "" {
			v = goModVersion(m)
		}
		row(filepath.Base(m), "%s", v)
	}
	row("simd build", "%v (GOEXPERIMENT=simd; CPU has AVX2/AVX-512: %v)", kernel.SIMDBuild, kernel.SIMDSupported())
	if kernel.SIMDBuild {
		row("simd vectors", "%d bits (GODEBUG=%s keeps the CPU's width)", kernel.SIMDVectorBits(), kernel.SIMDGodebug)
	}
	row("xla support", "%v", kernel.XLAAvailable)
	row("checkpoints", "%s", kernel.RunsDir())
	if b, ok := kernel.Budget(); ok {
		row("budget", "%s (%s)", b, kernel.BudgetEnv)
	}
	if dir, err := kernel.JupyterDataDir(); err == nil {
		spec := filepath.Join(dir, "kernels", kernel.KernelName, "kernel.json")
		if _, err := os.Stat(spec); err == nil {
			row("jupyter kernel", "%s", spec)
		} else {
			row("jupyter kernel", "not installed (run: make notebook, or go run ./cmd/arcade kernel install)")
		}
	}
	return w.Flush()
}

// goModVersion returns the version the repository's go.mod requires for
// module m (for modules this binary does not link), or "(unknown)".
func goModVersion(m string) string {
	root, ok := kernel.RepoRoot()
	if !ok {
		return "(unknown)"
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "(unknown)"
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == m {
			return f[1] + " (go.mod)"
		}
	}
	return "(unknown)"
}
