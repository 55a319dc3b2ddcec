package kernel

import (
	"os"
	"path/filepath"

	"github.com/janpfeifer/gonb/gonbui"
)

// outputStyle makes the notebook page break long output lines between
// words: Jupyter Notebook 6 (Bootstrap's pre { word-break: break-all }) and
// JupyterLab break them inside words ("episod/es"), which makes a training
// loop's progress lines hard to read.
const outputStyle = `<style>div.output_area pre, .jp-OutputArea-output pre { word-break: normal !important; overflow-wrap: break-word !important; }</style>`

// In a GoNB notebook, the first program of a kernel that links this package
// adds outputStyle to the page, as an output that shows nothing. (Notebook 6
// would read a custom.css only from the user's own ~/.jupyter/custom.)
func init() {
	if !InNotebook() {
		return
	}
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, ".arcade_style_shown"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	f.Close()
	gonbui.DisplayHTML(outputStyle)
}
