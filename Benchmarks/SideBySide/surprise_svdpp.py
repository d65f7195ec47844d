#!/usr/bin/env python3
"""Latent's `svdpp` beside Surprise's SVD++ on protocol R, fold by fold, in one run: the driver of `scripts/bench svdpp`.

usage: surprise_svdpp.py LATENT_BENCH ML100K_DIR [THREADS] [FOLDS]

For each fold uN (N in FOLDS, default 1..5), Latent and Surprise train on uN.base and predict uN.test, one after the
other, the order flipping every fold. Latent: `latent-bench ratings --folds N --models svdpp --threads T` at its
defaults (k 20, 60 epochs); its fit seconds are the ones latent-bench reports (training only). Surprise 1.1.5:
`SVDpp(random_state=0)` at its defaults (k 20, 20 epochs), its `fit` timed alone (single-threaded; T defaults to 1,
so both use one core). The table gives each fold's RMSE and fit seconds and the ratio Surprise fit / Latent fit
(above 1: Latent is faster), then the mean RMSE and the median ratio. A ratio means something only within one run.
"""
import re
import statistics
import subprocess
import sys
import time

from surprise import SVDpp, Dataset, Reader, accuracy
from surprise.model_selection import PredefinedKFold


def latent(bench, data, fold, threads):
    """(RMSE, fit seconds) of Latent's svdpp on fold `fold`."""
    out = subprocess.run([bench, "ratings", "--data", data, "--folds", str(fold), "--threads", str(threads),
                          "--models", "svdpp"], check=True, capture_output=True, text=True).stdout
    row = re.search(r"^svdpp\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)", out, re.M)
    if row is None:
        sys.exit(f"no svdpp row in latent-bench's output:\n{out}")
    return float(row.group(1)), float(row.group(3))


def surprise(data, fold):
    """(RMSE, fit seconds) of Surprise's SVD++ on fold `fold`."""
    folds = Dataset.load_from_folds([(f"{data}/u{fold}.base", f"{data}/u{fold}.test")], reader=Reader("ml-100k"))
    train, test = next(PredefinedKFold().split(folds))
    algo = SVDpp(random_state=0)
    start = time.perf_counter()
    algo.fit(train)
    fit = time.perf_counter() - start
    return accuracy.rmse(algo.test(test), verbose=False), fit


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bench, data = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    folds = [int(f) for f in sys.argv[4].split(",")] if len(sys.argv) > 4 else [1, 2, 3, 4, 5]
    print(f"svdpp beside Surprise SVD++ (protocol R, {data}, Latent threads {threads}); "
          f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(f"{'fold':<6}{'Latent RMSE':>12}{'Surprise RMSE':>15}{'Latent fit s':>14}{'Surprise fit s':>16}{'ratio':>8}")
    rows = []
    for n, fold in enumerate(folds):
        if n % 2 == 0:
            ours = latent(bench, data, fold, threads)
            theirs = surprise(data, fold)
        else:
            theirs = surprise(data, fold)
            ours = latent(bench, data, fold, threads)
        rows.append((ours, theirs))
        print(f"u{fold:<5}{ours[0]:>12.4f}{theirs[0]:>15.4f}{ours[1]:>14.3f}{theirs[1]:>16.2f}{theirs[1] / ours[1]:>8.1f}",
              flush=True)
    print(f"{'mean':<6}{statistics.mean(r[0][0] for r in rows):>12.4f}{statistics.mean(r[1][0] for r in rows):>15.4f}"
          f"{statistics.mean(r[0][1] for r in rows):>14.3f}{statistics.mean(r[1][1] for r in rows):>16.2f}"
          f"{statistics.median(r[1][1] / r[0][1] for r in rows):>8.1f} (median)")


if __name__ == "__main__":
    main()
