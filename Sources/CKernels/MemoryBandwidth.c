#include "CKernels.h"
#include "InstructionSet.h"
#include <stdint.h>
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));

// Σ x[i] with four independent vector sums (so the loads, not the additions' latency, set the
// pace), and y[i] = value stored past the caches where the address is aligned to 64 bytes. Each
// compiled for every instruction set; the widest the CPU has runs.
#define DEFINE_MEMORY(SUFFIX)                                                                             \
    static float read_##SUFFIX(const float *x, long count) {                                              \
        v16 sum[4] = {{0}, {0}, {0}, {0}};                                                                \
        long i = 0;                                                                                       \
        for (; i + 64 <= count; i += 64) {                                                                \
            for (int part = 0; part < 4; part++) {                                                        \
                v16 value;                                                                                \
                memcpy(&value, x + i + 16 * part, sizeof value);                                          \
                sum[part] += value;                                                                       \
            }                                                                                             \
        }                                                                                                 \
        v16 all = (sum[0] + sum[1]) + (sum[2] + sum[3]);                                                  \
        float total = 0;                                                                                  \
        for (int lane = 0; lane < 16; lane++) total += all[lane];                                         \
        for (; i < count; i++) total += x[i];                                                             \
        return total;                                                                                     \
    }                                                                                                     \
    static void stream_##SUFFIX(float *y, long count, float value) {                                      \
        long i = 0;                                                                                       \
        for (; i < count && (uintptr_t)(y + i) % 64 != 0; i++) y[i] = value;                              \
        v16 run = (v16){0} + value;                                                                       \
        for (; i + 16 <= count; i += 16) __builtin_nontemporal_store(run, (v16 *)(y + i));                \
        for (; i < count; i++) y[i] = value;                                                              \
    }

DEFINE_MEMORY(baseline)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
DEFINE_MEMORY(avx2)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
DEFINE_MEMORY(avx512)
#pragma clang attribute pop
#endif

float lab_memory_read(const float *x, long count) {
    switch (lab_instruction_set()) {
#if defined(__x86_64__)
    case LAB_AVX512: return read_avx512(x, count);
    case LAB_AVX2: return read_avx2(x, count);
#endif
    default: return read_baseline(x, count);
    }
}

void lab_memory_stream(float *y, long count, float value) {
    switch (lab_instruction_set()) {
#if defined(__x86_64__)
    case LAB_AVX512: stream_avx512(y, count, value); break;
    case LAB_AVX2: stream_avx2(y, count, value); break;
#endif
    default: stream_baseline(y, count, value);
    }
#if defined(__x86_64__)
    __builtin_ia32_sfence();
#endif
}
