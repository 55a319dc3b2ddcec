package kernel

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// pluginFilePatterns are the file names of CUDA PJRT plugins: go-xla's own
// install ("pjrt_c_api_cuda_plugin.so") and JAX's jax-cuda1x-pjrt packages
// ("xla_cuda_plugin.so"; older jaxlib builds shipped "pjrt_c_api_gpu_plugin.so").
var pluginFilePatterns = []string{
	"pjrt_c_api_cuda*_plugin.so",
	"pjrt_c_api_gpu_plugin.so",
	"xla_cuda_plugin.so",
	"pjrt-plugin-cuda*.so",
	"pjrt_plugin_cuda*.so",
}

// configuredPlugins returns the plugin files named by $PJRT_PLUGIN_LIBRARY_PATH:
// each entry is a plugin file or a directory searched for a CUDA plugin.
// missing lists the entries that do not exist.
func (c *chooser) configuredPlugins() (paths, missing []string) {
	v := c.getenv(PluginPathEnv)
	for _, entry := range strings.Split(v, ":") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		st, err := os.Stat(entry)
		switch {
		case err != nil:
			missing = append(missing, entry)
		case st.IsDir():
			paths = appendNew(paths, globPlugins(entry)...)
		default:
			if abs, err := filepath.Abs(entry); err == nil {
				entry = abs
			}
			paths = appendNew(paths, entry)
		}
	}
	return paths, missing
}

// discoverPlugins looks for CUDA PJRT plugins in the usual places, without
// running anything: go-xla's install folders, $LD_LIBRARY_PATH, and the
// jax_plugins folder of Python site-packages (the active virtualenv or conda
// environment first, then the user's, the system's and pyenv's).
func (c *chooser) discoverPlugins() []string {
	var dirs []string
	if c.home != "" {
		dirs = append(dirs,
			filepath.Join(c.home, ".local/lib/go-xla/nvidia"),
			filepath.Join(c.home, ".local/lib/go-xla"),
			filepath.Join(c.home, ".local/lib/gomlx/pjrt"))
	}
	for _, d := range []string{"/usr/local/lib/go-xla/nvidia", "/usr/local/lib/go-xla", "/usr/local/lib/gomlx/pjrt"} {
		dirs = append(dirs, filepath.Join(c.sysRoot, d))
	}
	for _, d := range strings.Split(c.getenv("LD_LIBRARY_PATH"), ":") {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	var found []string
	for _, d := range dirs {
		found = appendNew(found, globPlugins(d)...)
	}
	for _, sp := range c.sitePackages() {
		found = appendNew(found, globPlugins(filepath.Join(sp, "jax_plugins", "*"))...)
	}
	return found
}

// sitePackages returns glob patterns of Python package folders, most specific first.
func (c *chooser) sitePackages() []string {
	var prefixes []string
	for _, v := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := c.getenv(v); p != "" {
			prefixes = append(prefixes, p)
		}
	}
	// The environment of the python3 first on PATH, as a shell would run it:
	// a virtualenv whose bin/ is on PATH without being activated (so
	// VIRTUAL_ENV is unset), e.g. /opt/torch/.venv on a GPU machine.
	for _, d := range filepath.SplitList(c.getenv("PATH")) {
		if !filepath.IsAbs(d) {
			continue
		}
		if st, err := os.Stat(filepath.Join(c.sysRoot, d, "python3")); err == nil && !st.IsDir() {
			prefixes = append(prefixes, filepath.Join(c.sysRoot, filepath.Dir(d)))
			break
		}
	}
	if c.home != "" {
		prefixes = append(prefixes, filepath.Join(c.home, ".local"))
	}
	for _, p := range []string{"/usr/local", "/usr", "/opt/conda"} {
		prefixes = append(prefixes, filepath.Join(c.sysRoot, p))
	}
	if c.home != "" {
		for _, d := range []string{"miniconda3", "anaconda3", "miniforge3", "mambaforge"} {
			prefixes = append(prefixes, filepath.Join(c.home, d))
		}
	}
	pyenv := c.getenv("PYENV_ROOT")
	if pyenv == "" && c.home != "" {
		pyenv = filepath.Join(c.home, ".pyenv")
	}
	if pyenv != "" {
		prefixes = append(prefixes, filepath.Join(pyenv, "versions", "*"))
	}
	var out []string
	for _, p := range prefixes {
		out = append(out,
			filepath.Join(p, "lib", "python3*", "site-packages"),
			filepath.Join(p, "lib", "python3*", "dist-packages"))
	}
	return out
}

// globPlugins lists the CUDA plugin files in the folders matching dirPattern,
// newest-looking names first (so xla_cuda13 comes before xla_cuda12).
func globPlugins(dirPattern string) []string {
	var found []string
	for _, pat := range pluginFilePatterns {
		m, _ := filepath.Glob(filepath.Join(dirPattern, pat))
		found = append(found, m...)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
	out := found[:0]
	for _, f := range found {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			out = append(out, f)
		}
	}
	return out
}
