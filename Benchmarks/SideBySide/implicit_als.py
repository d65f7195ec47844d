#!/usr/bin/env python3
"""The implicit peer of `scripts/bench speed`: implicit's ALS (conjugate gradient, its defaults: 3 CG steps,
regularization 0.01) with 64 factors and 15 iterations on the distinct (user, item) pairs of a `user item rating`
file, each pair once with weight 1, as Latent's implicit-als reads the same file. Prints one JSON line.

    python3 implicit_als.py FILE THREADS
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from implicit.als import AlternatingLeastSquares

path, threads = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
triples = np.fromfile(path, dtype=np.float64, sep=" ").reshape(-1, 3)
_, users = np.unique(triples[:, 0].astype(np.int64), return_inverse=True)
_, items = np.unique(triples[:, 1].astype(np.int64), return_inverse=True)
x = sp.csr_matrix((np.ones(len(users), dtype=np.float32), (users, items)))
x.sum_duplicates()
x.data[:] = 1  # a pair seen twice is one interaction, as in Latent
read = time.perf_counter() - start
model = AlternatingLeastSquares(factors=64, iterations=15, num_threads=threads, random_state=1)
start = time.perf_counter()
model.fit(x, show_progress=False)
fit = time.perf_counter() - start
print(json.dumps({"read_seconds": read, "fit_seconds": fit, "users": x.shape[0], "items": x.shape[1], "pairs": int(x.nnz)}))
