#include "InstructionSet.h"
#include <stdlib.h>
#include <string.h>

// 0 until first asked; then the set plus one.
static int chosen;

static enum lab_instruction_set widest(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return LAB_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LAB_AVX2;
#endif
    return LAB_BASELINE;
}

int lab_supported_instruction_set(int asked) {
    int most = (int)widest();
    return asked < 0 ? LAB_BASELINE : asked > most ? most : asked;
}

enum lab_instruction_set lab_instruction_set(void) {
    int known = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (known) return (enum lab_instruction_set)(known - 1);
    enum lab_instruction_set set = widest();
    // LAB_KERNELS=avx2 or baseline runs narrower kernels than the CPU has (to time them on one
    // machine); never wider.
    const char *asked = getenv("LAB_KERNELS");
    if (asked && strcmp(asked, "baseline") == 0) set = LAB_BASELINE;
    if (asked && strcmp(asked, "avx2") == 0 && set > LAB_AVX2) set = LAB_AVX2;
    __atomic_store_n(&chosen, (int)set + 1, __ATOMIC_RELEASE);
    return set;
}
