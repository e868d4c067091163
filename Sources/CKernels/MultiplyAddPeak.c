#include "CKernels.h"
#include "InstructionSet.h"

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

// Independent chains of vector multiply-adds: enough of them that each unit always has one whose
// last result is ready, so the units' throughput, not a chain's latency, sets the pace (two
// units of four or five cycles' latency need 8 to 10), and few enough that the sums, the
// multiplier and the addend stay in registers with AVX2 and SSE2, which have 16 (with 16 chains
// the AVX2 sums spilled to memory: 67 GFLOPS a thread on Zen 4, against 117 with AVX-512 and
// OpenBLAS's Haswell sgemm at 111 a thread).
#define LAB_PEAK_CHAINS 12

// sum = sum · multiplier + addend in every lane of every chain, `iterations` times; returns the
// sum of every lane of every chain, so that no multiply-add can be left out. Fused where the set
// has fused multiply-adds (contracted, as the products' kernels are), else a multiply and an add
// (two operations all the same).
#define DEFINE_PEAK(SUFFIX, TYPE)                                                                         \
    static float chains_##SUFFIX(long iterations, float multiplier, float addend) {                       \
        _Pragma("clang fp contract(on)")                                                                  \
        const TYPE m = (TYPE){0} + multiplier, a = (TYPE){0} + addend;                                   \
        TYPE sum[LAB_PEAK_CHAINS];                                                                        \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int chain = 0; chain < LAB_PEAK_CHAINS; chain++) sum[chain] = (TYPE){0};                     \
        for (long i = 0; i < iterations; i++) {                                                           \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int chain = 0; chain < LAB_PEAK_CHAINS; chain++) sum[chain] = sum[chain] * m + a;        \
        }                                                                                                 \
        TYPE all = (TYPE){0};                                                                             \
        for (int chain = 0; chain < LAB_PEAK_CHAINS; chain++) all += sum[chain];                          \
        float total = 0;                                                                                  \
        for (int lane = 0; lane < (int)(sizeof(TYPE) / sizeof(float)); lane++) total += all[lane];        \
        return total;                                                                                     \
    }

DEFINE_PEAK(baseline, v4)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
DEFINE_PEAK(avx2, v8)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
DEFINE_PEAK(avx512, v16)
#pragma clang attribute pop
#endif

float lab_multiply_add_chains(int instruction_set, long iterations, float multiplier, float addend) {
    switch ((enum lab_instruction_set)lab_supported_instruction_set(instruction_set)) {
#if defined(__x86_64__)
    case LAB_AVX512: return chains_avx512(iterations, multiplier, addend);
    case LAB_AVX2: return chains_avx2(iterations, multiplier, addend);
#endif
    default: return chains_baseline(iterations, multiplier, addend);
    }
}

int lab_multiply_add_lanes(int instruction_set) {
    switch ((enum lab_instruction_set)lab_supported_instruction_set(instruction_set)) {
    case LAB_AVX512: return LAB_PEAK_CHAINS * 16;
    case LAB_AVX2: return LAB_PEAK_CHAINS * 8;
    default: return LAB_PEAK_CHAINS * 4;
    }
}
