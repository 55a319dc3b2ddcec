package flappy

import (
	"bytes"
	"image"
	"testing"
)

// scoreScreen renders a new game's day screen with score drawn on it, and the
// same screen without it.
func scoreScreen(t *testing.T, score int) (with, without *image.RGBA) {
	t.Helper()
	g := New(1)
	with, without = NewScreen(), NewScreen()
	if !g.Render(with, ThemeDay) || !g.Render(without, ThemeDay) {
		t.Fatal("Render drew nothing")
	}
	DrawScore(with, score)
	return with, without
}

// changed is the bounding box of the pixels where a and b differ.
func changed(a, b *image.RGBA) image.Rectangle {
	var box image.Rectangle
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		for x := a.Rect.Min.X; x < a.Rect.Max.X; x++ {
			i := a.PixOffset(x, y)
			if !bytes.Equal(a.Pix[i:i+4], b.Pix[i:i+4]) {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

func TestDrawScoreZeroKeepsItsHole(t *testing.T) {
	with, without := scoreScreen(t, 0)
	box := changed(with, without)
	// 5x7 dots of 4 pixels and a 2-pixel outline: 24x32, centered.
	if box.Dx() != 24 || box.Dy() != 32 {
		t.Fatalf("the score 0 covers %v (%dx%d), want 24x32", box, box.Dx(), box.Dy())
	}
	if mid := (box.Min.X + box.Max.X) / 2; mid < ScreenWidth/2-1 || mid > ScreenWidth/2+1 {
		t.Errorf("the score is centered at x=%d, want %d", mid, ScreenWidth/2)
	}
	// The middle of the zero shows the sky behind it (an outlined 3x5 zero
	// filled its one-dot hole and read as a box).
	c := image.Pt((box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2)
	if got, want := with.RGBAAt(c.X, c.Y), without.RGBAAt(c.X, c.Y); got != want {
		t.Errorf("the middle of the zero is %v, want the background %v", got, want)
	}
	// A white dot in the middle of its left side, with black outside it.
	left := image.Pt(box.Min.X+2+1, c.Y)
	if got := with.RGBAAt(left.X, left.Y); got.R != 255 || got.G != 255 || got.B != 255 {
		t.Errorf("left stroke at %v is %v, want white", left, got)
	}
	if got := with.RGBAAt(box.Min.X, c.Y); got.R != 0 || got.G != 0 || got.B != 0 {
		t.Errorf("outline at (%d,%d) is %v, want black", box.Min.X, c.Y, got)
	}
}

func TestDrawScoreDigitsDiffer(t *testing.T) {
	seen := map[string]int{}
	for d := range 10 {
		with, _ := scoreScreen(t, d)
		if prev, ok := seen[string(with.Pix)]; ok {
			t.Errorf("digits %d and %d draw the same", prev, d)
		}
		seen[string(with.Pix)] = d
	}
}

func TestDrawScoreManyDigitsStayOnScreen(t *testing.T) {
	with, without := scoreScreen(t, 2345670)
	box := changed(with, without)
	// Seven 20-pixel digits, 6 pixels apart, and the outline.
	if want := 7*20 + 6*6 + 4; box.Dx() != want {
		t.Errorf("2345670 is %d pixels wide, want %d", box.Dx(), want)
	}
	// A score wider than the screen is clipped, never drawn out of bounds.
	small := image.NewRGBA(image.Rect(10, 10, 40, 60))
	DrawScore(small, 987654321)
	DrawScore(nil, 1)
	DrawScore(small, -1)
}
