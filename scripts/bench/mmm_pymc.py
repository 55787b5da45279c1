"""Peer benchmark: PyMC-Marketing on mmm_roas_data.csv, the same model shape as
roibot's TestFitMMM_ROASData (x1, x2 media; z and a linear trend as controls;
2 yearly Fourier pairs; geometric adstock l_max=4; logistic saturation), on one
thread. Prints fit time and each channel's ROAS (posterior mean and 90% interval
of Σ contribution / Σ spend) next to the truth from the ground-truth columns.

Run (venv outside the repo):
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    /work/venvs/mmm/bin/python scripts/bench/mmm_pymc.py data/pymc-marketing-mmm/mmm_roas_data.csv
"""
import sys
import time

import numpy as np
import pandas as pd
from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

path = sys.argv[1]
draws = int(sys.argv[2]) if len(sys.argv) > 2 else 500
df = pd.read_csv(path, parse_dates=["date"])
df["t"] = np.arange(len(df), dtype=float)
truth = {c: (df["y"] - df[f"y0{c[1]}"]).sum() / df[c].sum() for c in ["x1", "x2"]}

mmm = MMM(
    date_column="date",
    channel_columns=["x1", "x2"],
    control_columns=["z", "t"],
    adstock=GeometricAdstock(l_max=4),
    saturation=LogisticSaturation(),
    yearly_seasonality=2,
)
X = df[["date", "x1", "x2", "z", "t"]]
y = df["y"]
t0 = time.perf_counter()
mmm.fit(X, y, chains=2, cores=1, draws=draws, tune=draws, random_seed=1, progressbar=False)
fit_s = time.perf_counter() - t0

contrib = mmm.compute_channel_contribution_original_scale()  # chain, draw, date, channel
tot = contrib.sum(dim="date")
print(f"fit_seconds {fit_s:.1f} (2 chains x {draws} tune + {draws} draws, cores=1)")
for c in ["x1", "x2"]:
    r = (tot.sel(channel=c) / df[c].sum()).values.ravel()
    lo, hi = np.quantile(r, [0.05, 0.95])
    print(f"{c} ROAS mean {r.mean():.2f} 90% [{lo:.2f}, {hi:.2f}] truth {truth[c]:.2f}")
