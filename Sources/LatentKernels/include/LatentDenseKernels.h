#ifndef LATENT_DENSE_KERNELS_H
#define LATENT_DENSE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// The dense kernels of EASE's inverse, implicit ALS's conjugate gradient and the Gram matrix Y^T Y. Like the SGD
// kernel, each is compiled for AVX2, AVX and baseline x86-64 and the loader picks the version for the CPU; every
// version does the same floating-point operations in the same order (no contraction into fused multiply-adds), so
// the result is the same on every CPU and the same as the Swift loops these kernels replaced.

/// The rank-b update of one sweep block of EASE's inverse (Cholesky.invertInPlace), for the row groups
/// `group_begin..<group_end` (4 rows each):
///
///     A[i][j] -= sum_k S[i][k] T[j][k]   for every j <= i of those rows (and up to 7 entries past the diagonal),
///
/// with S packed by 4 rows (`s4[g][k][r]` = S[4g + r][k]) and T packed by 8 rows (`t8[t][k][c]` = T[8t + c][k]), both
/// `depth` deep and zero past row n; A is row-major n x n. Each entry sums its products over k in order from zero and
/// is then subtracted once.
void latent_sweep_update(const double *s4, const double *t8, int64_t depth, double *a, int64_t n,
                         int64_t group_begin, int64_t group_end);

/// What `latent_confidence_pass64` scales each row by.
typedef enum {
    /// s_m = sign * v[m] (the rows are those of a 64 x 64 Gram matrix: out += sign * G v).
    latent_scale_vector = 0,
    /// s_m = c_m - (c_m - 1) (z_m . v), c_m = 1 + alpha w_m (the residual b - A x of the confidence system).
    latent_scale_residual = 1,
    /// s_m = (c_m - 1) (z_m . v) (the product A p of the confidence system).
    latent_scale_product = 2,
} latent_scale;

/// One pass of implicit ALS's conjugate gradient at k = 64: out += sum_m s_m z_m over `count` rows z_m of 64 floats,
/// with s_m from `mode` (see `latent_scale`). Row m is `y + index[m] * 64`, or `y + m * 64` when `index` is null;
/// when `gather` is set (with an index), each row is also copied to `gather + m * 64`, so that the later passes over
/// the same rows read them contiguously. The dot product z_m . v is formed in 8-float lanes
/// p = ((z0 v0 + z1 v1) + (z2 v2 + z3 v3)) + ((z4 v4 + z5 v5) + (z6 v6 + z7 v7)) (z_j, v_j the j-th 8 floats), then
/// summed as ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)); the update adds s_m z_m to 8-float accumulators in
/// the order of m, which are added to `out` at the end.
void latent_confidence_pass64(int64_t count, float *out, const float *v, const float *y, const int32_t *index,
                              const float *weights, float alpha, latent_scale mode, float sign, float *gather);

/// The upper triangle (column >= row) of rows `a_begin..<a_end` of Y^T Y in Double, for the `rows` x `k` Float
/// matrix y: G[a][c] = sum_r y[r][a] y[r][c], each sum over r in order from zero, written to `g` (k x k, row-major).
void latent_gram_upper(const float *y, int64_t rows, int64_t k, int64_t a_begin, int64_t a_end, double *g);

/// The instruction set the dense kernels run with on this CPU: "avx2", "avx" or "baseline".
const char *latent_dense_kernel_name(void);

#endif
