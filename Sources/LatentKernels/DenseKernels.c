// The dense kernels of EASE's inverse, implicit ALS's conjugate gradient and Y^T Y (see LatentDenseKernels.h), in C so
// that one build carries a version per instruction set and the loader picks the one for the CPU (Swift has no
// per-function target attribute). No contraction into fused multiply-adds and a fixed operation order: the result is
// the same on every CPU, bit for bit, and the same as the Swift loops they replaced.
#pragma STDC FP_CONTRACT OFF
#include "LatentDenseKernels.h"
#include "Dispatch.h"

#define INLINE static inline __attribute__((always_inline))

typedef double v4d __attribute__((ext_vector_type(4)));
typedef float v8f __attribute__((ext_vector_type(8)));
typedef float v4f __attribute__((ext_vector_type(4)));

// Unaligned loads and stores (macros: a function returning a vector would warn of the AVX ABI).
#define load4d(a) ({ v4d v_; memcpy(&v_, (a), sizeof v_); v_; })
#define store4d(a, x) do { v4d v_ = (x); memcpy((a), &v_, sizeof v_); } while (0)
#define load8f(a) ({ v8f v_; memcpy(&v_, (a), sizeof v_); v_; })
#define store8f(a, x) do { v8f v_ = (x); memcpy((a), &v_, sizeof v_); } while (0)
#define load4f(a) ({ v4f v_; memcpy(&v_, (a), sizeof v_); v_; })

// MARK: EASE: the rank-b update of the sweep

// A[row + r][column + c] -= sum_k s4[k][r] t8[k][c] for the 4 x 8 tile at (row, column): eight 4-double
// accumulators, each entry summed over k in order from zero, then subtracted once.
INLINE void sweep_tile(const double *s4, const double *t8, int64_t depth, double *a, int64_t n, int64_t row,
                       int64_t column) {
    v4d c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
    for (int64_t k = 0; k < depth; k++) {
        const v4d t0 = load4d(t8 + 8 * k), t1 = load4d(t8 + 8 * k + 4);
        const double *s = s4 + 4 * k;
        const v4d s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        c00 += s0 * t0; c01 += s0 * t1;
        c10 += s1 * t0; c11 += s1 * t1;
        c20 += s2 * t0; c21 += s2 * t1;
        c30 += s3 * t0; c31 += s3 * t1;
    }
    if (column + 8 <= n && row + 4 <= n) {
        double *p = a + row * n + column;
        store4d(p, load4d(p) - c00); store4d(p + 4, load4d(p + 4) - c01); p += n;
        store4d(p, load4d(p) - c10); store4d(p + 4, load4d(p + 4) - c11); p += n;
        store4d(p, load4d(p) - c20); store4d(p + 4, load4d(p + 4) - c21); p += n;
        store4d(p, load4d(p) - c30); store4d(p + 4, load4d(p + 4) - c31);
    } else {
        const v4d lo[4] = {c00, c10, c20, c30}, hi[4] = {c01, c11, c21, c31};
        for (int64_t r = 0; r < 4 && row + r < n; r++) {
            for (int64_t c = 0; c < 8 && column + c < n; c++) {
                a[(row + r) * n + column + c] -= c < 4 ? lo[r][c] : hi[r][c - 4];
            }
        }
    }
}

LATENT_CLONES
void latent_sweep_update(const double *s4, const double *t8, int64_t depth, double *a, int64_t n,
                         int64_t group_begin, int64_t group_end) {
    if (group_end <= group_begin) return;
    int64_t last_row = 4 * group_end < n ? 4 * group_end - 1 : n - 1;
    // Column tiles outer, the row groups inner: the 8-column panel of T stays in L1 while the groups' S panels
    // (16 KiB per 16 groups at depth 128) stay in L2.
    for (int64_t tile = 0; tile <= last_row / 8; tile++) {
        const double *t = t8 + tile * 8 * depth;
        for (int64_t g = group_begin; g < group_end; g++) {
            if (4 * g + 3 < 8 * tile) continue;
            sweep_tile(s4 + g * 4 * depth, t, depth, a, n, 4 * g, 8 * tile);
        }
    }
}

// MARK: implicit ALS: one pass of the conjugate gradient at k = 64

// How many rows ahead an indexed pass prefetches (the rows of a sparse row are scattered over Y).
enum { ahead = 8 };

// Rows per block of a pass: their dot products first, then their updates, while the block (16 KiB) is in L1.
enum { block_rows = 64 };

// The 8 lanes of z . v for the row z: ((z0 v0 + z1 v1) + (z2 v2 + z3 v3)) + ((z4 v4 + z5 v5) + (z6 v6 + z7 v7)).
#define LANES(z) (((load8f(z) * v0 + load8f((z) + 8) * v1) + (load8f((z) + 16) * v2 + load8f((z) + 24) * v3)) + \
                  ((load8f((z) + 32) * v4 + load8f((z) + 40) * v5) + (load8f((z) + 48) * v6 + load8f((z) + 56) * v7)))

INLINE void confidence_pass64(int64_t count, float *out, const float *v, const float *y, const int32_t *index,
                              const float *weights, float alpha, latent_scale mode, float sign, float *gather) {
    const v8f v0 = load8f(v), v1 = load8f(v + 8), v2 = load8f(v + 16), v3 = load8f(v + 24);
    const v8f v4 = load8f(v + 32), v5 = load8f(v + 40), v6 = load8f(v + 48), v7 = load8f(v + 56);
    v8f a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    const float *rows[block_rows];
    float scale[block_rows];
    for (int64_t m0 = 0; m0 < count; m0 += block_rows) {
        const int64_t nb = count - m0 < block_rows ? count - m0 : block_rows;
        for (int64_t i = 0; i < nb; i++) {
            const int64_t m = m0 + i;
            if (index) {
                if (m + ahead < count) {
                    const char *next = (const char *)(y + (int64_t)index[m + ahead] * 64);
                    __builtin_prefetch(next, 0, 3); __builtin_prefetch(next + 64, 0, 3);
                    __builtin_prefetch(next + 128, 0, 3); __builtin_prefetch(next + 192, 0, 3);
                }
                rows[i] = y + (int64_t)index[m] * 64;
                if (gather) {
                    float *o = gather + m * 64;
                    memcpy(o, rows[i], 64 * sizeof(float));
                    rows[i] = o;
                }
            } else {
                rows[i] = y + m * 64;
            }
        }
        if (mode == latent_scale_vector) {
            for (int64_t i = 0; i < nb; i++) scale[i] = sign * v[m0 + i];
        } else {
            // The dot products, four rows at a time: d = ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)) of the
            // lanes p, the four rows' sums formed side by side.
            float d[block_rows];
            int64_t i = 0;
            for (; i + 4 <= nb; i += 4) {
                const v8f p0 = LANES(rows[i]), p1 = LANES(rows[i + 1]), p2 = LANES(rows[i + 2]), p3 = LANES(rows[i + 3]);
                const v4f q0 = __builtin_shufflevector(p0, p0, 0, 1, 2, 3) + __builtin_shufflevector(p0, p0, 4, 5, 6, 7);
                const v4f q1 = __builtin_shufflevector(p1, p1, 0, 1, 2, 3) + __builtin_shufflevector(p1, p1, 4, 5, 6, 7);
                const v4f q2 = __builtin_shufflevector(p2, p2, 0, 1, 2, 3) + __builtin_shufflevector(p2, p2, 4, 5, 6, 7);
                const v4f q3 = __builtin_shufflevector(p3, p3, 0, 1, 2, 3) + __builtin_shufflevector(p3, p3, 4, 5, 6, 7);
                // u01 = (q0_0 + q0_2, q1_0 + q1_2, q0_1 + q0_3, q1_1 + q1_3), and u23 the same for rows 2 and 3.
                const v4f u01 = __builtin_shufflevector(q0, q1, 0, 4, 1, 5) + __builtin_shufflevector(q0, q1, 2, 6, 3, 7);
                const v4f u23 = __builtin_shufflevector(q2, q3, 0, 4, 1, 5) + __builtin_shufflevector(q2, q3, 2, 6, 3, 7);
                const v4f r = __builtin_shufflevector(u01, u23, 0, 1, 4, 5) + __builtin_shufflevector(u01, u23, 2, 3, 6, 7);
                d[i] = r[0]; d[i + 1] = r[1]; d[i + 2] = r[2]; d[i + 3] = r[3];
            }
            for (; i < nb; i++) {
                const v8f p = LANES(rows[i]);
                d[i] = ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
            }
            for (i = 0; i < nb; i++) {
                const float c = 1 + alpha * weights[m0 + i];
                scale[i] = mode == latent_scale_residual ? c - (c - 1) * d[i] : (c - 1) * d[i];
            }
        }
        for (int64_t i = 0; i < nb; i++) {
            const float *z = rows[i];
            const v8f sv = scale[i];
            a0 += sv * load8f(z); a1 += sv * load8f(z + 8); a2 += sv * load8f(z + 16); a3 += sv * load8f(z + 24);
            a4 += sv * load8f(z + 32); a5 += sv * load8f(z + 40); a6 += sv * load8f(z + 48); a7 += sv * load8f(z + 56);
        }
    }
    store8f(out, load8f(out) + a0); store8f(out + 8, load8f(out + 8) + a1);
    store8f(out + 16, load8f(out + 16) + a2); store8f(out + 24, load8f(out + 24) + a3);
    store8f(out + 32, load8f(out + 32) + a4); store8f(out + 40, load8f(out + 40) + a5);
    store8f(out + 48, load8f(out + 48) + a6); store8f(out + 56, load8f(out + 56) + a7);
}

LATENT_CLONES
void latent_confidence_pass64(int64_t count, float *out, const float *v, const float *y, const int32_t *index,
                              const float *weights, float alpha, latent_scale mode, float sign, float *gather) {
    // One specialization per branch that the loop would otherwise test for every row.
    if (index && gather) {
        confidence_pass64(count, out, v, y, index, weights, alpha, mode, sign, gather);
    } else if (index) {
        confidence_pass64(count, out, v, y, index, weights, alpha, mode, sign, 0);
    } else if (mode == latent_scale_vector) {
        confidence_pass64(count, out, v, y, 0, weights, alpha, latent_scale_vector, sign, 0);
    } else {
        confidence_pass64(count, out, v, y, 0, weights, alpha, mode, sign, 0);
    }
}

// MARK: Y^T Y

// Rows of y per chunk: each tile's accumulators run over a chunk that stays in L1 (64 rows of 64 floats: 16 KiB),
// then go back to g, from which the next chunk continues the same sums.
enum { gram_chunk = 64 };

LATENT_CLONES
void latent_gram_upper(const float *y, int64_t rows, int64_t k, int64_t a_begin, int64_t a_end, double *g) {
    for (int64_t a = a_begin; a < a_end; a++) {
        for (int64_t c = 0; c < k; c++) g[a * k + c] = 0;
    }
    for (int64_t r0 = 0; r0 < rows; r0 += gram_chunk) {
        const int64_t r1 = r0 + gram_chunk < rows ? r0 + gram_chunk : rows;
        for (int64_t a0 = a_begin; a0 < a_end; a0 += 4) {
            const int64_t na = a_end - a0 < 4 ? a_end - a0 : 4;
            for (int64_t c0 = a0 - a0 % 8; c0 < k; c0 += 8) {
                if (na == 4 && c0 + 8 <= k) {
                    double *g0 = g + a0 * k + c0, *g1 = g0 + k, *g2 = g1 + k, *g3 = g2 + k;
                    v4d x00 = load4d(g0), x01 = load4d(g0 + 4), x10 = load4d(g1), x11 = load4d(g1 + 4);
                    v4d x20 = load4d(g2), x21 = load4d(g2 + 4), x30 = load4d(g3), x31 = load4d(g3 + 4);
                    for (int64_t r = r0; r < r1; r++) {
                        const float *yr = y + r * k;
                        const v4d t0 = __builtin_convertvector(load4f(yr + c0), v4d);
                        const v4d t1 = __builtin_convertvector(load4f(yr + c0 + 4), v4d);
                        const v4d s0 = (double)yr[a0], s1 = (double)yr[a0 + 1];
                        const v4d s2 = (double)yr[a0 + 2], s3 = (double)yr[a0 + 3];
                        x00 += s0 * t0; x01 += s0 * t1; x10 += s1 * t0; x11 += s1 * t1;
                        x20 += s2 * t0; x21 += s2 * t1; x30 += s3 * t0; x31 += s3 * t1;
                    }
                    store4d(g0, x00); store4d(g0 + 4, x01); store4d(g1, x10); store4d(g1 + 4, x11);
                    store4d(g2, x20); store4d(g2 + 4, x21); store4d(g3, x30); store4d(g3 + 4, x31);
                } else {
                    for (int64_t i = a0; i < a0 + na; i++) {
                        for (int64_t c = c0; c < c0 + 8 && c < k; c++) {
                            double x = g[i * k + c];
                            for (int64_t r = r0; r < r1; r++) x += (double)y[r * k + i] * (double)y[r * k + c];
                            g[i * k + c] = x;
                        }
                    }
                }
            }
        }
    }
}

const char *latent_dense_kernel_name(void) {
    return latent_clone_choice();
}
