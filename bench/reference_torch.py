#!/usr/bin/python3
"""PyTorch reference for `hito bench`: runs the same workloads and prints the same JSON lines.

Usage: /usr/bin/python3 bench/reference_torch.py [--workload NAME|all] [--threads N] [--device cpu|cuda]
                                                  [--seconds S] [--configs eager,frozen,...]
Run it beside `hito bench` on the same machine; compare steps_per_s (PyTorch at its best thread count
and, for the inference workloads, at its best configuration: bench/compare.sh does both).

The inference (embed) workloads run in five configurations, one JSON line each ("config"):
  eager                  the modules as written (BatchNorm a separate op after each convolution);
  eager-channels-last    the same with the model and the input in channels-last (NHWC) memory;
  frozen                 traced and torch.jit.freeze'd: BatchNorm folded into the convolutions, as
                         hito's inference path does;
  frozen-channels-last   the frozen model on channels-last memory;
  frozen-optimized       the frozen model through torch.jit.optimize_for_inference (oneDNN's blocked
                         layouts where it expects them to pay).
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def time_steps(step, device, batch, flops_per_step, seconds, warmup=5):
    for _ in range(warmup):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    steps, start, elapsed = 0, time.perf_counter(), 0.0
    while elapsed < seconds:
        for _ in range(4):
            step()
        steps += 4
        if device == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
    return {"batch": batch, "steps": steps, "seconds": elapsed, "flops_per_step": flops_per_step}


def bench_sgemm_1024(device, seconds):
    n = 1024
    a = torch.rand(n, n, device=device) * 2 - 1
    b = torch.rand(n, n, device=device) * 2 - 1
    c = torch.empty(n, n, device=device)
    return time_steps(lambda: torch.mm(a, b, out=c), device, n, 2.0 * n ** 3, seconds)


def bench_mlp_train(device, seconds):
    batch, features, hidden, classes = 256, 32, 256, 7
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                          nn.Linear(hidden, classes)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, features, device=device)
    y = torch.randint(0, classes, (batch,), device=device)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    flops = 3.0 * 2.0 * batch * (features * hidden + hidden * hidden + hidden * classes)
    return time_steps(step, device, batch, flops, seconds)


# ---- convolutional workloads (the image milestones) ----------------------------------------------
def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


def bench_cnn_train(device, seconds):
    # Three conv3x3-BN-ReLU blocks (32, 64, 128 channels), 2x2 max pool after the first two, global
    # average pool, Linear 128 -> 7; SGD lr 0.01 momentum 0.9; batch 32x3x64x64.
    batch, classes = 32, 7
    torch.manual_seed(1)
    model = nn.Sequential(*conv_bn_relu(3, 32), nn.MaxPool2d(2), *conv_bn_relu(32, 64), nn.MaxPool2d(2),
                          *conv_bn_relu(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(128, classes)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 64, 64, device=device)
    y = torch.randint(0, classes, (batch,), device=device)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return time_steps(step, device, batch, 0.0, seconds)


EMBED_CONFIGS = ["eager", "eager-channels-last", "frozen", "frozen-channels-last", "frozen-optimized"]


def embed_workload(make_model, batch, size):
    def run(device, seconds, config="eager"):
        import torchvision
        torch.manual_seed(1)
        model = make_model(torchvision.models).to(device).eval()
        x = torch.randn(batch, 3, size, size, device=device)
        if config.endswith("channels-last"):
            model = model.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
        if config.startswith("frozen"):
            with torch.no_grad():
                model = torch.jit.freeze(torch.jit.trace(model, x))
                if config == "frozen-optimized":
                    model = torch.jit.optimize_for_inference(model)

        def step():
            with torch.no_grad():
                model(x)

        return time_steps(step, device, batch, 0.0, seconds)
    run.configs = EMBED_CONFIGS
    return run


def resnet18_headless(models):
    model = models.resnet18()
    model.fc = nn.Identity()
    return model


def resnet50_headless(models):
    model = models.resnet50()
    model.fc = nn.Identity()
    return model


def mobilenet_v2_headless(models):
    model = models.mobilenet_v2()
    model.classifier = nn.Identity()
    return model


def train_workload(batch, size):
    # ResNet-18 with a 7-class fc, training mode, all layers trained with SGD momentum 0.9.
    def run(device, seconds):
        import torchvision
        torch.manual_seed(1)
        model = torchvision.models.resnet18(num_classes=7).to(device).train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(batch, 3, size, size, device=device)
        y = torch.randint(0, 7, (batch,), device=device)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

        return time_steps(step, device, batch, 0.0, seconds)
    return run


# The inference workloads: (headless model, batch, image size); bench/export_onnx.py exports these.
EMBED_MODELS = {
    "resnet18-embed-224": (resnet18_headless, 16, 224),
    "mobilenetv2-embed-224": (mobilenet_v2_headless, 16, 224),
}
# Workloads by the exact names of `hito bench`. Others add theirs here.
WORKLOADS = {
    "sgemm-1024": bench_sgemm_1024,
    "mlp-train": bench_mlp_train,
    "cnn-train": bench_cnn_train,
    "resnet18-finetune-112": train_workload(16, 112),
    **{name: embed_workload(*spec) for name, spec in EMBED_MODELS.items()},
}
# The large GPU workloads, listed only on CUDA (too slow to be useful on two cores).
CUDA_WORKLOADS = {
    "resnet50-embed-224": embed_workload(resnet50_headless, 256, 224),
    "resnet18-train-224": train_workload(256, 224),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="all")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--configs", default=",".join(EMBED_CONFIGS),
                        help="the inference configurations to run (comma-separated; see above)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    known = dict(WORKLOADS, **CUDA_WORKLOADS)
    names = sorted(WORKLOADS if args.device == "cpu" else known) if args.workload == "all" else [args.workload]
    for name in names:
        if name not in known:
            raise SystemExit(f"unknown workload {name!r}; known: {', '.join(sorted(known))}")
        workload = known[name]
        configs = getattr(workload, "configs", None)
        for config in [c for c in args.configs.split(",") if c in configs] if configs else [None]:
            r = workload(args.device, args.seconds, config) if config else workload(args.device, args.seconds)
            steps_per_s = r["steps"] / r["seconds"]
            line = {"workload": name, "engine": "torch-" + torch.__version__, "device": args.device,
                    "threads": torch.get_num_threads(), "batch": r["batch"], "steps_per_s": steps_per_s,
                    "samples_per_s": steps_per_s * r["batch"]}
            if config:
                line["config"] = config
            if r["flops_per_step"]:
                line["gflops"] = steps_per_s * r["flops_per_step"] / 1e9
            line["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
