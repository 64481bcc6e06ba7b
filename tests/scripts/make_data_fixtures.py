#!/usr/bin/python3
"""Golden files for tests/data (the data pipeline), written to tests/fixtures/data/. Run from the
repository root with /usr/bin/python3 tests/scripts/make_data_fixtures.py (Debian's NumPy, Pillow
and PyTorch). Everything is seeded, small (a few KB) and synthetic.

- .npy files written by NumPy itself (the readers must accept them) and malformed ones (they must
  refuse them with a clear error): a float64 array, a Fortran-order array, a big-endian array.
- small images (gray PNG, RGBA PNG, RGB PNG, RGB JPEG) with the RGB pixels Pillow decodes
  (Image.convert("RGB"), which drops alpha and repeats gray), as .npy.
- resize goldens: PyTorch bilinear upsampling (align_corners=False, antialias=False: pixel centres
  at +0.5, edges clamped), PyTorch average pooling (area averaging by an integer factor), and exact
  area averaging by a fractional factor from NumPy overlap matrices (Pillow's BOX filter is not
  that: it weights whole source pixels by whether their centre falls inside, and neither is
  PyTorch's "area" mode, which averages whole pixels of floor/ceil windows), each on a seeded u8
  image, results before rounding.
"""
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "data"
OUT.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(20240601)

# ---- .npy files from NumPy
np.save(OUT / "numpy_f32.npy", rng.normal(size=(3, 5)).astype(np.float32))
np.save(OUT / "numpy_i64.npy", rng.integers(-1000, 1000, size=(7,)).astype(np.int64))
np.save(OUT / "numpy_u8.npy", rng.integers(0, 256, size=(2, 3, 4)).astype(np.uint8))
np.save(OUT / "numpy_scalar_f32.npy", np.float32(2.5))
np.save(OUT / "bad_f64.npy", rng.normal(size=(4,)))
np.save(OUT / "bad_fortran.npy", np.asfortranarray(rng.normal(size=(3, 2)).astype(np.float32)))
np.save(OUT / "bad_bigendian.npy", rng.normal(size=(4,)).astype(">f4"))

# ---- images and what Pillow decodes them to
h, w = 12, 16
yy, xx = np.mgrid[0:h, 0:w]
rgb = np.stack([xx * 15, yy * 20, (xx + yy) * 8], axis=-1).astype(np.uint8)
gray = (xx * 10 + yy * 5).astype(np.uint8)
alpha = ((xx + yy) * 9).astype(np.uint8)
Image.fromarray(gray, "L").save(OUT / "gray.png")
Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(OUT / "rgba.png")
Image.fromarray(rgb, "RGB").save(OUT / "rgb.png")
Image.fromarray(rgb, "RGB").save(OUT / "rgb.jpg", quality=95)
for name in ["gray.png", "rgba.png", "rgb.png", "rgb.jpg"]:
    decoded = np.asarray(Image.open(OUT / name).convert("RGB"))
    np.save(OUT / (name.replace(".", "_") + "_rgb.npy"), decoded)

# ---- resize goldens
src = rng.integers(0, 256, size=(9, 13, 3)).astype(np.uint8)
np.save(OUT / "resize_src.npy", src)
t = torch.from_numpy(src.astype(np.float32)).permute(2, 0, 1)[None]
up = F.interpolate(t, size=(20, 31), mode="bilinear", align_corners=False)
np.save(OUT / "resize_bilinear_20x31.npy", up[0].permute(1, 2, 0).numpy().astype(np.float32))
src_pool = rng.integers(0, 256, size=(12, 18, 3)).astype(np.uint8)
np.save(OUT / "resize_pool_src.npy", src_pool)
pooled = F.avg_pool2d(torch.from_numpy(src_pool.astype(np.float32)).permute(2, 0, 1)[None], 3)
np.save(OUT / "resize_area_4x6.npy", pooled[0].permute(1, 2, 0).numpy().astype(np.float32))


def area_matrix(size, out):
    """(out, size): weight of source pixel i in output j = overlap of [i, i+1) with output j's
    footprint [j*s, (j+1)*s), divided by s = size / out."""
    s = size / out
    m = np.zeros((out, size))
    for j in range(out):
        lo, hi = j * s, (j + 1) * s
        for i in range(size):
            m[j, i] = max(0.0, min(hi, i + 1) - max(lo, i)) / s
    return m


area = np.einsum("yi,ijc,xj->yxc", area_matrix(9, 5), src.astype(np.float64), area_matrix(13, 7))
np.save(OUT / "resize_area_5x7.npy", area.astype(np.float32))
print("wrote", sorted(p.name for p in OUT.iterdir()))
