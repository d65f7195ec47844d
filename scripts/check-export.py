#!/usr/bin/env python3
"""Check `latent export` against `latent predict`: numpy's user_factors @ item_factors.T (plus biases and the global
mean, clipped to the rating scale) reproduces the predictions of the model file for random (user, item) pairs.

    python3 scripts/check-export.py --latent .build/debug/latent --model u1.latent [--pairs 100] [--seed 7]

Exports the model as CSV and as .npy into a temporary folder, reads both with numpy (and with pandas when it is
installed), and prints one JSON line: {"pairs", "max_abs_diff_csv", "max_abs_diff_npy", "csv_equals_npy", ...}.
Exits 1 when a difference exceeds --tolerance (1e-5).
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np


def read_ids(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return [r[0] for r in rows[1:]]


def load(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        m = json.load(f)
    files = m["files"]

    def array(name):
        path = os.path.join(folder, files[name])
        if path.endswith(".npy"):
            return np.load(path)
        a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
        return a if name.endswith("factors") else a.reshape(-1)

    return m, {k: array(k) for k in ["user_factors", "item_factors", "user_bias", "item_bias"]}, \
        read_ids(os.path.join(folder, files["user_ids"])), read_ids(os.path.join(folder, files["item_ids"]))


def predictions(m, a, us, its):
    P, Q = a["user_factors"].astype(np.float64), a["item_factors"].astype(np.float64)
    scores = P @ Q.T  # every pair, as the check promises; the pairs are read off it
    p = m["global_mean"] + a["user_bias"][us] + a["item_bias"][its] + scores[us, its]
    if m["rating_scale"] is not None:
        p = np.clip(p, m["rating_scale"][0], m["rating_scale"][1])
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--latent", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tolerance", type=float, default=1e-5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = {}
        loaded = {}
        for fmt in ["csv", "npy"]:
            folder = os.path.join(tmp, fmt)
            subprocess.run([a.latent, "export", "--model", a.model, "--output", folder, "--format", fmt],
                           check=True, stdout=subprocess.DEVNULL)
            loaded[fmt] = load(folder)
        m, arrays, users, items = loaded["npy"]
        rng = random.Random(a.seed)
        pairs = [(rng.randrange(len(users)), rng.randrange(len(items))) for _ in range(a.pairs)]
        us, its = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        latent = []
        for u, i in pairs:
            r = subprocess.run([a.latent, "predict", "--model", a.model, "--user", users[u], "--item", items[i], "--json"],
                               check=True, capture_output=True, text=True)
            latent.append(json.loads(r.stdout)["prediction"])
        latent = np.array(latent)
        for fmt in ["csv", "npy"]:
            mm, aa, uu, ii = loaded[fmt]
            assert uu == users and ii == items, "the identifier lists differ between formats"
            out[f"max_abs_diff_{fmt}"] = float(np.max(np.abs(predictions(mm, aa, us, its) - latent)))
        out["csv_equals_npy"] = all(np.array_equal(loaded["csv"][1][k], arrays[k]) for k in arrays)
        try:
            import pandas as pd
            folder = os.path.join(tmp, "csv")
            P = pd.read_csv(os.path.join(folder, "user_factors.csv")).to_numpy(dtype=np.float32)
            ids = pd.read_csv(os.path.join(folder, "user_ids.csv"), dtype=str)["user"].tolist()
            out["pandas_equals_numpy"] = bool(np.array_equal(P, arrays["user_factors"]) and ids == users)
        except ImportError:
            out["pandas_equals_numpy"] = None
        out.update({"pairs": a.pairs, "model": m["model"], "users": m["users"], "items": m["items"],
                    "factors": m["factors"], "tolerance": a.tolerance})
        print(json.dumps(out, sort_keys=True))
        ok = max(out["max_abs_diff_csv"], out["max_abs_diff_npy"]) <= a.tolerance and out["csv_equals_npy"] \
            and out["pandas_equals_numpy"] is not False
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
