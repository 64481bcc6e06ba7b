#!/usr/bin/python3
"""A small, plausible run folder for the report tests: tests/fixtures/report/run/ with prepared/ as
`hito prepare` writes it and two model folders (metrics.json in the layout of apps/eval/metrics_file.h,
computed here with scikit-learn, so that the C++ reader is checked against an independent writer).
Run from anywhere: /usr/bin/python3 tests/scripts/make_report_fixture.py"""
import csv
import json
import pathlib
import shutil

import numpy as np
from PIL import Image
from sklearn import metrics

RUN = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "report" / "run"
CLASSES = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
SHARES = np.array([0.033, 0.051, 0.11, 0.011, 0.111, 0.67, 0.014])
SPLITS = {"train": 0.7, "val": 0.15, "test": 0.15}


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def prepared(rng):
    """prepared/ in the formats of apps/study/prepare/prepare.h and prepare_report.h (split "all" included)."""
    total = 2000
    counts = {s: np.maximum(1, np.round(SHARES * total * f)).astype(int) for s, f in SPLITS.items()}
    every = {"all": sum(counts.values()), **counts}
    rows = []
    for s, c in every.items():
        for k, name in enumerate(CLASSES):
            rows.append([s, name, k, int(c[k]), round(c[k] / c.sum(), 6)])
    write_csv(RUN / "prepared" / "class_counts.csv", ["split", "class", "label_index", "count", "share"], rows)
    rows = []
    for variable, values in [("age", ["[0,20)", "[20,40)", "[40,60)", "[60,80)", "[80,100)", "missing"]),
                             ("sex", ["female", "male", "missing"]),
                             ("localization", ["back", "lower extremity", "trunk", "upper extremity", "abdomen",
                                               "face", "missing"])]:
        weights = rng.dirichlet(np.ones(len(values)) * 3)
        split_counts = {s: rng.multinomial(int(counts[s].sum()), weights) for s in SPLITS}
        split_counts = {"all": sum(split_counts.values()), **split_counts}
        for s, ws in split_counts.items():
            for v, w in zip(values, ws):
                rows.append([variable, v, s, int(w), round(w / ws.sum(), 6)])
    write_csv(RUN / "prepared" / "distributions.csv", ["variable", "value", "split", "count", "share"], rows)
    rows = []
    for column, rate in [("age", 0.02), ("sex", 0.006), ("localization", 0.02)]:
        by_split = {}
        for s in SPLITS:
            by_split[s] = [int(rng.binomial(n, rate)) for n in counts[s]]
        by_split = {"all": [sum(v) for v in zip(*by_split.values())], **by_split}
        for s, missing in by_split.items():
            n = every[s]
            rows.append([column, s, "all", sum(missing), int(n.sum()), round(sum(missing) / n.sum(), 6)])
            for k, name in enumerate(CLASSES):
                rows.append([column, s, name, missing[k], int(n[k]), round(missing[k] / n[k], 6)])
    write_csv(RUN / "prepared" / "missing.csv", ["column", "split", "class", "missing", "total", "share"], rows)
    write_csv(RUN / "prepared" / "dropped_columns.csv", ["column", "reason"],
              [["lesion_id", "group column (keeps a lesion's images on one side of the split)"],
               ["image_id", "identifier"],
               ["dx_type", "label leakage: how the diagnosis was confirmed, 'histo' only for some classes"]])
    write_csv(RUN / "prepared" / "leakage.csv", ["column", "kind", "balanced_accuracy", "flagged"],
              [["age", "numeric", 0.2311, "false"], ["sex", "categorical", 0.1702, "false"],
               ["localization", "categorical", 0.2589, "false"], ["dx_type", "categorical", 0.9712, "true"]])
    manifest = {
        "hito_version": "0.1.0",
        "fingerprint": "5be0c2a1d9e3f417",
        "fingerprint_covers": "id, label and image file size of every row, in manifest order",
        "data_dir": "/data/ham10000",
        "dataset": {"name": "ham10000", "metadata": "HAM10000_metadata.csv", "id_column": "image_id",
                    "label_column": "dx", "group_column": "lesion_id"},
        "seed": 0,
        "split_fractions": SPLITS,
        "classes": CLASSES,
        "counts": {**{s: int(counts[s].sum()) for s in SPLITS}, "total": int(every["all"].sum()), "skipped": 0},
        "features": [{"column": "age", "kind": "numeric"}, {"column": "sex", "kind": "categorical"},
                     {"column": "localization", "kind": "categorical"}],
        "tabular_features": ["age", "age_missing", "sex=female", "sex=male", "sex=<unknown>", "localization=back"],
        "leak_threshold": 0.95,
    }
    (RUN / "prepared" / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (RUN / "prepared" / "image_stats.json").write_text(json.dumps(
        {"mean": [0.763, 0.546, 0.570], "std": [0.141, 0.152, 0.170], "scale": "[0, 1]",
         "channels": ["r", "g", "b"]}) + "\n")
    return counts


def history(folder, epochs, rng, lr):
    rows = []
    for e in range(1, epochs + 1):
        train_loss = 1.9 * np.exp(-e / 6) + 0.35 + rng.normal(0, 0.01)
        val_loss = 1.8 * np.exp(-e / 7) + 0.55 + max(0, e - 14) * 0.012 + rng.normal(0, 0.02)
        train_bacc = min(0.97, 0.25 + 0.6 * (1 - np.exp(-e / 5)) + rng.normal(0, 0.01))
        val_bacc = 0.2 + 0.45 * (1 - np.exp(-e / 5)) - max(0, e - 14) * 0.004 + rng.normal(0, 0.01)
        rate = lr * 0.5 * (1 + np.cos(np.pi * (e - 1) / epochs))
        rows.append([e, round(train_loss, 5), round(val_loss, 5), round(train_bacc, 5), round(val_bacc, 5),
                     f"{rate:.6g}", round(0.8 + rng.uniform(0, 0.2), 3)])
    write_csv(folder / "history.csv", ["epoch", "train_loss", "val_loss", "train_bacc", "val_bacc", "lr", "seconds"],
              rows)


def number(x):
    return None if x is None or not np.isfinite(x) else float(x)


def split_metrics(rng, n_per_class, skill):
    y = np.concatenate([np.full(n, k) for k, n in enumerate(n_per_class)])
    logits = rng.normal(size=(len(y), len(CLASSES)))
    logits[np.arange(len(y)), y] += skill
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = probs.argmax(axis=1)
    labels = list(range(len(CLASSES)))
    p, r, f, s = metrics.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    auc = [metrics.roc_auc_score(y == k, probs[:, k]) for k in labels]
    conf = probs.max(axis=1)
    b = np.clip(np.ceil(conf * 15).astype(int) - 1, 0, 14)
    bins = []
    ece = 0.0
    for i in range(15):
        m = b == i
        acc = float((pred[m] == y[m]).mean()) if m.any() else None
        mean_conf = float(conf[m].mean()) if m.any() else None
        if m.any():
            ece += m.mean() * abs(acc - mean_conf)
        bins.append({"lower": i / 15, "upper": (i + 1) / 15, "count": int(m.sum()), "confidence": mean_conf,
                     "accuracy": acc})
    bacc = metrics.balanced_accuracy_score(y, pred)
    groups = int(len(y) * 0.8)

    def interval(v):
        return {"estimate": v, "lower": v - 0.04, "upper": v + 0.035, "confidence": 0.95, "resamples": 1000,
                "groups": groups}

    macro_f1 = metrics.f1_score(y, pred, average="macro", zero_division=0)
    return {
        "rows": int(len(y)),
        "accuracy": metrics.accuracy_score(y, pred),
        "balanced_accuracy": bacc,
        "macro_precision": float(np.mean(p)),
        "macro_recall": float(np.mean(r)),
        "macro_f1": macro_f1,
        "macro_auc": float(np.mean(auc)),
        "auc_classes": len(CLASSES),
        "ece": ece,
        "log_loss": metrics.log_loss(y, probs, labels=labels),
        "per_class": [{"class": c, "support": int(s[k]), "predicted": int((pred == k).sum()), "precision": number(p[k]),
                       "recall": number(r[k]), "f1": number(f[k]), "auc": number(auc[k])}
                      for k, c in enumerate(CLASSES)],
        "confusion_matrix": metrics.confusion_matrix(y, pred, labels=labels).tolist(),
        "reliability": bins,
        "intervals": {"balanced_accuracy": interval(bacc), "macro_f1": interval(macro_f1)},
    }


def model(name, counts, rng, epochs, skill, best_epoch=None, figure=False):
    folder = RUN / name
    folder.mkdir(parents=True, exist_ok=True)
    history(folder, epochs, rng, 1e-3)
    doc = {"class_names": CLASSES,
           "splits": {s: split_metrics(rng, counts[s], skill) for s in ("val", "test")}}
    if best_epoch is not None:
        doc["best_epoch"] = best_epoch
    (folder / "metrics.json").write_text(json.dumps(doc, indent=1) + "\n")
    (folder / "config.json").write_text(json.dumps({"optimizer": "adamw", "lr": 1e-3, "batch": 64,
                                                    "hidden": [128, 64], "dropout": 0.2}) + "\n")
    if figure:  # an extra image the milestone saved itself
        x = np.linspace(0, 1, 96)
        img = np.stack(np.meshgrid(x, x[:64]), -1)
        rgb = np.concatenate([img, 1 - img[..., :1]], -1)
        Image.fromarray((rgb * 255).astype(np.uint8)).save(folder / "sample_gradient.png", optimize=True)


def main():
    rng = np.random.default_rng(7)
    shutil.rmtree(RUN, ignore_errors=True)
    counts = prepared(rng)
    model("tabular", counts, rng, 24, 1.6)
    model("image-head", counts, rng, 18, 2.4, best_epoch=12, figure=True)
    size = sum(p.stat().st_size for p in RUN.rglob("*") if p.is_file())
    print(f"wrote {RUN} ({size} bytes)")


if __name__ == "__main__":
    main()
