"""Golden outputs of scikit-learn's multinomial LogisticRegression for tests/fusion/logistic_test.cpp:
random features, 3 classes, balanced class weights and C = 0.5, fitted to a tight tolerance (newton-cg: lbfgs stops with gradients near 3e-5).
Writes tests/fixtures/fusion/logistic.json. Run: /usr/bin/python3 tests/scripts/make_logistic_fixture.py"""
import json
import pathlib

import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
n, f, k = 90, 5, 3
x = rng.normal(size=(n, f))
true_w = rng.normal(size=(k, f))
y = np.argmax(x @ true_w.T + rng.normal(scale=1.5, size=(n, k)), axis=1)
y[:6] = 2  # make class 2 common and class 0 rarer than the others
model = LogisticRegression(C=0.5, class_weight="balanced", multi_class="multinomial", solver="newton-cg",
                           tol=1e-8, max_iter=1000)
model.fit(x, y)
out = {
    "features": f, "classes": k, "C": 0.5,
    "x": x.ravel().tolist(), "y": y.tolist(),
    "coef": model.coef_.ravel().tolist(), "intercept": model.intercept_.tolist(),
    "proba": model.predict_proba(x).ravel().tolist(),
}
path = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "fusion" / "logistic.json"
path.write_text(json.dumps(out))
print("wrote", path, "classes", np.bincount(y))
