#!/usr/bin/python3
"""Golden values for the op table (tests/support/op_table.h), computed by PyTorch (Debian's python3-torch,
CPU, float32) and written to tests/fixtures/engine/op_table.safetensors.

The cases come from the table itself: the script runs the export_op_table program of a build, which
writes every case that goldens check (op, attributes, inputs and their roles) with its input values.
Each op's PyTorch twin (TORCH below) is applied to those values, a random upstream gradient (seeded by
the case's id, so that adding a case changes no other) is backpropagated, and for each case "<id>"
the file holds:
  <id>.<input>      the inputs, as exported
  <id>.out          the output
  <id>.gout         the upstream gradient, when some input is differentiated
  <id>.d<input>     the gradient of each differentiated ("grad") input
  <id>.new_<input>  each buffer the op updates in place ("state": batch norm's running statistics)
and the metadata "cases", the list of ids. Run after changing the table, from anywhere:
  cmake --build build --target export_op_table
  /usr/bin/python3 tests/scripts/make_op_fixtures.py [BUILD_DIR, default build]
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_conv_fixtures import uniform_from_counter  # noqa: E402  (hito's counter-based uniform)
from make_engine_fixtures import save  # noqa: E402  (writes under tests/fixtures/engine/)
from read_safetensors import read  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def reduce(x, a, whole, along):
    return whole(x) if "dim" not in a else along(x, a["dim"], a["keepdim"])


def dropout(x, a):
    """hito's mask is documented (kernels/api/layout.inc): keep element i when
    uniform_from_counter(seed, i) >= p, and scale the kept ones by 1 / (1 - p)."""
    if not a["training"] or a["p"] == 0:
        return x
    p = np.float32(a["p"])
    keep = uniform_from_counter(a["seed"], x.numel()) >= p
    scale = float(np.float32(1) / (np.float32(1) - p))
    return x * torch.from_numpy(keep.astype(np.float32)).reshape(x.shape) * scale


def batch_norm(t, a):
    # Without running statistics both modes use the batch's, as nn.BatchNorm with track_running_stats=False.
    training = a["training"] or "running_mean" not in t
    return F.batch_norm(t["x"], t.get("running_mean"), t.get("running_var"), t.get("weight"), t.get("bias"),
                        training, a["momentum"], a["eps"])


def conv_options(a):
    return {key: tuple(a[key]) for key in ("stride", "padding", "dilation")} | {"groups": a["groups"]}


# op -> f(tensors by input name in the case's order, attributes) -> output, as PyTorch computes it.
TORCH = {
    "relu": lambda t, a: F.relu(t["x"]),
    "leaky_relu": lambda t, a: F.leaky_relu(t["x"], a["negative_slope"]),
    "relu6": lambda t, a: F.relu6(t["x"]),
    "gelu": lambda t, a: F.gelu(t["x"]),
    "sigmoid": lambda t, a: torch.sigmoid(t["x"]),
    "tanh": lambda t, a: torch.tanh(t["x"]),
    "exp": lambda t, a: torch.exp(t["x"]),
    "log": lambda t, a: torch.log(t["x"]),
    "sqrt": lambda t, a: torch.sqrt(t["x"]),
    "add": lambda t, a: t["a"] + t["b"],
    "sub": lambda t, a: t["a"] - t["b"],
    "mul": lambda t, a: t["a"] * t["b"],
    "div": lambda t, a: t["a"] / t["b"],
    "affine": lambda t, a: t["x"] * a["alpha"] + a["beta"],
    "to_float": lambda t, a: t["x"].float(),
    "matmul": lambda t, a: (t["a"].t() if a["trans_a"] else t["a"]) @ (t["b"].t() if a["trans_b"] else t["b"]),
    "linear": lambda t, a: F.linear(t["x"], t["weight"], t.get("bias")),
    "sum": lambda t, a: reduce(t["x"], a, torch.sum, lambda x, d, k: x.sum(d, keepdim=k)),
    "mean": lambda t, a: reduce(t["x"], a, torch.mean, lambda x, d, k: x.mean(d, keepdim=k)),
    "max": lambda t, a: reduce(t["x"], a, torch.max, lambda x, d, k: x.max(d, keepdim=k).values),
    "argmax": lambda t, a: torch.argmax(t["x"], a["dim"], a["keepdim"]),
    "softmax": lambda t, a: F.softmax(t["x"], a["dim"]),
    "log_softmax": lambda t, a: F.log_softmax(t["x"], a["dim"]),
    "cross_entropy": lambda t, a: F.cross_entropy(t["logits"], t["target"], weight=t.get("weight"),
                                                  label_smoothing=a["label_smoothing"]),
    "concat": lambda t, a: torch.cat(list(t.values()), a["dim"]),
    "slice": lambda t, a: t["x"].narrow(a["dim"], a["start"], a["end"] - a["start"]),
    "reshape": lambda t, a: t["x"].reshape(a["shape"]),
    "embedding": lambda t, a: F.embedding(t["index"], t["weight"]),
    "dropout": lambda t, a: dropout(t["x"], a),
    "batch_norm": batch_norm,
    "layer_norm": lambda t, a: F.layer_norm(t["x"], t["x"].shape[-1:], t.get("weight"), t.get("bias"), a["eps"]),
    "conv2d": lambda t, a: F.conv2d(t["x"], t["weight"], t.get("bias"), **conv_options(a)),
    "max_pool2d": lambda t, a: F.max_pool2d(t["x"], a["kernel"], a["stride"], a["padding"]),
    "avg_pool2d": lambda t, a: F.avg_pool2d(t["x"], a["kernel"], a["stride"], a["padding"],
                                            count_include_pad=a["count_include_pad"]),
    "adaptive_avg_pool2d": lambda t, a: F.adaptive_avg_pool2d(t["x"], a["output"]),
}


def golden(case, exported):
    """The fixture's tensors of one case."""
    cid, out_tensors = case["id"], {}
    if case["op"] not in TORCH:
        sys.exit(f"make_op_fixtures: op '{case['op']}' (case {cid}) has no PyTorch twin in TORCH")
    inputs = {}
    for spec in case["inputs"]:
        values = exported[f"{cid}.{spec['name']}"]
        out_tensors[f"{cid}.{spec['name']}"] = torch.from_numpy(values.copy())
        t = torch.from_numpy(values.copy())
        inputs[spec["name"]] = t.requires_grad_(True) if spec["role"] == "grad" else t
    out = TORCH[case["op"]](inputs, case["attrs"])
    out_tensors[f"{cid}.out"] = out
    for spec in case["inputs"]:
        if spec["role"] == "state":
            out_tensors[f"{cid}.new_{spec['name']}"] = inputs[spec["name"]]
    if any(spec["role"] == "grad" for spec in case["inputs"]):
        gout = torch.randn(out.shape, generator=torch.Generator().manual_seed(zlib.crc32(cid.encode())))
        out.backward(gout)
        out_tensors[f"{cid}.gout"] = gout
        for spec in case["inputs"]:
            if spec["role"] == "grad":
                out_tensors[f"{cid}.d{spec['name']}"] = inputs[spec["name"]].grad
    return out_tensors


def main(build):
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        export = pathlib.Path(tmp) / "cases.safetensors"
        subprocess.run([str(build / "tests" / "export_op_table"), str(export)], check=True)
        metadata, tensors = read(export)
    exported = {name: values for name, _, values in tensors}
    cases = json.loads(metadata["cases"])
    fixture = {}
    for case in cases:
        fixture.update(golden(case, exported))
    save("op_table.safetensors", fixture, {"cases": [case["id"] for case in cases]})


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "build")
