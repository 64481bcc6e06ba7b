#!/usr/bin/python3
"""Makes tests/fixtures/pca/pca.json: random matrices, the rows PCA is fitted on, and NumPy's
PCA of them (mean, covariance eigenvectors signed so that each axis's largest-magnitude entry is
positive, explained variance ratios, scores of every row, plain and whitened).
Run from the repository root: /usr/bin/python3 tests/scripts/make_pca_fixture.py"""
import json
import numpy as np



def case(seed, n, d, k, scales):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) * np.asarray(scales)[:, None]
    x = (rng.normal(size=(n, d)) @ mixing + rng.normal(size=d)).astype(np.float32)
    rows = list(range(0, n, 2)) + [1, 3, 5]  # fit on a subset, as on the train split
    fit = x[rows].astype(np.float64)
    mean = fit.mean(axis=0)
    cov = np.cov(fit, rowvar=False)  # n - 1
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    for c in range(d):
        if vectors[np.argmax(np.abs(vectors[:, c])), c] < 0:
            vectors[:, c] = -vectors[:, c]
    components = vectors[:, :k].T
    scores = (x.astype(np.float64) - mean) @ components.T
    return {
        "n": n, "d": d, "k": k, "x": x.ravel().tolist(), "rows": rows,
        "mean": mean.tolist(), "components": components.ravel().tolist(),
        "variance": values[:k].tolist(), "explained_ratio": (values[:k] / values.sum()).tolist(),
        "scores": scores.ravel().tolist(), "whitened": (scores / np.sqrt(values[:k])).ravel().tolist(),
    }


# small: k + 10 >= D, the decomposition is exact; wide: D = 80 > k + 10, the randomized path on a
# fast-decaying spectrum (as images have).
fixture = {"cases": [case(7, 40, 6, 3, [3.0, 2.0, 1.0, 0.5, 0.2, 0.1]),
                     case(8, 300, 80, 5, [4.0 * 0.8 ** i for i in range(80)])]}
with open("tests/fixtures/pca/pca.json", "w") as f:
    json.dump(fixture, f)
