#include "CKernels.h"
#include "InstructionSet.h"

// y[i] += x[i], and z[i] = x[i] + y[i]: plain loops the compiler vectorises for each set. An
// addition rounds the same whatever the vector width, so every set gives the same bits.
#define DEFINE_ADD(SUFFIX)                                                                                \
    static void add_##SUFFIX(const float *x, float *y, long count) {                                      \
        for (long i = 0; i < count; i++) y[i] += x[i];                                                    \
    }                                                                                                     \
    static void sum_##SUFFIX(const float *x, const float *y, float *z, long count) {                      \
        for (long i = 0; i < count; i++) z[i] = x[i] + y[i];                                              \
    }

DEFINE_ADD(baseline)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
DEFINE_ADD(avx2)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
DEFINE_ADD(avx512)
#pragma clang attribute pop
#endif

void lab_add(const float *x, float *y, long count) {
    switch (lab_instruction_set()) {
#if defined(__x86_64__)
    case LAB_AVX512: add_avx512(x, y, count); return;
    case LAB_AVX2: add_avx2(x, y, count); return;
#endif
    default: add_baseline(x, y, count);
    }
}

void lab_sum(const float *x, const float *y, float *z, long count) {
    switch (lab_instruction_set()) {
#if defined(__x86_64__)
    case LAB_AVX512: sum_avx512(x, y, z, count); return;
    case LAB_AVX2: sum_avx2(x, y, z, count); return;
#endif
    default: sum_baseline(x, y, z, count);
    }
}
