#ifndef LATENT_KERNELS_H
#define LATENT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// One rating of an SGD block: user row, item row, value (12 bytes, as Swift's `SGDMatrixFactorization.Rating`).
typedef struct {
    int32_t user;
    int32_t item;
    float value;
} latent_rating;

/// One rating of a block stored by user runs: the item row and the value (8 bytes).
typedef struct {
    int32_t item;
    float value;
} latent_entry;

/// A run of consecutive entries of one user in a block.
typedef struct {
    int32_t user;
    int32_t count;
} latent_run;

/// The step size, penalties and row layout of one SGD pass.
typedef struct {
    float gamma;
    float lambda_p, lambda_q, lambda_ub, lambda_ib;
    float mu;
    /// Floats per factor row: a multiple of 8, the padding columns zero.
    int64_t stride;
} latent_sgd_step;

/// One pass of SGD over `count` ratings in order (see SGDMatrixFactorization.pass); returns the sum of squared
/// errors seen before each update. `bu` and `bi` are both null (no biases) or both set. The function is compiled
/// for several instruction sets and the loader picks the one for the CPU it runs on (AVX2, AVX, baseline); every
/// version does the same float operations in the same order, so the result is the same on every CPU.
double latent_sgd_pass(const latent_rating *ratings, int64_t count, float *p, float *q, float *bu, float *bi,
                       latent_sgd_step step);

/// The same updates as `latent_sgd_pass`, in the same float operations, over the entries of `run_count` runs in
/// order: run r holds the next `runs[r].count` entries of `entries`, all rated by `runs[r].user`. The user's row and
/// bias stay in registers through the run (for rows of up to 64 floats), so each rating loads and stores only the
/// item's row; the result is that of `latent_sgd_pass` on the same ratings in the same order.
double latent_sgd_pass_runs(const latent_run *runs, int64_t run_count, const latent_entry *entries, float *p, float *q,
                            float *bu, float *bi, latent_sgd_step step);

/// The instruction set `latent_sgd_pass` runs with on this CPU: "avx2", "avx" or "baseline".
const char *latent_sgd_kernel_name(void);

#include "LatentDenseKernels.h"

#endif
