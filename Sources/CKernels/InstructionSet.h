#ifndef LAB_INSTRUCTION_SET_H
#define LAB_INSTRUCTION_SET_H

#include "CKernels.h"

/// Asked of the CPU on first use and remembered; threads that race on first use compute and
/// store the same value. The environment variable LAB_KERNELS (`avx2` or `baseline`) asks for a
/// narrower set than the CPU has (to time those kernels on a wider CPU).
enum lab_instruction_set lab_instruction_set(void);

#endif
