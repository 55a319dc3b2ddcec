// Command nbstrip is the git "clean" filter for notebooks: it reads a
// notebook on stdin and writes it without outputs (notebook.Strip) on stdout,
// so what git stores and diffs is the notebook without its run, while the
// file on disk keeps its outputs for the person who ran it. `make notebook`
// (make git-filter) builds it into bin/ and sets it up:
//
//	git config filter.arcade-nbstrip.clean bin/nbstrip
//	.gitattributes: notebooks/*.ipynb filter=arcade-nbstrip
//
// Input that is not a notebook passes through unchanged.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/arcade-go/arcade/internal/notebook"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nbstrip:", err)
		os.Exit(1)
	}
	out, err := notebook.Strip(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nbstrip: left unchanged:", err)
		out = data
	}
	if _, err := os.Stdout.Write(out); err != nil {
		os.Exit(1)
	}
}
