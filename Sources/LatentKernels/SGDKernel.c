// The SGD epoch kernel of `sgd-mf` and `biased-mf`, in C so that one build carries a version per instruction set and
// picks the one for the CPU at load time (Swift has no per-function target attribute). The float operations are
// those of the Swift kernel it replaces, in the same order, with no contraction into fused multiply-adds: the models
// are bit for bit those of a baseline build, on every CPU.
#pragma STDC FP_CONTRACT OFF
#include "LatentKernels.h"
#include "Dispatch.h"

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

// The runs of one user: `lanes` is a constant in each instance (1 to 8), so the user's row lives in `lanes` vector
// registers through the run; the float operations are those of `pass`, in its order.
static inline __attribute__((always_inline)) double runs_pass(const latent_run *runs, int64_t run_count,
                                                               const latent_entry *entries, float *p, float *q,
                                                               float *bu, float *bi, latent_sgd_step s, int biased,
                                                               const int64_t lanes) {
    const int64_t stride = s.stride;
    const float gamma = s.gamma, mu = s.mu, lub = s.lambda_ub, lib = s.lambda_ib;
    const v8f shrink_p = 1 - gamma * s.lambda_p, shrink_q = 1 - gamma * s.lambda_q;
    double sse = 0;
    int64_t n = 0, total = 0;
    for (int64_t r = 0; r < run_count; r++) total += runs[r].count;
    for (int64_t r = 0; r < run_count; r++) {
        const int64_t u = runs[r].user, end = n + runs[r].count;
        if (r + 1 < run_count) {
            const float *pa = p + (int64_t)runs[r + 1].user * stride;
            for (int64_t l = 0; l < stride; l += 16) __builtin_prefetch(pa + l, 1, 3);
        }
        float *pu = p + u * stride;
        v8f P[8];
        for (int64_t l = 0; l < lanes; l++) P[l] = load8(pu + 8 * l);
        float bu_u = biased ? bu[u] : 0;
        for (; n < end; n++) {
            if (n + ahead < total) {
                const float *qa = q + (int64_t)entries[n + ahead].item * stride;
                for (int64_t l = 0; l < stride; l += 16) __builtin_prefetch(qa + l, 1, 3);
            }
            const int64_t i = entries[n].item;
            float *qi = q + i * stride;
            v8f acc0 = 0, acc1 = 0;
            int64_t l = 0;
            for (; l + 1 < lanes; l += 2) {
                acc0 += P[l] * load8(qi + 8 * l);
                acc1 += P[l + 1] * load8(qi + 8 * l + 8);
            }
            if (l < lanes) acc0 += P[l] * load8(qi + 8 * l);
            v8f acc = acc0 + acc1;
            float dot = acc[0];
            dot += acc[1]; dot += acc[2]; dot += acc[3]; dot += acc[4]; dot += acc[5]; dot += acc[6]; dot += acc[7];
            float prediction = mu + dot;
            if (biased) prediction += bu_u + bi[i];
            const float e = entries[n].value - prediction;
            sse += (double)(e * e);
            if (biased) {
                bu_u += gamma * (e - lub * bu_u);
                bi[i] += gamma * (e - lib * bi[i]);
            }
            const v8f ge = gamma * e;
            for (l = 0; l < lanes; l++) {
                const v8f qf = load8(qi + 8 * l);
                store8(qi + 8 * l, shrink_q * qf + ge * P[l]);
                P[l] = shrink_p * P[l] + ge * qf;
            }
        }
        for (int64_t l = 0; l < lanes; l++) store8(pu + 8 * l, P[l]);
        if (biased) bu[u] = bu_u;
    }
    return sse;
}

// Rows of more than 64 floats: the updates of `pass`, the user's row read from memory.
static double runs_pass_wide(const latent_run *runs, int64_t run_count, const latent_entry *entries, float *p, float *q,
                             float *bu, float *bi, latent_sgd_step s) {
    latent_rating one[256];
    double sse = 0;
    int64_t n = 0;
    for (int64_t r = 0; r < run_count; r++) {
        for (int64_t left = runs[r].count; left > 0;) {
            const int64_t m = left < 256 ? left : 256;
            for (int64_t j = 0; j < m; j++) one[j] = (latent_rating){runs[r].user, entries[n + j].item, entries[n + j].value};
            sse += (bu && bi) ? pass(one, m, p, q, bu, bi, s, 1) : pass(one, m, p, q, 0, 0, s, 0);
            n += m;
            left -= m;
        }
    }
    return sse;
}

LATENT_CLONES
double latent_sgd_pass_runs(const latent_run *runs, int64_t run_count, const latent_entry *entries, float *p, float *q,
                            float *bu, float *bi, latent_sgd_step s) {
    const int biased = bu && bi;
#define LANES(k) case k: return biased ? runs_pass(runs, run_count, entries, p, q, bu, bi, s, 1, k) \
                                       : runs_pass(runs, run_count, entries, p, q, 0, 0, s, 0, k);
    switch (s.stride / 8) {
        LANES(1) LANES(2) LANES(3) LANES(4) LANES(5) LANES(6) LANES(7) LANES(8)
        default: return runs_pass_wide(runs, run_count, entries, p, q, bu, bi, s);
    }
#undef LANES
}

LATENT_CLONES
double latent_sgd_pass(const latent_rating *ratings, int64_t count, float *p, float *q, float *bu, float *bi,
                       latent_sgd_step step) {
    if (bu && bi) return pass(ratings, count, p, q, bu, bi, step, 1);
    return pass(ratings, count, p, q, 0, 0, step, 0);
}

const char *latent_sgd_kernel_name(void) {
    return latent_clone_choice();
}
