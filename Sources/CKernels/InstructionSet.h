#ifndef LAB_INSTRUCTION_SET_H
#define LAB_INSTRUCTION_SET_H

/// The widest vector instructions this CPU runs, as the kernels of this target know them.
enum lab_instruction_set { LAB_BASELINE = 0, LAB_AVX2 = 1, LAB_AVX512 = 2 };

/// Asked of the CPU on first use and remembered; threads that race on first use compute and
/// store the same value.
enum lab_instruction_set lab_instruction_set(void);

#endif
