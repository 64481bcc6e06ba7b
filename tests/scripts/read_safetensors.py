#!/usr/bin/python3
"""An independent safetensors reader (json + NumPy, no hito code), for tests/weights: prints the file's
tensors and metadata as one JSON object {"metadata": {...}, "tensors": [{"name", "dtype", "shape",
"values"}, ...]} in header order, after checking that the data section is tiled exactly. read() gives
the same to other scripts (make_op_fixtures.py) as NumPy arrays.

Usage: /usr/bin/python3 tests/scripts/read_safetensors.py FILE"""
import json
import struct
import sys

import numpy as np

NUMPY = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "U8": "u1"}


def read(path):
    """(metadata, [(name, dtype, NumPy array), ...] in header order)."""
    blob = open(path, "rb").read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    metadata = header.pop("__metadata__", {})
    spans = sorted(tuple(entry["data_offsets"]) for entry in header.values())
    covered = 0
    for begin, end in spans:
        assert begin == covered, f"gap or overlap at byte {begin}"
        covered = end
    assert covered == len(data), "data section not fully used"
    tensors = []
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data[begin:end], dtype=NUMPY[entry["dtype"]]).reshape(entry["shape"])
        tensors.append((name, entry["dtype"], values))
    return metadata, tensors


def main(path):
    metadata, tensors = read(path)
    print(json.dumps({"metadata": metadata, "tensors": [
        {"name": name, "dtype": dtype, "shape": list(values.shape), "values": values.astype(float).ravel().tolist()}
        for name, dtype, values in tensors]}))


if __name__ == "__main__":
    main(sys.argv[1])
