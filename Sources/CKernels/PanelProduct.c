#include "CKernels.h"
#include "InstructionSet.h"
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

#define PANEL LAB_PANEL_WIDTH

// The next panel's lines, asked of memory a share at a time while each block of rows of the
// current panel runs, so that the next panel's first block finds it in the second-level cache.
// The 004 models' 8 ↔ 4 image gradients read a 2 MB panel operand per position for 32 rows, four
// uses of each panel, the first from memory: on the Intel Xeon (family 6, model 207) the 64×64
// step took 0.975 of the time with this (6 alternating rounds, lower in all), the chapter DCGAN
// step 0.982, the Dense step 0.960 (4 rounds); the same bits.
//
// A block asks for its share one line every few multiply-add rounds (`every`), not all at once
// after its last round: on Zen 4 (family 25, model 17) a share asked at once (64 lines after
// each 8-row block of the 004 models' 64 × 512 × 256 products) held up the block's own loads
// from the second-level cache, and those products ran at 86–101 GFLOPS on one thread against
// 103–111 with no prefetching at all and 106–110 with the share spread (25 positions, one
// thread, operands laid out as in the step); the same bits, since only the asking moved.
struct next_panel {
    const char *start;
    long lines, per_block, done;
};

// How a block of `k_count` rounds spreads its share: one line every `every` rounds, `lines_each`
// lines each time, up to `end`.
struct prefetch_pace {
    long every, lines_each, end;
};

static inline struct prefetch_pace pace_for(const struct next_panel *next, long k_count) {
    long end = next->done + next->per_block < next->lines ? next->done + next->per_block : next->lines;
    long share = end - next->done;
    if (share <= 0 || k_count <= 0) return (struct prefetch_pace){k_count + 1, 0, end};
    if (share <= k_count) return (struct prefetch_pace){k_count / share, 1, end};
    return (struct prefetch_pace){1, (share + k_count - 1) / k_count, end};
}

static inline void prefetch_lines(struct next_panel *next, const struct prefetch_pace *pace) {
    for (long l = 0; l < pace->lines_each && next->done < pace->end; l++, next->done++)
        __builtin_prefetch(next->start + next->done * 64, 0, 2);
}

// c[r][v · LANES + l] = Σ_k a[r · lda + k] · panel[k · STRIDE + v · LANES + l] for r < ROWS and
// v < VECS (STRIDE: the panel's width): ROWS × VECS sums held in registers over all of k, each
// one a chain of multiply-adds in the order of k (contracted into fused multiply-adds where the
// set has them, as OpenBLAS's kernels do), so a product's bits do not depend on how its rows and
// panels are cut. Along the way the block asks for its share of the next panel (`next`).
#define DEFINE_BLOCK(NAME, TYPE, VECS, ROWS, STRIDE)                                                      \
    static inline void NAME(long k_count, const float *a, long lda, const float *panel, float *c, long ldc, \
                            struct next_panel *next) {                                                    \
        _Pragma("clang fp contract(on)")                                                                  \
        TYPE sum[ROWS][VECS];                                                                             \
        const struct prefetch_pace pace = pace_for(next, k_count);                                        \
        long until_prefetch = pace.every;                                                                 \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int r = 0; r < ROWS; r++)                                                                    \
            for (int v = 0; v < VECS; v++) sum[r][v] = (TYPE){0};                                         \
        for (long k = 0; k < k_count; k++) {                                                              \
            if (--until_prefetch == 0) {                                                                  \
                until_prefetch = pace.every;                                                              \
                prefetch_lines(next, &pace);                                                              \
            }                                                                                             \
            TYPE b[VECS];                                                                                 \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int v = 0; v < VECS; v++) memcpy(&b[v], panel + k * (STRIDE) + v * (long)(sizeof(TYPE) / 4), sizeof(TYPE)); \
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

// One part of a panel, VECS vectors wide (STRIDE: the panel's width), for all m rows: ROWS at a
// time, the last few one at a time, a share of the next panel asked for during each block of ROWS.
#define DEFINE_PART(NAME, TYPE, VECS, ROWS, STRIDE)                                                       \
    DEFINE_BLOCK(NAME##_rows, TYPE, VECS, ROWS, STRIDE)                                                   \
    DEFINE_BLOCK(NAME##_row, TYPE, VECS, 1, STRIDE)                                                       \
    static inline void NAME(long m, long k, const float *a, long lda, const float *panel, float *c, long ldc, \
                            struct next_panel *next) {                                                    \
        long i = 0;                                                                                       \
        for (; i + ROWS <= m; i += ROWS) NAME##_rows(k, a + i * lda, lda, panel, c + i * ldc, ldc, next);  \
        struct next_panel none = {0, 0, 0, 0};                                                            \
        for (; i < m; i++) NAME##_row(k, a + i * lda, lda, panel, c + i * ldc, ldc, &none);              \
    }

// The whole product for one set: each panel of PANEL columns in parts VECS vectors wide, ROWS rows
// at a time; a last panel of HALF_PANEL columns in parts TAIL_VECS vectors wide, TAIL_ROWS rows at
// a time. Every element is the same chain whichever block computes it.
#define HALF_PANEL LAB_PANEL_TAIL_WIDTH
#define DEFINE_PRODUCT(NAME, TYPE, VECS, ROWS, TAIL_VECS, TAIL_ROWS)                                       \
    DEFINE_PART(NAME##_part, TYPE, VECS, ROWS, PANEL)                                                     \
    DEFINE_PART(NAME##_tail_part, TYPE, TAIL_VECS, TAIL_ROWS, HALF_PANEL)                                 \
    static void NAME(long m, long n, long k, const float *a, long lda, const float *panels, float *c, long ldc) { \
        const long lanes = (long)(sizeof(TYPE) / 4), whole = n / PANEL * PANEL;                           \
        const long blocks = (PANEL / (VECS * lanes)) * (m / ROWS); /* per panel, each asks once */         \
        for (long j = 0; j < whole; j += PANEL) {                                                         \
            long next_columns = n - j - PANEL < PANEL ? n - j - PANEL : PANEL;                             \
            long lines = next_columns * k * (long)sizeof(float) / 64;                                     \
            struct next_panel next = {(const char *)(panels + (j + PANEL) * k), lines,                    \
                                      blocks > 0 ? (lines + blocks - 1) / blocks : 0, 0};                 \
            for (long part = 0; part < PANEL; part += VECS * lanes)                                       \
                NAME##_part(m, k, a, lda, panels + j * k + part, c + j + part, ldc, &next);               \
        }                                                                                                 \
        struct next_panel none = {0, 0, 0, 0};                                                            \
        for (long part = 0; whole < n && part < HALF_PANEL; part += TAIL_VECS * lanes)                    \
            NAME##_tail_part(m, k, a, lda, panels + whole * k + part, c + whole + part, ldc, &none);      \
    }

// c[r][v · LANES + l] (+)= Σ_k a[k · lda + r] · b[k · ldb + v · LANES + l] for r < ROWS, v < VECS
// and the `k_count` rows of a and b given: the product aᵀ · b of those rows, row k of each `lda`
// and `ldb` floats on (the chunk copies below, side by side). The sums start from c when `load` (the chain of
// multiply-adds goes on from where the last chunk of k left it: stored and loaded floats round
// nothing), else from zero.
#define DEFINE_TRANSPOSED_BLOCK(NAME, TYPE, VECS, ROWS)                                                   \
    static inline void NAME(long k_count, const float *a, long lda, const float *b, long ldb, float *c, long ldc, int load, \
                            int stream) {                                                                 \
        _Pragma("clang fp contract(on)")                                                                  \
        const long lanes = (long)(sizeof(TYPE) / 4);                                                      \
        TYPE sum[ROWS][VECS];                                                                             \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int r = 0; r < ROWS; r++)                                                                    \
            for (int v = 0; v < VECS; v++) {                                                              \
                if (load) memcpy(&sum[r][v], c + r * ldc + v * lanes, sizeof(TYPE));                      \
                else sum[r][v] = (TYPE){0};                                                               \
            }                                                                                             \
        for (long k = 0; k < k_count; k++) {                                                              \
            TYPE y[VECS];                                                                                 \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int v = 0; v < VECS; v++) memcpy(&y[v], b + k * ldb + v * lanes, sizeof(TYPE));          \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int r = 0; r < ROWS; r++) {                                                              \
                float x = a[k * lda + r];                                                                 \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int v = 0; v < VECS; v++) sum[r][v] = x * y[v] + sum[r][v];                          \
            }                                                                                             \
        }                                                                                                 \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int r = 0; r < ROWS; r++)                                                                    \
            for (int v = 0; v < VECS; v++) {                                                              \
                if (stream) __builtin_nontemporal_store(sum[r][v], (TYPE *)(c + r * ldc + v * lanes));    \
                else memcpy(c + r * ldc + v * lanes, &sum[r][v], sizeof(TYPE));                           \
            }                                                                                             \
    }

// Rows of k this many at a time: a chunk's rows of a and b are first copied side by side (each
// row of a and b lies a whole tile's transform from the next in the Winograd kernel gradient,
// 64 KB on the chapter's 7×7 layer, and read in place from there they fought over the same cache
// sets), then every block of c goes through the chunk before the next one. On Zen 5, with that
// layer's kernel gradient (256 × 128 summed over 1,024 tiles, two threads taking positions in
// turn), chunks of 64 copied ran at 340 GFLOPS against OpenBLAS's 272, chunks of 32 and 128 at
// 333; read in place, the products ran slower than OpenBLAS's in the training step. Sums of at
// most LAB_TRANSPOSED_SINGLE_CHUNK rows are one chunk, so c is written once: the 004 models'
// 8 ↔ 4 kernel gradients (1024 × 512 over 128 tiles) went to OpenBLAS before, whose output
// was too large to go back and forth between chunks (the 64×64 step 0.974 of the time on Zen 4,
// 8 alternating rounds, lower in 6).
#define TRANSPOSED_CHUNK 64

// The copied rows lie a row and one cache line apart. Packed end to end, rows of 1,024 floats
// (the 004 models' 8 ↔ 4 kernel gradients) or 512 lay a multiple of 4 KB apart, so the chunk's
// rows read for one block all fell in the same set of the first-level cache and pushed each
// other out: on an Intel Xeon (family 6, model 207) with AVX-512, 1024 × 512 over 128 ran at
// 95 GFLOPS on one thread, 122 with the line between rows, the same bits.
#define TRANSPOSED_ROW_PAD 16

// The next chunk's rows, asked of memory a few cache lines at a time while the current chunk's
// products run, so that copying them finds them in the second-level cache: the rows come
// straight from memory (the transformed data was stored past the caches), and the copies that
// waited for them took 5 % of the chapter DCGAN's step.
struct upcoming {
    const char *a, *b;
    long a_step, b_step, a_lines, b_lines, lines, per_block, done;
};

static inline struct upcoming upcoming_rows(const float *a, long lda, long m, const float *b, long ldb, long n, long from, long k,
                                            long step, long blocks) {
    long rows = k - from < step ? k - from : step;
    struct upcoming next = {(const char *)(a + from * lda), (const char *)(b + from * ldb), lda * 4, ldb * 4,
                            (m * 4 + 63) / 64, (n * 4 + 63) / 64, 0, 0, 0};
    if (rows > 0) next.lines = rows * (next.a_lines + next.b_lines);
    next.per_block = blocks > 0 ? (next.lines + blocks - 1) / blocks : next.lines;
    return next;
}

static inline void prefetch_some(struct upcoming *next) {
    long end = next->done + next->per_block < next->lines ? next->done + next->per_block : next->lines;
    for (; next->done < end; next->done++) {
        long row = next->done / (next->a_lines + next->b_lines), line = next->done % (next->a_lines + next->b_lines);
        const char *address = line < next->a_lines ? next->a + row * next->a_step + line * 64
                                                   : next->b + row * next->b_step + (line - next->a_lines) * 64;
        __builtin_prefetch(address, 0, 2);
    }
}

#define DEFINE_TRANSPOSED_PRODUCT(NAME, TYPE, VECS, ROWS)                                                 \
    DEFINE_TRANSPOSED_BLOCK(NAME##_rows, TYPE, VECS, ROWS)                                                \
    DEFINE_TRANSPOSED_BLOCK(NAME##_row, TYPE, VECS, 1)                                                    \
    static void NAME(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc, \
                     long step, float *rows_a, float *rows_b, int stream) {                               \
        const long columns = VECS * (long)(sizeof(TYPE) / 4);                                             \
        const long blocks = (n / columns) * (m / ROWS); /* the calls that ask memory for more */           \
        const long row_a = m + TRANSPOSED_ROW_PAD, row_b = n + TRANSPOSED_ROW_PAD;                        \
        for (long k0 = 0; k0 < k; k0 += step) {                                                           \
            long chunk = k - k0 < step ? k - k0 : step;                                                   \
            for (long l = 0; l < chunk; l++) {                                                            \
                memcpy(rows_a + l * row_a, a + (k0 + l) * lda, (size_t)m * sizeof(float));                \
                memcpy(rows_b + l * row_b, b + (k0 + l) * ldb, (size_t)n * sizeof(float));                \
            }                                                                                             \
            struct upcoming next = upcoming_rows(a, lda, m, b, ldb, n, k0 + chunk, k, step, blocks);      \
            for (long j = 0; j < n; j += columns) {                                                       \
                long i = 0;                                                                               \
                for (; i + ROWS <= m; i += ROWS) {                                                        \
                    NAME##_rows(chunk, rows_a + i, row_a, rows_b + j, row_b, c + i * ldc + j, ldc, k0 > 0, stream); \
                    prefetch_some(&next);                                                                 \
                }                                                                                         \
                for (; i < m; i++) NAME##_row(chunk, rows_a + i, row_a, rows_b + j, row_b, c + i * ldc + j, ldc, k0 > 0, stream); \
            }                                                                                             \
        }                                                                                                 \
        if (k == 0)                                                                                       \
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));               \
    }

// Each product for each instruction set. Baseline (SSE2: 16 registers of 4 floats): 4 rows × 8
// columns, the half panel the same.
DEFINE_PRODUCT(product_baseline, v4, 2, 4, 2, 4)
DEFINE_TRANSPOSED_PRODUCT(transposed_baseline, v4, 2, 4)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
// 16 registers of 8 floats: 2 rows × the whole panel (8 sums, 4 of the panel, 1 of a). On Zen 5
// with LAB_KERNELS=avx2, the chapter's 128 × 128 × 256 products ran at 109–111 GFLOPS on one core
// against OpenBLAS's Haswell kernel's 94–98; 6 rows × 16 columns at 101, 4 × 16 at 102. The half
// panel: 4 rows × 16 columns.
DEFINE_PRODUCT(product_avx2, v8, 4, 2, 2, 4)
// The kernel gradient: 6 rows × 16 columns, 104 GFLOPS against OpenBLAS's 97 (2 × 32: 93).
DEFINE_TRANSPOSED_PRODUCT(transposed_avx2, v8, 2, 6)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
// 32 registers of 16 floats: 8 rows × the whole panel of 32 columns. On Zen 5 this ran the
// chapter DCGAN's 128 × 128 × 256 Winograd products at 240 GFLOPS on one core against OpenBLAS's
// 165 (12 rows: 200, 14 rows: 200). The half panel: 8 rows × 16 columns, 8 chains, as many as
// two multiply-add units of four cycles' latency keep busy.
DEFINE_PRODUCT(product_avx512, v16, 2, 8, 1, 8)
DEFINE_TRANSPOSED_PRODUCT(transposed_avx512, v16, 2, 8)
#pragma clang attribute pop
#endif

static void transposed_with(enum lab_instruction_set set, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                            float *c, long ldc) {
    long step = k <= LAB_TRANSPOSED_SINGLE_CHUNK ? (k > 0 ? k : 1) : TRANSPOSED_CHUNK;
    // b's copied rows start on 64-byte boundaries (n + TRANSPOSED_ROW_PAD floats apart, a
    // multiple of 16), so that no vector load spans two cache lines.
    long a_floats = (step * (m + TRANSPOSED_ROW_PAD) + 15) / 16 * 16;
    size_t bytes = (size_t)(a_floats + step * (n + TRANSPOSED_ROW_PAD)) * sizeof(float);
    float *rows = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!rows) abort();
    float *rows_a = rows, *rows_b = rows + a_floats;
    // An output written once (one chunk), larger than half a core's second-level cache and in
    // whole cache lines, goes past the caches: no line is read before it is written, and the
    // kernel's adjoint reads it back from memory anyway, after every position's product.
    int stream = step >= k && m * n >= LAB_TRANSPOSED_STREAMED_OUTPUT && (uintptr_t)c % 64 == 0 && ldc % 16 == 0;
    switch (set) {
#if defined(__x86_64__)
    case LAB_AVX512: transposed_avx512(m, n, k, a, lda, b, ldb, c, ldc, step, rows_a, rows_b, stream); break;
    case LAB_AVX2: transposed_avx2(m, n, k, a, lda, b, ldb, c, ldc, step, rows_a, rows_b, stream); break;
#endif
    default: transposed_baseline(m, n, k, a, lda, b, ldb, c, ldc, step, rows_a, rows_b, stream);
    }
#if defined(__x86_64__)
    if (stream) __builtin_ia32_sfence();
#endif
    free(rows);
}

void lab_transposed_product(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    transposed_with(lab_instruction_set(), m, n, k, a, lda, b, ldb, c, ldc);
}

void lab_transposed_product_using(int instruction_set, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                                  float *c, long ldc) {
    transposed_with((enum lab_instruction_set)lab_supported_instruction_set(instruction_set), m, n, k, a, lda, b, ldb, c, ldc);
}

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

// Writes the transpose of the 4 × 4 block at `source` (rows `stride` floats apart) to `target`
// (rows `targetStride` apart): four loads, eight shuffles, four stores.
static inline void transpose_4x4(const float *source, long stride, float *target, long targetStride) {
    v4 r0, r1, r2, r3;
    memcpy(&r0, source, sizeof r0);
    memcpy(&r1, source + stride, sizeof r1);
    memcpy(&r2, source + 2 * stride, sizeof r2);
    memcpy(&r3, source + 3 * stride, sizeof r3);
    v4 low01 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), high01 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    v4 low23 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), high23 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    v4 c0 = __builtin_shufflevector(low01, low23, 0, 1, 4, 5), c1 = __builtin_shufflevector(low01, low23, 2, 3, 6, 7);
    v4 c2 = __builtin_shufflevector(high01, high23, 0, 1, 4, 5), c3 = __builtin_shufflevector(high01, high23, 2, 3, 6, 7);
    memcpy(target, &c0, sizeof c0);
    memcpy(target + targetStride, &c1, sizeof c1);
    memcpy(target + 2 * targetStride, &c2, sizeof c2);
    memcpy(target + 3 * targetStride, &c3, sizeof c3);
}

void lab_pack_panels(long k, long n, const float *b, long ldb, int transposed, float *panels) {
    for (long j = 0; j < n; j += PANEL) {
        float *panel = panels + j * k;
        const long width = n - j < PANEL ? n - j : PANEL;
        if (!transposed) {
            // A copy of a constant size is a few vector moves; of a variable one, a call.
            if (width == PANEL)
                for (long i = 0; i < k; i++) memcpy(panel + i * PANEL, b + i * ldb + j, PANEL * sizeof(float));
            else
                for (long i = 0; i < k; i++) memcpy(panel + i * HALF_PANEL, b + i * ldb + j, HALF_PANEL * sizeof(float));
        } else {
            // 16 of the panel's rows at a time, in 4 × 4 blocks transposed in registers: each of
            // the 32 rows of b it reads gives 16 floats (a cache line) in turn, and the block
            // written stays in the first-level cache. The rows past the last 16 one at a time.
            // (Element by element, the Dense GAN's packs took 3–4 times as long.)
            long whole = k / 16 * 16;
            for (long i0 = 0; i0 < whole; i0 += 16) {
                for (long l = 0; l < width; l += 4)
                    for (long i = i0; i < i0 + 16; i += 4) transpose_4x4(b + (j + l) * ldb + i, ldb, panel + i * width + l, width);
            }
            for (long l = 0; l < width; l++) {
                const float *row = b + (j + l) * ldb;
                for (long i = whole; i < k; i++) panel[i * width + l] = row[i];
            }
        }
    }
}
