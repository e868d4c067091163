// OpenBLAS: the CBLAS interface plus the OpenBLAS queries used by the benchmark.
#include <cblas.h>

// LAPACK routines are in the same library (libopenblas); declared here as needed.

// LAPACK's symmetric eigensolver (divide and conquer), double precision, from libopenblas.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);
