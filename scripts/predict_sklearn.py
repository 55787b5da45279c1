#!/usr/bin/env python3
"""Peer benchmark: scikit-learn on the same Bank Marketing split as roibot.

Usage (see docs/predict.md):
  ROIBOT_BANK_SPLIT_OUT=/tmp/bank_split.csv go test -count=1 -run TestBankMarketing ./analytics
  /work/venvs/predict/bin/python scripts/predict_sklearn.py /tmp/bank_split.csv [--repeat N]

Single-threaded (n_jobs=1, OMP/BLAS threads 1). Same preprocessing as
roibot: duration dropped, numeric columns as they are, categoricals one-hot
with every level seen in training; logistic regression on standardised
inputs with C=1; a tree of the same depth and min leaf; 300-tree forests with
sqrt(p) features per split and the same min leaf.
"""
import os
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"
import argparse, time
import numpy as np, pandas as pd
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
import sklearn

ap = argparse.ArgumentParser()
ap.add_argument("split")
ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data", "bank-marketing", "bank-additional-full.csv.gz"))
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--tree-depth", type=int, default=6)
ap.add_argument("--tree-leaf", type=int, default=20)
ap.add_argument("--forest-leaf", type=int, default=5)
ap.add_argument("--trees", type=int, default=300)
a = ap.parse_args()

df = pd.read_csv(a.data, sep=";")
y = (df.pop("y") == "yes").to_numpy()
df = df.drop(columns=["duration"])
split = pd.read_csv(a.split)
parts = {p: np.sort(split.loc[split.part == p, "row"].to_numpy()) for p in ("train", "validation", "test")}
cat = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
num = [c for c in df.columns if c not in cat]
enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(df.iloc[parts["train"]][cat])
def X(rows):
    d = df.iloc[rows]
    return np.hstack([d[num].to_numpy(float), enc.transform(d[cat])])
Xtr, Xte = X(parts["train"]), X(parts["test"])
ytr, yte = y[parts["train"]], y[parts["test"]]
print(f"scikit-learn {sklearn.__version__}; train {Xtr.shape}, test {Xte.shape}")

class ScaledLR:
    def __init__(self): self.s, self.m = StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)
    def fit(self, X, y): self.m.fit(self.s.fit_transform(X), y); return self
    def predict_proba(self, X): return self.m.predict_proba(self.s.transform(X))

models = {
    "logistic": lambda: ScaledLR(),
    "tree": lambda: DecisionTreeClassifier(max_depth=a.tree_depth, min_samples_leaf=a.tree_leaf, random_state=0),
    "forest": lambda: RandomForestClassifier(n_estimators=a.trees, max_features="sqrt", min_samples_leaf=a.forest_leaf, n_jobs=1, random_state=0),
}
for name, mk in models.items():
    times, cpus = [], []
    for _ in range(a.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        m = mk().fit(Xtr, ytr)
        times.append(time.perf_counter() - t0); cpus.append(time.process_time() - c0)
    auc = roc_auc_score(yte, m.predict_proba(Xte)[:, 1])
    print(f"{name:8s} test AUC {auc:.4f}  fit wall s median {np.median(times):.3f}  cpu s median {np.median(cpus):.3f}")
