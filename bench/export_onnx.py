#!/usr/bin/python3
"""Exports the inference workloads of bench/reference_torch.py (EMBED_MODELS: the headless models
with torch.manual_seed(1) weights, in eval mode) to ONNX, opset 13, for bench/reference_onnxruntime.js.

Usage: /usr/bin/python3 bench/export_onnx.py OUT_DIR     (writes OUT_DIR/<workload>.onnx)
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_torch import EMBED_MODELS  # noqa: E402


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (make_model, batch, size) in EMBED_MODELS.items():
        torch.manual_seed(1)
        model = make_model(torchvision.models).eval()
        x = torch.randn(batch, 3, size, size)
        path = os.path.join(out, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=13, input_names=["images"], output_names=["features"])
        print(path, flush=True)


if __name__ == "__main__":
    main()
