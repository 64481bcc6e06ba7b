#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses into fuzz/corpus/<harness>/: a few valid inputs of
each kind and the hostile ones each reader must refuse cleanly (deep nesting, sizes whose product
overflows 64 bits, headers claiming more than the file holds, a decompression bomb's header, NUL
bytes and invalid UTF-8). Run from anywhere: python3 fuzz/make_corpus.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")


def put(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(header, data=b""):
    text = json.dumps(header, separators=(",", ":")).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text)) + text + data


def npy(dict_text, data=b""):
    header = dict_text.encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


# Inputs the fuzzers found, kept as seeds and regression tests (tests/ reads them): not regenerated.
FOUND = {"image": ["crash-dht-257", "crash-dht-cut-short", "crash-dht-after-junk",
                   "crash-dht-after-fill", "crash-shift-exponent"]}


def main():
    for harness in os.listdir(CORPUS) if os.path.isdir(CORPUS) else []:
        for name in os.listdir(os.path.join(CORPUS, harness)):
            if name not in FOUND.get(harness, []):
                os.remove(os.path.join(CORPUS, harness, name))
    deep = 5000  # far beyond the limit of 64 levels, small enough to keep the fuzzers fast
    # ---- safetensors
    put("safetensors", "valid", safetensors({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                                             "__metadata__": {"k": "v"}}, bytes(16)))
    put("safetensors", "f16", safetensors({"h": {"dtype": "F16", "shape": [3], "data_offsets": [0, 6]}}, bytes(6)))
    put("safetensors", "overflow-shape", safetensors(
        {"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 4], "data_offsets": [0, 0]}}))
    put("safetensors", "wrap-shape", safetensors(
        {"w": {"dtype": "U8", "shape": [2097152, 2097152, 2097152, 2], "data_offsets": [0, 0]}}))
    put("safetensors", "huge-header-length", struct.pack("<Q", 2**63) + b"{}")
    put("safetensors", "deep-header", safetensors(b"[" * deep + b"]" * deep))
    put("safetensors", "deep-metadata", safetensors(b'{"__metadata__":' + b'{"a":' * deep + b"1" + b"}" * (deep + 1)))
    put("safetensors", "nan-weights", safetensors({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}},
                                                  struct.pack("<f", float("nan"))))
    # ---- npy
    put("npy", "valid", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", bytes(24)))
    put("npy", "u8", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", bytes(5)))
    put("npy", "wrap-shape", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2097152, 2097152, 2097152), }"))
    put("npy", "huge-shape", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }", bytes(8)))
    put("npy", "long-digits", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (123456789012345678901234567890,), }"))
    put("npy", "empty-descr", npy("{'descr': , 'fortran_order': False, 'shape': (1,), }", bytes(4)))
    put("npy", "v2-header", b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31) + b"{")
    # ---- csv
    put("csv", "metadata", "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
        "HAM_0001466,ISIC_0031633,bkl,histo,75.0,male,ear\nHAM_0005132,ISIC_0025837,bkl,histo,70.0,female,back\n"
        "HAM_0002730,ISIC_0026769,bkl,histo,,unknown,scalp\n")
    put("csv", "quoted", 'id,age,site\n"a,1",40,"back\nside"\nb,,""""\n')
    put("csv", "absurd-ages", "id,age,sex\na,1e308,male\nb,-5,female\nc,inf,male\nd,nan,\n")
    put("csv", "nul-byte", b"id,sex\na,ma\x00le\n")
    put("csv", "invalid-utf8", b"id,site\na,caf\xe9\nb,\xed\xa0\x80\n")
    put("csv", "bom-crlf", b"\xef\xbb\xbfid,x\r\n1,2\r\n")
    # ---- dataset config
    with open(os.path.join(ROOT, "data", "presets", "ham10000.json"), "rb") as f:
        put("dataset_config", "ham10000", f.read())
    put("dataset_config", "deep", '{"features":' + '{"a":' * deep + '"numeric"' + "}" * (deep + 1))
    put("dataset_config", "deep-array", '{"images":' + "[" * deep + "]" * deep + "}")
    put("dataset_config", "ranges", '{"ranges": {"age": [0, 120], "bmi": [1e300, -1]}}')
    put("dataset_config", "duplicate-key", '{"name": "a", "name": "b"}')
    # ---- JSON read back
    put("json", "encoders", json.dumps({
        "missing_values": ["", "unknown"],
        "numeric": [{"column": "age", "median": 50, "mean": 51.2, "std": 16.9, "indicator": True, "range": [0, 120]}],
        "categorical": [{"column": "sex", "vocabulary": ["female", "male"], "most_frequent": "male", "indicator": False}]}))
    put("json", "deep-objects", '{"a":' * deep + "1" + "}" * deep)
    put("json", "deep-arrays", "[" * deep + "]" * deep)
    put("json", "bad-utf8", b'{"a": "\xff\xfe"}')
    put("json", "big-numbers", '{"n": 1e400, "i": 123456789012345678901234567890, "neg": -0}')
    # ---- images
    for name in ("rgb.jpg", "rgb.png", "gray.png", "rgba.png"):
        path = os.path.join(ROOT, "tests", "fixtures", "data", name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                put("image", name, f.read())
    # A decompression bomb's header: a tiny PNG claiming 20000 x 20000 (IHDR only, no CRC check needed).
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    put("image", "bomb.png", b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0")
    put("image", "truncated.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF")


if __name__ == "__main__":
    main()
