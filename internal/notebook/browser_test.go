package notebook

// The browser test: what a person sees. It starts the Jupyter server the way
// `make notebook` does (`make serve`), on a copy of the notebooks, opens each
// notebook in headless Chromium, runs all its cells with a short
// ARCADE_BUDGET, and fails on a broken image, an error-coloured output (the
// pink stderr box, a traceback), text that looks like a Go compile error, a
// live view that never shows a picture, or a cell that does not finish. In
// 02_flappy_dqn it plays: presses the space bar and checks that the game
// moves. Screenshots go to runs/browser-test/ for a person to look at.
//
// It runs only with ARCADE_BROWSER_TEST=1 (`make test-browser` sets it, with
// the kernel installed in a private Jupyter data dir); plain `go test ./...`
// skips it.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// errorText is output text that means a cell failed although nothing was
// error-coloured (GoNB shows compile errors as HTML).
var errorText = []*regexp.Regexp{
	regexp.MustCompile(`(^|\s)(\./)?main(_test)?\.go:\d+:\d+: `),
	regexp.MustCompile(`\bundefined: \w+`),
	regexp.MustCompile(`(?m)^panic: `),
	regexp.MustCompile(`\bexit status [1-9]\d*\b`),
	regexp.MustCompile(`failed to run .?go (build|get|mod)`),
	regexp.MustCompile(`(?m)^error: `),
}

// machinePath is an absolute path of this machine in an output.
var machinePath = regexp.MustCompile(`(/root/|/home/|/work/|/tmp/gonb_)`)

func browserEnabled(t *testing.T) {
	if os.Getenv("ARCADE_BROWSER_TEST") != "1" {
		t.Skip("set ARCADE_BROWSER_TEST=1 (make test-browser) to run the notebooks in Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is not installed (make deps-browser)")
	}
}

func TestBrowserNotebook6(t *testing.T) {
	browserEnabled(t)
	runBrowser(t, "notebook")
}

func TestBrowserJupyterLab(t *testing.T) {
	browserEnabled(t)
	if _, err := exec.LookPath("jupyter-lab"); err != nil {
		t.Skip("jupyter-lab is not installed (Debian has no package; pip install jupyterlab): only Notebook 6 was tested")
	}
	runBrowser(t, "lab")
}

// repoRoot is the repository root, from this package's folder.
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// site makes runs/browser-test/site: the notebooks copied (so autosave never
// writes into the tracked ones) beside links to everything else of the
// repository, so ${GONB_DIR}/.. is a checkout; its own runs/ starts empty.
func site(t *testing.T, root string) string {
	dir := filepath.Join(root, "runs", "browser-test", "site")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "notebooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case "notebooks", "runs", ".git", "bin":
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	nbs, _ := filepath.Glob(filepath.Join(root, "notebooks", "*"))
	for _, f := range nbs {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // a folder
		}
		if err := os.WriteFile(filepath.Join(dir, "notebooks", filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// server is a running `make serve`.
type server struct {
	url   string // http://127.0.0.1:PORT
	token string
	cmd   *exec.Cmd
	log   *os.File
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var urlRE = regexp.MustCompile(`(http://127\.0\.0\.1:(\d+))/\S*\?token=([0-9a-f]+)`)

// startServer runs `make -s serve` the way `make notebook` does, on the
// site's notebooks, and waits for the URL it prints.
func startServer(t *testing.T, root, siteDir, ui, out string) *server {
	port := freePort(t)
	logf, err := os.Create(filepath.Join(out, ui+"-server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "-s", "serve", "PORT="+strconv.Itoa(port), "JUPYTER_UI="+ui,
		"NOTEBOOK_DIR="+filepath.Join(siteDir, "notebooks"))
	cmd.Dir = root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, log: logf}
	found := make(chan [2]string, 1)
	var lines []string
	var mu sync.Mutex
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			mu.Lock()
			lines = append(lines, line)
			mu.Unlock()
			if m := urlRE.FindStringSubmatch(line); m != nil {
				select {
				case found <- [2]string{m[1], m[3]}:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		pw.Close()
		logf.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, l := range lines {
			if machinePath.MatchString(l) && !strings.Contains(l, "token=") && !strings.Contains(l, "file://") && !strings.Contains(l, "Serving notebooks from") {
				t.Logf("server log names a machine path: %s", l)
			}
		}
	})
	select {
	case u := <-found:
		s.url, s.token = u[0], u[1]
		if !strings.HasSuffix(s.url, ":"+strconv.Itoa(port)) {
			t.Errorf("server listens on %s, asked for port %d", s.url, port)
		}
	case <-time.After(90 * time.Second):
		mu.Lock()
		t.Fatalf("the server printed no URL with a token in 90 s:\n%s", strings.Join(lines, "\n"))
	}
	return s
}

// cellState is what the page shows of one code cell.
type cellState struct {
	Index      int      `json:"index"`
	Prompt     string   `json:"prompt"` // "", "*", or the execution count
	Text       string   `json:"text"`   // the outputs' text
	Stderr     []string `json:"stderr"` // texts of error-coloured outputs
	BrokenImgs []string `json:"broken"`
	Imgs       int      `json:"imgs"`
	LiveViews  int      `json:"live"`
	LiveImgs   int      `json:"liveImgs"`  // live views that show at least one picture
	LiveGrids  int      `json:"liveGrids"` // live views that show an image (a grid, a frame), not only charts
	Flap       bool     `json:"flap"`      // the Flappy Bird game's Flap button is there
}

type pageState struct {
	Cells      []cellState `json:"cells"`
	MDBroken   []string    `json:"mdBroken"` // broken pictures in Markdown cells
	KernelBusy bool        `json:"busy"`
}

// ui is how one Jupyter front end is driven.
type ui struct {
	name     string
	url      func(s *server, nb string) string
	ready    string // JS: true when the notebook is loaded and its kernel idle
	runAll   string // JS: run all cells
	state    string // JS: JSON of a pageState
	unscroll string // JS: let the page grow so a full screenshot holds it all
	stop     string // JS: click the game's Stop button
}

var notebook6 = ui{
	name: "notebook",
	url: func(s *server, nb string) string {
		return s.url + "/notebooks/" + nb + "?token=" + s.token
	},
	ready: `(() => { try {
		if (!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())) return false;
		Jupyter.notebook.set_autosave_interval(0);
		const i = document.getElementById('kernel_indicator_icon');
		return !!i && i.classList.contains('kernel_idle_icon');
	} catch (e) { return false; } })()`,
	runAll: `Jupyter.notebook.execute_all_cells(); true`,
	state: `(() => {
		const broken = (root) => Array.from(root.querySelectorAll('img')).filter(i => i.complete && i.naturalWidth === 0).map(i => (i.getAttribute('alt') || '') + ' ' + (i.getAttribute('src') || '').slice(0, 60));
		const cells = [];
		const md = [];
		Jupyter.notebook.get_cells().forEach((c, idx) => {
			const el = c.element[0];
			if (c.cell_type === 'markdown') { md.push(...broken(el)); return; }
			if (c.cell_type !== 'code') return;
			const out = c.output_area.element[0];
			const lives = Array.from(out.querySelectorAll('.arcade-live'));
			cells.push({
				index: idx,
				prompt: c.input_prompt_number === undefined || c.input_prompt_number === null ? '' : String(c.input_prompt_number),
				text: out.innerText.slice(0, 20000),
				stderr: Array.from(out.querySelectorAll('.output_stderr, .output_error')).map(e => e.innerText.slice(0, 500)),
				broken: broken(out),
				imgs: out.querySelectorAll('img').length,
				live: lives.length,
				liveImgs: lives.filter(l => Array.from(l.querySelectorAll('img')).some(i => i.naturalWidth > 0)).length,
				liveGrids: lives.filter(l => Array.from(l.querySelectorAll('.arcade-live-image img')).some(i => i.naturalWidth > 0)).length,
				flap: Array.from(out.querySelectorAll('button')).some(b => b.innerText.trim() === 'Flap'),
			});
		});
		const i = document.getElementById('kernel_indicator_icon');
		return JSON.stringify({cells: cells, mdBroken: md, busy: !!i && i.classList.contains('kernel_busy_icon')});
	})()`,
	unscroll: `(() => { const s = document.getElementById('site'); if (s) { s.style.height = 'auto'; s.style.overflow = 'visible'; } document.body.style.overflow = 'visible'; document.documentElement.style.overflow = 'visible'; return true; })()`,
	stop:     `(() => { const b = Array.from(document.querySelectorAll('button')).find(b => b.innerText.trim() === 'Stop'); if (b) b.click(); return !!b; })()`,
}

var jupyterLab = ui{
	name: "lab",
	url: func(s *server, nb string) string {
		return s.url + "/lab/tree/" + nb + "?token=" + s.token
	},
	ready: `(() => { const n = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook'); const k = document.querySelector('.jp-Notebook-ExecutionIndicator');
		return !!n && (!k || k.getAttribute('data-status') === 'idle'); })()`,
	// Lab exposes no app object; Run ▸ Run All Cells through its menu.
	runAll: `(() => { const m = Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel')).find(e => e.innerText.trim() === 'Run');
		if (!m) return false; m.parentElement.dispatchEvent(new MouseEvent('mousedown', {bubbles: true}));
		const it = Array.from(document.querySelectorAll('.lm-Menu-itemLabel')).find(e => e.innerText.trim() === 'Run All Cells');
		if (!it) return false; it.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); it.parentElement.click(); return true; })()`,
	state: `(() => {
		const broken = (root) => Array.from(root.querySelectorAll('img')).filter(i => i.complete && i.naturalWidth === 0).map(i => (i.getAttribute('alt') || '') + ' ' + (i.getAttribute('src') || '').slice(0, 60));
		const cells = []; const md = [];
		document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').forEach((el, idx) => {
			if (el.classList.contains('jp-MarkdownCell')) { md.push(...broken(el)); return; }
			if (!el.classList.contains('jp-CodeCell')) return;
			const p = el.querySelector('.jp-InputPrompt');
			const m = p ? p.innerText.match(/\[(.*)\]/) : null;
			const out = el.querySelector('.jp-OutputArea') || el;
			const lives = Array.from(out.querySelectorAll('.arcade-live'));
			cells.push({index: idx, prompt: m ? m[1].trim() : '', text: out.innerText.slice(0, 20000),
				stderr: Array.from(out.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')).map(e => e.innerText.slice(0, 500)),
				broken: broken(out), imgs: out.querySelectorAll('img').length, live: lives.length,
				liveImgs: lives.filter(l => Array.from(l.querySelectorAll('img')).some(i => i.naturalWidth > 0)).length,
				liveGrids: lives.filter(l => Array.from(l.querySelectorAll('.arcade-live-image img')).some(i => i.naturalWidth > 0)).length,
				flap: Array.from(out.querySelectorAll('button')).some(b => b.innerText.trim() === 'Flap')});
		});
		const k = document.querySelector('.jp-Notebook-ExecutionIndicator');
		return JSON.stringify({cells: cells, mdBroken: md, busy: !!k && k.getAttribute('data-status') === 'busy'});
	})()`,
	unscroll: `(() => { const n = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer, .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook'); if (n) { n.style.overflow = 'visible'; n.style.height = 'auto'; } return true; })()`,
	stop:     notebook6.stop,
}

func runBrowser(t *testing.T, uiName string) {
	root := repoRoot(t)
	out := filepath.Join(root, "runs", "browser-test")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	u := notebook6
	if uiName == "lab" {
		u = jupyterLab
	}
	siteDir := site(t, root)
	srv := startServer(t, root, siteDir, uiName, out)

	cellTimeout := 900 * time.Second
	if v, err := strconv.Atoi(os.Getenv("ARCADE_CELL_TIMEOUT")); err == nil && v > 0 {
		cellTimeout = time.Duration(v) * time.Second
	}
	nbs := strings.Fields(os.Getenv("ARCADE_TEST_NOTEBOOKS"))
	if len(nbs) == 0 {
		nbs, _ = filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath("chromium"),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	for _, nb := range nbs {
		name := filepath.Base(nb)
		t.Run(name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(actx)
			defer cancel()
			runOne(t, ctx, u, srv, name, filepath.Join(out, uiName+"-"+strings.TrimSuffix(name, ".ipynb")), cellTimeout)
		})
	}
}

func eval[T any](ctx context.Context, js string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](js))
}

func readState(ctx context.Context, u ui) (pageState, error) {
	var st pageState
	s, err := eval[string](ctx, u.state)
	if err != nil {
		return st, err
	}
	err = json.Unmarshal([]byte(s), &st)
	return st, err
}

func screenshot(t *testing.T, ctx context.Context, path string, full bool) {
	var buf []byte
	var err error
	if full {
		buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		path += ".png"
	} else {
		buf, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		path += ".png"
	}
	if err != nil {
		t.Logf("screenshot %s: %v", path, err)
		return
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Log(err)
		return
	}
	t.Logf("screenshot %s", path)
}

func runOne(t *testing.T, ctx context.Context, u ui, srv *server, name, shot string, cellTimeout time.Duration) {
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(u.url(srv, name))); err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	// Loaded, kernel started (its first start builds nothing, but GoNB may
	// take a while on a busy machine).
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if ok, err := eval[bool](ctx, u.ready); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, shot+"-not-ready", false)
			t.Fatalf("%s: the notebook or its kernel was not ready after 3 minutes", name)
		}
		time.Sleep(time.Second)
	}
	if ok, err := eval[bool](ctx, u.runAll); err != nil || !ok {
		t.Fatalf("%s: Run All failed: %v", name, err)
	}

	var st pageState
	running, since := -1, time.Now()
	liveShot, played := false, false
	liveSeen := map[int]bool{}  // cells whose live view showed a picture
	gridsSeen := map[int]bool{} // cells whose live view showed an image while the cell ran
	lastErr := error(nil)
	for {
		time.Sleep(2 * time.Second)
		var err error
		st, err = readState(ctx, u)
		if err != nil {
			lastErr = err
			if time.Since(since) > cellTimeout {
				t.Fatalf("%s: page unreadable: %v", name, lastErr)
			}
			continue
		}
		cur := -1
		for _, c := range st.Cells {
			if c.Prompt == "*" {
				cur = c.Index
				break
			}
		}
		for _, c := range st.Cells {
			if c.LiveImgs > 0 {
				liveSeen[c.Index] = true
			}
		}
		for _, c := range st.Cells {
			if c.Index == cur && c.LiveGrids > 0 {
				gridsSeen[c.Index] = true
			}
		}
		if cur != running {
			running, since = cur, time.Now()
		}
		if cur >= 0 {
			for _, c := range st.Cells {
				if c.Index != cur {
					continue
				}
				if c.LiveImgs > 0 && !liveShot && time.Since(since) > 15*time.Second {
					liveShot = true
					eval[bool](ctx, `(() => { const v = document.querySelectorAll('.arcade-live'); if (v.length) v[v.length-1].scrollIntoView(); return true; })()`)
					screenshot(t, ctx, shot+"-live", false)
				}
				if c.Flap && !played {
					played = true
					play(t, ctx, u, shot, c.Index)
				}
			}
			if time.Since(since) > cellTimeout {
				screenshot(t, ctx, shot+"-timeout", true)
				t.Fatalf("%s: cell %d did not finish in %v", name, cur, cellTimeout)
			}
			continue
		}
		var notRun []int
		for _, c := range st.Cells {
			if c.Prompt == "" {
				notRun = append(notRun, c.Index) // Run All queues them all: brief, unless an error stopped it
			}
		}
		if len(notRun) == 0 && !st.KernelBusy {
			break
		}
		if !st.KernelBusy && time.Since(since) > 30*time.Second {
			t.Errorf("%s: cells %v never ran (an error earlier stops Run All)", name, notRun)
			break
		}
	}
	time.Sleep(time.Second) // last images decode
	if s, err := readState(ctx, u); err == nil {
		st = s
	}
	eval[bool](ctx, u.unscroll)
	screenshot(t, ctx, shot, true)

	for _, b := range st.MDBroken {
		t.Errorf("%s: broken picture in a Markdown cell: %s", name, b)
	}
	for _, c := range st.Cells {
		for _, s := range c.Stderr {
			t.Errorf("%s: cell %d shows an error-coloured output: %s", name, c.Index, s)
		}
		for _, b := range c.BrokenImgs {
			t.Errorf("%s: cell %d shows a broken picture: %s", name, c.Index, b)
		}
		for _, re := range errorText {
			if m := re.FindString(c.Text); m != "" {
				t.Errorf("%s: cell %d prints what looks like an error: %q in %q", name, c.Index, m, excerpt(c.Text, m))
			}
		}
		if m := machinePath.FindString(c.Text); m != "" {
			t.Errorf("%s: cell %d prints a machine path: %q", name, c.Index, excerpt(c.Text, m))
		}
		if c.LiveViews > 0 && c.LiveImgs < c.LiveViews && !liveSeen[c.Index] {
			t.Errorf("%s: cell %d's live view never showed a picture", name, c.Index)
		}
		if c.LiveGrids > 0 && !gridsSeen[c.Index] {
			t.Errorf("%s: cell %d's live view showed its images only at the end, none while training", name, c.Index)
		}
	}
	if strings.HasPrefix(name, "02_") && !played {
		t.Errorf("%s: the Flappy Bird game (Flap button) never appeared", name)
	}
	t.Logf("%s: %d code cells ran in %.0f s", name, len(st.Cells), time.Since(start).Seconds())
}

// play presses the space bar in the game's output and checks that the game
// started and its frame changed, then presses Stop.
func play(t *testing.T, ctx context.Context, u ui, shot string, cell int) {
	const frameJS = `(() => { const b = Array.from(document.querySelectorAll('button')).find(b => b.innerText.trim() === 'Flap');
		if (!b) return ''; const o = b.closest('.output_area, .output, .jp-OutputArea') || document; let cur = b.parentElement;
		while (cur && !cur.querySelector('img[src^="data:image/png"]')) cur = cur.parentElement;
		const img = cur ? cur.querySelector('img[src^="data:image/png"]') : null; const span = img ? img.parentElement.querySelector('span') : null;
		return JSON.stringify({src: img ? img.getAttribute('src').length + ':' + img.getAttribute('src').slice(-40) : '', status: span ? span.innerText : ''}); })()`
	type frame struct{ Src, Status string }
	read := func() frame {
		s, _ := eval[string](ctx, frameJS)
		var f frame
		json.Unmarshal([]byte(s), &f)
		return f
	}
	before := read()
	// A person clicks the notebook (not a text field) and presses space.
	eval[bool](ctx, `(() => { if (document.activeElement) document.activeElement.blur(); return true; })()`)
	for range 4 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
			t.Errorf("play: pressing space: %v", err)
		}
		time.Sleep(350 * time.Millisecond)
	}
	after := read()
	eval[bool](ctx, `(() => { const b = Array.from(document.querySelectorAll('button')).find(b => b.innerText.trim() === 'Flap');
		if (b) b.scrollIntoView({block: 'end'}); return true; })()`)
	screenshot(t, ctx, shot+"-play", false)
	if after.Src == "" {
		t.Errorf("play (cell %d): no game screen found", cell)
	} else if after.Src == before.Src || after.Status == before.Status {
		t.Errorf("play (cell %d): the space bar did not start the game: before %q, after %q", cell, before.Status, after.Status)
	} else {
		t.Logf("play (cell %d): %q -> %q", cell, before.Status, after.Status)
	}
	if ok, err := eval[bool](ctx, u.stop); err != nil || !ok {
		t.Errorf("play (cell %d): no Stop button to press: %v", cell, err)
	}
}

// excerpt is up to 160 characters of text around m.
func excerpt(text, m string) string {
	i := strings.Index(text, m)
	lo, hi := max(0, i-60), min(len(text), i+len(m)+100)
	return strings.ReplaceAll(text[lo:hi], "\n", " | ")
}
