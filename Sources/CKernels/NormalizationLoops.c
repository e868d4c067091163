#include "CKernels.h"
#include "InstructionSet.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Batch normalisation's backward passes with AVX-512, sixteen channels at a time: the operations
// of `ChannelLoops.columnSums` and `normalizationGradient` (Swift, eight channels in two SSE
// registers) lane by lane, each multiply and add rounded on its own as Swift rounds them, so the
// bits are the same; and the dropout after the rectifier applied from its kept-element bits.
#pragma clang fp contract(off)

// Bit i % 8 of bits[i / 8] set where draws[i] >= threshold, for i < count: unsigned sixteen-bit
// compares sixteen at a time, packed to bytes whose sign bits make two bytes of bits (movemask).
// Baseline, and the last few: one at a time.
static void mark_baseline(const unsigned short *draws, long count, unsigned short threshold, unsigned char *bits) {
    for (long i = 0; i < count; i += 8) {
        unsigned char byte = 0;
        for (long l = 0; l < 8 && i + l < count; l++) byte |= (unsigned char)((draws[i + l] >= threshold) << l);
        bits[i / 8] = byte;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void mark_avx2(const unsigned short *draws, long count, unsigned short threshold,
                                                      unsigned char *bits) {
    const __m128i least = _mm_set1_epi16((short)threshold);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i low = _mm_loadu_si128((const __m128i *)(draws + i)), high = _mm_loadu_si128((const __m128i *)(draws + i + 8));
        // Unsigned draw ≥ threshold exactly where max(draw, threshold) is the draw.
        __m128i keptLow = _mm_cmpeq_epi16(_mm_max_epu16(low, least), low);
        __m128i keptHigh = _mm_cmpeq_epi16(_mm_max_epu16(high, least), high);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(keptLow, keptHigh));
        bits[i / 8] = (unsigned char)mask;
        bits[i / 8 + 1] = (unsigned char)(mask >> 8);
    }
    if (i < count) mark_baseline(draws + i, count - i, threshold, bits + i / 8);
}
#endif

void lab_mark_kept(const unsigned short *draws, long count, unsigned short threshold, unsigned char *bits) {
    switch (lab_instruction_set()) {
#if defined(__x86_64__)
    case LAB_AVX512:
    case LAB_AVX2: mark_avx2(draws, count, threshold, bits); return;
#endif
    default: mark_baseline(draws, count, threshold, bits);
    }
}

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

// The sixteen channels from c of a row (its first element `element` of the whole data): g
// through dropout (its bits) and the rectifier when there is one, x̂ = x · s + t given.
static inline __m512 through_rectifier(__m512 g, __m512 xhat, long c, long element, const struct lab_rectifier *rectifier) {
    if (!rectifier) return g;
    if (rectifier->kept_bits) {
        long e = element + c;
        unsigned word;
        memcpy(&word, rectifier->kept_bits + (e >> 3), sizeof word);
        // Dropped elements become +0, as `replacing(with: 0, …)` makes them.
        g = _mm512_maskz_mul_ps((__mmask16)(word >> (e & 7)), g, _mm512_set1_ps(rectifier->kept));
    }
    __m512 z = _mm512_add_ps(_mm512_mul_ps(xhat, _mm512_loadu_ps(rectifier->gamma + c)), _mm512_loadu_ps(rectifier->beta + c));
    __mmask16 nonpositive = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LE_OQ);
    return rectifier->leaky ? _mm512_mask_mul_ps(g, nonpositive, g, _mm512_set1_ps(rectifier->alpha))
                            : _mm512_mask_mov_ps(g, nonpositive, _mm512_setzero_ps());
}

// The lanes of the sixteen channels from c that exist.
static inline __mmask16 lanes(long c, long channels) {
    long left = channels - c;
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

// x̂ = x · scale + shift for the lanes `m` of the sixteen channels from c of a row.
static inline __m512 normalized(__mmask16 m, const float *x_row, const float *scale, const float *shift, long c) {
    return _mm512_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x_row + c), _mm512_maskz_loadu_ps(m, scale + c)),
                         _mm512_maskz_loadu_ps(m, shift + c));
}

static void sums_avx512(long rows, long channels, long first_element, const float *dy, const float *x, const float *scale,
                        const float *shift, const struct lab_rectifier *rectifier, float *sum, float *sum_of_products) {
    for (long r = 0; r < rows; r++) {
        const float *g_row = dy + r * channels, *x_row = x + r * channels;
        long element = first_element + r * channels;
        for (long c = 0; c < channels; c += 16) {
            __mmask16 m = lanes(c, channels);
            __m512 xhat = normalized(m, x_row, scale, shift, c);
            __m512 g = through_rectifier(_mm512_maskz_loadu_ps(m, g_row + c), xhat, c, element, rectifier);
            _mm512_mask_storeu_ps(sum + c, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, sum + c), g));
            _mm512_mask_storeu_ps(sum_of_products + c, m,
                                  _mm512_add_ps(_mm512_maskz_loadu_ps(m, sum_of_products + c), _mm512_mul_ps(g, xhat)));
        }
    }
}

static void gradient_avx512(long rows, long channels, long first_element, const float *dy, const float *x, const float *scale,
                            const float *shift, const struct lab_rectifier *rectifier, const float *gradient_scale,
                            const float *mean_gradient, const float *mean_gradient_times_normalized, float *dx) {
    for (long r = 0; r < rows; r++) {
        const float *g_row = dy + r * channels, *x_row = x + r * channels;
        float *out = dx + r * channels;
        long element = first_element + r * channels;
        for (long c = 0; c < channels; c += 16) {
            __mmask16 m = lanes(c, channels);
            __m512 xhat = normalized(m, x_row, scale, shift, c);
            __m512 incoming = through_rectifier(_mm512_maskz_loadu_ps(m, g_row + c), xhat, c, element, rectifier);
            __m512 value = _mm512_sub_ps(_mm512_sub_ps(incoming, _mm512_maskz_loadu_ps(m, mean_gradient + c)),
                                         _mm512_mul_ps(xhat, _mm512_maskz_loadu_ps(m, mean_gradient_times_normalized + c)));
            _mm512_mask_storeu_ps(out + c, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, gradient_scale + c), value));
        }
    }
}
#pragma clang attribute pop
#endif

int lab_normalization_sums(long rows, long channels, long first_element, const float *dy, const float *x, const float *scale,
                           const float *shift, const struct lab_rectifier *rectifier, float *sum, float *sum_of_products) {
#if defined(__x86_64__)
    if (lab_instruction_set() == LAB_AVX512) {
        sums_avx512(rows, channels, first_element, dy, x, scale, shift, rectifier, sum, sum_of_products);
        return 1;
    }
#endif
    return 0;
}

int lab_normalization_gradient(long rows, long channels, long first_element, const float *dy, const float *x, const float *scale,
                               const float *shift, const struct lab_rectifier *rectifier, const float *gradient_scale,
                               const float *mean_gradient, const float *mean_gradient_times_normalized, float *dx) {
#if defined(__x86_64__)
    if (lab_instruction_set() == LAB_AVX512) {
        gradient_avx512(rows, channels, first_element, dy, x, scale, shift, rectifier, gradient_scale, mean_gradient,
                        mean_gradient_times_normalized, dx);
        return 1;
    }
#endif
    return 0;
}

int lab_normalization_loops_are_wide(void) {
#if defined(__x86_64__)
    return lab_instruction_set() == LAB_AVX512;
#else
    return 0;
#endif
}
