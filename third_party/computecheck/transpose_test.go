package computecheck

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestBatchedTransposes checks the Go backend's batched 2D transpose
// (third_party/compute patch 11: permutation [0, 2, 1] of 4-byte values, each
// of the b matrices [h, w] to [w, h], batches split between workers) against
// the definition, for float32 and int32: fewer than 8 rows (the NCHW -> NHWC
// change of a 4-channel or an RGB input, which have loops of their own), 8 and 13 rows (a tile and a tail), columns
// not a multiple of 8, one batch and many, on one worker and on four. It also
// checks an identity permutation of an owned operand, which now hands the
// operand's buffer on instead of copying it, and that the operand's own value
// is still right where it has another use. It fails when a tail row, a batch
// offset or a chunk boundary is wrong.
func TestBatchedTransposes(t *testing.T) {
	cases := [][3]int{{32, 4, 4096}, {16, 3, 4096}, {3, 3, 7}, {2, 4, 5}, {5, 8, 33}, {64, 13, 70}, {1, 6, 100}, {300, 2, 64}}
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			backend, err := gobackend.New("")
			if err != nil {
				t.Fatal(err)
			}
			defer backend.Finalize()
			for _, c := range cases {
				b, h, w := c[0], c[1], c[2]
				for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Int32} {
					t.Run(fmt.Sprintf("%s[%d,%d,%d]", dtype, b, h, w), func(t *testing.T) {
						x := tensors.FromShape(shapes.Make(dtype, b, h, w))
						value := func(i int) int { return (i*7919)%100003 - 50000 }
						if dtype == dtypes.Float32 {
							tensors.MutableFlatData(x, func(d []float32) {
								for i := range d {
									d[i] = float32(value(i))
								}
							})
						} else {
							tensors.MutableFlatData(x, func(d []int32) {
								for i := range d {
									d[i] = int32(value(i))
								}
							})
						}
						outs := graph.MustExecOnceN(backend, func(x *graph.Node) []*graph.Node {
							one := graph.OnePlus(x) // an owned intermediate value
							return []*graph.Node{graph.TransposeAllAxes(x, 0, 2, 1), graph.TransposeAllAxes(one, 0, 1, 2)}
						}, x)
						got := asInts(outs[0])
						for bi := range b {
							for r := range h {
								for cc := range w {
									if g, want := got[(bi*w+cc)*h+r], value((bi*h+r)*w+cc); g != want {
										t.Fatalf("[%d, %d, %d] = %d, want %d", bi, cc, r, g, want)
									}
								}
							}
						}
						ident := asInts(outs[1])
						for i := range b * h * w {
							if ident[i] != value(i)+1 {
								t.Fatalf("identity transpose: element %d = %d, want %d", i, ident[i], value(i)+1)
							}
						}
					})
				}
			}
		})
	}
}

// asInts returns a float32 or int32 tensor's values as ints.
func asInts(x *tensors.Tensor) []int {
	var out []int
	switch x.DType() {
	case dtypes.Float32:
		for _, v := range tensors.MustCopyFlatData[float32](x) {
			out = append(out, int(v))
		}
	case dtypes.Int32:
		for _, v := range tensors.MustCopyFlatData[int32](x) {
			out = append(out, int(v))
		}
	}
	return out
}

// TestTransposesOfMergedAxes checks transposes whose adjacent axes move
// together (patch 11 merges them before choosing a fast path: NCHW -> NHWC,
// [0, 2, 3, 1], is the batched 2D transpose of [B, C, H*W]) against the
// definition, for ranks 3 to 5, every permutation of rank 4 and some of rank
// 5. It fails when a merged axis's size or the merged permutation is wrong.
func TestTransposesOfMergedAxes(t *testing.T) {
	backend, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	perms := [][]int{{0, 2, 1}, {2, 0, 1}, {0, 2, 3, 1}, {2, 0, 1, 3}, {1, 2, 3, 0}, {0, 1, 3, 2}, {3, 4, 0, 1, 2}, {0, 3, 4, 1, 2}, {4, 0, 1, 2, 3}}
	for _, p := range permutationsOf(4) {
		perms = append(perms, p)
	}
	for _, perm := range perms {
		dims := []int{3, 4, 5, 6, 7}[:len(perm)]
		t.Run(fmt.Sprint(perm), func(t *testing.T) {
			n := 1
			for _, d := range dims {
				n *= d
			}
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(i)
			}
			out := graph.MustExecOnce(backend, func(x *graph.Node) *graph.Node {
				return graph.TransposeAllAxes(x, perm...)
			}, tensors.FromFlatDataAndDimensions(x, dims...))
			got := tensors.MustCopyFlatData[float32](out)
			outDims := make([]int, len(perm))
			for j, p := range perm {
				outDims[j] = dims[p]
			}
			idx := make([]int, len(dims))
			for o := range got {
				rem := o
				for j := len(perm) - 1; j >= 0; j-- {
					idx[perm[j]] = rem % outDims[j]
					rem /= outDims[j]
				}
				src := 0
				for a, d := range dims {
					src = src*d + idx[a]
				}
				if got[o] != x[src] {
					t.Fatalf("output element %d = %g, want %g", o, got[o], x[src])
				}
			}
		})
	}
}

// permutationsOf returns every permutation of 0..n-1.
func permutationsOf(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutationsOf(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}
