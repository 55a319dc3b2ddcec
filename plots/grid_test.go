package plots

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type gridCase struct {
	Name     string `json:"name"`
	Shape    []int  `json:"shape"`
	Input    string `json:"input"`
	Expected string `json:"expected"`
}

func readF32(t *testing.T, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, len(raw)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return x
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestGridMatchesTorchvision compares Grid pixel by pixel with torchvision
// 0.14's save_image(make_grid(x, normalize=True)) on the committed vectors
// from testdata/gen_grid.py.
func TestGridMatchesTorchvision(t *testing.T) {
	raw, err := os.ReadFile("testdata/grid_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Cases []gridCase }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) < 4 {
		t.Fatalf("only %d cases in grid_cases.json", len(m.Cases))
	}
	for _, c := range m.Cases {
		t.Run(c.Name, func(t *testing.T) {
			x := readF32(t, filepath.Join("testdata", c.Input))
			want := readPNG(t, filepath.Join("testdata", c.Expected))
			got, err := Grid(x, c.Shape...)
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds() != want.Bounds() {
				t.Fatalf("size %v, torchvision %v", got.Bounds(), want.Bounds())
			}
			worst, exact := 0, 0
			b := want.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for xx := b.Min.X; xx < b.Max.X; xx++ {
					r0, g0, b0, _ := want.At(xx, y).RGBA()
					g := got.RGBAAt(xx, y)
					d := max(absDiff(int(r0>>8), int(g.R)), absDiff(int(g0>>8), int(g.G)), absDiff(int(b0>>8), int(g.B)))
					worst = max(worst, d)
					if d == 0 {
						exact++
					}
					if g.A != 255 {
						t.Fatalf("alpha %d at (%d,%d)", g.A, xx, y)
					}
				}
			}
			if worst > 1 {
				t.Errorf("max difference %d > 1 from torchvision", worst)
			}
			t.Logf("%s: %v, %d of %d pixels exact, max diff %d", c.Name, b.Size(), exact, b.Dx()*b.Dy(), worst)
		})
	}
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

func TestGridLayoutAndNormalisation(t *testing.T) {
	// 3 grey 2x2 images with values 0..11: min 0 -> black, max 11 -> white.
	x := make([]float32, 12)
	for i := range x {
		x[i] = float32(i)
	}
	img, err := Grid(x, 3, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 3 per row (fewer than 8): width 3*(2+2)+2 = 14, height 2+2+2 = 6.
	if got := img.Bounds().Size(); got != image.Pt(14, 6) {
		t.Fatalf("size %v, want 14x6", got)
	}
	if p := img.RGBAAt(0, 0); p.R != 0 || p.A != 255 {
		t.Errorf("padding pixel %v, want opaque black", p)
	}
	if p := img.RGBAAt(2, 2); p.R != 0 || p.G != 0 || p.B != 0 {
		t.Errorf("min pixel %v, want black", p)
	}
	// Last image (third cell) bottom-right pixel: value 11 = max -> white.
	if p := img.RGBAAt(2*4+2+1, 3); p.R != 255 || p.G != 255 || p.B != 255 {
		t.Errorf("max pixel %v, want white", p)
	}
	// Value 5 -> 5/11*255+0.5 = 116.4 -> 116, replicated to RGB.
	if p := img.RGBAAt(4+2+1, 2); p.R != 116 || p.G != 116 || p.B != 116 {
		t.Errorf("value 5 pixel %v, want grey 116", p)
	}

	// 9 images, 8 per row: two rows.
	img, err = Grid(make([]float32, 9*3*4*4), 9, 3, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != image.Pt(8*6+2, 2*6+2) {
		t.Errorf("9 images: size %v, want 50x14", got)
	}
}

func TestGridUint8KeepsColours(t *testing.T) {
	o := DefaultGridOptions()
	o.Normalize = false
	// one 1x2 RGB image: pixel 0 = (10,20,30), pixel 1 = (200,100,0)
	data := []uint8{10, 200, 20, 100, 30, 0}
	img, err := o.GridUint8(data, 1, 3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p := img.RGBAAt(0, 0); p.R != 10 || p.G != 20 || p.B != 30 {
		t.Errorf("pixel 0 %v", p)
	}
	if p := img.RGBAAt(1, 0); p.R != 200 || p.G != 100 || p.B != 0 {
		t.Errorf("pixel 1 %v", p)
	}
}

func TestGridBadInput(t *testing.T) {
	cases := []struct {
		name  string
		data  []float32
		shape []int
		want  string
	}{
		{"empty batch", nil, []int{0, 3, 4, 4}, "empty batch"},
		{"wrong length", make([]float32, 10), []int{1, 3, 2, 2}, "wants 12 values"},
		{"channels", make([]float32, 2*5*2*2), []int{2, 5, 2, 2}, "5 channels"},
		{"rank", make([]float32, 4), []int{4}, "want [N,C,H,W]"},
		{"all NaN", []float32{float32(math.NaN()), float32(math.NaN()), float32(math.NaN()), float32(math.NaN())}, []int{1, 1, 2, 2}, "NaN"},
	}
	for _, c := range cases {
		_, err := Grid(c.data, c.shape...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestGridNaNMarked(t *testing.T) {
	var warn bytes.Buffer
	old := Warnings
	Warnings = &warn
	defer func() { Warnings = old }()
	x := []float32{0, 1, float32(math.NaN()), 0.5, 0, 1, 2, float32(math.Inf(1))}
	img, err := Grid(x, 2, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p := img.RGBAAt(2, 3); p != NonFiniteColor {
		t.Errorf("NaN pixel %v, want %v", p, NonFiniteColor)
	}
	if p := img.RGBAAt(6+1, 3); p != NonFiniteColor {
		t.Errorf("Inf pixel %v, want %v", p, NonFiniteColor)
	}
	// Finite values normalised by finite min 0 and max 2: value 1 -> 128.
	if p := img.RGBAAt(3, 2); p.R != 128 {
		t.Errorf("value 1 pixel %v, want 128", p)
	}
	if !strings.Contains(warn.String(), "2 NaN/Inf") {
		t.Errorf("warning %q", warn.String())
	}
}
