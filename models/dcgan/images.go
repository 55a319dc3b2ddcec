package dcgan

import (
	"os"
	"path/filepath"

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

// PlotHistory writes losses.png (mean losses per report) and, when there are
// quality numbers, quality.png (Fréchet distance, log scale) into dir.
func PlotHistory(dir string, h History) error {
	if len(h.Steps) == 0 && len(h.QualitySteps) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	losses := plots.Curves{Title: "Atari GAN losses", XLabel: "step", YLabel: "BCE"}
	for i, s := range h.Steps {
		losses.Add("discriminator", float64(s), h.DLoss[i])
		losses.Add("generator", float64(s), h.GLoss[i])
	}
	panels := []struct {
		name string
		c    plots.Curves
	}{{"losses.png", losses}}
	if len(h.QualitySteps) > 0 {
		q := plots.Curves{Title: "sample quality: Fréchet distance to real frames (lower is better)", XLabel: "step", YLabel: "FD", LogY: true}
		for i, s := range h.QualitySteps {
			q.Add("FD", float64(s), h.FD[i])
		}
		panels = append(panels, struct {
			name string
			c    plots.Curves
		}{"quality.png", q})
	}
	for _, p := range panels {
		if p.c.Len() == 0 {
			continue
		}
		b, err := p.c.PNG(640, 360)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, p.name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
