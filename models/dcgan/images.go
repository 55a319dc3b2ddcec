package dcgan

import (
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/plots"
)

// WriteGridPNG writes images [N,C,H,W] as one PNG grid, 8 per row,
// normalised by min and max like the tutorial's make_grid(..., normalize=True).
func WriteGridPNG(path string, images *tensors.Tensor) error {
	img, err := plots.GridTensor(images)
	if err != nil {
		return err
	}
	return plots.WritePNG(path, img)
}
