#include "CKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

// Whether the space-separated list `flags` holds the word `name`.
static int has_flag(const char *flags, const char *name) {
    size_t length = strlen(name);
    for (const char *at = flags; (at = strstr(at, name)) != NULL; at += length) {
        int starts = at == flags || at[-1] == ' ' || at[-1] == '\t';
        char after = at[length];
        if (starts && (after == '\0' || after == ' ' || after == '\t' || after == '\n')) return 1;
    }
    return 0;
}

// OpenBLAS's kernel families whose single-precision products use AVX2 and FMA or wider.
static int uses_avx2(const char *family) {
    static const char *const families[] = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strcasecmp(family, families[i]) == 0) return 1;
    return 0;
}

const char *lab_wanted_core_type(const char *pinned, const char *flags, const char *library_choice) {
    if (pinned) return pinned;
    if (has_flag(flags, "avx512f") && has_flag(flags, "avx512dq") && has_flag(flags, "avx512bw") && has_flag(flags, "avx512vl"))
        return "SkylakeX";
    if (has_flag(flags, "avx2") && has_flag(flags, "fma") && !uses_avx2(library_choice ? library_choice : "")) return "Haswell";
    return NULL;
}

#if defined(__linux__)
// OpenBLAS's own; weak so that a program without OpenBLAS links and skips the choice.
extern char *openblas_get_corename(void) __attribute__((weak));

// Runs before `main` in every program that links these kernels (`lab`, the test bundle, the fuzz
// targets), after OpenBLAS has chosen its kernels as it loaded: when `lab_wanted_core_type`
// wants another family, sets OPENBLAS_CORETYPE (the library reads it only as it loads) and
// executes the program again with the same arguments. LAB_OPENBLAS_SELECTED_VARIABLE marks the
// process executed again, and LAB_OPENBLAS_ORIGINAL_VARIABLE keeps the user's OPENBLAS_CORETYPE,
// for the programs it starts (`KernelSelectionEnvironment` in the Lab module undoes both).
__attribute__((constructor)) static void lab_select_blas_kernels(int argc, char **argv, char **envp) {
    (void)argc;
    (void)envp;
    if (getenv(LAB_OPENBLAS_SELECTED_VARIABLE) || !openblas_get_corename || !argv) return;
    FILE *file = fopen("/proc/cpuinfo", "r");
    if (!file) return;
    char *line = NULL, *flags = NULL;
    size_t capacity = 0;
    while (getline(&line, &capacity, file) > 0) {
        if (strncmp(line, "flags", 5) == 0 && strchr(line, ':')) {
            flags = strchr(line, ':') + 1;
            break;
        }
    }
    fclose(file);
    const char *library = openblas_get_corename();
    const char *pinned = getenv(LAB_OPENBLAS_PINNED_VARIABLE);
    const char *wanted = flags ? lab_wanted_core_type(pinned, flags, library) : pinned;
    char chosen[64] = "";
    if (wanted) snprintf(chosen, sizeof chosen, "%s", wanted);
    free(line);
    const char *current = getenv("OPENBLAS_CORETYPE");
    if (!chosen[0] || (current && strcmp(current, chosen) == 0)) return;
    setenv(LAB_OPENBLAS_ORIGINAL_VARIABLE, current ? current : "", 1);
    setenv(LAB_OPENBLAS_SELECTED_VARIABLE, "1", 1);
    setenv("OPENBLAS_CORETYPE", chosen, 1);
    execv("/proc/self/exe", argv);
    // Only reached when exec failed: carry on with the kernels already loaded.
}
#endif
