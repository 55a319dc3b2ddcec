package main

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestStartPinned checks that a child started with startPinned may run on
// that CPU only, and that the parent's own mask is left as it was.
func TestStartPinned(t *testing.T) {
	cpus, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	allowed := func(cpu int) string {
		var out bytes.Buffer
		cmd := exec.Command("grep", "Cpus_allowed_list", "/proc/self/status")
		cmd.Stdout = &out
		if err := startPinned(cmd, cpu); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out.String()), "Cpus_allowed_list:"))
	}
	for _, c := range cpus {
		if got := allowed(c); got != strconv.Itoa(c) {
			t.Errorf("child pinned to CPU %d may run on %q", c, got)
		}
	}
	after, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(cpus) {
		t.Errorf("this process's CPUs went from %v to %v", cpus, after)
	}
	if len(cpus) > 1 {
		if got := allowed(-1); got == strconv.Itoa(cpus[0]) {
			t.Errorf("an unpinned child may run only on CPU %s", got)
		}
	}
}
