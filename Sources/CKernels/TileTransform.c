#include "CKernels.h"
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));

// Channels c, c + 1, … c + WIDTH − 1 of the whole tile, held in TYPE values: the first pass
// keeps its results in `t`, the second sums each output in a register and stores it once.
#define TRANSFORM_COLUMNS(TYPE, WIDTH)                                                                   \
    for (; c + WIDTH <= channels; c += WIDTH) {                                                          \
        TYPE t[LAB_TILE_LARGEST * LAB_TILE_LARGEST];                                                     \
        for (int i = 0; i < in_rows; i++) {                                                              \
            for (int b = 0; b < out_cols; b++) {                                                         \
                TYPE sum = {0};                                                                          \
                for (int j = 0; j < in_cols; j++) {                                                      \
                    TYPE x;                                                                              \
                    memcpy(&x, input + (long)(i * in_cols + j) * input_stride + c, sizeof x);            \
                    sum += right[b * in_cols + j] * x;                                                   \
                }                                                                                        \
                t[i * out_cols + b] = sum;                                                               \
            }                                                                                            \
        }                                                                                                \
        for (int a = 0; a < out_rows; a++) {                                                             \
            for (int b = 0; b < out_cols; b++) {                                                         \
                TYPE sum = {0};                                                                          \
                for (int i = 0; i < in_rows; i++) sum += left[a * in_rows + i] * t[i * out_cols + b];    \
                memcpy(output + (long)(a * out_cols + b) * output_stride + c, &sum, sizeof sum);         \
            }                                                                                            \
        }                                                                                                \
    }

#define TILE_TRANSFORM_BODY   \
    int c = 0;                \
    TRANSFORM_COLUMNS(v16, 16) \
    TRANSFORM_COLUMNS(v8, 8)   \
    TRANSFORM_COLUMNS(float, 1)

#define TILE_TRANSFORM_PARAMETERS                                                                        \
    const float *left, int out_rows, int in_rows, const float *right, int out_cols, int in_cols,        \
    const float *input, long input_stride, float *output, long output_stride, int channels

static void transform_baseline(TILE_TRANSFORM_PARAMETERS) { TILE_TRANSFORM_BODY }

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void transform_avx2(TILE_TRANSFORM_PARAMETERS) { TILE_TRANSFORM_BODY }
__attribute__((target("avx512f"))) static void transform_avx512(TILE_TRANSFORM_PARAMETERS) { TILE_TRANSFORM_BODY }
#endif

typedef void (*transform_function)(TILE_TRANSFORM_PARAMETERS);

static transform_function chosen_transform(const char **name) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) { *name = "avx512"; return transform_avx512; }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { *name = "avx2"; return transform_avx2; }
#endif
    *name = "baseline";
    return transform_baseline;
}

// Chosen once; threads that race on first use compute and store the same values.
static transform_function transform;
static const char *instruction_set;

static void choose(void) {
    if (__atomic_load_n(&transform, __ATOMIC_ACQUIRE)) return;
    const char *name;
    transform_function f = chosen_transform(&name);
    __atomic_store_n(&instruction_set, name, __ATOMIC_RELAXED);
    __atomic_store_n(&transform, f, __ATOMIC_RELEASE);
}

void lab_tile_transform(TILE_TRANSFORM_PARAMETERS) {
    choose();
    transform(left, out_rows, in_rows, right, out_cols, in_cols, input, input_stride, output, output_stride, channels);
}

const char *lab_kernels_instruction_set(void) {
    choose();
    return __atomic_load_n(&instruction_set, __ATOMIC_RELAXED);
}
