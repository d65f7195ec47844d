// What both kernel files share: the one build carries a version of each marked function per instruction set, and the
// loader picks the one for the CPU it runs on (Linux x86-64 with clang; elsewhere a single baseline version).
#ifndef LATENT_KERNELS_DISPATCH_H
#define LATENT_KERNELS_DISPATCH_H
#include <string.h>

#if defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define LATENT_CLONES __attribute__((target_clones("avx2", "avx", "default")))
#else
#define LATENT_CLONES
#endif

/// The loader's choice among the clones: "avx2", "avx" or "baseline".
static inline const char *latent_clone_choice(void) {
#if defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) return "avx2";
    if (__builtin_cpu_supports("avx")) return "avx";
#endif
    return "baseline";
}

#endif
