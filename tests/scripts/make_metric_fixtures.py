#!/usr/bin/python3
"""Golden values for apps/eval/metrics: scikit-learn 1.2 (Debian's python3-sklearn) on a few seeded
cases, written to tests/fixtures/eval/metrics_cases.json. Run from the repository root with
/usr/bin/python3 tests/scripts/make_metric_fixtures.py

The expected calibration error has no scikit-learn function; it is computed here with NumPy from its
definition (equal-width bins of (0, 1] on the maximum probability, bin b = ceil(conf * B) - 1)."""
import json
import pathlib

import numpy as np
from sklearn import metrics

OUT = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "metrics_cases.json"
BINS = 15


def softmax_probs(rng, n, k, sharpness):
    logits = rng.normal(size=(n, k)) * sharpness
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def calibration(y, probs, bins):
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y
    b = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    counts = np.bincount(b, minlength=bins)
    ece = 0.0
    for i in range(bins):
        if counts[i]:
            ece += counts[i] / len(y) * abs(correct[b == i].mean() - conf[b == i].mean())
    return ece, counts.tolist()


def case(name, y, probs):
    probs = np.round(probs, 6)  # short in the fixture, and read back exactly by the C++ test
    k = probs.shape[1]
    labels = list(range(k))
    pred = probs.argmax(axis=1)
    p, r, f, s = metrics.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    mp, mr, mf, _ = metrics.precision_recall_fscore_support(y, pred, average="macro", zero_division=0)
    auc = []
    for c in labels:
        positive = y == c
        auc.append(metrics.roc_auc_score(positive, probs[:, c]) if 0 < positive.sum() < len(y) else None)
    defined = [a for a in auc if a is not None]
    if len(defined) == k:  # scikit-learn's own multi-class macro AUC agrees with the mean of the columns
        ovr = metrics.roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=labels)
        assert abs(ovr - np.mean(defined)) < 1e-12
    ece, bin_counts = calibration(y, probs, BINS)
    return {
        "name": name,
        "num_classes": k,
        "labels": y.tolist(),
        "probs": probs.tolist(),
        "accuracy": metrics.accuracy_score(y, pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, pred),
        "precision": p.tolist(),
        "recall": r.tolist(),
        "f1": f.tolist(),
        "support": s.tolist(),
        "macro_precision": mp,
        "macro_recall": mr,
        "macro_f1": mf,
        "auc": auc,
        "macro_auc": float(np.mean(defined)),
        "confusion_matrix": metrics.confusion_matrix(y, pred, labels=labels).tolist(),
        "log_loss": metrics.log_loss(y, probs, labels=labels),
        "ece": ece,
        "bin_counts": bin_counts,
    }


def main():
    rng = np.random.default_rng(20240611)
    cases = []
    # Seven classes, all present, skewed like HAM10000, probabilities loosely tied to the label.
    n, k = 240, 7
    y = rng.choice(k, size=n, p=[0.03, 0.05, 0.11, 0.01, 0.11, 0.67, 0.02])
    y[:k] = np.arange(k)
    probs = softmax_probs(rng, n, k, 1.0)
    probs[np.arange(n), y] += rng.uniform(0, 0.8, size=n)
    probs /= probs.sum(axis=1, keepdims=True)
    cases.append(case("seven_classes", y, probs))
    # Class 3 never occurs in y_true but is sometimes predicted; class 5 occurs nowhere.
    n, k = 90, 6
    y = rng.choice([0, 1, 2, 4], size=n)
    probs = softmax_probs(rng, n, k, 1.5)
    probs[:, 5] *= 0.01
    probs /= probs.sum(axis=1, keepdims=True)
    assert (probs.argmax(axis=1) == 3).any() and not (probs.argmax(axis=1) == 5).any()
    cases.append(case("absent_classes", y, probs))
    # Coarse scores with many ties (AUC must count ties as one half).
    n, k = 60, 3
    y = rng.choice(k, size=n)
    probs = np.round(softmax_probs(rng, n, k, 0.7), 1) + 0.05
    probs /= probs.sum(axis=1, keepdims=True)
    cases.append(case("tied_scores", y, probs))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(cases) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
