package atari

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreprocessMatchesCV2 compares Preprocess with cv2.resize(obs, (64, 64))
// as the tutorial called it; testdata/make_cv2_resize.py wrote the expected
// outputs with OpenCV 4.6. Preprocess reproduces cv2's fixed-point
// arithmetic, so every value must match exactly.
func TestPreprocessMatchesCV2(t *testing.T) {
	inputs := map[string]*Frame{"pattern": nil}
	pat := NewFrame(210, 160)
	for y := 0; y < 210; y++ {
		for x := 0; x < 160; x++ {
			for c := 0; c < 3; c++ {
				pat.Pix[(y*160+x)*3+c] = uint8(((x*7 + y*13 + c*50) ^ (x * y)) & 255)
			}
		}
	}
	inputs["pattern"] = pat
	pngs, _ := filepath.Glob("testdata/*.png")
	if len(pngs) != 3 {
		t.Fatalf("want 3 test frames in testdata, found %d", len(pngs))
	}
	for _, path := range pngs {
		r, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		f := NewFrame(b.Dy(), b.Dx())
		for y := 0; y < f.Height; y++ {
			for x := 0; x < f.Width; x++ {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				i := (y*f.Width + x) * 3
				f.Pix[i], f.Pix[i+1], f.Pix[i+2] = uint8(cr>>8), uint8(cg>>8), uint8(cb>>8)
			}
		}
		inputs[strings.TrimSuffix(filepath.Base(path), ".png")] = f
	}
	for name, f := range inputs {
		want, err := os.ReadFile(filepath.Join("testdata", name+".cv2.bin"))
		if err != nil {
			t.Fatal(err)
		}
		got := Preprocess(f, 64, nil)
		off := 0
		for y := 0; y < 64; y++ {
			for x := 0; x < 64; x++ {
				for c := 0; c < 3; c++ {
					g, w := got[c*4096+y*64+x], float32(want[(y*64+x)*3+c])
					if g != w {
						if off++; off < 5 {
							t.Errorf("%s (%d,%d,%d): got %v, cv2 %v", name, x, y, c, g, w)
						}
					}
				}
			}
		}
		if off > 0 {
			t.Errorf("%s: %d of %d values differ from cv2", name, off, 3*64*64)
		}
	}
}
