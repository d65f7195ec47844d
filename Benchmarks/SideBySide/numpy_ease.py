#!/usr/bin/env python3
"""The numpy peer of `scripts/bench speed` for EASE (Steck 2019): on the distinct (user, item) pairs of a
`user item rating` file (binary X), G = X^T X + lambda I, P = inv(G), B = -P / diag(P) with a zero diagonal: the
same work as Latent's `ease` fit. Prints one JSON line.

    python3 numpy_ease.py FILE LAMBDA
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp

path, lam = sys.argv[1], float(sys.argv[2])
triples = np.fromfile(path, dtype=np.float64, sep=" ").reshape(-1, 3)
_, users = np.unique(triples[:, 0].astype(np.int64), return_inverse=True)
_, items = np.unique(triples[:, 1].astype(np.int64), return_inverse=True)
x = sp.csr_matrix((np.ones(len(users)), (users, items)))
x.sum_duplicates()
x.data[:] = 1
start = time.perf_counter()
g = (x.T @ x).toarray()
g[np.diag_indices_from(g)] += lam
p = np.linalg.inv(g)
b = p / (-np.diag(p))
b[np.diag_indices_from(b)] = 0
fit = time.perf_counter() - start
print(json.dumps({"fit_seconds": fit, "items": g.shape[0], "pairs": int(x.nnz)}))
