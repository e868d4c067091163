#include "CKernels.h"
#include "InstructionSet.h"
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

// One Adam update of `count` elements, WIDTH at a time, then one at a time, in exactly the
// operations and order of NeuralNet's Swift loop (no contraction into fused multiply-adds), so
// every instruction set gives the same bits.
#define DEFINE_ADAM(NAME, TYPE, WIDTH)                                                                     \
    static void NAME(float *w, const float *g, float *m, float *v, long count, float b1, float b2,        \
                     float alpha, float eps) {                                                            \
        _Pragma("clang fp contract(off)")                                                                 \
        long i = 0;                                                                                       \
        for (; i + WIDTH <= count; i += WIDTH) {                                                          \
            TYPE gi, mi, vi, wi;                                                                          \
            memcpy(&gi, g + i, sizeof gi);                                                                \
            memcpy(&mi, m + i, sizeof mi);                                                                \
            memcpy(&vi, v + i, sizeof vi);                                                                \
            memcpy(&wi, w + i, sizeof wi);                                                                \
            mi = mi + (gi - mi) * b1;                                                                     \
            vi = vi + (gi * gi - vi) * b2;                                                                \
            wi = wi - mi * alpha / (__builtin_elementwise_sqrt(vi) + eps);                                \
            memcpy(m + i, &mi, sizeof mi);                                                                \
            memcpy(v + i, &vi, sizeof vi);                                                                \
            memcpy(w + i, &wi, sizeof wi);                                                                \
        }                                                                                                 \
        for (; i < count; i++) {                                                                          \
            m[i] = m[i] + (g[i] - m[i]) * b1;                                                             \
            v[i] = v[i] + (g[i] * g[i] - v[i]) * b2;                                                      \
            w[i] = w[i] - m[i] * alpha / (__builtin_elementwise_sqrt(v[i]) + eps);                        \
        }                                                                                                 \
    }

DEFINE_ADAM(adam_baseline, v4, 4)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
DEFINE_ADAM(adam_avx2, v8, 8)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
DEFINE_ADAM(adam_avx512, v16, 16)
#pragma clang attribute pop
#endif

// Runs the kernel of `set`, which the CPU must run.
static void adam_with(enum lab_instruction_set set, float *w, const float *g, float *m, float *v, long count, float b1,
                      float b2, float alpha, float eps) {
    switch (set) {
#if defined(__x86_64__)
    case LAB_AVX512: adam_avx512(w, g, m, v, count, b1, b2, alpha, eps); return;
    case LAB_AVX2: adam_avx2(w, g, m, v, count, b1, b2, alpha, eps); return;
#endif
    default: adam_baseline(w, g, m, v, count, b1, b2, alpha, eps);
    }
}

void lab_adam_step_using(int instruction_set, float *w, const float *g, float *m, float *v, long count, float b1,
                         float b2, float alpha, float eps) {
    adam_with((enum lab_instruction_set)lab_supported_instruction_set(instruction_set), w, g, m, v, count, b1, b2, alpha, eps);
}

// The set chosen once (no CPU query per call).
void lab_adam_step(float *w, const float *g, float *m, float *v, long count, float b1, float b2, float alpha, float eps) {
    adam_with(lab_instruction_set(), w, g, m, v, count, b1, b2, alpha, eps);
}
