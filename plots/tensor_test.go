package plots

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

func TestGridTensor(t *testing.T) {
	x := make([]float32, 3*1*2*2)
	for i := range x {
		x[i] = float32(i)
	}
	want, err := Grid(x, 3, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := GridTensor(tensors.FromFlatDataAndDimensions(x, 3, 1, 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() || sameRGB(got, want) != 0 {
		t.Error("GridTensor differs from Grid on the same data")
	}
	// Uint8 pixels keep their colours without normalisation.
	o := DefaultGridOptions()
	o.Normalize = false
	u, err := o.GridTensor(tensors.FromFlatDataAndDimensions([]uint8{7, 100, 200}, 3, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if p := u.RGBAAt(0, 0); p.R != 7 || p.G != 100 || p.B != 200 {
		t.Errorf("uint8 pixel %v", p)
	}
	f, shape, err := TensorFloats(tensors.FromFlatDataAndDimensions([]float64{1, 2}, 1, 2))
	if err != nil || len(f) != 2 || f[1] != 2 || len(shape) != 2 {
		t.Errorf("TensorFloats: %v %v %v", f, shape, err)
	}
	if _, err := GridTensor(tensors.FromFlatDataAndDimensions([]int32{1, 2, 3, 4}, 2, 2)); err == nil || !strings.Contains(err.Error(), "dtype") {
		t.Errorf("int32 tensor: %v", err)
	}
	if _, err := GridTensor(nil); err == nil {
		t.Error("nil tensor: no error")
	}
}

func TestImages(t *testing.T) {
	x := make([]float32, 4*1*3*2)
	for i := range x {
		x[i] = float32(i)
	}
	imgs, err := Images(x, 4, 1, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 4 {
		t.Fatalf("%d images", len(imgs))
	}
	for i, im := range imgs {
		if im.Bounds().Size().X != 2 || im.Bounds().Size().Y != 3 {
			t.Errorf("image %d is %v", i, im.Bounds())
		}
	}
	// Shared normalisation: first pixel of image 0 is black, last of image 3 white.
	b0 := imgs[0].Bounds()
	if r, _, _, _ := imgs[0].At(b0.Min.X, b0.Min.Y).RGBA(); r != 0 {
		t.Errorf("first pixel %d", r>>8)
	}
	b3 := imgs[3].Bounds()
	if r, _, _, _ := imgs[3].At(b3.Max.X-1, b3.Max.Y-1).RGBA(); r>>8 != 255 {
		t.Errorf("last pixel %d", r>>8)
	}
	if _, err := Images(nil, 0, 1, 2, 2); err == nil {
		t.Error("empty batch: no error")
	}
}
