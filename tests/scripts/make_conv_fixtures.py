#!/usr/bin/python3
"""Golden values for the convolution and model tests, computed by PyTorch and torchvision (Debian's
python3-torch and python3-torchvision, CPU, float32), written as small safetensors files under
tests/fixtures/conv/. Run from anywhere with /usr/bin/python3 tests/scripts/make_conv_fixtures.py

Files (tensor names "<case>.<field>"; options travel in __metadata__ as JSON):
  batchnorm2d.safetensors  BatchNorm2d over three training steps and in eval mode (conv2d's and the
                         pools' goldens come from make_op_fixtures.py, which reads the op table)
  models.safetensors     torchvision ResNet-18/34/50 and MobileNetV2 in eval mode with seeded weights
                         (below) on a seeded 2x3x64x64 batch: "<arch>.logits" and "<arch>.features"
                         (the pooled embedding); metadata "<arch>.state_dict" lists every tensor's
                         name, shape and dtype in torchvision's order
  resnet18_train.safetensors  one training-mode forward and backward of a seeded 7-class ResNet-18:
                         the loss, some gradients and the running statistics afterwards
  converted.safetensors  weights/convert_torchvision.py applied to a small timm-style checkpoint
                         (converted_expected.safetensors: what it held)
  resize.safetensors     a random 23x37 RGB image and PIL's Image.resize(BILINEAR) of it to 11x16
                         (shrinking, antialiased) and 40x50 (enlarging), as I64 pixel values

Seeded weights: the full state dicts are far too large to commit (ResNet-50 is 100 MB), so both this
script and the C++ tests (tests/models/seeded_weights.cpp) derive every value from its tensor's name:
element i of tensor `name` is center + half_width * (2u - 1), u = uniform_from_counter(fnv1a64(name), i)
(kernels/kernel_types.h), with (center, half_width) by kind:
  running_mean (0, 0.1); running_var (1, 0.5); 4-d conv weight (0, sqrt(6 / fan_in));
  2-d linear weight (0, 1 / sqrt(fan_in)); other 1-d ".weight" (BatchNorm) (0.5, 0.25); ".bias" (0, 0.1);
  num_batches_tracked 0.
The input batch is tensor "input" of shape (2, 3, 64, 64) with (center, half_width) = (0, 1).
"""
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "conv"
DTYPES = {torch.float32: "F32", torch.int64: "I64"}
MASK = (1 << 64) - 1


def save(name, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: json.dumps(v) for k, v in metadata.items()}
    for key, t in tensors.items():
        raw = t.detach().contiguous().cpu().numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path = OUT / name
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {path} ({path.stat().st_size} bytes)")


# ---- seeded values (the C++ twin is tests/models/seeded_weights.cpp) ----------------------------
def fnv1a64(name):
    h = 0xCBF29CE484222325
    for byte in name.encode():
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def uniform_from_counter(seed, n):
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def value_range(name, shape):
    if name.endswith("running_mean"):
        return 0.0, 0.1
    if name.endswith("running_var"):
        return 1.0, 0.5
    if len(shape) == 4:
        return 0.0, (6.0 / np.prod(shape[1:])) ** 0.5
    if len(shape) == 2:
        return 0.0, 1.0 / shape[1] ** 0.5
    if name.endswith(".weight"):
        return 0.5, 0.25
    return 0.0, 0.1


def seeded_tensor(name, shape, center, half_width):
    u = uniform_from_counter(fnv1a64(name), int(np.prod(shape)))
    values = (np.float32(2) * u - np.float32(1)) * np.float32(half_width) + np.float32(center)
    return torch.from_numpy(values.reshape(shape))


def seed_model(model):
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            tensor.zero_()
        else:
            tensor.copy_(seeded_tensor(name, tuple(tensor.shape), *value_range(name, tuple(tensor.shape))))


# ---- BatchNorm2d --------------------------------------------------------------------------------
def batchnorm_cases():
    torch.manual_seed(5)
    t = {}
    # BatchNorm2d over three training steps (running statistics as PyTorch moves them), then eval.
    bn = nn.BatchNorm2d(4, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(4) + 0.5)
        bn.bias.copy_(torch.randn(4))
    t["bn2d.weight"], t["bn2d.bias"] = bn.weight.detach().clone(), bn.bias.detach().clone()
    for step in range(3):
        x = torch.randn(3, 4, 5, 5) * 2 + 1
        t[f"bn2d.step{step}.x"], t[f"bn2d.step{step}.out"] = x, bn(x).detach()
        t[f"bn2d.step{step}.running_mean"] = bn.running_mean.clone()
        t[f"bn2d.step{step}.running_var"] = bn.running_var.clone()
    bn.eval()
    x = torch.randn(2, 4, 3, 3)
    t["bn2d.eval.x"], t["bn2d.eval.out"] = x, bn(x).detach()
    save("batchnorm2d.safetensors", t)


# ---- models -------------------------------------------------------------------------------------
ARCHS = ["resnet18", "resnet34", "resnet50", "mobilenet_v2"]


def features_of(model, x):
    """The pooled embedding: everything before the classifier."""
    if isinstance(model, torchvision.models.ResNet):
        head = model.fc
        model.fc = nn.Identity()
        out = model(x)
        model.fc = head
        return out
    return torch.flatten(F.adaptive_avg_pool2d(model.features(x), 1), 1)


def model_cases():
    x = seeded_tensor("input", (2, 3, 64, 64), 0.0, 1.0)
    t, meta = {}, {}
    for arch in ARCHS:
        model = getattr(torchvision.models, arch)().eval()
        seed_model(model)
        with torch.no_grad():
            t[f"{arch}.logits"], t[f"{arch}.features"] = model(x), features_of(model, x)
        meta[f"{arch}.state_dict"] = [[k, list(v.shape), DTYPES[v.dtype]] for k, v in model.state_dict().items()]
    save("models.safetensors", t, meta)

    # One training step's forward and backward of a 7-class ResNet-18 (batch statistics).
    model = torchvision.models.resnet18(num_classes=7).train()
    seed_model(model)
    labels = torch.tensor([3, 5])
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    t = {"labels": labels, "loss": loss.detach()}
    for name in ["conv1.weight", "bn1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn2.bias", "fc.weight",
                 "fc.bias"]:
        t[f"grad.{name}"] = model.get_parameter(name).grad
    for name in ["bn1.running_mean", "bn1.running_var", "layer4.1.bn2.running_var"]:
        t[f"after.{name}"] = model.get_buffer(name)
    save("resnet18_train.safetensors", t)


# ---- the converter ------------------------------------------------------------------------------
def converter_case():
    """A timm-style checkpoint: wrapped in {"state_dict": ...}, names prefixed by "module.", no
    num_batches_tracked; the converter must keep names and values as they are."""
    torch.manual_seed(9)
    state = {"module.conv1.weight": torch.randn(4, 3, 3, 3), "module.bn1.weight": torch.rand(4),
             "module.bn1.running_var": torch.rand(4) + 0.5, "module.fc.weight": torch.randn(2, 4).t(),
             "module.step": torch.tensor(7)}
    with tempfile.TemporaryDirectory() as tmp:
        source = pathlib.Path(tmp) / "checkpoint.pth"
        torch.save({"state_dict": state, "epoch": 3}, source)
        subprocess.run([sys.executable, str(ROOT / "weights" / "convert_torchvision.py"), str(source),
                        str(OUT / "converted.safetensors")], check=True)
    save("converted_expected.safetensors", {k: v.contiguous() for k, v in state.items()})


def resize_cases():
    from PIL import Image
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(23, 37, 3), dtype=np.uint8)
    image = Image.fromarray(pixels, "RGB")
    t = {"source": torch.from_numpy(pixels.astype(np.int64))}
    for height, width in ((11, 16), (40, 50)):
        resized = np.asarray(image.resize((width, height), Image.BILINEAR))
        t[f"pil_{height}x{width}"] = torch.from_numpy(resized.astype(np.int64))
    save("resize.safetensors", t)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    batchnorm_cases()
    model_cases()
    converter_case()
    resize_cases()
