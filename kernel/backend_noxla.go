//go:build !(cgo && linux) || noxla

package kernel

import (
	"errors"

	"github.com/gomlx/compute"
)

// XLAAvailable reports whether this binary can load PJRT plugins (built with
// cgo on Linux and without the noxla tag).
const XLAAvailable = false

func loadXLA(config string) (compute.Backend, error) {
	return nil, errors.New("this binary was built without XLA support (CGO_ENABLED=0 or the noxla tag)")
}

func preloadNvidiaPipLibs(string) int { return 0 }
