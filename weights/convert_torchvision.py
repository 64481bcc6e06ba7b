#!/usr/bin/python3
"""Converts a PyTorch checkpoint (torchvision's or timm's official .pth files, or any saved state
dict) to a .safetensors file that hito reads:

    python3 weights/convert_torchvision.py resnet50-0676ba61.pth resnet50.safetensors
    python3 weights/convert_torchvision.py checkpoint.pth.tar model.safetensors --key state_dict_ema

It needs PyTorch (not hito) and keeps tensor names exactly as they are: hito maps timm's names and
the "module." prefix of data-parallel training when it loads (weights/checkpoint.h). Floating-point
tensors are written as F32 and integer ones as I64; anything else in the state dict is an error.
A checkpoint that wraps its state dict ({"state_dict": ..., "epoch": ...}) is unwrapped: the
tensors are taken from --key, or else from the first of "state_dict", "model", "model_state_dict".
"""
import argparse
import json
import os
import pathlib
import struct
import sys
import tempfile

import torch

WRAPPER_KEYS = ("state_dict", "model", "model_state_dict")


def find_state_dict(checkpoint, key):
    if isinstance(checkpoint, torch.nn.Module):
        return checkpoint.state_dict()
    if not isinstance(checkpoint, dict):
        sys.exit(f"error: the checkpoint is a {type(checkpoint).__name__}, not a state dict")
    if key is not None:
        if key not in checkpoint:
            sys.exit(f"error: the checkpoint has no key {key!r}; it has {sorted(map(str, checkpoint))}")
        return find_state_dict(checkpoint[key], None)
    if all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        return checkpoint
    for wrapper in WRAPPER_KEYS:
        if wrapper in checkpoint:
            return find_state_dict(checkpoint[wrapper], None)
    sys.exit(f"error: no state dict found (keys {sorted(map(str, checkpoint))}); name one with --key")


def to_storable(name, value):
    if not isinstance(value, torch.Tensor):
        sys.exit(f"error: entry {name!r} is a {type(value).__name__}, not a tensor")
    if value.is_floating_point():
        return value.detach().to(torch.float32).contiguous(), "F32"
    if value.dtype in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8):
        return value.detach().to(torch.int64).contiguous(), "I64"
    sys.exit(f"error: tensor {name!r} has dtype {value.dtype}, which hito does not read")


def write_safetensors(path, state_dict, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, value in state_dict.items():
        tensor, dtype = to_storable(name, value)
        raw = tensor.cpu().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    # Write beside the destination, then rename: no half-written file on failure.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text)
            for blob in blobs:
                f.write(blob)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=pathlib.Path, help=".pth / .pt / .pth.tar file")
    parser.add_argument("output", type=pathlib.Path, help="the .safetensors file to write")
    parser.add_argument("--key", help="the entry of a wrapped checkpoint that holds the state dict")
    args = parser.parse_args()
    try:
        checkpoint = torch.load(args.checkpoint, map_location="cpu", weights_only=True)
    except TypeError:  # PyTorch before 1.13 has no weights_only
        checkpoint = torch.load(args.checkpoint, map_location="cpu")
    state_dict = find_state_dict(checkpoint, args.key)
    write_safetensors(args.output, state_dict, {"source": args.checkpoint.name, "converter": "convert_torchvision.py"})
    print(f"wrote {args.output}: {len(state_dict)} tensors")


if __name__ == "__main__":
    main()
