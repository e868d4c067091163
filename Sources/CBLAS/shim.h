// OpenBLAS: the CBLAS interface plus the OpenBLAS queries used by the benchmark.
#include <cblas.h>

// LAPACK routines are in the same library (libopenblas); declared here as needed.
