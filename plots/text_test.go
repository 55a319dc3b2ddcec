package plots

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"
)

func TestDrawText(t *testing.T) {
	bg := color.RGBA{78, 192, 202, 255}
	m := image.NewRGBA(image.Rect(0, 0, 100, 60))
	draw.Draw(m, m.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	r := DrawText(m, 10, 5, "42", TextStyle{Scale: 3})
	if r != image.Rect(10, 5, 10+2*7*3+3, 5+13*3+3) {
		t.Errorf("text rectangle %v", r)
	}
	white, black := countColour(m, [3]int{255, 255, 255}, 0), countColour(m, [3]int{0, 0, 0}, 0)
	// Glyph pixels come in 3x3 blocks; "42" has a few dozen font pixels.
	if white < 9*20 || white%9 != 0 {
		t.Errorf("%d white pixels", white)
	}
	if black == 0 {
		t.Error("no shadow")
	}
	// Nothing outside the text's rectangle changed.
	for y := range 60 {
		for x := range 100 {
			if !(image.Pt(x, y).In(r)) && m.RGBAAt(x, y) != bg {
				t.Fatalf("pixel (%d,%d) outside the text changed", x, y)
			}
		}
	}
	// Drawing past the edge clips, no panic.
	DrawText(m, 95, 55, "score 100", TextStyle{Scale: 2})
	if got := TextSize("ab\nc", TextStyle{}); got != image.Pt(15, 27) {
		t.Errorf("TextSize %v", got)
	}
}

func TestScaleAndRow(t *testing.T) {
	a := image.NewGray(image.Rect(0, 0, 2, 2))
	a.Pix = []uint8{0, 255, 128, 64}
	s := Scale(a, 3)
	if s.Rect.Size() != image.Pt(6, 6) {
		t.Fatalf("scaled size %v", s.Rect.Size())
	}
	if s.RGBAAt(5, 0).R != 255 || s.RGBAAt(0, 5).R != 128 || s.RGBAAt(2, 2).R != 0 {
		t.Error("Scale did not repeat pixels")
	}
	frames := []image.Image{a, a, a, a}
	row, err := Row(frames, []string{"t-3", "t-2", "t-1", "t"}, 16)
	if err != nil {
		t.Fatal(err)
	}
	// 4 cells of 32 px (wider than the labels) with 4 px gaps; labels 16 px high (13 + shadow row + 2).
	if row.Rect.Dx() != 4+4*(32+4) || row.Rect.Dy() != 4+16+32+4 {
		t.Errorf("row size %v", row.Rect.Size())
	}
	// Bottom-right pixel of the first cell is a's (1,1) = 64.
	if p := row.RGBAAt(4+31, 4+16+31); p.R != 64 {
		t.Errorf("cell pixel %v", p)
	}
	if _, err := Row(nil, nil, 1); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("empty row: %v", err)
	}
	if _, err := Row([]image.Image{a, nil}, nil, 1); err == nil {
		t.Error("nil image: no error")
	}
}
