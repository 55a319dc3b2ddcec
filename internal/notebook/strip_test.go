package notebook

import (
	"bytes"
	"strings"
	"testing"
)

func TestStripRemovesTheRun(t *testing.T) {
	in := `{"cells": [{"cell_type": "code", "execution_count": 3, "id": "a", "metadata": {"execution": {"x": 1}, "tags": ["keep"]},
 "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi <b>é</b>\n"]}], "source": ["x := 1"]},
 {"cell_type": "markdown", "id": "b", "metadata": {}, "source": ["# Title <é>"]}],
 "metadata": {"kernelspec": {"display_name": "Go (Arcade)", "language": "go", "name": "arcade"},
  "language_info": {"file_extension": ".go", "mimetype": "text/x-go", "name": "go", "version": "go1.27.4"}, "widgets": {}},
 "nbformat": 4, "nbformat_minor": 5}`
	out, err := Strip([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, gone := range []string{"stdout", "execution\"", "version", "widgets", "3,"} {
		if strings.Contains(s, gone) {
			t.Errorf("%q left in %s", gone, s)
		}
	}
	for _, kept := range []string{`"tags": [`, `"# Title <é>"`, "\"outputs\": []", "\"execution_count\": null", "\"nbformat_minor\": 5", "\n \"cells\": [\n  {\n"} {
		if !strings.Contains(s, kept) {
			t.Errorf("%q missing from %s", kept, s)
		}
	}
	again, _ := Strip(out)
	if !bytes.Equal(again, out) {
		t.Errorf("Strip is not idempotent")
	}
}
