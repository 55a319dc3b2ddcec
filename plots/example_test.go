package plots_test

import (
	"fmt"
	"image"
	"math"
	"time"

	"github.com/arcade-go/arcade/plots"
)

// A batch of 16 generated 3x64x64 images in [-1,1] becomes one 530x134
// picture: 8 per row, 2 pixels of padding, min-max normalised.
func ExampleGrid() {
	fake := make([]float32, 16*3*64*64) // e.g. from plots.TensorFloats(generatorOutput)
	for i := range fake {
		fake[i] = float32(math.Sin(float64(i)))
	}
	img, err := plots.Grid(fake, 16, 3, 64, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(img.Bounds().Size())
	_, err = plots.Grid(nil, 0, 3, 64, 64)
	fmt.Println(err)
	// Output:
	// (530,134)
	// plots: grid shape [0 3 64 64]: empty batch
}

// Loss curves with a moving average, as PNG bytes (SVG works the same way).
func ExampleCurves() {
	c := plots.Curves{Title: "DCGAN", XLabel: "iteration", YLabel: "loss", Smooth: 10}
	for it := 0; it < 1000; it += 100 {
		c.Add("generator", float64(it), 2.0)
		c.Add("discriminator", float64(it), 0.5)
	}
	png, err := c.PNG(640, 360)
	fmt.Println(len(png) > 0, err)
	// Output: true <nil>
}

// Frames of a game with the score drawn on them, as an animated GIF.
func ExampleGIF() {
	var frames []image.Image
	for score := range 3 {
		frame := image.NewRGBA(image.Rect(0, 0, 288, 512))
		for i := range frame.Pix {
			frame.Pix[i] = 200
		}
		plots.DrawText(frame, 130, 40, fmt.Sprint(score), plots.TextStyle{Scale: 3})
		frames = append(frames, frame)
	}
	gif, err := plots.GIF(frames, 33*time.Millisecond)
	fmt.Println(len(gif) > 0, err)
	// Output: true <nil>
}

// The 4 stacked 64x64 frames a DQN sees, side by side and labelled.
func ExampleRow() {
	obs := make([]float32, 4*64*64) // values after "minus 128"
	for i := range obs {
		obs[i] = float32(i%255) - 128
	}
	imgs, _ := plots.Images(obs, 4, 1, 64, 64)
	row, err := plots.Row(imgs, []string{"t-3", "t-2", "t-1", "t"}, 2)
	fmt.Println(row.Bounds().Size(), err)
	// Output: (532,152) <nil>
}

// A live view in a training loop: one output refreshed at most twice a
// second in a notebook; files under plots.OutDir() elsewhere.
func ExampleLive() {
	live := plots.NewLive("dcgan")
	defer live.Close()
	live.Curves("loss").LogY = true
	for it := range 3 {
		live.Point("loss", "generator", float64(it), 2)
		live.Point("loss", "discriminator", float64(it), 0.5)
		live.Image("fake", image.NewGray(image.Rect(0, 0, 64, 64))) // or live.GridTensor("fake", fake)
		live.Text("iteration %d", it)
		_ = live.Update() // cheap when called often
	}
}
