package notebook

// This test checks, without Jupyter, the rules every notebook must follow
// (notebooks/README.md). `make test` then executes them through the GoNB
// kernel (.ci/run_notebooks.py) and in a browser (browser_test.go).

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Preamble is the exact first code cell of every notebook: it makes this
// repository's packages, at the versions go.mod pins, importable from GoNB.
const Preamble = "!*go mod edit -require github.com/arcade-go/arcade@v0.0.0 -replace github.com/arcade-go/arcade=${GONB_DIR}/.."

// notebooksDir is where the notebooks are, from this package's folder.
const notebooksDir = "../../notebooks"

type notebookJSON struct {
	Metadata struct {
		Kernelspec struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
	} `json:"metadata"`
	Cells []struct {
		CellType       string            `json:"cell_type"`
		Source         json.RawMessage   `json:"source"`
		Outputs        []json.RawMessage `json:"outputs"`
		ExecutionCount *int              `json:"execution_count"`
	} `json:"cells"`
}

// source joins a cell's source, stored as a string or a list of lines.
func source(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	_ = json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}

func TestNotebookRules(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(notebooksDir, "*.ipynb"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no notebooks found (%v)", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var nb notebookJSON
		if err := json.Unmarshal(data, &nb); err != nil {
			t.Errorf("%s: not valid notebook JSON: %v", f, err)
			continue
		}
		if nb.Metadata.Kernelspec.Name != "arcade" {
			t.Errorf("%s: kernelspec name %q, want \"arcade\"", f, nb.Metadata.Kernelspec.Name)
		}
		first := true
		for i, c := range nb.Cells {
			if c.CellType != "code" {
				continue
			}
			if first {
				if got := strings.TrimSpace(source(c.Source)); got != Preamble {
					t.Errorf("%s: first code cell is %q, want exactly %q", f, got, Preamble)
				}
				first = false
			}
			for n, line := range strings.Split(source(c.Source), "\n") {
				if strings.HasPrefix(line, "\t") {
					t.Errorf("%s: cell %d, line %d is indented with a tab; indent notebook code with four spaces (Notebook 6 draws tabs as arrows)", f, i, n+1)
					break
				}
			}
			if len(c.Outputs) > 0 || c.ExecutionCount != nil {
				t.Errorf("%s: cell %d has outputs; commit notebooks without them (make git-filter strips them on git add; or bin/nbstrip < %s)", f, i, f)
			}
		}
		if first {
			t.Errorf("%s: no code cells", f)
		}
		if strings.Contains(string(data), "/root/") || strings.Contains(string(data), "/home/") {
			t.Errorf("%s: contains a machine path (/root/ or /home/)", f)
		}
		if stripped, err := Strip(data); err != nil {
			t.Errorf("%s: %v", f, err)
		} else if !sameJSON(stripped, data) {
			t.Errorf("%s: not as committed notebooks are (no outputs, run metadata or kernel version): make git-filter, then git add it again", f)
		}
	}
}

// sameJSON reports whether a and b hold the same JSON value (formatting aside).
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
