#include "CKernels.h"
#include "InstructionSet.h"
#include "WinogradMatrices.h"
#include <stdint.h>
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v1;

// y_b = Σ_j coefficients[b · inputs + j] · x_j for b < OUT, where x_j is the TYPE at x + j · x_step
// and y_b goes to y + b · y_step (steps in floats). The OUT sums are independent, so their
// multiply-adds overlap instead of waiting on one another, and a constant OUT keeps them in
// registers.
#define DEFINE_LINE(SUFFIX, TYPE, STORE, OUT)                                                               \
    static inline void line_##SUFFIX##_##OUT(const float *coefficients, int inputs, const float *x, long x_step, \
                                             float *y, long y_step) {                                    \
        TYPE sum[OUT];                                                                                    \
        for (int b = 0; b < OUT; b++) sum[b] = (TYPE){0};                                                 \
        for (int j = 0; j < inputs; j++) {                                                                \
            TYPE value;                                                                                   \
            memcpy(&value, x + j * x_step, sizeof value);                                                 \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int b = 0; b < OUT; b++) sum[b] += coefficients[b * inputs + j] * value;                 \
        }                                                                                                 \
        for (int b = 0; b < OUT; b++) STORE(y + b * y_step, sum[b]);                                      \
    }

// How a line stores its sums: through the caches, or past them (non-temporal; the address must be
// aligned to the value's size).
#define STORE_CACHED(address, value) memcpy(address, &(value), sizeof(value))
#define STORE_STREAMING(address, value) __builtin_nontemporal_store(value, (__typeof__(value) *)(address))

// One line transform of TYPE values, stored with STORE, for every output count up to LAB_TILE_LARGEST.
#define DEFINE_LINES(SUFFIX, TYPE, STORE)                                                                   \
    DEFINE_LINE(SUFFIX, TYPE, STORE, 1) DEFINE_LINE(SUFFIX, TYPE, STORE, 2)                               \
    DEFINE_LINE(SUFFIX, TYPE, STORE, 3) DEFINE_LINE(SUFFIX, TYPE, STORE, 4)                               \
    DEFINE_LINE(SUFFIX, TYPE, STORE, 5) DEFINE_LINE(SUFFIX, TYPE, STORE, 6)                               \
    DEFINE_LINE(SUFFIX, TYPE, STORE, 7) DEFINE_LINE(SUFFIX, TYPE, STORE, 8)                               \
    DEFINE_LINE(SUFFIX, TYPE, STORE, 9) DEFINE_LINE(SUFFIX, TYPE, STORE, 10)                              \
    static void line_##SUFFIX(const float *coefficients, int outputs, int inputs, const float *x, long x_step, \
                              float *y, long y_step) {                                                    \
        switch (outputs) {                                                                                \
        case 1: line_##SUFFIX##_1(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 2: line_##SUFFIX##_2(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 3: line_##SUFFIX##_3(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 4: line_##SUFFIX##_4(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 5: line_##SUFFIX##_5(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 6: line_##SUFFIX##_6(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 7: line_##SUFFIX##_7(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 8: line_##SUFFIX##_8(coefficients, inputs, x, x_step, y, y_step); break;                     \
        case 9: line_##SUFFIX##_9(coefficients, inputs, x, x_step, y, y_step); break;                     \
        default: line_##SUFFIX##_10(coefficients, inputs, x, x_step, y, y_step); break;                   \
        }                                                                                                 \
    }

// A line of one fixed matrix, `lab_winograd_matrix_INDEX` (OUT × IN), its coefficients
// constants: with the loops unrolled the compiler drops the terms of zero coefficients and turns
// ±1 ones into additions and subtractions. The sums start at −0 (x + −0 is x), so that every
// value is the same bits as `line_…` gives with that matrix, whose multiply-adds by zero add
// nothing and by ±1 round as the addition does (only the sign of a zero sum could differ).
#define DEFINE_COMPILED_LINE(SUFFIX, TYPE, INDEX, OUT, IN)                                               \
    static void compiled_##SUFFIX##_##INDEX(const float *x, long x_step, float *y, long y_step, int streaming) { \
        TYPE sum[OUT];                                                                                    \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int b = 0; b < OUT; b++) sum[b] = -(TYPE){0};                                                \
        _Pragma("clang loop unroll(full)")                                                                \
        for (int j = 0; j < IN; j++) {                                                                    \
            TYPE value;                                                                                   \
            memcpy(&value, x + j * x_step, sizeof value);                                                 \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int b = 0; b < OUT; b++)                                                                 \
                if (lab_winograd_matrix_##INDEX[b * IN + j] != 0) sum[b] += lab_winograd_matrix_##INDEX[b * IN + j] * value; \
        }                                                                                                 \
        if (streaming) {                                                                                  \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int b = 0; b < OUT; b++) STORE_STREAMING(y + b * y_step, sum[b]);                        \
        } else {                                                                                          \
            _Pragma("clang loop unroll(full)")                                                            \
            for (int b = 0; b < OUT; b++) STORE_CACHED(y + b * y_step, sum[b]);                           \
        }                                                                                                 \
    }

typedef void (*compiled_line)(const float *x, long x_step, float *y, long y_step, int streaming);
#define COMPILED_LINE_POINTER(SUFFIX, TYPE, INDEX, OUT, IN) compiled_##SUFFIX##_##INDEX,

// Every fixed matrix's line of TYPE values, and their table `compiled_lines_SUFFIX` by index.
#define DEFINE_COMPILED_LINES(SUFFIX, TYPE)                                                               \
    LAB_WINOGRAD_MATRICES(DEFINE_COMPILED_LINE, SUFFIX, TYPE)                                             \
    static const compiled_line compiled_lines_##SUFFIX[] = {LAB_WINOGRAD_MATRICES(COMPILED_LINE_POINTER, SUFFIX, TYPE)};

// Channels c, c + 1, … c + WIDTH − 1 of the whole tile: rows through `right` into `t`, then the
// columns of `t` through `left` into the output, past the caches (STREAMED lines) when asked and
// every output address is aligned to the vector. A side whose line index (`left_line`,
// `right_line`) is not negative runs that fixed matrix's compiled line from the table COMPILED.
#define TRANSFORM_COLUMNS(SUFFIX, STREAMED, WIDTH, COMPILED)                                              \
    for (; c + WIDTH <= channels; c += WIDTH) {                                                           \
        float t[LAB_TILE_LARGEST * LAB_TILE_LARGEST * WIDTH];                                             \
        for (int i = 0; i < in_rows; i++) {                                                               \
            const float *row = input + (long)i * in_cols * input_stride + c;                              \
            if (right_line >= 0)                                                                          \
                COMPILED[right_line](row, input_stride, t + i * out_cols * WIDTH, WIDTH, 0);              \
            else                                                                                          \
                line_##SUFFIX(right, out_cols, in_cols, row, input_stride, t + i * out_cols * WIDTH, WIDTH); \
        }                                                                                                 \
        int past_caches = streaming && (uintptr_t)(output + c) % (WIDTH * sizeof(float)) == 0            \
                          && output_stride % WIDTH == 0;                                                  \
        for (int b = 0; b < out_cols; b++) {                                                              \
            float *column = output + (long)b * output_stride + c;                                         \
            if (left_line >= 0)                                                                           \
                COMPILED[left_line](t + b * WIDTH, (long)out_cols * WIDTH, column, (long)out_cols * output_stride, past_caches); \
            else if (past_caches)                                                                         \
                line_##STREAMED(left, out_rows, in_rows, t + b * WIDTH, (long)out_cols * WIDTH, column,   \
                                (long)out_cols * output_stride);                                          \
            else                                                                                          \
                line_##SUFFIX(left, out_rows, in_rows, t + b * WIDTH, (long)out_cols * WIDTH, column,     \
                              (long)out_cols * output_stride);                                            \
        }                                                                                                 \
    }

#define TILE_TRANSFORM_PARAMETERS                                                                        \
    const float *left, int out_rows, int in_rows, int left_line, const float *right, int out_cols, int in_cols, \
    int right_line, const float *input, long input_stride, float *output, long output_stride, int channels, int streaming
#define TILE_TRANSFORM_ARGUMENTS                                                                         \
    left, out_rows, in_rows, left_line, right, out_cols, in_cols, right_line, input, input_stride, output, output_stride, \
    channels, streaming

// The kernels for one instruction set: lines of 16, 8 and 1 floats (the vector ones also streamed,
// and compiled for every fixed matrix), and the transform. Runs of a single channel (only where
// the channel count is not a multiple of 8) always take the general lines.
#define DEFINE_TRANSFORM(NAME)                                                                            \
    DEFINE_LINES(NAME##_16, v16, STORE_CACHED)                                                            \
    DEFINE_LINES(NAME##_16s, v16, STORE_STREAMING)                                                        \
    DEFINE_LINES(NAME##_8, v8, STORE_CACHED)                                                              \
    DEFINE_LINES(NAME##_8s, v8, STORE_STREAMING)                                                          \
    DEFINE_LINES(NAME##_1, v1, STORE_CACHED)                                                              \
    DEFINE_COMPILED_LINES(NAME##_16, v16)                                                                 \
    DEFINE_COMPILED_LINES(NAME##_8, v8)                                                                   \
    static void NAME(TILE_TRANSFORM_PARAMETERS) {                                                         \
        int c = 0;                                                                                        \
        TRANSFORM_COLUMNS(NAME##_16, NAME##_16s, 16, compiled_lines_##NAME##_16)                          \
        TRANSFORM_COLUMNS(NAME##_8, NAME##_8s, 8, compiled_lines_##NAME##_8)                              \
        left_line = right_line = -1;                                                                      \
        TRANSFORM_COLUMNS(NAME##_1, NAME##_1, 1, compiled_lines_##NAME##_8)                               \
    }

DEFINE_TRANSFORM(transform_baseline)

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
DEFINE_TRANSFORM(transform_avx2)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
DEFINE_TRANSFORM(transform_avx512)
#pragma clang attribute pop
#endif

// Runs the kernel of `set`, which the CPU must run. Streamed stores are weakly ordered: the fence
// makes them visible before anything this thread does next (such as reporting its part done).
static void transform_with(enum lab_instruction_set set, TILE_TRANSFORM_PARAMETERS) {
    switch (set) {
#if defined(__x86_64__)
    case LAB_AVX512: transform_avx512(TILE_TRANSFORM_ARGUMENTS); break;
    case LAB_AVX2: transform_avx2(TILE_TRANSFORM_ARGUMENTS); break;
#endif
    default: transform_baseline(TILE_TRANSFORM_ARGUMENTS);
    }
#if defined(__x86_64__)
    if (streaming) __builtin_ia32_sfence();
#endif
}

void lab_tile_transform_using(int instruction_set, TILE_TRANSFORM_PARAMETERS) {
    transform_with((enum lab_instruction_set)lab_supported_instruction_set(instruction_set), TILE_TRANSFORM_ARGUMENTS);
}

// The set chosen once (no CPU query per tile).
void lab_tile_transform(TILE_TRANSFORM_PARAMETERS) { transform_with(lab_instruction_set(), TILE_TRANSFORM_ARGUMENTS); }

// Each fixed matrix's size and coefficients, by index.
#define MATRIX_ENTRY(UNUSED1, UNUSED2, INDEX, OUT, IN) {OUT, IN, lab_winograd_matrix_##INDEX},
static const struct {
    int rows, columns;
    const float *values;
} fixed_matrices[] = {LAB_WINOGRAD_MATRICES(MATRIX_ENTRY, , )};

int lab_tile_line(const float *matrix, int outputs, int inputs) {
    for (int index = 0; index < (int)(sizeof fixed_matrices / sizeof fixed_matrices[0]); index++) {
        if (fixed_matrices[index].rows == outputs && fixed_matrices[index].columns == inputs
            && memcmp(fixed_matrices[index].values, matrix, sizeof(float) * (size_t)(outputs * inputs)) == 0)
            return index;
    }
    return -1;
}

const char *lab_kernels_instruction_set(void) {
    switch (lab_instruction_set()) {
    case LAB_AVX512: return "avx512";
    case LAB_AVX2: return "avx2";
    default: return "baseline";
    }
}
