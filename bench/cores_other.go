//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

var errNoAffinity = errors.New("pinning to a CPU is implemented for Linux only")

// allowedCPUs is not available here: the bench runs unpinned.
func allowedCPUs() ([]int, error) { return nil, errNoAffinity }

// startPinned starts cmd; pinning (cpu >= 0) is not available here.
func startPinned(cmd *exec.Cmd, cpu int) error {
	if cpu >= 0 {
		return errNoAffinity
	}
	return cmd.Start()
}
