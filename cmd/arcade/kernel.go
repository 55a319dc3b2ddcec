package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/arcade-go/arcade/kernel"
)

func init() {
	register("kernel install", "build the pinned gonb and goimports into bin/ and install the Jupyter kernel \"arcade\"", runKernelInstall)
}

func runKernelInstall(args []string) error {
	fs := flag.NewFlagSet("kernel install", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "Jupyter data directory (default $JUPYTER_DATA_DIR or ~/.local/share/jupyter)")
	skipBuild := fs.Bool("skip-build", false, "write the kernel spec without building gonb and goimports")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	_, err := kernel.InstallKernel(kernel.InstallOptions{DataDir: *dataDir, SkipBuild: *skipBuild, Log: os.Stdout})
	return err
}
