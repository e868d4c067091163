#include "CKernels.h"
#include "InstructionSet.h"
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

typedef struct lab_single_channel_geometry geometry;

// The padded image covers every pixel some cell's taps read: cell (i, j), tap (ky, kx) reads
// padded pixel (i · stride_y + ky, j · stride_x + kx), image pixel (that − pad_top, that − pad_left).
static long padded_height(const geometry *g) { return (g->grid_height - 1) * g->stride_y + g->kernel_height; }
static long padded_width(const geometry *g) { return (g->grid_width - 1) * g->stride_x + g->kernel_width; }

long lab_single_channel_scratch(const geometry *g) { return padded_height(g) * padded_width(g); }

// One item's image, zeros around it, into `padded`.
static void pad_item(const geometry *g, const float *image, float *padded) {
    const long ph = padded_height(g), pw = padded_width(g);
    for (long r = 0; r < ph; r++) {
        const long y = r - g->pad_top;
        float *row = padded + r * pw;
        if (y < 0 || y >= g->image_height) {
            memset(row, 0, (size_t)pw * sizeof(float));
            continue;
        }
        const float *source = image + y * g->image_width;
        for (long c = 0; c < pw; c++) {
            const long x = c - g->pad_left;
            row[c] = x >= 0 && x < g->image_width ? source[x] : 0;
        }
    }
}

// One item's image from `padded` (pixels beyond it get no taps), plus the bias.
static void crop_item(const geometry *g, const float *padded, const float *bias, float *image) {
    const long ph = padded_height(g), pw = padded_width(g);
    const float b = bias ? *bias : 0;
    for (long y = 0; y < g->image_height; y++) {
        const long r = y + g->pad_top;
        for (long x = 0; x < g->image_width; x++) {
            const long c = x + g->pad_left;
            image[y * g->image_width + x] = b + (r < ph && c < pw ? padded[r * pw + c] : 0);
        }
    }
}

// For CELLS cells side by side in a grid row (their patches `stride_x` apart): out[c] = bias[c]
// + Σ taps base[ky · pw + kx] · kernel[(ky · kw + kx) · C + c] for WIDTH channels from `first`,
// held in registers over all taps: one chain of multiply-adds per element, taps in order. Several
// cells give the chains the core can run side by side.
#define DEFINE_GRID_BLOCK(NAME, TYPE, WIDTH, CELLS)                                                       \
    static inline void NAME(const geometry *g, const float *base, long pw, const float *kernel,           \
                            const float *bias, long first, float *out) {                                  \
        _Pragma("clang fp contract(on)")                                                                  \
        enum { LANES = sizeof(TYPE) / 4, VECS = WIDTH / LANES };                                          \
        const long channels = g->channels, step = g->stride_x;                                            \
        TYPE sum[CELLS][VECS];                                                                            \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int cell = 0; cell < CELLS; cell++)                                                          \
            for (int q = 0; q < VECS; q++) {                                                              \
                if (bias) memcpy(&sum[cell][q], bias + first + q * LANES, sizeof(TYPE));                  \
                else sum[cell][q] = (TYPE){0};                                                            \
            }                                                                                             \
        for (long ky = 0; ky < g->kernel_height; ky++) {                                                  \
            for (long kx = 0; kx < g->kernel_width; kx++) {                                               \
                const float *w = kernel + (ky * g->kernel_width + kx) * channels + first;                 \
                TYPE wq[VECS];                                                                            \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int q = 0; q < VECS; q++) memcpy(&wq[q], w + q * LANES, sizeof(TYPE));               \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int cell = 0; cell < CELLS; cell++) {                                                \
                    const float v = base[cell * step + ky * pw + kx];                                     \
                    _Pragma("clang loop unroll(full)")                                                    \
                    for (int q = 0; q < VECS; q++) sum[cell][q] = v * wq[q] + sum[cell][q];               \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int cell = 0; cell < CELLS; cell++)                                                          \
            for (int q = 0; q < VECS; q++) memcpy(out + cell * channels + first + q * LANES, &sum[cell][q], sizeof(TYPE)); \
    }

// Enough cells to keep about eight chains of VECS vectors going.
#define CELLS_FOR(TYPE, WIDTH) (8 * sizeof(TYPE) / 4 / (WIDTH) > 1 ? 8 * sizeof(TYPE) / 4 / (WIDTH) : 1)

// A grid row's cells for each block of WIDTH channels from `c`: CELLS cells at a time (MANY),
// then one at a time (ONE).
#define GRID_ROW_BLOCKS(WIDTH, MANY, ONE, CELLS)                                                          \
    for (; c + WIDTH <= channels; c += WIDTH) {                                                           \
        long j = 0;                                                                                       \
        for (; j + (CELLS) <= g->grid_width; j += (CELLS))                                                \
            MANY(g, row + j * g->stride_x, pw, kernel, bias, c, out + j * channels);                      \
        for (; j < g->grid_width; j++) ONE(g, row + j * g->stride_x, pw, kernel, bias, c, out + j * channels); \
    }

// The grid of `items` items, row by row: blocks of 64 and then 16 channels (several cells at a
// time, then one), the last few channels one by one.
#define DEFINE_GRID(NAME, TYPE)                                                                           \
    DEFINE_GRID_BLOCK(NAME##_64n, TYPE, 64, CELLS_FOR(TYPE, 64))                                          \
    DEFINE_GRID_BLOCK(NAME##_16n, TYPE, 16, CELLS_FOR(TYPE, 16))                                          \
    DEFINE_GRID_BLOCK(NAME##_64, TYPE, 64, 1)                                                             \
    DEFINE_GRID_BLOCK(NAME##_16, TYPE, 16, 1)                                                             \
    static void NAME(const geometry *g, long items, const float *image, const float *kernel, const float *bias, \
                     float *grid, float *padded) {                                                        \
        _Pragma("clang fp contract(on)")                                                                  \
        const long pw = padded_width(g), channels = g->channels;                                          \
        const long cells = g->grid_height * g->grid_width;                                                \
        const long wide = CELLS_FOR(TYPE, 64), narrow = CELLS_FOR(TYPE, 16);                              \
        for (long n = 0; n < items; n++) {                                                                \
            pad_item(g, image + n * g->image_height * g->image_width, padded);                            \
            for (long i = 0; i < g->grid_height; i++) {                                                   \
                const float *row = padded + i * g->stride_y * pw;                                         \
                float *out = grid + (n * cells + i * g->grid_width) * channels;                           \
                long c = 0;                                                                               \
                GRID_ROW_BLOCKS(64, NAME##_64n, NAME##_64, wide)                                          \
                GRID_ROW_BLOCKS(16, NAME##_16n, NAME##_16, narrow)                                        \
                for (; c < channels; c++) {                                                               \
                    for (long j = 0; j < g->grid_width; j++) {                                            \
                        const float *base = row + j * g->stride_x;                                        \
                        float sum = bias ? bias[c] : 0;                                                   \
                        for (long ky = 0; ky < g->kernel_height; ky++)                                    \
                            for (long kx = 0; kx < g->kernel_width; kx++)                                 \
                                sum = base[ky * pw + kx] * kernel[(ky * g->kernel_width + kx) * channels + c] + sum; \
                        out[j * channels + c] = sum;                                                      \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

// For CELLS consecutive cells of an item from `first_cell`: the TAPS dot products d[t] = Σ_c
// cell[c] · kernel_t[c · TAPS + t] (the kernel given channel by channel, taps padded with zeros
// to TAPS), held in registers over all channels, then each d[t] added to the padded pixel it
// lands on, cells and taps in order.
#define DEFINE_IMAGE_CELLS(NAME, TYPE, TAPS, CELLS)                                                       \
    static inline void NAME(const geometry *g, const float *item, long first_cell, const float *kernel_t, \
                            float *padded) {                                                              \
        _Pragma("clang fp contract(on)")                                                                  \
        enum { LANES = sizeof(TYPE) / 4, VECS = TAPS / LANES };                                           \
        const long pw = padded_width(g), channels = g->channels, kw = g->kernel_width;                    \
        const float *cells = item + first_cell * channels;                                                \
        TYPE d[CELLS][VECS];                                                                              \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int cell = 0; cell < CELLS; cell++)                                                          \
            for (int q = 0; q < VECS; q++) d[cell][q] = (TYPE){0};                                        \
        for (long c = 0; c < channels; c++) {                                                             \
            TYPE wq[VECS];                                                                                \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int q = 0; q < VECS; q++) memcpy(&wq[q], kernel_t + c * TAPS + q * LANES, sizeof(TYPE));  \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int cell = 0; cell < CELLS; cell++) {                                                    \
                const float x = cells[cell * channels + c];                                               \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int q = 0; q < VECS; q++) d[cell][q] = x * wq[q] + d[cell][q];                       \
            }                                                                                             \
        }                                                                                                 \
        for (int cell = 0; cell < CELLS; cell++) {                                                        \
            float dots[TAPS];                                                                             \
            memcpy(dots, d[cell], sizeof dots);                                                           \
            const long index = first_cell + cell, i = index / g->grid_width, j = index % g->grid_width;   \
            float *base = padded + i * g->stride_y * pw + j * g->stride_x;                                \
            for (long ky = 0; ky < g->kernel_height; ky++)                                                \
                for (long kx = 0; kx < kw; kx++) base[ky * pw + kx] += dots[ky * kw + kx];                \
        }                                                                                                 \
    }

#define DEFINE_IMAGE(NAME, TYPE, TAPS)                                                                    \
    DEFINE_IMAGE_CELLS(NAME##_n, TYPE, TAPS, CELLS_FOR(TYPE, TAPS))                                       \
    DEFINE_IMAGE_CELLS(NAME##_1, TYPE, TAPS, 1)                                                           \
    static void NAME(const geometry *g, long items, const float *grid, const float *kernel_t, const float *bias, \
                     float *image, float *padded) {                                                       \
        const long cells = g->grid_height * g->grid_width, group = CELLS_FOR(TYPE, TAPS);                 \
        for (long n = 0; n < items; n++) {                                                                \
            const float *item = grid + n * cells * g->channels;                                           \
            memset(padded, 0, (size_t)lab_single_channel_scratch(g) * sizeof(float));                    \
            long cell = 0;                                                                                \
            for (; cell + group <= cells; cell += group) NAME##_n(g, item, cell, kernel_t, padded);       \
            for (; cell < cells; cell++) NAME##_1(g, item, cell, kernel_t, padded);                       \
            crop_item(g, padded, bias, image + n * g->image_height * g->image_width);                     \
        }                                                                                                 \
    }

// gradient[t · C + c] += Σ cells padded[offset(cell) + tap_offset[t]] · grid[cell · C + c]: GROUP
// taps × 16 channels held in registers over all cells of an item (a chain of multiply-adds per
// element, items in order, cells in order); the channels past the last 16 one at a time.
#define DEFINE_KERNEL_GRADIENT(NAME, TYPE, GROUP)                                                         \
    static void NAME(const geometry *g, long items, const float *image, const float *grid, float *gradient,   \
                     float *padded) {                                                                     \
        _Pragma("clang fp contract(on)")                                                                  \
        enum { LANES = sizeof(TYPE) / 4, VECS = 16 / LANES };                                             \
        const long pw = padded_width(g), channels = g->channels;                                          \
        const long cells = g->grid_height * g->grid_width, taps = g->kernel_height * g->kernel_width;     \
        long offsets[LAB_SINGLE_CHANNEL_TAPS + GROUP];                                                    \
        for (long t = 0; t < taps + GROUP; t++)                                                           \
            offsets[t] = t < taps ? (t / g->kernel_width) * pw + t % g->kernel_width : 0;                 \
        for (long n = 0; n < items; n++) {                                                                \
            pad_item(g, image + n * g->image_height * g->image_width, padded);                            \
            const float *item = grid + n * cells * channels;                                              \
            long c = 0;                                                                                   \
            for (; c + 16 <= channels; c += 16) {                                                         \
                for (long first = 0; first < taps; first += GROUP) {                                      \
                    TYPE sum[GROUP][VECS];                                                                \
                    _Pragma("clang loop unroll(full)")                                                    \
                    for (int u = 0; u < GROUP; u++)                                                       \
                        for (int q = 0; q < VECS; q++) {                                                  \
                            if (first + u < taps) memcpy(&sum[u][q], gradient + (first + u) * channels + c + q * LANES, sizeof(TYPE)); \
                            else sum[u][q] = (TYPE){0};                                                   \
                        }                                                                                 \
                    for (long i = 0; i < g->grid_height; i++) {                                           \
                        for (long j = 0; j < g->grid_width; j++) {                                        \
                            const float *base = padded + i * g->stride_y * pw + j * g->stride_x;          \
                            const float *cell = item + (i * g->grid_width + j) * channels + c;            \
                            TYPE y[VECS];                                                                 \
                            _Pragma("clang loop unroll(full)")                                            \
                            for (int q = 0; q < VECS; q++) memcpy(&y[q], cell + q * LANES, sizeof(TYPE)); \
                            _Pragma("clang loop unroll(full)")                                            \
                            for (int u = 0; u < GROUP; u++) {                                             \
                                const float v = base[offsets[first + u]];                                 \
                                _Pragma("clang loop unroll(full)")                                        \
                                for (int q = 0; q < VECS; q++) sum[u][q] = v * y[q] + sum[u][q];          \
                            }                                                                             \
                        }                                                                                 \
                    }                                                                                     \
                    _Pragma("clang loop unroll(full)")                                                    \
                    for (int u = 0; u < GROUP; u++)                                                       \
                        if (first + u < taps)                                                             \
                            for (int q = 0; q < VECS; q++)                                                \
                                memcpy(gradient + (first + u) * channels + c + q * LANES, &sum[u][q], sizeof(TYPE)); \
                }                                                                                         \
            }                                                                                             \
            for (; c < channels; c++) {                                                                   \
                for (long t = 0; t < taps; t++) {                                                         \
                    float sum = gradient[t * channels + c];                                               \
                    for (long cell = 0; cell < cells; cell++) {                                           \
                        const long i = cell / g->grid_width, j = cell % g->grid_width;                    \
                        sum = padded[i * g->stride_y * pw + j * g->stride_x + offsets[t]] * item[cell * channels + c] + sum; \
                    }                                                                                     \
                    gradient[t * channels + c] = sum;                                                     \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

// The kernel gradient's rows for kernel row `ky`: gradient[(ky · KW + kx) · C + c] for the KW
// (a constant) taps of that row and WIDTH channels from `first`, held in registers over an
// item's cells. A cell's taps in one kernel row are KW neighbouring pixels, read from one
// address, so each cell costs KW + WIDTH / LANES loads for KW · WIDTH / LANES multiply-adds.
// The same chains, in the same order, as `DEFINE_KERNEL_GRADIENT`.
#define DEFINE_GRADIENT_ROW(NAME, TYPE, KW, WIDTH)                                                        \
    static inline void NAME(const geometry *g, const float *padded, long pw, const float *item, long ky,  \
                            long first, float *gradient) {                                                \
        _Pragma("clang fp contract(on)")                                                                  \
        enum { LANES = sizeof(TYPE) / 4, VECS = WIDTH / LANES };                                          \
        const long channels = g->channels;                                                                \
        float *rows = gradient + ky * KW * channels + first;                                              \
        TYPE sum[KW][VECS];                                                                               \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int kx = 0; kx < KW; kx++)                                                                   \
            for (int q = 0; q < VECS; q++) memcpy(&sum[kx][q], rows + kx * channels + q * LANES, sizeof(TYPE)); \
        for (long i = 0; i < g->grid_height; i++) {                                                       \
            const float *line = padded + (i * g->stride_y + ky) * pw;                                     \
            const float *cells = item + i * g->grid_width * channels + first;                             \
            for (long j = 0; j < g->grid_width; j++) {                                                    \
                const float *base = line + j * g->stride_x;                                               \
                TYPE y[VECS];                                                                             \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int q = 0; q < VECS; q++) memcpy(&y[q], cells + j * channels + q * LANES, sizeof(TYPE)); \
                _Pragma("clang loop unroll(full)")                                                        \
                for (int kx = 0; kx < KW; kx++) {                                                         \
                    const float v = base[kx];                                                             \
                    _Pragma("clang loop unroll(full)")                                                    \
                    for (int q = 0; q < VECS; q++) sum[kx][q] = v * y[q] + sum[kx][q];                    \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int kx = 0; kx < KW; kx++)                                                                   \
            for (int q = 0; q < VECS; q++) memcpy(rows + kx * channels + q * LANES, &sum[kx][q], sizeof(TYPE)); \
    }

// The kernel gradient for kernels KW taps wide: kernel row by kernel row, channels in blocks of
// WIDE, then of one vector, then one at a time (each element the same chain as above).
#define DEFINE_GRADIENT_BY_ROWS(NAME, TYPE, KW, WIDE)                                                     \
    DEFINE_GRADIENT_ROW(NAME##_wide, TYPE, KW, WIDE)                                                      \
    DEFINE_GRADIENT_ROW(NAME##_vector, TYPE, KW, sizeof(TYPE) / 4)                                        \
    static void NAME(const geometry *g, long items, const float *image, const float *grid, float *gradient,   \
                     float *padded) {                                                                     \
        _Pragma("clang fp contract(on)")                                                                  \
        const long pw = padded_width(g), channels = g->channels, lanes = sizeof(TYPE) / 4;                \
        const long cells = g->grid_height * g->grid_width;                                                \
        for (long n = 0; n < items; n++) {                                                                \
            pad_item(g, image + n * g->image_height * g->image_width, padded);                            \
            const float *item = grid + n * cells * channels;                                              \
            for (long ky = 0; ky < g->kernel_height; ky++) {                                              \
                long c = 0;                                                                               \
                for (; c + WIDE <= channels; c += WIDE) NAME##_wide(g, padded, pw, item, ky, c, gradient); \
                for (; c + lanes <= channels; c += lanes) NAME##_vector(g, padded, pw, item, ky, c, gradient); \
                for (; c < channels; c++) {                                                               \
                    for (long kx = 0; kx < KW; kx++) {                                                    \
                        float sum = gradient[(ky * KW + kx) * channels + c];                              \
                        for (long cell = 0; cell < cells; cell++) {                                       \
                            const long i = cell / g->grid_width, j = cell % g->grid_width;                \
                            sum = padded[(i * g->stride_y + ky) * pw + j * g->stride_x + kx] * item[cell * channels + c] + sum; \
                        }                                                                                 \
                        gradient[(ky * KW + kx) * channels + c] = sum;                                    \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

// Everything for one instruction set: GROUP taps per pass for the general kernel gradient, and
// the channel blocks of the 3-, 4- and 5-wide kernels' gradients (as many as the registers hold).
#define DEFINE_SET(SUFFIX, TYPE, GROUP, WIDE3, WIDE4, WIDE5)                                              \
    DEFINE_GRID(grid_##SUFFIX, TYPE)                                                                      \
    DEFINE_IMAGE(image16_##SUFFIX, TYPE, 16)                                                              \
    DEFINE_IMAGE(image32_##SUFFIX, TYPE, 32)                                                              \
    DEFINE_IMAGE(image64_##SUFFIX, TYPE, 64)                                                              \
    DEFINE_KERNEL_GRADIENT(kernel_gradient_##SUFFIX, TYPE, GROUP)                                         \
    DEFINE_GRADIENT_BY_ROWS(kernel_gradient3_##SUFFIX, TYPE, 3, WIDE3)                                    \
    DEFINE_GRADIENT_BY_ROWS(kernel_gradient4_##SUFFIX, TYPE, 4, WIDE4)                                    \
    DEFINE_GRADIENT_BY_ROWS(kernel_gradient5_##SUFFIX, TYPE, 5, WIDE5)

DEFINE_SET(baseline, v4, 2, 8, 8, 8)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
DEFINE_SET(avx2, v8, 6, 16, 16, 16)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
DEFINE_SET(avx512, v16, 16, 64, 64, 32)
#pragma clang attribute pop
#endif

// The set to run: the one asked for if the CPU runs it (a negative one: the set chosen for this CPU).
static enum lab_instruction_set chosen(int instruction_set) {
    return instruction_set < 0 ? lab_instruction_set()
                               : (enum lab_instruction_set)lab_supported_instruction_set(instruction_set);
}

long lab_single_channel_padded_taps(long taps) { return taps <= 16 ? 16 : taps <= 32 ? 32 : 64; }

void lab_single_channel_grid(int instruction_set, const geometry *g, long items, const float *image, const float *kernel,
                             const float *bias, float *grid, float *scratch) {
    switch (chosen(instruction_set)) {
#if defined(__x86_64__)
    case LAB_AVX512: grid_avx512(g, items, image, kernel, bias, grid, scratch); return;
    case LAB_AVX2: grid_avx2(g, items, image, kernel, bias, grid, scratch); return;
#endif
    default: grid_baseline(g, items, image, kernel, bias, grid, scratch);
    }
}

void lab_single_channel_image(int instruction_set, const geometry *g, long items, const float *grid,
                              const float *kernel_by_channel, const float *bias, float *image, float *scratch) {
    const long taps = lab_single_channel_padded_taps(g->kernel_height * g->kernel_width);
#define IMAGE_CALL(SUFFIX)                                                                                \
    if (taps == 16) image16_##SUFFIX(g, items, grid, kernel_by_channel, bias, image, scratch);            \
    else if (taps == 32) image32_##SUFFIX(g, items, grid, kernel_by_channel, bias, image, scratch);       \
    else image64_##SUFFIX(g, items, grid, kernel_by_channel, bias, image, scratch);                       \
    return;
    switch (chosen(instruction_set)) {
#if defined(__x86_64__)
    case LAB_AVX512: IMAGE_CALL(avx512)
    case LAB_AVX2: IMAGE_CALL(avx2)
#endif
    default: IMAGE_CALL(baseline)
    }
#undef IMAGE_CALL
}

void lab_single_channel_kernel_gradient(int instruction_set, const geometry *g, long items, const float *image,
                                        const float *grid, float *gradient, float *scratch) {
#define GRADIENT_CALL(SUFFIX)                                                                             \
    switch (g->kernel_width) {                                                                            \
    case 3: kernel_gradient3_##SUFFIX(g, items, image, grid, gradient, scratch); return;                  \
    case 4: kernel_gradient4_##SUFFIX(g, items, image, grid, gradient, scratch); return;                  \
    case 5: kernel_gradient5_##SUFFIX(g, items, image, grid, gradient, scratch); return;                  \
    default: kernel_gradient_##SUFFIX(g, items, image, grid, gradient, scratch); return;                  \
    }
    switch (chosen(instruction_set)) {
#if defined(__x86_64__)
    case LAB_AVX512: GRADIENT_CALL(avx512)
    case LAB_AVX2: GRADIENT_CALL(avx2)
#endif
    default: GRADIENT_CALL(baseline)
    }
#undef GRADIENT_CALL
}
