#ifndef LAB_CKERNELS_H
#define LAB_CKERNELS_H

/// Small numeric kernels that must run with the CPU's widest vectors.
///
/// Swift compiles for the baseline instruction set of its target (SSE2 on x86-64) and has no
/// way to compile one function for AVX2 or AVX-512 and choose it at run time. These functions
/// are compiled three times (AVX-512, AVX2 with FMA, baseline) and the widest the CPU has is
/// chosen on first use (the environment variable LAB_KERNELS, `avx2` or `baseline`, asks for a
/// narrower one, to time it on a wider CPU). Plain loops over channels; the compiler vectorises
/// them.

/// The instruction sets the kernels are compiled for; `…_using` functions take one (a narrower
/// one than the CPU's runs as asked, a wider one as the CPU's widest).
enum lab_instruction_set { LAB_BASELINE = 0, LAB_AVX2 = 1, LAB_AVX512 = 2 };

/// `asked` if this CPU runs it, else the widest set it runs.
int lab_supported_instruction_set(int asked);

/// The largest tile side `lab_tile_transform` takes (rows and columns, in and out).
#define LAB_TILE_LARGEST 10

/// output[a][b][c] = Σ_i Σ_j left[a][i] · input[i][j][c] · right[b][j]
///
/// for c < channels, where input entry (i, j) starts at input + (i · in_cols + j) · input_stride
/// and output entry (a, b) at output + (a · out_cols + b) · output_stride (strides in floats).
/// `left` is out_rows × in_rows and `right` out_cols × in_cols, row-major, every size at most
/// LAB_TILE_LARGEST.
///
/// `left_line` and `right_line` are `lab_tile_line`'s index of that side's matrix, or −1. With
/// −1 every coefficient is multiplied, zeros too (a branch per coefficient costs more than the
/// multiplication). With an index, that side runs code compiled for its matrix: no terms for
/// zero coefficients, additions for ±1 ones; the values are the same bits (only the sign of a
/// zero could differ).
///
/// With `streaming` non-zero, runs of channels whose output addresses are aligned to the vector
/// (64 bytes for 16 floats, 32 for 8; `output_stride` a multiple of the width) are stored past
/// the caches (non-temporal stores, fenced before return): for outputs far larger than the
/// caches that are read long after, which otherwise are read from memory before every write.
/// The values are the same bits either way.
void lab_tile_transform(const float *left, int out_rows, int in_rows, int left_line,
                        const float *right, int out_cols, int in_cols, int right_line,
                        const float *input, long input_stride,
                        float *output, long output_stride,
                        int channels, int streaming);

/// `lab_tile_transform` with the given `enum lab_instruction_set` (the tests run every set the
/// CPU has).
void lab_tile_transform_using(int instruction_set, const float *left, int out_rows, int in_rows, int left_line,
                              const float *right, int out_cols, int in_cols, int right_line,
                              const float *input, long input_stride, float *output, long output_stride, int channels,
                              int streaming);

/// The index of the fixed matrix (`outputs` × `inputs`, row-major) whose coefficients are
/// exactly `matrix`'s, bit for bit, among the ones the transforms have compiled code for (every
/// data-transform matrix, Bᵀ, B, Aᵀ and A, of the Winograd tiles `NeuralNet` can choose; see
/// `WinogradMatrices.h`), or −1.
int lab_tile_line(const float *matrix, int outputs, int inputs);

/// The instruction set `lab_tile_transform` runs with: "avx512", "avx2" or "baseline".
const char *lab_kernels_instruction_set(void);

/// One Adam update of `count` elements (NeuralNet's `Adam`): m ← m + (g − m)·b1,
/// v ← v + (g² − v)·b2, w ← w − m·alpha / (√v + eps), with b1 = 1 − β₁ and b2 = 1 − β₂, in
/// that order and without fused multiply-adds, so every instruction set gives the same bits.
void lab_adam_step(float *w, const float *g, float *m, float *v, long count, float b1, float b2, float alpha, float eps);

/// `lab_adam_step` with the given `enum lab_instruction_set` (the tests run every set the CPU has).
void lab_adam_step_using(int instruction_set, float *w, const float *g, float *m, float *v, long count, float b1,
                         float b2, float alpha, float eps);

/// The OpenBLAS kernel family a program should run, or NULL to keep the library's own choice
/// (`library_choice`, as `openblas_get_corename` names it): `pinned` (the user's
/// LAB_OPENBLAS_CORETYPE) when given; "SkylakeX" when `flags` (/proc/cpuinfo's, space-separated)
/// hold AVX-512 F, DQ, BW and VL; "Haswell" when they hold AVX2 and FMA and the library chose a
/// family that uses neither. OpenBLAS 0.3.21 picks Haswell kernels on AVX-512 AMD CPUs, and its
/// generic Prescott ones on CPUs newer than its table (an Intel Xeon of family 6, model 207:
/// sgemm 32.5 GFLOPS against SkylakeX's 292–300 on two threads). A constructor in this library
/// applies it before `main` in every program that links it (BLASKernelSelection.c).
const char *lab_wanted_core_type(const char *pinned, const char *flags, const char *library_choice);

/// The environment variable set (to "1") in a process the constructor executed again, so that it
/// does not do so once more; `KernelSelectionEnvironment` in the Lab module reads the same name.
#define LAB_OPENBLAS_SELECTED_VARIABLE "LAB_OPENBLAS_SELECTED"

/// The environment variable that keeps the user's OPENBLAS_CORETYPE (empty when it was not set)
/// in a process the constructor executed again, for the programs that process starts.
#define LAB_OPENBLAS_ORIGINAL_VARIABLE "LAB_OPENBLAS_ORIGINAL_CORETYPE"

/// The environment variable with which a user pins the kernel family (`pinned` above).
#define LAB_OPENBLAS_PINNED_VARIABLE "LAB_OPENBLAS_CORETYPE"

/// Columns in one panel of a packed right-hand operand (`lab_pack_panels`).
#define LAB_PANEL_WIDTH 32

/// The width of a last panel that is half a panel: `lab_pack_panels` and `lab_panel_product`
/// take any multiple of it (784, the Dense GANs' image columns, is 24½ panels).
#define LAB_PANEL_TAIL_WIDTH 16

/// Up to this many rows of k, `lab_transposed_product` copies all of them side by side at once
/// (their copies, (m + n) · k floats, stay in a core's second-level cache for m + n up to about
/// 1,500) and writes each output once.
#define LAB_TRANSPOSED_SINGLE_CHUNK 128

/// Outputs of at least this many floats (1 MB) that `lab_transposed_product` writes in one chunk
/// go past the caches (non-temporal stores).
#define LAB_TRANSPOSED_STREAMED_OUTPUT (1L << 18)

/// Packs the k × n matrix B into panels for `lab_panel_product`: panel p holds columns
/// 32p … 32p + 31 of every row, row after row (`panels[p · 32k + i · 32 + l] = B[i][32p + l]`);
/// when n is an odd multiple of 16, the last panel holds the last 16 columns the same way, 16
/// floats a row. B[i][j] is `b[i · ldb + j]`, or with `transposed` non-zero `b[j · ldb + i]` (B
/// given as its transpose, n rows of k). `n` must be a multiple of 16; `panels` holds k · n floats.
void lab_pack_panels(long k, long n, const float *b, long ldb, int transposed, float *panels);

/// c[i][j] = Σ_l a[i · lda + l] · B[l][j] for i < m, j < n, with B (k × n) packed by
/// `lab_pack_panels`; `c`'s rows are `ldc` floats apart. Each element is one chain of
/// multiply-adds over l in order, held in a register (fused where the instruction set has them),
/// so the bits do not depend on m or on where a product is cut into rows. Reads `a` in place:
/// no copy of the left operand and no pass over `c` before it is written, which OpenBLAS makes
/// on every call. `n` must be a multiple of 16 (`LAB_PANEL_TAIL_WIDTH`).
void lab_panel_product(long m, long n, long k, const float *a, long lda, const float *panels, float *c, long ldc);

/// `lab_panel_product` with the given `enum lab_instruction_set` (the tests run every set the CPU has).
void lab_panel_product_using(int instruction_set, long m, long n, long k, const float *a, long lda, const float *panels,
                             float *c, long ldc);

/// c[i][j] = Σ_l a[l · lda + i] · b[l · ldb + j] for i < m, j < n: aᵀ · b with a (k × m) and
/// b (k × n), row l of each `lda` and `ldb` floats on (the Winograd kernel gradient, a sum over
/// tiles). Rows are copied side by side 64 at a time and c is written once per chunk of them,
/// so c should fit a core's cache; when k is at most `LAB_TRANSPOSED_SINGLE_CHUNK`, all k rows
/// are one chunk and c is written once, whatever its size (past the caches when it has at least
/// `LAB_TRANSPOSED_STREAMED_OUTPUT` floats in whole cache lines from a line's start). Each
/// element is one chain of multiply-adds over l in order, so the bits do not depend on how rows
/// or columns are cut.
/// `n` must be a multiple of 32.
void lab_transposed_product(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc);

/// `lab_transposed_product` with the given `enum lab_instruction_set`.
void lab_transposed_product_using(int instruction_set, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                                  float *c, long ldc);

#include "ThreadCounter.h"

/// The sizes of a convolution whose image side has one channel (the first layer of a
/// discriminator that reads grayscale pictures, the last of a generator that draws them): an
/// image batch [N, image_height, image_width] and a grid batch [N, grid_height, grid_width,
/// channels], where cell (i, j) reads the kernel-sized patch whose top-left pixel is
/// (i · stride_y − pad_top, j · stride_x − pad_left), pixels outside the image zero. The kernel is
/// [kernel_height, kernel_width, channels] (Keras's layout with one image channel).
struct lab_single_channel_geometry {
    long image_height, image_width, grid_height, grid_width;
    long kernel_height, kernel_width, stride_y, stride_x, pad_top, pad_left;
    long channels;
};

/// The most kernel taps (kernel_height · kernel_width) the functions below take.
#define LAB_SINGLE_CHANNEL_TAPS 64

/// Floats of the `scratch` the functions below need: one item's image, padded.
long lab_single_channel_scratch(const struct lab_single_channel_geometry *geometry);

/// The number of taps rounded up to 16, 32 or 64: the row length of `lab_single_channel_image`'s
/// kernel.
long lab_single_channel_padded_taps(long taps);

/// grid[n][i][j][c] = bias[c] + Σ taps image[n][patch pixel] · kernel[tap][c] for `items` items
/// (bias may be NULL). Each element is one chain of multiply-adds over the taps in order (fused
/// where the set has them), held in a register. `instruction_set` as `enum lab_instruction_set`,
/// or negative for the set chosen for this CPU (a set the CPU lacks runs as its widest).
void lab_single_channel_grid(int instruction_set, const struct lab_single_channel_geometry *geometry, long items,
                             const float *image, const float *kernel, const float *bias, float *grid, float *scratch);

/// The adjoint: image[n][y][x] = bias[0] + Σ over the cells and taps that read pixel (y, x) of
/// Σ_c grid[n][cell][c] · kernel[tap][c] (bias may be NULL), with the kernel given channel by
/// channel: `kernel_by_channel[c · P + tap]`, P = `lab_single_channel_padded_taps(taps)`, the
/// taps past the last zero. Each cell's dot products are chains over the channels in order; they
/// are added to the pixels cell by cell, taps in order.
void lab_single_channel_image(int instruction_set, const struct lab_single_channel_geometry *geometry, long items,
                              const float *grid, const float *kernel_by_channel, const float *bias, float *image,
                              float *scratch);

/// gradient[tap][c] += Σ over the items' cells of image[n][patch pixel of tap] · grid[n][cell][c]:
/// each element one chain of multiply-adds, items and cells in order.
void lab_single_channel_kernel_gradient(int instruction_set, const struct lab_single_channel_geometry *geometry,
                                        long items, const float *image, const float *grid, float *gradient,
                                        float *scratch);

/// Bit i % 8 of bits[i / 8] set exactly where draws[i] >= threshold, for i < count (the bits
/// past count in the last byte clear): which elements a dropout mask keeps, for a backward pass
/// that reads them instead of drawing the mask again (`KeptElements`).
void lab_mark_kept(const unsigned short *draws, long count, unsigned short threshold, unsigned char *bits);

/// The rectifier after a batch normalisation, for its backward passes: leaky (slope `alpha`
/// below zero) or ReLU, its input z = x̂ · gamma + beta per channel; and, when `kept_bits` is not
/// null, the dropout after it: bit e of kept_bits (`lab_mark_kept`, readable four bytes past
/// element e's byte) says whether element e was kept, scaled by `kept`.
struct lab_rectifier {
    int leaky;
    float alpha;
    const float *gamma, *beta;
    const unsigned char *kept_bits;
    float kept;
};

/// Whether the two functions below run on this CPU (AVX-512); they return 0 and do nothing where
/// not, and the caller runs its own loops.
int lab_normalization_loops_are_wide(void);

/// For `rows` rows of `channels` (the first one element `first_element` of the whole data, for
/// the dropout bits): sum[c] += g, sum_of_products[c] += g · x̂, row after row, with x̂ = x · scale +
/// shift and g = dy, through `rectifier` (and its dropout) when not null.
int lab_normalization_sums(long rows, long channels, long first_element, const float *dy, const float *x, const float *scale,
                           const float *shift, const struct lab_rectifier *rectifier, float *sum, float *sum_of_products);

/// dx = gradient_scale · (g − mean_gradient − x̂ · mean_gradient_times_normalized) per channel,
/// g and x̂ as in `lab_normalization_sums`.
int lab_normalization_gradient(long rows, long channels, long first_element, const float *dy, const float *x, const float *scale,
                               const float *shift, const struct lab_rectifier *rectifier, const float *gradient_scale,
                               const float *mean_gradient, const float *mean_gradient_times_normalized, float *dx);

/// y[i] += x[i] for i < count, with the CPU's widest vectors (the same bits with any).
void lab_add(const float *x, float *y, long count);

/// z[i] = x[i] + y[i] for i < count, with the CPU's widest vectors (the same bits with any).
void lab_sum(const float *x, const float *y, float *z, long count);

/// Σ x[i] for i < count, read with the widest vectors (for `lab bench memory`: how fast a thread
/// reads memory), summed in four interleaved sums of 16 lanes (the same order on every set).
float lab_memory_read(const float *x, long count);

/// y[i] = value for i < count, stored past the caches (non-temporal stores, fenced before return)
/// from the first 64-byte boundary on, as the Winograd transforms store a batch (for `lab bench
/// memory`: how fast a thread writes memory that way).
void lab_memory_stream(float *y, long count, float value);

/// The machine's multiply-add peak (`lab bench peak`): `lab_multiply_add_lanes(set)` lanes in
/// independent chains, each lane `iterations` times sum = sum · multiplier + addend from zero
/// (one fused multiply-add where `instruction_set`, or the widest the CPU has below it, has them:
/// on x86-64 AVX2 and AVX-512, not the SSE2 baseline), and the sum of every lane returned.
float lab_multiply_add_chains(int instruction_set, long iterations, float multiplier, float addend);

/// The lanes `lab_multiply_add_chains` runs with `instruction_set` (or the widest the CPU has below it).
int lab_multiply_add_lanes(int instruction_set);

#endif
