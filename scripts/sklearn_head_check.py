#!/usr/bin/env python3
"""The check of issue 12: scikit-learn's logistic regression on the same cached embeddings and the
same split as `hito image --mode head`, beside hito's head.

  /usr/bin/python3 scripts/sklearn_head_check.py RUN [--embeddings mobilenet_v2]

Reads <run>/embeddings/<name>.npy (manifest order), <run>/prepared/rows.csv (split, label_index) and
<run>/image-head/metrics.json. The regression is standardised on the training rows, class-weighted
("balanced", like hito's loss), and its inverse strength C chosen on the validation split; both are
scored on the test split by balanced accuracy (and macro AUC, one class against the rest)."""
import argparse
import csv
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.preprocessing import StandardScaler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--embeddings", default="mobilenet_v2")
    parser.add_argument("--model", default="image-head", help="hito's model folder to compare with")
    args = parser.parse_args()

    features = np.load(os.path.join(args.run, "embeddings", args.embeddings + ".npy"))
    with open(os.path.join(args.run, "prepared", "rows.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != features.shape[0]:
        sys.exit(f"{args.run}: {len(rows)} prepared rows but {features.shape[0]} embeddings")
    split = np.array([r["split"] for r in rows])
    labels = np.array([int(r["label_index"]) for r in rows])
    part = {name: split == name for name in ("train", "val", "test")}

    scaler = StandardScaler().fit(features[part["train"]])
    x = scaler.transform(features)
    best = None
    for c in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0):
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
        model.fit(x[part["train"]], labels[part["train"]])
        val = balanced_accuracy_score(labels[part["val"]], model.predict(x[part["val"]]))
        if best is None or val > best[0]:
            best = (val, c, model)
    val, c, model = best
    test_probabilities = model.predict_proba(x[part["test"]])
    test_bacc = balanced_accuracy_score(labels[part["test"]], test_probabilities.argmax(1))
    test_auc = roc_auc_score(labels[part["test"]], test_probabilities, multi_class="ovr", average="macro")

    with open(os.path.join(args.run, args.model, "metrics.json")) as f:
        hito = json.load(f)["splits"]
    print(f"scikit-learn logistic regression (C={c}, chosen on val): val bacc {val:.3f}, "
          f"test bacc {test_bacc:.3f}, test macro AUC {test_auc:.3f}")
    print(f"hito {args.model}: val bacc {hito['val']['balanced_accuracy']:.3f}, "
          f"test bacc {hito['test']['balanced_accuracy']:.3f}, test macro AUC {hito['test']['macro_auc']:.3f}")


if __name__ == "__main__":
    main()
