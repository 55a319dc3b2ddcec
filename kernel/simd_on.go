//go:build goexperiment.simd

package kernel

// SIMDBuild reports whether this binary was built with GOEXPERIMENT=simd
// (GoMLX's AVX2/AVX-512 matmul kernels).
const SIMDBuild = true
