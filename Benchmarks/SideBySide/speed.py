#!/usr/bin/env python3
"""Latent beside its peers, in one run, on the same files: the driver of `scripts/bench speed`.

Each case runs Latent and its peer alternately (the order flips every repetition), REPS times, and the table gives
the medians, the ratio peer time / Latent time (above 1: Latent is faster) and each side's peak resident memory
(`/usr/bin/time -f %M`). A ratio means something only within one run: the absolute times are this machine's, today.

Cases (all by default; name some to run only those):
  sgd-mf      `latent train --model sgd-mf --factors 32 --epochs 20`, whole process (read, train, write)
              beside LibMF's `mf-train -s T -k 32 -t 20 --quiet FILE MODEL`, whole process (when LIBMF_TRAIN is set)
  biased-mf   the same with `--model biased-mf`, beside the same LibMF command
  implicit    `latent train --model implicit-als --factors 64 --iterations 15`, fit seconds, beside implicit's
              AlternatingLeastSquares(factors=64, iterations=15, num_threads=T) fit on the same distinct pairs
  ease        `latent train --model ease` on a 10,000-item catalog, fit seconds, beside numpy's
              inv(X^T X + lambda I) (Gram, inverse and B = -P / diag(P), as Latent's fit does)
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command, env=None):
    """Runs `command`; returns (wall seconds, peak resident bytes, standard output)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + command, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(command)}\n{p.stderr}")
        peak_kb = int(t.read().strip().splitlines()[-1])
    return wall, peak_kb * 1024, p.stdout


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def main():
    latent, ref, ease_data, threads, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    wanted = sys.argv[6:] or ["sgd-mf", "biased-mf", "implicit", "ease"]
    libmf = os.environ.get("LIBMF_TRAIN")
    work = tempfile.mkdtemp(prefix="latent-speed-")
    numpy_env = dict(os.environ)
    # OPENBLAS_CORETYPE/L2_SIZE, where this machine sets them, slow a current numpy: unset both for the peer alone.
    numpy_env.pop("OPENBLAS_CORETYPE", None)
    numpy_env.pop("OPENBLAS_L2_SIZE", None)

    def latent_train(data, model, *options):
        out = os.path.join(work, model + ".latent")
        return [latent, "train", "--data", data, "--model", model, "--threads", str(threads), "--output", out,
                "--quiet", "--json", *options]

    # (case, what is timed, Latent's command and how to read its time, the peer's name, command and time)
    cases = []
    mf = ["--factors", "32", "--epochs", "20"]
    libmf_cmd = [libmf, "-s", str(threads), "-k", "32", "-t", "20", "--quiet", ref, os.path.join(work, "libmf.model")] if libmf else None
    whole = lambda wall, out: wall
    fit = lambda wall, out: last_json(out)["fit_seconds"]
    for model in ("sgd-mf", "biased-mf"):
        if model in wanted:
            cases.append((f"`{model}`, k 32, 20 epochs", "whole process", latent_train(ref, model, *mf), whole,
                          "LibMF (AVX build)", libmf_cmd, whole))
    if "implicit" in wanted:
        peer = [sys.executable, os.path.join(HERE, "implicit_als.py"), ref, str(threads)]
        cases.append(("`implicit-als`, 64 factors, 15 iterations", "fit",
                      latent_train(ref, "implicit-als", "--factors", "64", "--iterations", "15"), fit,
                      "implicit 0.7.3 ALS", peer, fit))
    if "ease" in wanted:
        peer = [sys.executable, os.path.join(HERE, "numpy_ease.py"), ease_data, "500"]
        cases.append(("`ease`, 10,000 items, lambda 500", "fit", latent_train(ease_data, "ease", "--set", "lambda=500"), fit,
                      "numpy inv(X^T X + lambda I)", peer, fit))

    results = {}
    for rep in range(reps):
        for name, what, lcmd, ltime, pname, pcmd, ptime in cases:
            order = [("latent", lcmd, ltime), ("peer", pcmd, ptime)]
            if rep % 2 == 0:
                order.reverse()
            for side, cmd, timing in order:
                if cmd is None:
                    continue
                wall, peak, out = run(cmd, env=numpy_env if side == "peer" else None)
                seconds = timing(wall, out)
                results.setdefault((name, side), []).append((seconds, peak))
                print(f"  rep {rep + 1} {name} {side}: {seconds:.2f} s, {peak / 2**20:.0f} MiB", file=sys.stderr, flush=True)

    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {threads} threads, medians of {reps} alternating runs "
          f"({os.uname().nodename}, {os.cpu_count()} cores)\n")
    print("| case | timed | Latent | peer | peer | peer time / Latent time | Latent peak memory | peer peak memory |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, what, _, _, pname, pcmd, _ in cases:
        l = results[(name, "latent")]
        lt, lm = statistics.median(x[0] for x in l), statistics.median(x[1] for x in l)
        if pcmd is None:
            print(f"| {name} | {what} | {lt:.2f} s | {pname} | (LIBMF_TRAIN not set) | | {lm / 2**20:.0f} MiB | |")
            continue
        p = results[(name, "peer")]
        pt, pm = statistics.median(x[0] for x in p), statistics.median(x[1] for x in p)
        print(f"| {name} | {what} | {lt:.2f} s | {pname} | {pt:.2f} s | {pt / lt:.2f} | {lm / 2**20:.0f} MiB | {pm / 2**20:.0f} MiB |")
    for f in os.listdir(work):
        os.remove(os.path.join(work, f))
    os.rmdir(work)


if __name__ == "__main__":
    main()
