//go:build cgo && linux && !noxla

package kernel

// #cgo LDFLAGS: -ldl
// #include <dlfcn.h>
// #include <stdlib.h>
import "C"

import (
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// nvidiaPipLibs lists, per pip package folder under site-packages/nvidia, the
// CUDA libraries that JAX's CUDA plugin expects to be loaded already: JAX's
// jax_plugins/xla_cuda1x/__init__.py preloads them from the nvidia-* wheels
// before it opens xla_cuda_plugin.so, since the plugin does not find them by
// itself. Both CUDA 12 (one package per library) and CUDA 13 (one "cu13"
// package) layouts are listed; missing files are skipped.
var nvidiaPipLibs = []struct {
	pkg  string
	libs []string
}{
	{"cuda_runtime", []string{"libcudart.so.12"}},
	{"cu13", []string{"libcudart.so.13"}},
	{"cuda_nvrtc", []string{"libnvrtc.so.12"}},
	{"cu13", []string{"libnvrtc.so.13"}},
	{"cublas", []string{"libcublas.so.12", "libcublasLt.so.12"}},
	{"cu13", []string{"libcublas.so.13", "libcublasLt.so.13"}},
	{"nccl", []string{"libnccl.so.2"}},
	{"cuda_cupti", []string{"libcupti.so.12"}},
	{"cu13", []string{"libcupti.so.13"}},
	{"cusparse", []string{"libcusparse.so.12"}},
	{"cusolver", []string{"libcusolver.so.11"}},
	{"cu13", []string{"libcusolver.so.12"}},
	{"cufft", []string{"libcufft.so.11"}},
	{"cu13", []string{"libcufft.so.12"}},
	{"nvshmem", []string{"libnvshmem_host.so.3"}},
	{"cudnn", []string{"libcudnn.so.9"}},
}

// preloadNvidiaPipLibs prepares a plugin installed by pip (a path under
// .../site-packages/jax_plugins/): it loads the NVIDIA libraries of the same
// site-packages with RTLD_GLOBAL, as JAX does, and puts the pip ptxas folders
// on PATH for XLA's kernel compiler. It returns how many libraries it loaded.
// Unmeasured on a GPU machine.
func preloadNvidiaPipLibs(plugin string) int {
	slash := filepath.ToSlash(plugin)
	i := strings.Index(slash, "/jax_plugins/")
	if i < 0 {
		return 0
	}
	nvidia := filepath.Join(filepath.FromSlash(slash[:i]), "nvidia")
	if _, err := os.Stat(nvidia); err != nil {
		return 0
	}
	n := 0
	for _, p := range nvidiaPipLibs {
		for _, lib := range p.libs {
			path := filepath.Join(nvidia, p.pkg, "lib", lib)
			if _, err := os.Stat(path); err != nil {
				continue
			}
			cpath := C.CString(path)
			h := C.dlopen(cpath, C.RTLD_NOW|C.RTLD_GLOBAL)
			C.free(unsafe.Pointer(cpath))
			if h != nil {
				n++
			}
		}
	}
	var bins []string
	for _, b := range []string{"cuda_nvcc/bin", "cu13/bin"} {
		if st, err := os.Stat(filepath.Join(nvidia, b)); err == nil && st.IsDir() {
			bins = append(bins, filepath.Join(nvidia, b))
		}
	}
	if len(bins) > 0 {
		_ = os.Setenv("PATH", strings.Join(append(bins, os.Getenv("PATH")), string(os.PathListSeparator)))
	}
	return n
}
