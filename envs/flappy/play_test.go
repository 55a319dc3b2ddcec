package flappy

import (
	"context"
	"strings"
	"testing"
)

func TestPlaySessionWaitsPlaysAndRestarts(t *testing.T) {
	p := newPlaySession(1)
	if s := p.tick(false); !strings.Contains(s, "start") || p.g.Steps() != 0 {
		t.Fatalf("before the first flap: %q, %d steps; want waiting", s, p.g.Steps())
	}
	p.tick(true)
	if !p.playing || p.g.Steps() != 1 || p.g.birdVY != FlapAcc {
		t.Fatalf("the first flap should start the game with a flap: %v", p.g)
	}
	var s string
	for k := 0; k < 100 && p.playing; k++ {
		s = p.tick(false)
	}
	if p.playing || !strings.Contains(s, "Crash") {
		t.Fatalf("falling without flaps should crash: %q", s)
	}
	steps := p.g.Steps()
	p.tick(false) // waits on the crash screen
	if p.g.Steps() != steps || !p.g.Done() {
		t.Fatalf("after a crash the game should wait for a flap")
	}
	p.tick(true)
	if !p.playing || p.games != 2 || p.g.Steps() != 1 {
		t.Fatalf("a flap after a crash should start game 2: %v", p.g)
	}
	if html := screenHTML(p.frame(), "x"); !strings.HasPrefix(html, `<div><img src="data:image/png;base64,`) {
		t.Fatalf("screen HTML %.60q", html)
	}
}

func TestPlayInNotebookOutsideANotebookIsAnError(t *testing.T) {
	if _, err := PlayInNotebook(context.Background(), 1); err == nil {
		t.Fatal("PlayInNotebook outside a notebook: no error")
	}
}
