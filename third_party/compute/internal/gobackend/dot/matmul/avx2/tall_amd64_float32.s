// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64

#include "textflag.h"

// One k step of the tall 4x16 micro-kernel: the 16 RHS values of step k come
// from the packed strip (DI, 64 bytes a step); the 4 LHS values are read in
// place from four rows R8 bytes apart (SI, SI+R8, SI+2*R8, SI+R13 = SI+3*R8).
#define TSTEP(lo) \
	VMOVUPS (DI), Y8; \
	VMOVUPS 32(DI), Y9; \
	ADDQ $64, DI; \
	VBROADCASTSS lo(SI), Y10; \
	VFMADD231PS Y8, Y10, Y0; \
	VFMADD231PS Y9, Y10, Y1; \
	VBROADCASTSS lo(SI)(R8*1), Y11; \
	VFMADD231PS Y8, Y11, Y2; \
	VFMADD231PS Y9, Y11, Y3; \
	VBROADCASTSS lo(SI)(R8*2), Y12; \
	VFMADD231PS Y8, Y12, Y4; \
	VFMADD231PS Y9, Y12, Y5; \
	VBROADCASTSS lo(SI)(R13*1), Y13; \
	VFMADD231PS Y8, Y13, Y6; \
	VFMADD231PS Y9, Y13, Y7

// func avx2TallKernel4x16Float32Asm(lhs unsafe.Pointer, lhsStride uintptr, packedRHS unsafe.Pointer,
//     out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)
//
// out[r][c] (+)= sum_k lhs[r*lhsStride + 4k] * packedRHS[16k + c] for r < 4, c < 16:
// one 4x16 tile, the LHS read in place (four rows lhsStride bytes apart, each
// contiguous over k), the RHS packed in a strip of 16 columns (16 values a k
// step). Strides are in bytes.
TEXT ·avx2TallKernel4x16Float32Asm(SB), NOSPLIT, $0-49
	MOVQ lhs+0(FP), SI
	MOVQ lhsStride+8(FP), R8
	MOVQ packedRHS+16(FP), DI
	MOVQ out+24(FP), DX
	MOVQ outStride+32(FP), R11
	MOVQ contractingLen+40(FP), R12
	MOVB accumulate+48(FP), R15
	LEAQ (R8)(R8*2), R13

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
	TSTEP(0)
	TSTEP(4)
	TSTEP(8)
	TSTEP(12)
	ADDQ $16, SI
	DECQ CX
	JNZ k_loop4

k_rest:
	MOVQ R12, CX
	ANDQ $3, CX
	JZ store

k_loop1:
	TSTEP(0)
	ADDQ $4, SI
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

