// Package notebook keeps Arcade's Jupyter notebooks (../../notebooks) clean
// and tested: Strip removes what running a notebook adds (outputs, execution
// counts, timings), as the git filter that `make notebook` sets up does on
// every `git add` and `git diff`; the tests check the authors' rules and, with
// ARCADE_BROWSER_TEST=1 (`make test-browser`), run every notebook in a real
// browser against the Jupyter server `make notebook` starts.
//
// Files, one job each:
//
//	strip.go          Strip: a notebook without outputs, written as Jupyter writes it
//	cmd/nbstrip       the git clean filter (stdin -> stdout) around Strip
//	rules_test.go     the rules of notebooks/README.md
//	browser_test.go   Chromium (headless, through chromedp) opens each notebook and runs all
package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// cellMetadataDropped are cell metadata keys that only record a run.
var cellMetadataDropped = []string{"execution", "ExecuteTime", "collapsed", "scrolled"}

// languageInfoKept are the notebook's language_info keys that the authors'
// rules fix; the kernel adds others (version, pygments lexer) when it runs.
var languageInfoKept = map[string]bool{"file_extension": true, "mimetype": true, "name": true}

// Strip returns the notebook without outputs or execution counts, without the
// cell metadata a run adds, with language_info reduced to the keys the rules
// fix, and without widget state, formatted as Jupyter (nbformat) writes a
// notebook: keys sorted, one-space indent, non-ASCII kept, a final newline.
// A committed notebook is its own Strip.
func Strip(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var nb map[string]any
	if err := dec.Decode(&nb); err != nil {
		return nil, fmt.Errorf("notebook: not JSON: %w", err)
	}
	cells, ok := nb["cells"].([]any)
	if !ok {
		return nil, fmt.Errorf("notebook: no cells")
	}
	for _, c := range cells {
		cell, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if cell["cell_type"] == "code" {
			cell["outputs"] = []any{}
			cell["execution_count"] = nil
		}
		if md, ok := cell["metadata"].(map[string]any); ok {
			for _, k := range cellMetadataDropped {
				delete(md, k)
			}
		}
	}
	if md, ok := nb["metadata"].(map[string]any); ok {
		delete(md, "widgets")
		if li, ok := md["language_info"].(map[string]any); ok {
			for k := range li {
				if !languageInfoKept[k] {
					delete(li, k)
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil // Encode ends with the newline nbformat writes
}
