// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64

#include "textflag.h"

// One k step of the strided 4x16 micro-kernel: the RHS row's 16 values are read
// at DI (then DI += R9); the 4 LHS values come from the packed strip (SI).
// STEP_COPY also prefetches the next column strip's line of this RHS row and
// stores the 16 values at R10 (then R10 += 64).
#define STEP(lo) \
	VMOVUPS (DI), Y8; \
	VMOVUPS 32(DI), Y9; \
	ADDQ R9, DI; \
	VBROADCASTSS lo(SI), Y10; \
	VFMADD231PS Y8, Y10, Y0; \
	VFMADD231PS Y9, Y10, Y1; \
	VBROADCASTSS lo+4(SI), Y11; \
	VFMADD231PS Y8, Y11, Y2; \
	VFMADD231PS Y9, Y11, Y3; \
	VBROADCASTSS lo+8(SI), Y12; \
	VFMADD231PS Y8, Y12, Y4; \
	VFMADD231PS Y9, Y12, Y5; \
	VBROADCASTSS lo+12(SI), Y13; \
	VFMADD231PS Y8, Y13, Y6; \
	VFMADD231PS Y9, Y13, Y7

#define STEP_COPY(lo) \
	VMOVUPS (DI), Y8; \
	VMOVUPS 32(DI), Y9; \
	PREFETCHT0 64(DI); \
	VMOVUPS Y8, (R10); \
	VMOVUPS Y9, 32(R10); \
	ADDQ $64, R10; \
	ADDQ R9, DI; \
	VBROADCASTSS lo(SI), Y10; \
	VFMADD231PS Y8, Y10, Y0; \
	VFMADD231PS Y9, Y10, Y1; \
	VBROADCASTSS lo+4(SI), Y11; \
	VFMADD231PS Y8, Y11, Y2; \
	VFMADD231PS Y9, Y11, Y3; \
	VBROADCASTSS lo+8(SI), Y12; \
	VFMADD231PS Y8, Y12, Y4; \
	VFMADD231PS Y9, Y12, Y5; \
	VBROADCASTSS lo+12(SI), Y13; \
	VFMADD231PS Y8, Y13, Y6; \
	VFMADD231PS Y9, Y13, Y7

// func avx2StridedKernel4x16Float32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
//     out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)
//
// out[r][c] (+)= sum_k packedLHS[4k+r] * rhs[k*rhsStride + c] for r < 4, c < 16:
// one 4x16 tile, the LHS packed in a strip of 4 rows (4 values a k step), the RHS
// read in place, row k at rhs + k*rhsStride bytes. Strides are in bytes.
TEXT ·avx2StridedKernel4x16Float32Asm(SB), NOSPLIT, $0-49
	MOVQ packedLHS+0(FP), SI
	MOVQ rhs+8(FP), DI
	MOVQ rhsStride+16(FP), R9
	MOVQ out+24(FP), DX
	MOVQ outStride+32(FP), R11
	MOVQ contractingLen+40(FP), R12
	MOVB accumulate+48(FP), R15

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

	MOVQ R12, CX
	SHRQ $2, CX
	JZ k_rest

	PCALIGN $32
k_loop4:
	STEP(0)
	STEP(16)
	STEP(32)
	STEP(48)
	ADDQ $64, SI
	DECQ CX
	JNZ k_loop4

k_rest:
	MOVQ R12, CX
	ANDQ $3, CX
	JZ store

k_loop1:
	STEP(0)
	ADDQ $16, SI
	DECQ CX
	JNZ k_loop1

store:
	TESTB R15, R15
	JNZ store_accum

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R11, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R11, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R11, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

store_accum:
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	ADDQ R11, DX
	VADDPS (DX), Y2, Y2
	VMOVUPS Y2, (DX)
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y3, 32(DX)
	ADDQ R11, DX
	VADDPS (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ R11, DX
	VADDPS (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func avx2StridedKernel4x16CopyFloat32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
//     out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool, copyTo unsafe.Pointer)
//
// As avx2StridedKernel4x16Float32Asm, and it also copies the RHS rows it reads,
// 16 values each, contiguously to copyTo (contractingLen*16 floats), so that the
// other row strips of the product read them from there (L1) instead.
//
// out[r][c] (+)= sum_k packedLHS[4k+r] * rhs[k*rhsStride + c] for r < 4, c < 16:
// one 4x16 tile, the LHS packed in a strip of 4 rows (4 values a k step), the RHS
// read in place, row k at rhs + k*rhsStride bytes. Strides are in bytes.
TEXT ·avx2StridedKernel4x16CopyFloat32Asm(SB), NOSPLIT, $0-64
	MOVQ packedLHS+0(FP), SI
	MOVQ rhs+8(FP), DI
	MOVQ rhsStride+16(FP), R9
	MOVQ out+24(FP), DX
	MOVQ outStride+32(FP), R11
	MOVQ contractingLen+40(FP), R12
	MOVB accumulate+48(FP), R15
	MOVQ copyTo+56(FP), R10

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

	MOVQ R12, CX
	SHRQ $2, CX
	JZ c_rest

	PCALIGN $32
c_loop4:
	STEP_COPY(0)
	STEP_COPY(16)
	STEP_COPY(32)
	STEP_COPY(48)
	ADDQ $64, SI
	DECQ CX
	JNZ c_loop4

c_rest:
	MOVQ R12, CX
	ANDQ $3, CX
	JZ cstore

c_loop1:
	STEP_COPY(0)
	ADDQ $16, SI
	DECQ CX
	JNZ c_loop1

cstore:
	TESTB R15, R15
	JNZ cstore_accum

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R11, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R11, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R11, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

cstore_accum:
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	ADDQ R11, DX
	VADDPS (DX), Y2, Y2
	VMOVUPS Y2, (DX)
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y3, 32(DX)
	ADDQ R11, DX
	VADDPS (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ R11, DX
	VADDPS (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET
