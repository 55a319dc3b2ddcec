// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build goexperiment.simd

// Package simdpart has bounds-safe replacements for the simd.Load*sPart functions.
//
// On amd64 (Go 1.27), simd.LoadFloat32sPart and its siblings load a whole vector from the
// start of a short slice and then zero the lanes past its end (archsimd.LoadFloat32x16Part:
// LoadFloat32x16Array(paFloat32x16(s)).Masked(mask)). The load itself reads up to
// vector-width bytes past the end of the slice: when the slice ends right before an unmapped
// page this faults (SIGSEGV, "unexpected fault address"). The functions here only read the
// slice's own elements: a short slice is first copied into a zeroed stack buffer of the widest
// vector (64 bytes) and the vector is loaded from there. Slices of a full vector or more take
// the plain full load.
//
// StorePart does not need a replacement: on amd64 it is a masked store (VMASKMOVPS/VPMASKMOVD,
// or an AVX-512 {k} masked move), for which the CPU suppresses faults of masked-off lanes, or
// is done piecewise with scalar stores; on arm64 and wasm it is piecewise.
package simdpart

import "simd"

// maxVectorBytes is the widest vector simd uses (512 bits, AVX-512).
const maxVectorBytes = 64

// LoadFloat32sPart is simd.LoadFloat32sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadFloat32sPart(s []float32) (simd.Float32s, int) {
	var zero simd.Float32s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadFloat32s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadFloat32sTail(s)
}

// loadFloat32sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadFloat32sTail(s []float32) (simd.Float32s, int) {
	var buf [maxVectorBytes / 4]float32
	n := copy(buf[:], s)
	return simd.LoadFloat32s(buf[:]), n
}

// LoadFloat64sPart is simd.LoadFloat64sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadFloat64sPart(s []float64) (simd.Float64s, int) {
	var zero simd.Float64s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadFloat64s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadFloat64sTail(s)
}

// loadFloat64sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadFloat64sTail(s []float64) (simd.Float64s, int) {
	var buf [maxVectorBytes / 8]float64
	n := copy(buf[:], s)
	return simd.LoadFloat64s(buf[:]), n
}

// LoadInt32sPart is simd.LoadInt32sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadInt32sPart(s []int32) (simd.Int32s, int) {
	var zero simd.Int32s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadInt32s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadInt32sTail(s)
}

// loadInt32sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadInt32sTail(s []int32) (simd.Int32s, int) {
	var buf [maxVectorBytes / 4]int32
	n := copy(buf[:], s)
	return simd.LoadInt32s(buf[:]), n
}

// LoadInt64sPart is simd.LoadInt64sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadInt64sPart(s []int64) (simd.Int64s, int) {
	var zero simd.Int64s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadInt64s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadInt64sTail(s)
}

// loadInt64sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadInt64sTail(s []int64) (simd.Int64s, int) {
	var buf [maxVectorBytes / 8]int64
	n := copy(buf[:], s)
	return simd.LoadInt64s(buf[:]), n
}

// LoadUint16sPart is simd.LoadUint16sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadUint16sPart(s []uint16) (simd.Uint16s, int) {
	var zero simd.Uint16s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadUint16s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadUint16sTail(s)
}

// loadUint16sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadUint16sTail(s []uint16) (simd.Uint16s, int) {
	var buf [maxVectorBytes / 2]uint16
	n := copy(buf[:], s)
	return simd.LoadUint16s(buf[:]), n
}

// LoadUint32sPart is simd.LoadUint32sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadUint32sPart(s []uint32) (simd.Uint32s, int) {
	var zero simd.Uint32s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadUint32s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadUint32sTail(s)
}

// loadUint32sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadUint32sTail(s []uint32) (simd.Uint32s, int) {
	var buf [maxVectorBytes / 4]uint32
	n := copy(buf[:], s)
	return simd.LoadUint32s(buf[:]), n
}

// LoadUint64sPart is simd.LoadUint64sPart without reading past the end of s: it returns the
// vector with the first min(len(s), vector length) elements of s and zeroes in the other
// lanes, and the number of elements loaded.
func LoadUint64sPart(s []uint64) (simd.Uint64s, int) {
	var zero simd.Uint64s
	vLen := zero.Len()
	if len(s) >= vLen {
		return simd.LoadUint64s(s), vLen
	}
	if len(s) == 0 {
		return zero, 0
	}
	return loadUint64sTail(s)
}

// loadUint64sTail loads 0 < len(s) < vector length elements through a full-width stack buffer.
func loadUint64sTail(s []uint64) (simd.Uint64s, int) {
	var buf [maxVectorBytes / 8]uint64
	n := copy(buf[:], s)
	return simd.LoadUint64s(buf[:]), n
}
