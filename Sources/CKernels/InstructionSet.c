#include "InstructionSet.h"

// 0 until first asked; then the set plus one.
static int chosen;

enum lab_instruction_set lab_instruction_set(void) {
    int known = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (known) return (enum lab_instruction_set)(known - 1);
    enum lab_instruction_set set = LAB_BASELINE;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) set = LAB_AVX512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) set = LAB_AVX2;
#endif
    __atomic_store_n(&chosen, (int)set + 1, __ATOMIC_RELEASE);
    return set;
}
