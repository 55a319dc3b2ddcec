// Package plots turns training data into pictures: image grids like
// torchvision's make_grid, loss and score curves (gonum/plot, PNG and SVG),
// animated GIFs of an agent playing, text drawn onto frames, and inline
// display in a GoNB notebook, including a live view that updates one output
// in place while a model trains.
//
// The test vectors in testdata/ come from testdata/gen_grid.py (torchvision
// 0.14); Grid matches them exactly.
//
// Outside a notebook (the CLI, tests) the Show* functions and Live write
// files under [OutDir] and print their paths instead, so the same code works
// in both places.
//
// Files, one job each:
//
//	grid.go    Grid: [N,C,H,W] batch -> one image (torchvision make_grid); Images
//	tensor.go  GridTensor, TensorFloats: the same for a GoMLX *tensors.Tensor
//	curves.go  Curves, Series, MovingAverage: line plots to PNG/SVG
//	gif.go     GIF: frames -> animated GIF with a shared palette
//	palette.go Palette: exact colours when they fit, else median cut
//	text.go    DrawText, WithText, Row, Scale: labels and side-by-side images
//	show.go    ShowPNG, ShowSVG, ShowGIF, ShowImage, ShowFrames, ShowCurves, OutDir;
//	           ShowFile/ShowFigures: a repository picture embedded as a data URI
//	live.go    Live: one notebook output refreshed in place, rate-limited, with
//	           the last lines of a training loop's progress (Live.Writer)
package plots
