package nn

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

func shapeOf(dtype dtypes.DType, dims ...int) shapes.Shape { return shapes.Make(dtype, dims...) }

// This file holds the Go-backend lowering: convolutions as matrix
// multiplications whose data movement uses only the backend's fast copies
// (Pad, which also crops with negative padding, Concatenate, and the blocked
// transposes), and whose gradients are written by hand (customVJP) so that
// autodiff never goes through the element-by-element Slice and its Pad
// gradient.

// crop returns x restricted to [start[a], end[a]) on each axis a, written as a
// Pad with negative padding (a run of memmoves in the Go backend, where Slice
// copies element by element). Its autodiff gradient is NOT correct in GoMLX
// v0.28.13 (padVJP does not handle negative padding): use it only inside
// customVJP forward or gradient functions.
func crop(x *Node, start, end []int) *Node {
	d := x.Shape().Dimensions
	axes := make([]PadAxis, len(d))
	touched := false
	for a := range d {
		axes[a] = PadAxis{Start: -start[a], End: -(d[a] - end[a])}
		touched = touched || start[a] != 0 || end[a] != d[a]
	}
	if !touched {
		return x
	}
	return Pad(x, ScalarZero(x.Graph(), x.DType()), axes...)
}

// cropG is crop written as a Gather of one slice: the Go backend copies its
// contiguous runs straight into an uninitialised output (Pad first zero-fills
// its output). Like crop, use it only inside customVJP functions.
func cropG(x *Node, start, end []int) *Node {
	d := x.Shape().Dimensions
	var axes []int
	var starts []int32
	var sizes []int
	outDims := make([]int, len(d))
	for a := range d {
		outDims[a] = end[a] - start[a]
		if start[a] != 0 || end[a] != d[a] {
			axes = append(axes, a)
			starts = append(starts, int32(start[a]))
			sizes = append(sizes, end[a]-start[a])
		}
	}
	if len(axes) == 0 {
		return x
	}
	st := Const(x.Graph(), [][]int32{starts})
	return Reshape(GatherSlices(x, axes, st, sizes, true), outDims...)
}

// shiftsG returns, for x [R, L] and offsets o_1..o_m, the [m*R, n] matrix whose
// block i is x[:, o_i : o_i+n]: one Gather of m slices, copied as contiguous
// rows.
func shiftsG(x *Node, offsets []int, n int) *Node {
	r := x.Shape().Dimensions[0]
	starts := make([][]int32, len(offsets))
	for i, o := range offsets {
		starts[i] = []int32{int32(o)}
	}
	st := Const(x.Graph(), starts)
	return Reshape(GatherSlices(x, []int{1}, st, []int{n}, true), len(offsets)*r, n)
}

// padTo places x at offset start inside zeros of shape dims.
func padTo(x *Node, start, dims []int) *Node {
	d := x.Shape().Dimensions
	axes := make([]PadAxis, len(d))
	touched := false
	for a := range d {
		axes[a] = PadAxis{Start: start[a], End: dims[a] - d[a] - start[a]}
		touched = touched || axes[a].Start != 0 || axes[a].End != 0
	}
	if !touched {
		return x
	}
	return Pad(x, ScalarZero(x.Graph(), x.DType()), axes...)
}

// customVJP returns y = fwd(x, w) + bias (bias [n] reshaped to biasDims, the
// per-channel shape of y; zeros when b is nil) with the gradients w.r.t. x and w given by
// dxFn(dL/dy) and dwFn(dL/dy) instead of autodiff through fwd; the bias
// gradient comes from autodiff (the sum of dL/dy over the broadcast axes). fwd
// must build its value from the x and w it is given (stand-ins for the
// arguments) without going through other gradient paths, and so must dxFn and
// dwFn where they need x or w.
//
// How it is wired, with GoMLX's public API only: the forward value is wrapped
// in StopGradient and then in graph.IdentityWithCustomGradient, whose gradient
// function records dL/dy. x and w pass through identities with custom
// gradients, tied to y by a zero-valued scalar (their first element times 0)
// added to the bias, so they receive a gradient whose value is ignored: their
// gradient functions return dxFn/dwFn of the recorded dL/dy. GoMLX's reverse
// pass visits nodes from the last created to the first, so creating the x and
// w identities before y guarantees dL/dy is recorded before it is used. The
// ignored incoming gradients are dropped by dead-code elimination.
//
// Buffers: fwd gets the identities, so x has that one consumer and the Go
// backend passes its buffer through instead of copying it; the tie reads one
// element of each. A fwd whose first step would reshape x in place takes x
// already reshaped: a second consumer still to run would make that reshape a
// copy.
func customVJP(x, w, b *Node, biasDims []int, fwd func(x, w *Node) *Node, dxFn, dwFn func(dy *Node) *Node) *Node {
	g := x.Graph()
	if w != nil {
		g = w.Graph()
	}
	var dy *Node // dL/dy of the current reverse pass
	grad := func(fn func(*Node) *Node, like *Node) func(_, _ *Node) *Node {
		return func(_, _ *Node) *Node {
			if dy == nil {
				return ZerosLike(like)
			}
			// A later gradient pass may reach these nodes (e.g. through an
			// optimizer update of the weights): they are not differentiable.
			return StopGradient(fn(dy))
		}
	}
	ix, iw := x, w
	var tie *Node
	if w != nil && dwFn != nil {
		iw = IdentityWithCustomGradient(w, grad(dwFn, w))
		tie = MulScalar(firstElement(iw), 0)
	}
	if x != nil && dxFn != nil {
		ix = IdentityWithCustomGradient(x, grad(dxFn, x))
		tx := MulScalar(firstElement(ix), 0)
		if tie == nil {
			tie = tx
		} else {
			tie = Add(tie, tx)
		}
	}
	y0 := StopGradient(fwd(ix, iw))
	n := 1
	for _, d := range biasDims {
		n *= d
	}
	if b == nil {
		b = Zeros(g, shapeOf(y0.DType(), n))
	}
	y := Add(y0, Reshape(Add(b, tie), biasDims...))
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		dy = v
		return v
	})
}

// customXGrad returns fwd(x) with the gradient w.r.t. x given by dxFn(dL/dy)
// instead of autodiff's through fwd. Unlike customVJP there is no tie: autodiff
// does go through fwd, to an identity of x whose gradient function discards
// what it receives and returns dxFn of the dL/dy recorded at fwd's output; the
// discarded gradient is dead code, dropped by dead-code elimination, but it is
// built, so fwd must use only ops whose GoMLX gradient can be built on the
// backend (not crop, nor the native transposed convolution). It costs no pass
// over y, where customVJP's scalar tie would.
func customXGrad(x *Node, fwd func(x *Node) *Node, dxFn func(dy *Node) *Node) *Node {
	var dy *Node // dL/dy of the current reverse pass
	ix := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		if dy == nil {
			return ZerosLike(x)
		}
		return StopGradient(dxFn(dy))
	})
	return IdentityWithCustomGradient(fwd(ix), func(_, v *Node) *Node {
		dy = v
		return v
	})
}

// firstElement returns n's first element as a scalar, a one-element slice (a
// reshape of the whole of n first would copy it when n has other consumers).
func firstElement(n *Node) *Node {
	ranges := make([]SliceAxisSpec, n.Rank())
	for a := range ranges {
		ranges[a] = AxisRange(0, 1)
	}
	return Reshape(Slice(n, ranges...))
}

// ---------------------------------------------------------------- stride 1, [C,B,H,W]

// convS1CBHW is the stride-1 convolution of x [C,B,H,W] (padding p) with
// wm [Cout, k*k*C] ((i, j, c) order), returning y [Cout,B,Ho,Wo] and the
// patches matrix pt [k*k*C, B*Hp*Wp] it multiplied.
//
// In this layout each kernel offset (i, j) is one shift of the whole padded
// plane: with the planes flattened to [C, B*Hp*Wp], the window element (i, j) of
// output position q is input position q + i*Wp + j. So the patches are k*k
// contiguous shifted copies, stacked along the rows, and the product is
// computed on the "wide" grid Ho x Wp (the k-1 extra columns per row, and the
// k-1 extra rows per image, are cropped afterwards).
func convS1CBHW(x, wm *Node, k, p int) (y, pt *Node) {
	d := x.Shape().Dimensions
	c, b, h, w := d[0], d[1], d[2], d[3]
	cout := wm.Shape().Dimensions[0]
	hp, wp := h+2*p, w+2*p
	ho, wo := hp-k+1, wp-k+1
	n := b * hp * wp
	// The shifted copies read up to maxShift past the last plane: one Pad adds
	// the spatial padding and enough zero planes after the batch for that.
	maxShift := (k-1)*wp + k - 1
	extra := (maxShift + hp*wp - 1) / (hp * wp)
	xp := padTo(x, []int{0, 0, p, p}, []int{c, b + extra, hp, wp})
	flat := Reshape(xp, c, (b+extra)*hp*wp) // [C, N + extra planes]
	offsets := make([]int, 0, k*k)
	for i := range k {
		for j := range k {
			offsets = append(offsets, i*wp+j)
		}
	}
	pt = shiftsG(flat, offsets, n)                         // [k*k*C, N]
	yw := DotGeneral(wm, []int{1}, nil, pt, []int{0}, nil) // [Cout, N]
	y = cropG(Reshape(yw, cout*b, hp, wp), []int{0, 0, 0}, []int{cout * b, ho, wo})
	y = Reshape(y, cout, b, ho, wo)
	return y, pt
}

// conv2DCBHW is Conv2D with stride 1 on x [Cin,B,H,W] and the PyTorch weight
// wt [Cout,Cin,k,k]; it returns [Cout,B,Ho,Wo].
func conv2DCBHW(x, wt, bias *Node, k, p int) *Node {
	wd := wt.Shape().Dimensions
	cout, cin := wd[0], wd[1]
	xd := x.Shape().Dimensions
	hp, wp := xd[2]+2*p, xd[3]+2*p
	n := xd[1] * hp * wp
	// wm [Cout, (i, j, ci)].
	wm := cachedWeight(wt, "ijc", func() *Node {
		return Reshape(kernelMajor(wt), cout, k*k*cin)
	})
	var pt *Node
	return customVJP(x, wm, bias, []int{cout, 1, 1, 1},
		func(xi, wi *Node) *Node {
			var y *Node
			y, pt = convS1CBHW(xi, wi, k, p)
			return y
		},
		func(dy *Node) *Node {
			// dL/dx is the stride-1 convolution of dy (padding k-1-p) with the
			// flipped kernel, channels swapped: wf [Cin, (i, j, co)].
			wf := Reshape(TransposeAllAxes(Reverse(wt, 2, 3), 1, 2, 3, 0), cin, k*k*cout)
			dx, _ := convS1CBHW(dy, wf, k, k-1-p)
			return dx
		},
		func(dy *Node) *Node {
			dd := dy.Shape().Dimensions
			b, ho, wo := dd[1], dd[2], dd[3]
			kkc := k * k * cin
			// [k*k*Cin, N] x [Cout, N]^T, then a small transpose: with the long
			// patches matrix as the left operand the backend's GEMM packs less.
			// The two must agree on the grid: either dy goes to the wide grid
			// (a Pad) or the patches to the valid one (a Gather of rows). The
			// backend's Gather copies about twice as fast per byte as its Pad
			// (zero-fill, then row copies), so the patches are cropped when
			// they are at most twice dy's wide size (the DQN's first layer:
			// Cin 4, a 7.7 ms Pad of dy against a 3.9 ms crop).
			var dw *Node
			if kkc*b*ho*wo <= 2*cout*n {
				// Contracting dy's three grid axes as they are: a reshape of dy
				// would be a copy while the bias gradient still reads it.
				ptv := Reshape(cropG(Reshape(pt, kkc*b, hp, wp), []int{0, 0, 0}, []int{kkc * b, ho, wo}), kkc, b, ho, wo)
				dw = DotGeneral(ptv, []int{1, 2, 3}, nil, dy, []int{1, 2, 3}, nil)
			} else {
				dyw := Reshape(padTo(dy, []int{0, 0, 0, 0}, []int{cout, b, hp, wp}), cout, n) // zeros off the valid grid
				dw = DotGeneral(pt, []int{1}, nil, dyw, []int{1}, nil)
			}
			return TransposeAllAxes(dw, 1, 0) // [k*k*Cin, Cout] -> [Cout, k*k*Cin]
		})
}

// ---------------------------------------------------------------- [B,H,W,C] plans

// nhwcPlan is the im2col geometry of a convolution on [B,H,W,C] (padding p,
// kernel k) that can be done with whole-block copies: either a stride s >= 2
// that divides the kernel and the padded sizes (space-to-depth by s turns it
// into a stride-1 convolution with a k/s kernel on s*s*C channels), or one
// window covering the whole (unpadded) input.
type nhwcPlan struct {
	b, h, w, c, k, p int
	full             bool // one window = the whole input
	s                int  // stride (the space-to-depth factor)
	hp, wp           int  // padded input
	hs, ws           int  // space-to-depth grid (hp/s, wp/s)
	ho, wo           int  // output grid
	kk               int  // k/s
}

// newNHWCPlan returns the plan for input [b,h,w,c], kernel k, stride s and
// padding p, if one applies.
func newNHWCPlan(b, h, w, c, k, s, p int) (nhwcPlan, bool) {
	pl := nhwcPlan{b: b, h: h, w: w, c: c, k: k, p: p, hp: h + 2*p, wp: w + 2*p}
	if p == 0 && h == k && w == k {
		pl.full, pl.ho, pl.wo = true, 1, 1
		return pl, true
	}
	if s < 2 || k%s != 0 || pl.hp%s != 0 || pl.wp%s != 0 || pl.hp < k || pl.wp < k {
		return pl, false
	}
	pl.s, pl.kk = s, k/s
	pl.hs, pl.ws = pl.hp/s, pl.wp/s
	pl.ho, pl.wo = pl.hs-pl.kk+1, pl.ws-pl.kk+1
	return pl, true
}

// kSize is the patch length.
func (pl nhwcPlan) kSize() int { return pl.k * pl.k * pl.c }

// depth is the channel count after space-to-depth, s*s*C: the length of one
// kernel offset's block in a patch.
func (pl nhwcPlan) depth() int { return pl.s * pl.s * pl.c }

// order returns the PyTorch-layout weight w4 [O, C, k, k] as the matrix
// [O, K] in this plan's patch order.
func (pl nhwcPlan) order(w4 *Node) *Node {
	d := w4.Shape().Dimensions
	o, c, k := d[0], d[1], d[2]
	t := kernelMajor(w4) // [O, (i, j), C]
	if pl.full {
		return Reshape(t, o, k*k*c)
	}
	// (i, j) = (s*di + a, s*dj + b): [O*kk, a, dj, (b, C)] -> [O*kk, dj, a, (b, C)].
	kk := pl.kk
	t = TransposeAllAxes(Reshape(t, o*kk, pl.s, kk, pl.s*c), 0, 2, 1, 3) // the Go backend's fast [0,2,1,3]
	return Reshape(t, o, k*k*c)
}

// orderName names the patch order of this plan (a weight-cache key).
func (pl nhwcPlan) orderName() string {
	if pl.full {
		return "ijc"
	}
	return fmt.Sprintf("s2d%d", pl.s)
}

// s2d is space-to-depth by s: [B,s*H,s*W,C] -> [B,H,W,(a,b,C)].
func s2d(x *Node, s int) *Node {
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1]/s, d[2]/s, d[3]
	t := TransposeAllAxes(Reshape(x, b*h, s, w, s*c), 0, 2, 1, 3) // [B*H, W, a, (b, C)]
	return Reshape(t, b, h, w, s*s*c)
}

// d2s is depth-to-space by s, the inverse of s2d.
func d2s(x *Node, s int) *Node {
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]/(s*s)
	t := TransposeAllAxes(Reshape(x, b*h, w, s, s*c), 0, 2, 1, 3) // [B*H, a, W, (b, C)]
	return Reshape(t, b, s*h, s*w, c)
}

// patches returns the im2col matrix [B*Ho*Wo, K] of x [B,H,W,C].
func (pl nhwcPlan) patches(x *Node) *Node {
	if pl.full {
		return Reshape(x, pl.b, pl.kSize())
	}
	xs := s2d(padTo(x, []int{0, pl.p, pl.p, 0}, []int{pl.b, pl.hp, pl.wp, pl.c}), pl.s) // [B,Hs,Ws,s*s*C]
	return windowPatches(xs, pl.kk, pl.ho, pl.wo)
}

// windowPatches returns the kk*kk windows of xs [B,Hs,Ws,D] over an ho x wo
// grid as [B*ho*wo, kk*kk*D], window (di, dj) outer and depth inner. One
// gather writes them straight into [B, ho, wo, kk*kk, D] (the windows' index
// axis placed before the depth axis), copied as contiguous runs of D, and
// the Go backend's tall products read such a gather in place. GatherSlices
// puts the windows first, [kk*kk, B, ho, wo, D], and needed a transpose after
// it: the raw gather saves 1.1 ms of 3.4 on the fast DQN's first layer and 1.8
// of 6.9 on the DCGAN's (one thread). BackendGather is documented as internal
// to GoMLX; the version is pinned, and its gradient is never built here (the
// patches are used inside customVJP only).
func windowPatches(xs *Node, kk, ho, wo int) *Node {
	d := xs.Shape().Dimensions
	b, depth := d[0], d[3]
	starts := make([][]int32, 0, kk*kk)
	for di := range kk {
		for dj := range kk {
			starts = append(starts, []int32{int32(di), int32(dj)})
		}
	}
	g := BackendGather(xs, Const(xs.Graph(), starts), 1, []int{0, 1, 2, 4}, nil, []int{1, 2},
		[]int{b, ho, wo, depth}, true) // [B, ho, wo, kk*kk, D]
	return Reshape(g, b*ho*wo, kk*kk*depth)
}

// adjointProduct is pl.adjoint(m x w) for m [B*Ho*Wo, C] and w [C, K] (K in
// this plan's patch order): a strided convolution's input gradient (m = dY)
// or a transposed convolution's output (m = x). Output cell (y, x) of the
// space-to-depth grid sums m[y-di, x-dj] w_(di,dj) over the windows, which is a
// stride-1 product over the windows of m padded by kk-1: patches [B*Hs*Ws,
// kk*kk*C] times the window-reversed weights. Where the depth s*s*C' is a
// multiple of 32 and at most 128 the Go backend's tall path reads those
// windows in place, and this replaces the product into [B*Ho*Wo, K] and the
// kk*kk Pads and the Add that scatter it back (for Hs*Ws/(Ho*Wo) more
// arithmetic: 81/64 on the fast DQN's second layer); elsewhere it keeps them.
func (pl nhwcPlan) adjointProduct(m, w *Node) *Node {
	dd := pl.depth()
	if pl.full || dd%32 != 0 || dd > 128 {
		return pl.adjoint(DotGeneral(m, []int{1}, nil, w, []int{0}, nil))
	}
	c, kk := m.Shape().Dimensions[1], pl.kk
	mp := padTo(Reshape(m, pl.b, pl.ho, pl.wo, c), []int{0, kk - 1, kk - 1, 0},
		[]int{pl.b, pl.ho + 2*(kk-1), pl.wo + 2*(kk-1), c}) // [B, Hs+kk-1, Ws+kk-1, C]
	pt := windowPatches(mp, kk, pl.hs, pl.ws) // [B*Hs*Ws, kk*kk*C], window (a, b) = (kk-1-di, kk-1-dj)
	// [D, (a, b), C]: window (a, b)'s block is w_(kk-1-a, kk-1-b) transposed.
	wr := Reverse(Reshape(w, c, kk*kk, dd), 1)
	wt := Reshape(TransposeAllAxes(wr, 2, 1, 0), dd, kk*kk*c)
	sum := Reshape(DotGeneral(pt, []int{1}, nil, wt, []int{1}, nil), pl.b, pl.hs, pl.ws, dd) // [B,Hs,Ws,D]
	return cropG(d2s(sum, pl.s), []int{0, pl.p, pl.p, 0}, []int{pl.b, pl.p + pl.h, pl.p + pl.w, pl.c})
}

// adjoint is the transpose of patches: it overlap-adds cols [B*Ho*Wo, K] into
// [B,H,W,C].
func (pl nhwcPlan) adjoint(cols *Node) *Node {
	if pl.full {
		return Reshape(cols, pl.b, pl.h, pl.w, pl.c)
	}
	cols = Reshape(cols, pl.b, pl.ho, pl.wo, pl.kSize())
	block := pl.depth()
	var sum *Node
	for di := range pl.kk {
		for dj := range pl.kk {
			off := (di*pl.kk + dj) * block
			// One Pad both crops the block out of the last axis (negative
			// padding) and places it at (di, dj) on the [B,Hs,Ws,4C] grid.
			blk := Pad(cols, ScalarZero(cols.Graph(), cols.DType()), PadAxis{},
				PadAxis{Start: di, End: pl.hs - pl.ho - di}, PadAxis{Start: dj, End: pl.ws - pl.wo - dj},
				PadAxis{Start: -off, End: -(pl.kSize() - off - block)})
			if sum == nil {
				sum = blk
			} else {
				sum = Add(sum, blk)
			}
		}
	}
	return cropG(d2s(sum, pl.s), []int{0, pl.p, pl.p, 0}, []int{pl.b, pl.p + pl.h, pl.p + pl.w, pl.c})
}

// conv2DPlan is Conv2D on x [B,H,W,Cin] with the plan's geometry; it returns
// [B,Ho,Wo,Cout].
func conv2DPlan(pl nhwcPlan, x, wt, bias *Node) *Node {
	cout := wt.Shape().Dimensions[0]
	wm := cachedWeight(wt, pl.orderName(), func() *Node { return pl.order(wt) }) // [Cout, K]
	// The patches, and customVJP's stand-in for wm (reading wm itself in the
	// input gradient would make the backend copy it).
	var pt, wI *Node
	y := customVJP(x, wm, bias, []int{1, cout},
		func(xi, wi *Node) *Node {
			pt, wI = pl.patches(xi), wi
			return DotGeneral(pt, []int{1}, nil, wi, []int{1}, nil) // [P, Cout]
		},
		func(dy *Node) *Node {
			return pl.adjointProduct(dy, wI) // [B,H,W,Cin]
		},
		func(dy *Node) *Node {
			return mulLeadingT(dy, pt) // [Cout, K]
		})
	return Reshape(y, pl.b, pl.ho, pl.wo, cout)
}

// convTranspose2DPlan is ConvTranspose2D on x [B,H,W,Cin] whose output geometry
// [B,Ho,Wo,Cout] has plan pl (so pl.ho == H, pl.wo == W); it returns
// [B,Ho,Wo,Cout].
func convTranspose2DPlan(pl nhwcPlan, x, wt, bias *Node) *Node {
	d := x.Shape().Dimensions
	cin := d[3]
	cout := pl.c
	xm := Reshape(x, d[0]*d[1]*d[2], cin)
	wm := cachedWeight(wt, pl.orderName(), func() *Node { return pl.order(wt) }) // [Cin, K]
	// The patches of dy serve both gradients; keep the last ones, per dy.
	var pdy, pdyFor *Node
	patchesOf := func(dy *Node) *Node {
		if pdyFor != dy {
			pdy, pdyFor = pl.patches(dy), dy
		}
		return pdy
	}
	var xi, wi *Node // customVJP's stand-ins for xm and wm
	return customVJP(xm, wm, bias, []int{1, 1, 1, cout},
		func(x, w *Node) *Node {
			xi, wi = x, w
			return pl.adjointProduct(x, w) // [B,Ho,Wo,Cout]
		},
		func(dy *Node) *Node {
			return DotGeneral(patchesOf(dy), []int{1}, nil, wi, []int{1}, nil) // [B*H*W, Cin]
		},
		func(dy *Node) *Node {
			return mulLeadingT(xi, patchesOf(dy)) // [Cin, K]
		})
}

// mulLeadingT returns aᵀ·b [M, N] for a [P, M] and b [P, N] (a weight
// gradient: a the output gradient or the input, b the patches). It transposes
// only a, the narrow one: the Go backend turns a DotGeneral that contracts
// both leading axes into two transposes, b's [P, N] being the largest matrix
// of the step (a DCGAN step spent 12% of its time in them).
func mulLeadingT(a, b *Node) *Node {
	return DotGeneral(TransposeAllAxes(a, 1, 0), []int{1}, nil, b, []int{0}, nil) // [M, P] x [P, N]
}

// ---------------------------------------------------------------- max-pool 2x2

// maxPair returns max(a, b) elementwise and, for the reverse pass, the split of
// a gradient g of the result between a (where a >= b: ties go to the first, as
// PyTorch's max-pool picks the first maximum) and b.
func maxPair(a, b *Node) (m *Node, split func(g *Node) (ga, gb *Node)) {
	m = Max(a, b)
	return m, func(g *Node) (*Node, *Node) {
		ge := GreaterOrEqual(a, b)
		zero := ScalarZero(g.Graph(), g.DType())
		return Where(ge, g, zero), Where(ge, zero, g)
	}
}

// pairMax reduces axis 1 (of size 2) of x [A, 2, B] by max with whole-row
// copies, returning [A, B] and the gradient scatter back to [A, 2, B].
func pairMax(x *Node) (*Node, func(g *Node) *Node) {
	d := x.Shape().Dimensions
	a := Reshape(cropG(x, []int{0, 0, 0}, []int{d[0], 1, d[2]}), d[0], d[2])
	b := Reshape(cropG(x, []int{0, 1, 0}, []int{d[0], 2, d[2]}), d[0], d[2])
	m, split := maxPair(a, b)
	return m, func(g *Node) *Node {
		ga, gb := split(g)
		return Concatenate([]*Node{Reshape(ga, d[0], 1, d[2]), Reshape(gb, d[0], 1, d[2])}, 1)
	}
}

// maxPool2CBHW is the 2x2 max-pool of x [C,B,H,W] (H, W even).
func maxPool2CBHW(x *Node) *Node {
	d := x.Shape().Dimensions
	c, b, h, w := d[0], d[1], d[2], d[3]
	r := c * b * h
	var colsBack, rowsBack func(*Node) *Node
	// x goes in already reshaped (see customVJP's note on buffers): [R*W/2, 2].
	return customXGrad(Reshape(x, r*w/2, 2),
		func(x *Node) *Node {
			// Column parity to the leading axis (tiled 2D transpose), then rows.
			xc := Reshape(TransposeAllAxes(x, 1, 0), 1, 2, r*w/2)
			var m1, m2 *Node
			m1, colsBack = pairMax(xc)                       // [1, R*W/2]
			m2, rowsBack = pairMax(Reshape(m1, r/2, 2, w/2)) // [R/2, W/2]
			return Reshape(m2, c, b, h/2, w/2)
		},
		func(dy *Node) *Node {
			g1 := Reshape(rowsBack(Reshape(dy, r/2, w/2)), r, w/2)
			g0 := colsBack(Reshape(g1, 1, r*w/2))                // [1, 2, R*W/2]
			return TransposeAllAxes(Reshape(g0, 2, r*w/2), 1, 0) // [R*W/2, 2]
		})
}

// maxPool2NHWC is the 2x2 max-pool of x [B,H,W,C] (H, W even). Columns are
// paired before rows, as in maxPool2CBHW, so that of tied maxima the first in
// row-major order gets the gradient.
func maxPool2NHWC(x *Node) *Node {
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]
	var colsBack, rowsBack func(*Node) *Node
	// x goes in already reshaped (see customVJP's note on buffers): [B*H*W/2, 2, C].
	return customXGrad(Reshape(x, b*h*w/2, 2, c),
		func(x *Node) *Node {
			var m1, m2 *Node
			m1, colsBack = pairMax(x)                            // [B*H*W/2, C]
			m2, rowsBack = pairMax(Reshape(m1, b*h/2, 2, w/2*c)) // [B*H/2, W/2*C]
			return Reshape(m2, b, h/2, w/2, c)
		},
		func(dy *Node) *Node {
			g1 := Reshape(rowsBack(Reshape(dy, b*h/2, w/2*c)), b*h*w/2, c)
			return colsBack(g1) // [B*H*W/2, 2, C]
		})
}
