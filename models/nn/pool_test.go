package nn

import (
	"fmt"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/kernel"
)

// TestMaxPoolTiesGoToTheFirstMaximum checks PyTorch's max-pool gradient where
// a window holds equal maxima (all of it to the first in row-major order) for
// every implementation MaxPool2D may pick: the NCHW and the two internal
// layouts of the pure-Go lowering, and the generic one of XLA and odd kernels.
func TestMaxPoolTiesGoToTheFirstMaximum(t *testing.T) {
	const b, c, h, w = 2, 3, 6, 12
	x := make([]float32, b*c*h*w)
	for i := range x {
		x[i] = float32((i*7 + i/5) % 3) // values 0..2: most windows tie
	}
	x[0], x[1], x[w], x[w+1] = 2, 2, 2, 2 // a window of four equal maxima
	ways := []struct {
		name   string
		kernel int
		pool   func(x *Node) *Node
	}{
		{"MaxPool2D(2)", 2, func(x *Node) *Node { return MaxPool2D(x, 2) }},
		{"NCHW as [C,B,H,W]", 2, maxPool2CBHW},
		{"NHWC", 2, func(x *Node) *Node {
			return TransposeAllAxes(maxPool2NHWC(TransposeAllAxes(x, 0, 2, 3, 1)), 0, 3, 1, 2)
		}},
		{"generic k=2", 2, func(x *Node) *Node { return maxPoolFirstMax(x, 2) }},
		{"generic k=3", 3, func(x *Node) *Node { return maxPoolFirstMax(x, 3) }},
		{"MaxPool2D(3)", 3, func(x *Node) *Node { return MaxPool2D(x, 3) }},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			k := way.kernel
			ho, wo := h/k, w/k
			outs, err := ExecOnceN(kernel.Backend(), func(x *Node) []*Node {
				y := way.pool(x)
				wts := AddScalar(IotaFull(x.Graph(), y.Shape()), 1) // dL/dy: 1, 2, 3, ...
				return []*Node{y, Gradient(ReduceAllSum(Mul(y, wts)), x)[0]}
			}, tensors.FromFlatDataAndDimensions(x, b, c, h, w))
			if err != nil {
				t.Fatal(err)
			}
			y, dx := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
			want := make([]float32, len(x))
			for p := range b * c {
				for i := range ho {
					for j := range wo {
						best, at := float32(-1), -1
						for di := range k {
							for dj := range k {
								at2 := p*h*w + (i*k+di)*w + j*k + dj
								if x[at2] > best {
									best, at = x[at2], at2
								}
							}
						}
						o := (p*ho+i)*wo + j
						if y[o] != best {
							t.Fatalf("y[%d] = %v, want %v", o, y[o], best)
						}
						want[at] = float32(o + 1)
					}
				}
			}
			for i := range want {
				if dx[i] != want[i] {
					t.Fatalf("dL/dx[%d] = %v, want %v (the first maximum of each window gets dL/dy)\n%s", i, dx[i], want[i], fmt.Sprint(dx[:2*w]))
				}
			}
		})
	}
}
