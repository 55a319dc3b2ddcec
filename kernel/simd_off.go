//go:build !goexperiment.simd

package kernel

// SIMDBuild reports whether this binary was built with GOEXPERIMENT=simd
// (GoMLX's AVX2/AVX-512 matmul kernels).
const SIMDBuild = false

// SIMDVectorBits is the vector width Go's simd package chose for this process
// (128, 256 or 512 bits; GoMLX's element-wise ops run at that width), or 0 in
// a build without GOEXPERIMENT=simd.
func SIMDVectorBits() int { return 0 }
