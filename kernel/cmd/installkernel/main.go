// Command installkernel does what `arcade kernel install` does, importing only
// package kernel, so `make kernel` works even while other packages that the
// arcade command links are being changed.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/arcade-go/arcade/kernel"
)

func main() {
	dataDir := flag.String("data-dir", "", "Jupyter data directory (default $JUPYTER_DATA_DIR or ~/.local/share/jupyter)")
	skipBuild := flag.Bool("skip-build", false, "write the kernel spec without building gonb and goimports")
	gopls := flag.Bool("gopls", true, "also build the pinned gopls (Tab completion in the notebooks)")
	flag.Parse()
	if _, err := kernel.InstallKernel(kernel.InstallOptions{DataDir: *dataDir, SkipBuild: *skipBuild, NoGopls: !*gopls, Log: os.Stdout}); err != nil {
		fmt.Fprintf(os.Stderr, "kernel install: %v\n", err)
		os.Exit(1)
	}
}
