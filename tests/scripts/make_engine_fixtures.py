#!/usr/bin/python3
"""Golden values for the engine tests, computed by PyTorch (Debian's python3-torch, CPU, float32) and
written as small safetensors files under tests/fixtures/engine/. Run from anywhere with
/usr/bin/python3 tests/scripts/make_engine_fixtures.py

Files (each tensor name is "<case>.<field>"; hyperparameters travel in the __metadata__ as JSON):
  optim.safetensors       parameters after each of 5 steps of SGD / Adam / AdamW from fixed gradients
                          (one parameter receives gradients only from the third step on)
  schedules.safetensors   learning-rate factors of StepLR, warm-up + cosine, OneCycleLR
  clip.safetensors        clip_grad_norm_ on two gradients, clipped and not
  mlp_init.safetensors    the initial state dict of a small MLP (PyTorch names)
  mlp_run.safetensors     its batch, the 20 losses of an Adam run, and the final weights
  halves.safetensors      F16 and BF16 tensors with the F32 values PyTorch widens them to
The files are written with the few lines of save() below, independently of hito's writer. The ops'
goldens (op_table.safetensors) come from make_op_fixtures.py, which reads the op table itself.
"""
import json
import math
import pathlib
import struct
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "engine"
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64", torch.uint8: "U8"}


def save(name, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: json.dumps(v) for k, v in metadata.items()}
    for key, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = (t.view(torch.int16) if t.element_size() == 2 else t).numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path = OUT / name
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {path} ({path.stat().st_size} bytes)")


OPTIMIZERS = {  # name -> (class, keyword arguments)
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_weight_decay": ("SGD", {"lr": 0.1, "weight_decay": 0.05}),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
    "sgd_nesterov": ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam_weight_decay": ("Adam", {"lr": 0.01, "weight_decay": 0.1, "betas": [0.8, 0.99], "eps": 1e-6}),
    "adamw": ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
}


def optim_fixtures():
    """Two parameters: "param" has a gradient at every step, "late" only from step LATE_START on (PyTorch
    skips a parameter whose .grad is None: its state, step count included, starts with its first update)."""
    torch.manual_seed(1)
    steps, late_start = 5, 2
    t = {"param0": torch.randn(3, 4), "grads": torch.randn(steps, 3, 4), "late0": torch.randn(2),
         "late_grads": torch.randn(steps, 2), "late_start": torch.tensor(late_start)}
    for name, (cls, kwargs) in OPTIMIZERS.items():
        p = t["param0"].clone().requires_grad_(True)
        q = t["late0"].clone().requires_grad_(True)
        options = dict(kwargs, betas=tuple(kwargs["betas"])) if "betas" in kwargs else kwargs
        opt = getattr(torch.optim, cls)([p, q], **options)
        history, late_history = [], []
        for s in range(steps):
            p.grad = t["grads"][s].clone()
            q.grad = t["late_grads"][s].clone() if s >= late_start else None
            opt.step()
            history.append(p.detach().clone())
            late_history.append(q.detach().clone())
        t[f"{name}.params"] = torch.stack(history)
        t[f"{name}.late_params"] = torch.stack(late_history)
    save("optim.safetensors", t, {name: {"class": cls, **kwargs} for name, (cls, kwargs) in OPTIMIZERS.items()})


def lr_factors(make_scheduler, steps):
    """The learning rate of each of `steps` steps, for base (or max) rate 1."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    scheduler = make_scheduler(opt)
    factors = []
    for _ in range(steps):
        factors.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return torch.tensor(factors, dtype=torch.float32)


def schedule_fixtures():
    sched = torch.optim.lr_scheduler
    cases = {
        "step": ({"steps": 12, "step_size": 3, "gamma": 0.5}, lambda o: sched.StepLR(o, step_size=3, gamma=0.5)),
        "cosine": ({"steps": 15, "warmup": 4, "total": 15, "min_factor": 0.1},
                   lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=1 / 4, end_factor=1.0, total_iters=3),
                                                     sched.CosineAnnealingLR(o, T_max=11, eta_min=0.1)],
                                                milestones=[4])),
        "cosine_no_warmup": ({"steps": 10, "warmup": 0, "total": 10, "min_factor": 0.0},
                             lambda o: sched.CosineAnnealingLR(o, T_max=10, eta_min=0.0)),
        "onecycle": ({"steps": 20, "total": 20, "pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4},
                     lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=20, pct_start=0.3, div_factor=25.0,
                                                final_div_factor=1e4, cycle_momentum=False)),
    }
    t = {name: lr_factors(make, params["steps"]) for name, (params, make) in cases.items()}
    save("schedules.safetensors", t, {name: params for name, (params, _) in cases.items()})


def clip_fixtures():
    torch.manual_seed(2)
    t = {}
    for case, max_norm in (("clipped", 1.5), ("unclipped", 100.0)):
        a, b = torch.zeros(3, 4, requires_grad=True), torch.zeros(5, requires_grad=True)
        a.grad, b.grad = torch.randn(3, 4), torch.randn(5) * 2
        t[f"{case}.grad_a"], t[f"{case}.grad_b"] = a.grad.clone(), b.grad.clone()
        t[f"{case}.max_norm"] = torch.tensor(max_norm)
        t[f"{case}.norm"] = nn.utils.clip_grad_norm_([a, b], max_norm)
        t[f"{case}.clipped_a"], t[f"{case}.clipped_b"] = a.grad, b.grad
    save("clip.safetensors", t)


def mlp_run_fixtures():
    """An MLP trained for 20 Adam steps on one batch with label-smoothed, class-weighted cross-entropy."""
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 4))
    save("mlp_init.safetensors", model.state_dict())
    x, y = torch.randn(24, 8), torch.randint(0, 4, (24,))
    weight = torch.tensor([1.0, 2.0, 0.5, 1.5])
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y, weight=weight, label_smoothing=0.1)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    t = {"x": x, "y": y, "class_weight": weight, "losses": torch.tensor(losses)}
    t.update({f"final.{k}": v for k, v in model.state_dict().items()})
    save("mlp_run.safetensors", t, {"lr": 0.01, "label_smoothing": 0.1, "steps": 20})


def halves_fixtures():
    torch.manual_seed(4)
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 6e-8, 1e-7, math.inf, -math.inf, 3.14159, 1e30])
    values = torch.cat([special, torch.randn(20) * 100])
    t = {}
    for name, dtype in (("f16", torch.float16), ("bf16", torch.bfloat16)):
        t[name] = values.to(dtype).reshape(4, 8)
        t[f"{name}_as_f32"] = t[name].float()  # PyTorch's widening: exact
    save("halves.safetensors", t)


def main():
    torch.set_num_threads(1)
    # SequentialLR steps its second scheduler with an explicit epoch, which PyTorch 1.13 warns about.
    warnings.filterwarnings("ignore", message="The epoch parameter")
    OUT.mkdir(parents=True, exist_ok=True)
    optim_fixtures()
    schedule_fixtures()
    clip_fixtures()
    mlp_run_fixtures()
    halves_fixtures()


if __name__ == "__main__":
    main()
