package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sys/cpu"

	"github.com/arcade-go/arcade/internal/atomicfile"
)

// Toolchain is the Go toolchain the repository's go.mod asks for; the kernel
// spec sets GOTOOLCHAIN to it so every notebook cell compiles with it.
const Toolchain = "go1.27.4"

// KernelName is the Jupyter kernel name notebooks declare in their metadata.
const KernelName = "arcade"

// KernelDisplayName is the name Jupyter shows in its kernel menu.
const KernelDisplayName = "Go (Arcade)"

// InstallOptions configures InstallKernel.
type InstallOptions struct {
	// RepoRoot is the repository root; tools go to RepoRoot/bin. Empty: RepoRoot().
	RepoRoot string
	// DataDir is Jupyter's data directory; the spec goes to DataDir/kernels/arcade.
	// Empty: $JUPYTER_DATA_DIR, else ~/.local/share/jupyter (Linux).
	DataDir string
	// SkipBuild writes the kernel spec without building gonb and goimports.
	SkipBuild bool
	// NoGopls leaves out gopls (Tab completion and Shift-Tab help in the
	// notebooks), the slowest tool to build the first time; tests set it.
	NoGopls bool
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// GonbQuietFlags keep GoNB's own log (klog, on the server's terminal) quiet:
// it prints a colour-coded line for every message, and a test warning and
// error at every start; what goes wrong in a cell shows in the notebook.
var GonbQuietFlags = []string{"-legacy_stderr_threshold_behavior=false", "-stderrthreshold=FATAL"}

// KernelSpec is the content of a Jupyter kernel.json.
type KernelSpec struct {
	// Argv runs the kernel; Jupyter replaces {connection_file}.
	Argv []string `json:"argv"`
	// DisplayName is shown in Jupyter's kernel menu.
	DisplayName string `json:"display_name"`
	// Language is the notebook's language.
	Language string `json:"language"`
	// InterruptMode is "message" for GoNB (it forwards the interrupt to the cell as SIGINT).
	InterruptMode string `json:"interrupt_mode"`
	// Env is added to the kernel's environment, and so to every cell's `go build` and program.
	Env map[string]string `json:"env"`
}

// SIMDSupported reports whether this CPU has the AVX2 or AVX-512 instructions
// that GoMLX's GOEXPERIMENT=simd kernels use.
func SIMDSupported() bool {
	return runtime.GOARCH == "amd64" && (cpu.X86.HasAVX2 || cpu.X86.HasAVX512F)
}

// SIMDGodebug is the GODEBUG setting the Makefile and the notebook kernel
// add where the CPU has AVX2/AVX-512. Go's simd package drops to 128-bit
// vectors on AVX2 CPUs without VPCLMULQDQ (AMD Zen 2, Intel before Ice Lake:
// most laptops of those years) because its carry-less multiply would be
// emulated there; GoMLX never uses it, and its element-wise ops run at twice
// the width with "+", which keeps the hardware's width and skips that check
// (the DQN learner steps 1-9% faster, the DCGAN's 1-5%, measured 2026-11-30
// on a Zen 2 EPYC).
const SIMDGodebug = "simd=+"

// JupyterDataDir returns Jupyter's user data directory: $JUPYTER_DATA_DIR,
// else the platform default (~/.local/share/jupyter on Linux).
func JupyterDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory (set JUPYTER_DATA_DIR): %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
		return filepath.Join(home, "AppData", "Roaming", "jupyter"), nil
	default:
		if x := os.Getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "jupyter"), nil
		}
		return filepath.Join(home, ".local", "share", "jupyter"), nil
	}
}

// goCommand returns the go command to run: the first one on PATH that is not
// a toolchain the go command downloaded into its module cache (`go run` puts
// that one first on PATH, and `go clean -modcache` would delete it), else any
// go on PATH, else the one this binary was built with. GOTOOLCHAIN selects the
// version either way.
func goCommand() (string, error) {
	var fallback string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "go")
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			continue
		}
		if strings.Contains(filepath.ToSlash(p), "/golang.org/toolchain@") {
			if fallback == "" {
				fallback = p
			}
			continue
		}
		return p, nil
	}
	if fallback != "" {
		return fallback, nil
	}
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("the go command is not on PATH; install Go (https://go.dev/dl) first")
}

// NewKernelSpec returns the kernel spec for a repository at root, running
// root/bin/gonb with GoNB's own flags (as `gonb --install` writes them), with
// an env that puts root/bin (gonb, goimports) and the go command first on
// PATH, pins GOTOOLCHAIN, and sets GOEXPERIMENT=simd and GODEBUG=simd=+
// (SIMDGodebug) where the CPU supports them.
func NewKernelSpec(root, goCmd string) KernelSpec {
	bin := filepath.Join(root, "bin")
	path := []string{bin}
	if goCmd != "" {
		path = append(path, filepath.Dir(goCmd))
	}
	for _, p := range filepath.SplitList(os.Getenv("PATH")) {
		// Leave out the module-cache toolchain that `go run` puts on PATH.
		if strings.Contains(filepath.ToSlash(p), "/golang.org/toolchain@") && len(path) > 1 {
			continue
		}
		if p != "" && !slices.Contains(path, p) {
			path = append(path, p)
		}
	}
	env := map[string]string{
		"PATH":        strings.Join(path, string(filepath.ListSeparator)),
		"GOTOOLCHAIN": Toolchain,
	}
	if SIMDSupported() {
		env["GOEXPERIMENT"] = "simd"
		env["GODEBUG"] = SIMDGodebug
	}
	return KernelSpec{
		Argv:          append([]string{filepath.Join(bin, "gonb"), "--kernel", "{connection_file}"}, GonbQuietFlags...),
		DisplayName:   KernelDisplayName,
		Language:      "go",
		InterruptMode: "message",
		Env:           env,
	}
}

// InstallKernel builds the pinned gonb and goimports (the go.mod tool lines)
// into <repo>/bin and writes the Jupyter kernel spec "arcade" into the user's
// Jupyter data directory. Running it again rebuilds (a no-op when nothing
// changed) and rewrites the spec in place. It returns the spec's directory.
func InstallKernel(opts InstallOptions) (string, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	root := opts.RepoRoot
	if root == "" {
		r, ok := RepoRoot()
		if !ok {
			return "", fmt.Errorf("run this inside the Arcade repository (no go.mod declaring %s above the current directory)", ModulePath)
		}
		root = r
	}
	goCmd, err := goCommand()
	if err != nil {
		return "", err
	}
	if !opts.SkipBuild {
		if err := BuildTools(root, goCmd, log); err != nil {
			return "", err
		}
		if !opts.NoGopls {
			if err := BuildGopls(root, goCmd, log); err != nil {
				return "", err
			}
		}
	}
	dataDir := opts.DataDir
	if dataDir == "" {
		if dataDir, err = JupyterDataDir(); err != nil {
			return "", err
		}
	}
	dir := filepath.Join(dataDir, "kernels", KernelName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create the kernel directory: %w", err)
	}
	spec := NewKernelSpec(root, goCmd)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(spec); err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, "kernel.json"), buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, "logo-svg.svg"), []byte(logoSVG), 0o644); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "kernel %q (%s) installed in %s\n", KernelName, KernelDisplayName, dir)
	return dir, nil
}

// BuildTools builds gonb and goimports at the versions go.mod pins into root/bin.
func BuildTools(root, goCmd string, log io.Writer) error {
	bin := filepath.Join(root, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	tools := []struct{ name, pkg string }{
		{"gonb", "github.com/janpfeifer/gonb"},
		{"goimports", "golang.org/x/tools/cmd/goimports"},
	}
	for _, t := range tools {
		fmt.Fprintf(log, "building %s into %s\n", t.pkg, bin)
		cmd := exec.Command(goCmd, "build", "-o", filepath.Join(bin, t.name), t.pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+Toolchain)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s failed: %v\n%s", t.pkg, err, out)
		}
	}
	return nil
}

// GoplsVersion is the gopls that BuildGopls installs: a version the module
// proxy serves, pinned so that Tab completion does not depend on the day.
const GoplsVersion = "v0.22.0"

// BuildGopls installs golang.org/x/tools/gopls@GoplsVersion into root/bin,
// where GoNB (which looks for gopls on the kernel's PATH) finds it for Tab
// completion and Shift-Tab help. gopls is built with its own go.mod, not ours.
func BuildGopls(root, goCmd string, log io.Writer) error {
	bin := filepath.Join(root, "bin")
	pkg := "golang.org/x/tools/gopls@" + GoplsVersion
	fmt.Fprintf(log, "building %s into %s\n", pkg, bin)
	cmd := exec.Command(goCmd, "install", pkg)
	cmd.Dir = os.TempDir() // outside our module: gopls's own requirements apply
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+Toolchain, "GOBIN="+bin, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s failed: %v\n%s", pkg, err, out)
	}
	return nil
}

// logoSVG is a small joystick icon shown beside the kernel in Jupyter.
const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect x="6" y="36" width="52" height="20" rx="6" fill="#00ADD8"/>
<rect x="29" y="14" width="6" height="24" fill="#333"/>
<circle cx="32" cy="12" r="8" fill="#E0464E"/>
<circle cx="46" cy="46" r="4" fill="#fff"/>
</svg>
`
