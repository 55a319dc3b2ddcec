// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64

#include "textflag.h"

// AVX-512 (AVX512F) versions of the tall and skinny paths' micro-kernels:
// 4x32 output tiles, each row's 32 columns in two ZMM registers (Z0..Z7 the
// eight accumulators, as the AVX2 4x16 kernels keep eight YMM ones). Same
// arguments and semantics as the 4x16 kernels with 32 columns in place of 16.
// Only called where gobackend.IsAVX512Allowed (wideKernels).

// One k step of the tall 4x32 kernel: the 32 RHS values of step k from the
// packed strip (DI, 128 bytes a step); the 4 LHS values read in place from four
// rows R8 bytes apart (SI, SI+R8, SI+2*R8, SI+R13 = SI+3*R8).
#define WTSTEP(lo) \
	VMOVUPS (DI), Z8; \
	VMOVUPS 64(DI), Z9; \
	ADDQ $128, DI; \
	VBROADCASTSS lo(SI), Z10; \
	VFMADD231PS Z8, Z10, Z0; \
	VFMADD231PS Z9, Z10, Z1; \
	VBROADCASTSS lo(SI)(R8*1), Z11; \
	VFMADD231PS Z8, Z11, Z2; \
	VFMADD231PS Z9, Z11, Z3; \
	VBROADCASTSS lo(SI)(R8*2), Z12; \
	VFMADD231PS Z8, Z12, Z4; \
	VFMADD231PS Z9, Z12, Z5; \
	VBROADCASTSS lo(SI)(R13*1), Z13; \
	VFMADD231PS Z8, Z13, Z6; \
	VFMADD231PS Z9, Z13, Z7

// func avx512TallKernel4x32Float32Asm(lhs unsafe.Pointer, lhsStride uintptr, packedRHS unsafe.Pointer,
//     out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)
//
// out[r][c] (+)= sum_k lhs[r*lhsStride + 4k] * packedRHS[32k + c] for r < 4, c < 32.
TEXT ·avx512TallKernel4x32Float32Asm(SB), NOSPLIT, $0-49
	MOVQ lhs+0(FP), SI
	MOVQ lhsStride+8(FP), R8
	MOVQ packedRHS+16(FP), DI
	MOVQ out+24(FP), DX
	MOVQ outStride+32(FP), R11
	MOVQ contractingLen+40(FP), R12
	MOVB accumulate+48(FP), R15
	LEAQ (R8)(R8*2), R13

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

	MOVQ R12, CX
	SHRQ $2, CX
	JZ t_rest

	PCALIGN $32
t_loop4:
	WTSTEP(0)
	WTSTEP(4)
	WTSTEP(8)
	WTSTEP(12)
	ADDQ $16, SI
	DECQ CX
	JNZ t_loop4

t_rest:
	MOVQ R12, CX
	ANDQ $3, CX
	JZ tstore

t_loop1:
	WTSTEP(0)
	ADDQ $4, SI
	DECQ CX
	JNZ t_loop1

tstore:
	TESTB R15, R15
	JNZ tstore_accum

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

tstore_accum:
	VADDPS (DX), Z0, Z0
	VMOVUPS Z0, (DX)
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z1, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z2, Z2
	VMOVUPS Z2, (DX)
	VADDPS 64(DX), Z3, Z3
	VMOVUPS Z3, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z4, Z4
	VMOVUPS Z4, (DX)
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z5, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z6, Z6
	VMOVUPS Z6, (DX)
	VADDPS 64(DX), Z7, Z7
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

// One k step of the strided 4x32 kernel: the RHS row's 32 values read at DI
// (then DI += R9); the 4 LHS values from the packed strip (SI). WSTEP_COPY also
// prefetches the next column strip's lines of this RHS row and stores the 32
// values at R10 (then R10 += 128).
#define WSTEP(lo) \
	VMOVUPS (DI), Z8; \
	VMOVUPS 64(DI), Z9; \
	ADDQ R9, DI; \
	VBROADCASTSS lo(SI), Z10; \
	VFMADD231PS Z8, Z10, Z0; \
	VFMADD231PS Z9, Z10, Z1; \
	VBROADCASTSS lo+4(SI), Z11; \
	VFMADD231PS Z8, Z11, Z2; \
	VFMADD231PS Z9, Z11, Z3; \
	VBROADCASTSS lo+8(SI), Z12; \
	VFMADD231PS Z8, Z12, Z4; \
	VFMADD231PS Z9, Z12, Z5; \
	VBROADCASTSS lo+12(SI), Z13; \
	VFMADD231PS Z8, Z13, Z6; \
	VFMADD231PS Z9, Z13, Z7

#define WSTEP_COPY(lo) \
	VMOVUPS (DI), Z8; \
	VMOVUPS 64(DI), Z9; \
	PREFETCHT0 128(DI); \
	PREFETCHT0 192(DI); \
	VMOVUPS Z8, (R10); \
	VMOVUPS Z9, 64(R10); \
	ADDQ $128, R10; \
	ADDQ R9, DI; \
	VBROADCASTSS lo(SI), Z10; \
	VFMADD231PS Z8, Z10, Z0; \
	VFMADD231PS Z9, Z10, Z1; \
	VBROADCASTSS lo+4(SI), Z11; \
	VFMADD231PS Z8, Z11, Z2; \
	VFMADD231PS Z9, Z11, Z3; \
	VBROADCASTSS lo+8(SI), Z12; \
	VFMADD231PS Z8, Z12, Z4; \
	VFMADD231PS Z9, Z12, Z5; \
	VBROADCASTSS lo+12(SI), Z13; \
	VFMADD231PS Z8, Z13, Z6; \
	VFMADD231PS Z9, Z13, Z7

// func avx512StridedKernel4x32Float32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
//     out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool)
//
// out[r][c] (+)= sum_k packedLHS[4k+r] * rhs[k*rhsStride + c] for r < 4, c < 32.
TEXT ·avx512StridedKernel4x32Float32Asm(SB), NOSPLIT, $0-49
	MOVQ packedLHS+0(FP), SI
	MOVQ rhs+8(FP), DI
	MOVQ rhsStride+16(FP), R9
	MOVQ out+24(FP), DX
	MOVQ outStride+32(FP), R11
	MOVQ contractingLen+40(FP), R12
	MOVB accumulate+48(FP), R15

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

	MOVQ R12, CX
	SHRQ $2, CX
	JZ s_rest

	PCALIGN $32
s_loop4:
	WSTEP(0)
	WSTEP(16)
	WSTEP(32)
	WSTEP(48)
	ADDQ $64, SI
	DECQ CX
	JNZ s_loop4

s_rest:
	MOVQ R12, CX
	ANDQ $3, CX
	JZ sstore

s_loop1:
	WSTEP(0)
	ADDQ $16, SI
	DECQ CX
	JNZ s_loop1

sstore:
	TESTB R15, R15
	JNZ sstore_accum

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

sstore_accum:
	VADDPS (DX), Z0, Z0
	VMOVUPS Z0, (DX)
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z1, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z2, Z2
	VMOVUPS Z2, (DX)
	VADDPS 64(DX), Z3, Z3
	VMOVUPS Z3, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z4, Z4
	VMOVUPS Z4, (DX)
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z5, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z6, Z6
	VMOVUPS Z6, (DX)
	VADDPS 64(DX), Z7, Z7
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

// func avx512StridedKernel4x32CopyFloat32Asm(packedLHS, rhs unsafe.Pointer, rhsStride uintptr,
//     out unsafe.Pointer, outStride uintptr, contractingLen int, accumulate bool, copyTo unsafe.Pointer)
//
// As avx512StridedKernel4x32Float32Asm, and it also copies the RHS rows it
// reads, 32 values each, contiguously to copyTo (contractingLen*32 floats).
TEXT ·avx512StridedKernel4x32CopyFloat32Asm(SB), NOSPLIT, $0-64
	MOVQ packedLHS+0(FP), SI
	MOVQ rhs+8(FP), DI
	MOVQ rhsStride+16(FP), R9
	MOVQ out+24(FP), DX
	MOVQ outStride+32(FP), R11
	MOVQ contractingLen+40(FP), R12
	MOVB accumulate+48(FP), R15
	MOVQ copyTo+56(FP), R10

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

	MOVQ R12, CX
	SHRQ $2, CX
	JZ c_rest

	PCALIGN $32
c_loop4:
	WSTEP_COPY(0)
	WSTEP_COPY(16)
	WSTEP_COPY(32)
	WSTEP_COPY(48)
	ADDQ $64, SI
	DECQ CX
	JNZ c_loop4

c_rest:
	MOVQ R12, CX
	ANDQ $3, CX
	JZ cstore

c_loop1:
	WSTEP_COPY(0)
	ADDQ $16, SI
	DECQ CX
	JNZ c_loop1

cstore:
	TESTB R15, R15
	JNZ cstore_accum

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ R11, DX
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

cstore_accum:
	VADDPS (DX), Z0, Z0
	VMOVUPS Z0, (DX)
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z1, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z2, Z2
	VMOVUPS Z2, (DX)
	VADDPS 64(DX), Z3, Z3
	VMOVUPS Z3, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z4, Z4
	VMOVUPS Z4, (DX)
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z5, 64(DX)
	ADDQ R11, DX
	VADDPS (DX), Z6, Z6
	VMOVUPS Z6, (DX)
	VADDPS 64(DX), Z7, Z7
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET
