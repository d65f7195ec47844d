// The SGD epoch kernel of `sgd-mf` and `biased-mf`, in C so that one build carries a version per instruction set and
// picks the one for the CPU at load time (Swift has no per-function target attribute). The float operations are
// those of the Swift kernel it replaces, in the same order, with no contraction into fused multiply-adds: the models
// are bit for bit those of a baseline build, on every CPU.
#pragma STDC FP_CONTRACT OFF
#include "LatentKernels.h"
#include <string.h>

#if defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define LATENT_CLONES __attribute__((target_clones("avx2", "avx", "default")))
#else
#define LATENT_CLONES
#endif

typedef float v8f __attribute__((ext_vector_type(8)));

// Unaligned loads and stores of 8 floats (macros: a function returning a vector would warn of the AVX ABI).
#define load8(a) ({ v8f v_; memcpy(&v_, (a), sizeof v_); v_; })
#define store8(a, x) do { v8f v_ = (x); memcpy((a), &v_, sizeof v_); } while (0)

// How many ratings ahead the factor rows are prefetched: the rows of a shuffled block are scattered.
enum { ahead = 4 };

static inline __attribute__((always_inline)) double pass(const latent_rating *ratings, int64_t count, float *p,
                                                          float *q, float *bu, float *bi, latent_sgd_step s,
                                                          int biased) {
    const int64_t stride = s.stride, lanes = stride / 8;
    const float gamma = s.gamma, mu = s.mu, lub = s.lambda_ub, lib = s.lambda_ib;
    const v8f shrink_p = 1 - gamma * s.lambda_p, shrink_q = 1 - gamma * s.lambda_q;
    double sse = 0;
    for (int64_t n = 0; n < count; n++) {
        if (n + ahead < count) {
            const float *pa = p + (int64_t)ratings[n + ahead].user * stride;
            const float *qa = q + (int64_t)ratings[n + ahead].item * stride;
            for (int64_t l = 0; l < stride; l += 16) {
                __builtin_prefetch(pa + l, 1, 3);
                __builtin_prefetch(qa + l, 1, 3);
            }
        }
        const int64_t u = ratings[n].user, i = ratings[n].item;
        float *pu = p + u * stride, *qi = q + i * stride;
        // Two accumulators halve the dependency chain of the dot product.
        v8f acc0 = 0, acc1 = 0;
        int64_t l = 0;
        for (; l + 1 < lanes; l += 2) {
            acc0 += load8(pu + 8 * l) * load8(qi + 8 * l);
            acc1 += load8(pu + 8 * l + 8) * load8(qi + 8 * l + 8);
        }
        if (l < lanes) acc0 += load8(pu + 8 * l) * load8(qi + 8 * l);
        v8f acc = acc0 + acc1;
        // Left to right, as Swift's SIMD sum().
        float dot = acc[0];
        dot += acc[1]; dot += acc[2]; dot += acc[3]; dot += acc[4]; dot += acc[5]; dot += acc[6]; dot += acc[7];
        float prediction = mu + dot;
        if (biased) prediction += bu[u] + bi[i];
        const float e = ratings[n].value - prediction;
        sse += (double)(e * e);
        if (biased) {
            bu[u] += gamma * (e - lub * bu[u]);
            bi[i] += gamma * (e - lib * bi[i]);
        }
        const v8f ge = gamma * e;
        for (l = 0; l < lanes; l++) {
            const v8f pf = load8(pu + 8 * l), qf = load8(qi + 8 * l);
            store8(pu + 8 * l, shrink_p * pf + ge * qf);
            store8(qi + 8 * l, shrink_q * qf + ge * pf);
        }
    }
    return sse;
}

LATENT_CLONES
double latent_sgd_pass(const latent_rating *ratings, int64_t count, float *p, float *q, float *bu, float *bi,
                       latent_sgd_step step) {
    if (bu && bi) return pass(ratings, count, p, q, bu, bi, step, 1);
    return pass(ratings, count, p, q, 0, 0, step, 0);
}

const char *latent_sgd_kernel_name(void) {
#if defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    // The loader's choice among the clones above, highest first.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) return "avx2";
    if (__builtin_cpu_supports("avx")) return "avx";
#endif
    return "baseline";
}
