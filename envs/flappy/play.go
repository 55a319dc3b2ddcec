package flappy

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// PlayInNotebook lets a person play in a GoNB notebook cell at the
// reference's 30 frames per second: the screen is redrawn in the cell's
// output, the "Flap" button (or the space bar / up arrow while the output has
// the focus of the page) flaps, "Stop" ends the session. A crash shows the
// score; the next flap starts a new game. It returns the best score when
// stopped or when ctx is cancelled (pass the context of
// kernel.InterruptContext() so the cell's stop button ends it). Outside a
// notebook it returns an error at once; when no browser answers (a notebook
// run headless, as by `make test`) it returns an error after 10 s, so guard
// the call in notebooks that run in CI.
func PlayInNotebook(ctx context.Context, seed int64) (best int, err error) {
	if !gonbui.IsNotebook {
		return 0, errors.New("flappy: PlayInNotebook needs a GoNB notebook (this is not one)")
	}
	screenID := "flappy_screen_" + gonbui.UniqueID()
	p := newPlaySession(seed)
	gonbui.UpdateHTML(screenID, screenHTML(p.frame(), "Press Flap (or the space bar) to start"))

	// The buttons wait for the browser to answer: give up if none does.
	rootID := dom.CreateTransientDiv()
	type buttons struct{ flap, stop *widgets.ButtonBuilder }
	ready := make(chan buttons, 1)
	go func() {
		flap := widgets.Button("Flap").AppendTo(rootID).Done()
		stop := widgets.Button("Stop").AppendTo(rootID).Done()
		ready <- buttons{flap, stop}
	}()
	var b buttons
	select {
	case b = <-ready:
	case <-time.After(10 * time.Second):
		return 0, errors.New("flappy: PlayInNotebook: no browser answered; open the notebook in Jupyter to play")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	flaps := b.flap.Listen().WithBuffer(64)
	stops := b.stop.Listen().WithBuffer(4)
	defer flaps.Close()
	defer stops.Close()
	dom.TransientJavascript(keyScript(b.flap.HtmlId()))
	defer dom.TransientJavascript(`if (window.__arcadeFlappyKeys) { window.removeEventListener('keydown', window.__arcadeFlappyKeys, true); window.__arcadeFlappyKeys = null; }`)

	tick := time.NewTicker(time.Second / FPS)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return p.best, nil
		case <-stops.C:
			gonbui.UpdateHTML(screenID, screenHTML(p.frame(), fmt.Sprintf("Stopped. Best score: %d", p.best)))
			return p.best, nil
		case <-tick.C:
		}
		flapped := false
		for drained := false; !drained; {
			select {
			case <-flaps.C:
				flapped = true
			default:
				drained = true
			}
		}
		status := p.tick(flapped)
		gonbui.UpdateHTML(screenID, screenHTML(p.frame(), status))
	}
}

// keyScript makes the space bar and the up arrow click the flap button while
// no text field has the focus; one listener at a time. It listens on window
// in the capture phase and stops the key there, so the notebook's own
// shortcuts (space scrolls the page in Jupyter's command mode) never see it.
func keyScript(buttonID string) string {
	return fmt.Sprintf(`(() => {
  if (window.__arcadeFlappyKeys) window.removeEventListener('keydown', window.__arcadeFlappyKeys, true);
  window.__arcadeFlappyKeys = (e) => {
    if (e.code !== 'Space' && e.code !== 'ArrowUp') return;
    const t = document.activeElement;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.isContentEditable)) return;
    const b = document.getElementById(%q);
    if (!b) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    b.click();
  };
  window.addEventListener('keydown', window.__arcadeFlappyKeys, true);
})();`, buttonID)
}

// playSession is the state machine of a person's session: waiting for the
// first flap, playing, or showing a crash until the next flap.
type playSession struct {
	g       *Game
	screen  *image.RGBA
	playing bool
	best    int
	games   int
}

func newPlaySession(seed int64) *playSession {
	return &playSession{g: New(seed), screen: NewScreen()}
}

// tick advances one frame given whether the person flapped since the last
// one, and returns the status line.
func (p *playSession) tick(flapped bool) string {
	if !p.playing {
		if !flapped {
			if p.games == 0 {
				return "Press Flap (or the space bar) to start"
			}
			return fmt.Sprintf("Crash! Score %d, best %d. Flap to play again", p.g.Score(), p.best)
		}
		if p.games > 0 {
			p.g.Restart()
		}
		p.playing = true
		p.games++
	}
	_, done := p.g.Advance(flapped)
	if done {
		p.playing = false
		p.best = max(p.best, p.g.Score())
		return fmt.Sprintf("Crash! Score %d, best %d. Flap to play again", p.g.Score(), p.best)
	}
	return fmt.Sprintf("Game %d, score %d", p.games, p.g.Score())
}

// frame renders the current screen with the score.
func (p *playSession) frame() *image.RGBA {
	p.g.Render(p.screen, ThemeDay)
	DrawScore(p.screen, p.g.Score())
	return p.screen
}

// screenHTML is an <img> of the screen (PNG, fast compression) and a status
// line.
func screenHTML(img image.Image, status string) string {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return fmt.Sprintf("<p>flappy: cannot encode the screen: %v</p>", err)
	}
	return fmt.Sprintf(`<div><img src="data:image/png;base64,%s" width="%d" height="%d" style="image-rendering:pixelated"/><br/><span>%s</span></div>`,
		base64.StdEncoding.EncodeToString(buf.Bytes()), ScreenWidth, ScreenHeight, status)
}
