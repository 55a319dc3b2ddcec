// Package kernel stands between a notebook (or the CLI) and GoMLX: it picks
// the compute backend once per process, installs the GoNB Jupyter kernel, and
// holds the small helpers a notebook cell needs.
package kernel

import (
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// Backend returns the process-wide compute backend, chosen once on first use.
//
// TODO(foundation): XLA CUDA discovery; this first version always uses the
// pure-Go backend.
var Backend = sync.OnceValue(func() compute.Backend {
	return gobackend.GetBackend()
})
