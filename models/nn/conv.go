package nn

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Conv2D is torch.nn.Conv2d(Cin, outChannels, kernel, stride, padding, bias=bias)
// on x [B, Cin, H, W]; it returns [B, outChannels, Ho, Wo] with
// Ho = (H + 2*padding - kernel)/stride + 1 (the same for Wo).
//
// Variables in s: "weight" [outChannels, Cin, kernel, kernel] and, if bias,
// "bias" [outChannels].
func Conv2D(s *model.Scope, x *Node, outChannels, kernel, stride, padding int, bias bool) *Node {
	g := x.Graph()
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nn.Conv2D(%s): x must be [B,C,H,W], got shape %s", s.Scope(), x.Shape()))
	}
	dims := x.Shape().Dimensions
	batch, cin, h, w := dims[0], dims[1], dims[2], dims[3]
	if outChannels < 1 || kernel < 1 || stride < 1 || padding < 0 {
		panic(fmt.Sprintf("nn.Conv2D(%s): bad outChannels=%d kernel=%d stride=%d padding=%d",
			s.Scope(), outChannels, kernel, stride, padding))
	}
	ho := (h+2*padding-kernel)/stride + 1
	wo := (w+2*padding-kernel)/stride + 1
	if h+2*padding < kernel || w+2*padding < kernel {
		panic(fmt.Sprintf("nn.Conv2D(%s): input %dx%d (padding %d) smaller than kernel %d", s.Scope(), h, w, padding, kernel))
	}
	wt, b := weightVar(s, g, shapes.Make(x.DType(), outChannels, cin, kernel, kernel), cin*kernel*kernel, bias, outChannels)

	if useNative(g) {
		// XLA's forward convolution; the gradients are the adjoint convolutions
		// (see "Gradients of the native path" below).
		return customVJP(x, wt, b, []int{1, outChannels, 1, 1},
			func(xi, wi *Node) *Node { return convNative(xi, wi, stride, padding) },
			func(dy *Node) *Node { return convTransposeNative(dy, wt, stride, padding, h, w) },
			func(dy *Node) *Node { return convKernelGrad(x, dy, kernel, stride, padding) })
	}

	fullWindow := padding == 0 && h == kernel && w == kernel
	if stride == 1 && !fullWindow && padding <= kernel-1 {
		return fromCBHW(conv2DCBHW(toCBHW(x), wt, b, kernel, padding)) // [Cout,B,Ho,Wo]
	}
	if pl, ok := newNHWCPlan(batch, h, w, cin, kernel, stride, padding); ok {
		return fromNHWC(conv2DPlan(pl, toNHWC(x), wt, b)) // [B,Ho,Wo,Cout]
	}

	// Generic lowering (other strides): strided slices + concatenate + one matmul.
	xh := toNHWC(x)                                        // [B,H,W,Cin]
	patches := im2col(xh, kernel, stride, padding, ho, wo) // [B*Ho*Wo, k*k*Cin], (i, j, c) order
	wm := Reshape(kernelMajor(wt),
		outChannels, kernel*kernel*cin) // [Cout, k*k*Cin], (i, j, c) order
	y := DotGeneral(patches, []int{1}, nil, wm, []int{1}, nil) // [B*Ho*Wo, Cout]
	if b != nil {
		y = Add(y, Reshape(b, 1, outChannels))
	}
	return fromNHWC(Reshape(y, batch, ho, wo, outChannels))
}

// im2col gathers the kernel windows of xh [B,H,W,C] into [B*Ho*Wo, k*k*C], the
// window offsets (i, j) outer and the channel inner.
func im2col(xh *Node, kernel, stride, padding, ho, wo int) *Node {
	dims := xh.Shape().Dimensions
	batch, h, w, c := dims[0], dims[1], dims[2], dims[3]
	if padding == 0 && ho == 1 && wo == 1 && h == kernel && w == kernel {
		// One window covering the whole input: the patches are the input itself.
		return Reshape(xh, batch, kernel*kernel*c)
	}
	if kernel == 1 && padding == 0 && stride == 1 {
		return Reshape(xh, batch*h*w, c)
	}
	if padding > 0 {
		zero := ScalarZero(xh.Graph(), xh.DType())
		xh = Pad(xh, zero, PadAxis{}, PadAxis{Start: padding, End: padding}, PadAxis{Start: padding, End: padding}, PadAxis{})
	}
	parts := make([]*Node, 0, kernel*kernel)
	for i := range kernel {
		for j := range kernel {
			parts = append(parts, Slice(xh, AxisRange(),
				AxisRange(i, i+stride*(ho-1)+1).Stride(stride),
				AxisRange(j, j+stride*(wo-1)+1).Stride(stride),
				AxisRange())) // [B,Ho,Wo,C]
		}
	}
	return Reshape(Concatenate(parts, 3), batch*ho*wo, kernel*kernel*c)
}

// ConvTranspose2D is torch.nn.ConvTranspose2d(Cin, outChannels, kernel, stride,
// padding, bias=bias) (output_padding 0, dilation 1) on x [B, Cin, H, W]; it
// returns [B, outChannels, Ho, Wo] with Ho = (H-1)*stride - 2*padding + kernel.
//
// Variables in s: "weight" [Cin, outChannels, kernel, kernel] (PyTorch's layout
// for transposed convolutions) and, if bias, "bias" [outChannels].
func ConvTranspose2D(s *model.Scope, x *Node, outChannels, kernel, stride, padding int, bias bool) *Node {
	g := x.Graph()
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nn.ConvTranspose2D(%s): x must be [B,C,H,W], got shape %s", s.Scope(), x.Shape()))
	}
	dims := x.Shape().Dimensions
	batch, cin, h, w := dims[0], dims[1], dims[2], dims[3]
	if outChannels < 1 || kernel < 1 || stride < 1 || padding < 0 {
		panic(fmt.Sprintf("nn.ConvTranspose2D(%s): bad outChannels=%d kernel=%d stride=%d padding=%d",
			s.Scope(), outChannels, kernel, stride, padding))
	}
	ho := (h-1)*stride - 2*padding + kernel
	wo := (w-1)*stride - 2*padding + kernel
	if ho < 1 || wo < 1 {
		panic(fmt.Sprintf("nn.ConvTranspose2D(%s): padding %d too large for input %dx%d", s.Scope(), padding, h, w))
	}
	// PyTorch computes fan_in from dimension 1 of the weight: Cout*k*k.
	wt, b := weightVar(s, g, shapes.Make(x.DType(), cin, outChannels, kernel, kernel), outChannels*kernel*kernel, bias, outChannels)

	if useNative(g) {
		return customVJP(x, wt, b, []int{1, outChannels, 1, 1},
			func(xi, wi *Node) *Node { return convTransposeNative(xi, wi, stride, padding, ho, wo) },
			func(dy *Node) *Node { return convNative(dy, wt, stride, padding) },
			func(dy *Node) *Node { return convKernelGrad(dy, x, kernel, stride, padding) })
	}

	if pl, ok := newNHWCPlan(batch, ho, wo, outChannels, kernel, stride, padding); ok && pl.ho == h && pl.wo == w {
		return fromNHWC(convTranspose2DPlan(pl, toNHWC(x), wt, b)) // [B,Ho,Wo,Cout]
	}

	// Generic lowering: one matmul [B*H*W, Cin] x [Cin, k*k*Cout], then an
	// overlap-add of the k*k blocks into the output.
	xh := Reshape(toNHWC(x), batch*h*w, cin)                       // [B*H*W, Cin]
	wm := Reshape(kernelMajor(wt), cin, kernel*kernel*outChannels) // [Cin, k*k*Cout], (i, j, co) order
	cols := DotGeneral(xh, []int{1}, nil, wm, []int{0}, nil)       // [B*H*W, k*k*Cout]
	cols = Reshape(cols, batch, h, w, kernel*kernel*outChannels)
	y := col2im(cols, outChannels, kernel, stride, padding, ho, wo) // [B,Ho,Wo,Cout]
	if b != nil {
		y = Add(y, Reshape(b, 1, 1, 1, outChannels))
	}
	return fromNHWC(y)
}

// col2im overlap-adds cols [B, H, W, k*k*C] ((i, j, c) order) into the
// transposed-convolution output [B, Ho, Wo, C]: block (i, j) at input (y, x)
// lands on output ((y*stride + i - padding), (x*stride + j - padding)).
func col2im(cols *Node, c, kernel, stride, padding, ho, wo int) *Node {
	g := cols.Graph()
	dims := cols.Shape().Dimensions
	batch, h, w := dims[0], dims[1], dims[2]
	zero := ScalarZero(g, cols.DType())
	block := func(i, j int) *Node { // [B,H,W,C]
		off := (i*kernel + j) * c
		return Slice(cols, AxisRange(), AxisRange(), AxisRange(), AxisRange(off, off+c))
	}
	fullH, fullW := (h-1)*stride+kernel, (w-1)*stride+kernel
	var full *Node // [B, fullH, fullW, C]
	switch {
	case h == 1 && w == 1:
		// Blocks do not overlap: the output is the matmul result itself.
		full = Reshape(cols, batch, kernel, kernel, c)
	case kernel%stride == 0:
		// Sub-pixel phases: output rows r, r+stride, ... receive the blocks
		// i = m*stride + r, shifted by m input rows. Each phase is a sum of
		// (kernel/stride)^2 shifted blocks; the phases interleave by Stack.
		m := kernel / stride
		ph, pw := h+m-1, w+m-1
		rows := make([]*Node, stride)
		for r := range stride {
			cols := make([]*Node, stride)
			for q := range stride {
				var sum *Node
				for mi := range m {
					for mj := range m {
						blk := block(mi*stride+r, mj*stride+q)
						if m > 1 {
							blk = Pad(blk, zero, PadAxis{}, PadAxis{Start: mi, End: m - 1 - mi},
								PadAxis{Start: mj, End: m - 1 - mj}, PadAxis{})
						}
						if sum == nil {
							sum = blk
						} else {
							sum = Add(sum, blk)
						}
					}
				}
				cols[q] = sum // [B, ph, pw, C]
			}
			if stride == 1 {
				rows[r] = cols[0]
			} else {
				rows[r] = Stack(cols, 3) // [B, ph, pw, stride, C]
			}
		}
		if stride == 1 {
			full = rows[0]
		} else {
			full = Reshape(Stack(rows, 2), batch, ph*stride, pw*stride, c) // [B, ph, stride, pw, stride, C]
		}
	default:
		// Generic: each block spread with interior padding stride-1.
		for i := range kernel {
			for j := range kernel {
				blk := Pad(block(i, j), zero, PadAxis{},
					PadAxis{Start: i, End: fullH - i - (h-1)*stride - 1, Interior: stride - 1},
					PadAxis{Start: j, End: fullW - j - (w-1)*stride - 1, Interior: stride - 1}, PadAxis{})
				if full == nil {
					full = blk
				} else {
					full = Add(full, blk)
				}
			}
		}
	}
	if padding > 0 {
		full = Slice(full, AxisRange(), AxisRange(padding, padding+ho), AxisRange(padding, padding+wo), AxisRange())
	}
	return full
}

// convNative is the NCHW convolution of x [B,Cin,H,W] with w [Cout,Cin,k,k] by
// the backend's ConvGeneral.
func convNative(x, w *Node, stride, padding int) *Node {
	axes := ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelOutputChannels: 0, KernelInputChannels: 1, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	return ConvGeneral(x, w, axes, []int{stride, stride},
		[][2]int{{padding, padding}, {padding, padding}}, nil, nil, 1, 1)
}

// convTransposeNative is the NCHW transposed convolution of x [B,Cin,H,W] with
// w [Cin,Cout,k,k] (PyTorch layout) giving [B,Cout,ho,wo], ho = (H-1)*stride -
// 2*padding + k + extra (extra > 0 when it serves as the input gradient of a
// convolution whose last rows were not covered by a window): the convolution of
// the input dilated by stride with the flipped kernel, channel axes swapped.
func convTransposeNative(x, w *Node, stride, padding, ho, wo int) *Node {
	k := w.Shape().Dimensions[2]
	h, wd := x.Shape().Dimensions[2], x.Shape().Dimensions[3]
	axes := ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelInputChannels: 0, KernelOutputChannels: 1, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	// Full output before cropping: (h-1)*stride + k rows; keep [padding, padding+ho).
	lo := k - 1 - padding
	hiH := ho - ((h-1)*stride + k - 2*padding) + lo
	hiW := wo - ((wd-1)*stride + k - 2*padding) + lo
	if lo >= 0 && hiH >= 0 && hiW >= 0 {
		return ConvGeneral(x, Reverse(w, 2, 3), axes, nil, [][2]int{{lo, hiH}, {lo, hiW}},
			[]int{stride, stride}, nil, 1, 1)
	}
	full := ConvGeneral(x, Reverse(w, 2, 3), axes, nil, [][2]int{{k - 1, k - 1}, {k - 1, k - 1}},
		[]int{stride, stride}, nil, 1, 1) // [B, Cout, (h-1)*stride+k, ...]
	fh, fw := full.Shape().Dimensions[2], full.Shape().Dimensions[3]
	full = Pad(full, ScalarZero(x.Graph(), x.DType()), PadAxis{}, PadAxis{},
		PadAxis{End: max(0, padding+ho-fh)}, PadAxis{End: max(0, padding+wo-fw)})
	return Slice(full, AxisRange(), AxisRange(), AxisRange(padding, padding+ho), AxisRange(padding, padding+wo))
}

// convKernelGrad is the gradient of a convolution's kernel: for the
// convolution of xin [B,C,H,W] (stride, padding) whose output gradient is
// g [B,O,Ho,Wo], it returns [O,C,k,k] = sum over b, oy, ox of
// g[b,o,oy,ox] * xpad[b,c,oy*stride+i,ox*stride+j]. It is one ConvGeneral with
// the batch as the contracted channel axis and g as a kernel dilated by stride.
// For a transposed convolution (x, dy) the same call with (dy, x) gives the
// kernel gradient in PyTorch's [Cin,Cout,k,k] layout.
func convKernelGrad(xin, g *Node, k, stride, padding int) *Node {
	axes := ConvolveAxesConfig{
		InputBatch: 1, InputChannels: 0, InputSpatial: []int{2, 3},
		KernelInputChannels: 0, KernelOutputChannels: 1, KernelSpatial: []int{2, 3},
		OutputBatch: 1, OutputChannels: 0, OutputSpatial: []int{2, 3},
	}
	out := ConvGeneral(xin, g, axes, nil, [][2]int{{padding, padding}, {padding, padding}},
		nil, []int{stride, stride}, 1, 1) // [O, C, >=k, >=k]
	d := out.Shape().Dimensions
	if d[2] != k || d[3] != k {
		out = Slice(out, AxisRange(), AxisRange(), AxisRange(0, k), AxisRange(0, k))
	}
	return out
}

// Gradients of the native path: GoMLX v0.28.13's ConvGeneral gradients are wrong for
// even kernel sizes (convVJPWrtX pads the reverse convolution by 2*((k-1)/2)
// instead of k-1) and panic for a transposed convolution with padding 0. The
// native path therefore wires, with customVJP, the adjoint convolutions
// themselves, which are forward ConvGenerals. Upstream fix: in convVJPWrtX use
// outputDimStart := -inputDimStart - kernelSize/2.
