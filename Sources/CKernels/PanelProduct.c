#include "CKernels.h"
#include "InstructionSet.h"
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

#define PANEL LAB_PANEL_WIDTH

// c[r][v · LANES + l] = Σ_k a[r · lda + k] · panel[k · PANEL + v · LANES + l] for r < ROWS and
// v < VECS: ROWS × VECS sums held in registers over all of k, each one a chain of multiply-adds
// in the order of k (contracted into fused multiply-adds where the set has them, as OpenBLAS's
// kernels do), so a product's bits do not depend on how its rows and panels are cut.
#define DEFINE_BLOCK(NAME, TYPE, VECS, ROWS)                                                              \
    static inline void NAME(long k_count, const float *a, long lda, const float *panel, float *c, long ldc) { \
        _Pragma("clang fp contract(on)")                                                                  \
        TYPE sum[ROWS][VECS];                                                                             \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int r = 0; r < ROWS; r++)                                                                    \
            for (int v = 0; v < VECS; v++) sum[r][v] = (TYPE){0};                                         \
        for (long k = 0; k < k_count; k++) {                                                              \
            TYPE b[VECS];                                                                                 \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int v = 0; v < VECS; v++) memcpy(&b[v], panel + k * PANEL + v * (long)(sizeof(TYPE) / 4), sizeof(TYPE)); \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int r = 0; r < ROWS; r++) {                                                              \
                float x = a[r * lda + k];                                                                 \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int v = 0; v < VECS; v++) sum[r][v] = x * b[v] + sum[r][v];                          \
            }                                                                                             \
        }                                                                                                 \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int r = 0; r < ROWS; r++)                                                                    \
            for (int v = 0; v < VECS; v++) memcpy(c + r * ldc + v * (long)(sizeof(TYPE) / 4), &sum[r][v], sizeof(TYPE)); \
    }

// The whole product for one set: for each panel of PANEL columns, its rows ROWS at a time, the
// last few one at a time, each block of columns COLUMNS wide (a panel or a part of it).
#define DEFINE_PRODUCT(NAME, TYPE, VECS, ROWS)                                                            \
    DEFINE_BLOCK(NAME##_rows, TYPE, VECS, ROWS)                                                           \
    DEFINE_BLOCK(NAME##_row, TYPE, VECS, 1)                                                               \
    static void NAME(long m, long n, long k, const float *a, long lda, const float *panels, float *c, long ldc) { \
        const long columns = VECS * (long)(sizeof(TYPE) / 4);                                             \
        for (long j = 0; j < n; j += PANEL) {                                                             \
            const float *panel = panels + j * k;                                                          \
            for (long part = 0; part < PANEL; part += columns) {                                          \
                long i = 0;                                                                               \
                for (; i + ROWS <= m; i += ROWS)                                                          \
                    NAME##_rows(k, a + i * lda, lda, panel + part, c + i * ldc + j + part, ldc);          \
                for (; i < m; i++) NAME##_row(k, a + i * lda, lda, panel + part, c + i * ldc + j + part, ldc); \
            }                                                                                             \
        }                                                                                                 \
    }

// Baseline (SSE2: 16 registers of 4 floats): 4 rows × 8 columns.
DEFINE_PRODUCT(product_baseline, v4, 2, 4)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
// 16 registers of 8 floats: 6 rows × 16 columns (12 sums, 2 of the panel, 1 of a).
DEFINE_PRODUCT(product_avx2, v8, 2, 6)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
// 32 registers of 16 floats: 8 rows × the whole panel of 32 columns. On Zen 5 this ran the
// chapter DCGAN's 128 × 128 × 256 Winograd products at 240 GFLOPS on one core against OpenBLAS's
// 165 (12 rows: 200, 14 rows: 200).
DEFINE_PRODUCT(product_avx512, v16, 2, 8)
#pragma clang attribute pop
#endif

static void product_with(enum lab_instruction_set set, long m, long n, long k, const float *a, long lda, const float *panels,
                         float *c, long ldc) {
    switch (set) {
#if defined(__x86_64__)
    case LAB_AVX512: product_avx512(m, n, k, a, lda, panels, c, ldc); return;
    case LAB_AVX2: product_avx2(m, n, k, a, lda, panels, c, ldc); return;
#endif
    default: product_baseline(m, n, k, a, lda, panels, c, ldc);
    }
}

void lab_panel_product(long m, long n, long k, const float *a, long lda, const float *panels, float *c, long ldc) {
    product_with(lab_instruction_set(), m, n, k, a, lda, panels, c, ldc);
}

void lab_panel_product_using(int instruction_set, long m, long n, long k, const float *a, long lda, const float *panels,
                             float *c, long ldc) {
    product_with((enum lab_instruction_set)lab_supported_instruction_set(instruction_set), m, n, k, a, lda, panels, c, ldc);
}

void lab_pack_panels(long k, long n, const float *b, long ldb, int transposed, float *panels) {
    for (long j = 0; j < n; j += PANEL) {
        float *panel = panels + j * k;
        if (!transposed) {
            for (long i = 0; i < k; i++) memcpy(panel + i * PANEL, b + i * ldb + j, PANEL * sizeof(float));
        } else {
            for (long i = 0; i < k; i++)
                for (long l = 0; l < PANEL; l++) panel[i * PANEL + l] = b[(j + l) * ldb + i];
        }
    }
}
