#!/usr/bin/env python3
"""Side-by-side benchmarks of roibot against peer libraries (make bench-peers).

Each case runs roibot (a Go benchmark of ./analytics, one iteration per
process, GOMAXPROCS=1) and the peer (in this process, one thread) on the same
input file, first once each to check that the results agree, then
interleaved (the order alternating every round) for --runs rounds. It prints
the median of each side and the ratio peer / roibot (above 1: roibot is
faster).

Cases:
  kmeans k=5..8  100,000 x 8 seeded blobs (scikit-learn make_blobs), 10
                 k-means++ initialisations; peer: scikit-learn KMeans
                 (n_init=10, lloyd, tol 1e-4) on one thread, on the rows
                 standardized as roibot does (StandardScaler). Check: best
                 inertia within 1e-4 relative (roibot may be lower). Timed
                 round r seeds both sides with r + 1 (the iterations the
                 restarts need vary with the seed).
  fpgrowth       frequent itemsets of the Online Retail invoices (all at
                 support 0.01, France at 0.07); peer: pyfim fpgrowth
                 (Borgelt's C code) with the same absolute minimum count.
                 Check: the same itemsets with the same counts.

Needs numpy, scikit-learn, threadpoolctl and pyfim (scripts/bench-peers-requirements.txt)
and Go. Usage: bench_peers.py [--runs N] [--cases kmeans,fpgrowth]
"""

import os

# One thread for the peers' native pools; set before numpy is imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
# Older-OpenBLAS workarounds some machines set slow a current numpy down.
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ.pop("OPENBLAS_L2_SIZE", None)

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def go_bench(binary, pattern, peer_dir, seed):
    """Runs one Go benchmark iteration; returns (wall, CPU) seconds per op."""
    env = dict(os.environ, ROIBOT_PEER_DIR=peer_dir, ROIBOT_PEER_SEED=str(seed), GOMAXPROCS="1")
    out = subprocess.run(
        [binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", "1x", "-test.count", "1"],
        cwd=os.path.join(ROOT, "analytics"), env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"go benchmark {pattern} failed:\n{out.stdout}\n{out.stderr}")
    m = re.search(r"\s([\d.]+) ns/op", out.stdout)
    c = re.search(r"\s([\d.e+-]+) cpu-s/op", out.stdout)
    if not m or not c:
        sys.exit(f"go benchmark {pattern}: no ns/op or cpu-s/op in\n{out.stdout}")
    return float(m.group(1)) / 1e9, float(c.group(1))


def timed(fn, seed):
    """Runs fn(seed); returns (wall, CPU) seconds and its result."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = fn(seed)
    return (time.perf_counter() - t0, time.process_time() - c0), res


def kmeans_cases(peer_dir):
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs
    from sklearn.preprocessing import StandardScaler

    x, _ = make_blobs(n_samples=100_000, n_features=8, centers=8, cluster_std=1.5,
                      center_box=(-5.0, 5.0), random_state=2026)
    np.savetxt(os.path.join(peer_dir, "blobs.csv"), x, delimiter=",", fmt="%.17g")
    z = StandardScaler().fit_transform(np.loadtxt(os.path.join(peer_dir, "blobs.csv"), delimiter=","))
    cases = []
    for k in range(5, 9):
        def peer(seed, k=k):
            km = KMeans(n_clusters=k, n_init=10, init="k-means++", algorithm="lloyd",
                        tol=1e-4, max_iter=300, random_state=seed).fit(z)
            return km

        def check(peer_res, k=k):
            with open(os.path.join(peer_dir, f"kmeans_k{k}.json")) as f:
                ours = json.load(f)
            rel = (ours["inertia"] - peer_res.inertia_) / peer_res.inertia_
            ok = rel <= 1e-4
            return ok, (f"inertia roibot {ours['inertia']:.6f} ({ours['iterations']} iterations), "
                        f"scikit-learn {peer_res.inertia_:.6f} ({peer_res.n_iter_} iterations), "
                        f"relative difference {rel:+.2e}")

        cases.append((f"K-means 100k x 8, k={k}, 10 inits", f"^BenchmarkPeerKMeans$/^k={k}$",
                      "scikit-learn KMeans (1 thread)", peer, check))
    return cases


def fpgrowth_cases(peer_dir):
    import fim

    cases = []
    for name, label, support in [("all", "all invoices, support 0.01", 0.01),
                                 ("france", "France, support 0.07", 0.07)]:
        def peer(seed, name=name, support=support, state={}):
            if "baskets" not in state:  # read in the check round, outside the timed rounds
                with open(os.path.join(peer_dir, f"baskets_{name}.txt")) as f:
                    state["baskets"] = [line.rstrip("\n").split("\t") if line.strip() else []
                                        for line in f]
            baskets = state["baskets"]
            n = len(baskets)
            # roibot's test: count / n >= support, i.e. count >= ceil(support * n).
            min_count = math.ceil(support * n - 1e-9)
            return fim.fpgrowth(baskets, target="s", supp=-min_count, zmin=1, report="a")

        def check(peer_res, name=name):
            theirs = sorted(f"{cnt}\t" + "\t".join(sorted(items)) for items, cnt in peer_res)
            with open(os.path.join(peer_dir, f"itemsets_{name}.txt")) as f:
                ours = [line.rstrip("\n") for line in f]
            ok = ours == theirs
            return ok, f"itemsets roibot {len(ours)}, pyfim {len(theirs)}, equal: {ok}"

        cases.append((f"FP-Growth itemsets, Online Retail {label}", f"^BenchmarkPeerFPGrowth$/^{name}$",
                      "pyfim fpgrowth", peer, check))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="timed rounds per case (median reported; default 5)")
    ap.add_argument("--cases", default="kmeans,fpgrowth", help="comma-separated: kmeans, fpgrowth")
    ap.add_argument("--only", default="", help="run only the cases whose label contains this text")
    args = ap.parse_args()

    import sklearn.cluster  # noqa: F401 (loads the OpenMP and BLAS pools threadpoolctl limits)
    from threadpoolctl import threadpool_limits, threadpool_info
    limits = threadpool_limits(1)  # noqa: F841 (kept for the whole run)

    with tempfile.TemporaryDirectory(prefix="roibot-peers-") as peer_dir:
        binary = os.path.join(peer_dir, "analytics.test")
        subprocess.run(["go", "test", "-c", "-o", binary, "./analytics"], cwd=ROOT, check=True)
        cases = []
        wanted = args.cases.split(",")
        # The Go side writes the FP-Growth baskets, so it runs first in the check round.
        if "kmeans" in wanted:
            cases += kmeans_cases(peer_dir)
        if "fpgrowth" in wanted:
            cases += fpgrowth_cases(peer_dir)

        pools = ", ".join(f"{p['internal_api']} {p.get('num_threads')} thread(s)" for p in threadpool_info())
        print(f"peer thread pools: {pools}; roibot GOMAXPROCS=1; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        rows = []
        failed = False
        for label, pattern, peer_name, peer, check in cases:
            if args.only not in label:
                continue
            go_bench(binary, pattern, peer_dir, 1)
            _, res = timed(peer, 1)
            ok, detail = check(res)
            print(f"check {label}: {'OK' if ok else 'MISMATCH'}: {detail}", flush=True)
            if not ok:
                failed = True
                continue
            ours, theirs = [], []
            for r in range(args.runs):
                # Round r seeds both sides with r + 1: how many Lloyd iterations the
                # restarts need varies with the seed, on both sides alike.
                if r % 2 == 0:
                    ours.append(go_bench(binary, pattern, peer_dir, r + 1))
                    theirs.append(timed(peer, r + 1)[0])
                else:
                    theirs.append(timed(peer, r + 1)[0])
                    ours.append(go_bench(binary, pattern, peer_dir, r + 1))
            row = [label, peer_name]
            for i in (0, 1):  # wall, CPU
                mo, mt = statistics.median(v[i] for v in ours), statistics.median(v[i] for v in theirs)
                row += [mo, mt, mt / mo]
            rows.append(row)
            print(f"  wall: roibot {' '.join(f'{v[0]:.3f}' for v in ours)} s; peer {' '.join(f'{v[0]:.3f}' for v in theirs)} s",
                  flush=True)
            print(f"  CPU:  roibot {' '.join(f'{v[1]:.3f}' for v in ours)} s; peer {' '.join(f'{v[1]:.3f}' for v in theirs)} s",
                  flush=True)
        print()
        print("| case | peer | roibot wall | peer wall | peer / roibot (wall) | roibot CPU | peer CPU | peer / roibot (CPU) |")
        print("|---|---|---|---|---|---|---|---|")
        for label, peer_name, wo, wt, wr, co, ct, cr in rows:
            print(f"| {label} | {peer_name} | {wo * 1000:.0f} ms | {wt * 1000:.0f} ms | {wr:.2f}x "
                  f"| {co * 1000:.0f} ms | {ct * 1000:.0f} ms | {cr:.2f}x |")
        print(f"\nmedians of {args.runs} interleaved runs (ratio above 1: roibot faster); "
              f"load average now {os.getloadavg()[0]:.2f}")
        if failed:
            sys.exit("results differ: see the check lines above")


if __name__ == "__main__":
    main()
