#!/usr/bin/python3
"""Runs `hito bench` and its references on this machine and prints one ratio table (Markdown) with
the CPU model and hito's CPU path, the table of the README's performance section.

  hito                   build/hito bench --threads N
  PyTorch 1.13           bench/reference_torch.py at 1 and N threads, every inference configuration
                         (eager, channels-last, frozen with BatchNorm folded, ...); the best counts
  ONNX Runtime           bench/reference_onnxruntime.js at 1 and N threads on the models
                         bench/export_onnx.py writes (inference workloads only; skipped, with a note,
                         where onnxruntime-node is not installed)

Usage: /usr/bin/python3 bench/compare.py [--build build] [--threads N] [--seconds S] [--workload NAME|all]
Each ratio is hito's samples per second over the reference's best; the reference's best thread
count and configuration are in brackets.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ORT_DIR = os.environ.get("HITO_ORT_DIR", os.path.join(HERE, "..", "tools"))  # scripts/setup.sh installs it there
ONNX_DIR = os.path.expanduser("~/.cache/hito/onnx-models")


def json_lines(command):
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def cpu_model():
    for line in subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def best(lines):
    """The reference's best line per workload."""
    out = {}
    for line in lines:
        if line["workload"] not in out or line["samples_per_s"] > out[line["workload"]]["samples_per_s"]:
            out[line["workload"]] = line
    return out


def cell(hito, ref):
    if not ref:
        return "-", "-"
    label = f"{ref['threads']}" + (f", {ref['config']}" if ref.get("config") else "")
    return f"{ref['samples_per_s']:.4g} ({label})", f"{hito['samples_per_s'] / ref['samples_per_s']:.2f}x"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workload", default="all")
    args = parser.parse_args()
    hito = os.path.join(args.build, "hito")
    common = ["--workload", args.workload, "--seconds", str(args.seconds)]
    version = subprocess.run([hito, "--version"], check=True, stdout=subprocess.PIPE, text=True).stdout
    cpu_path = next((l[len("CPU code "):] for l in version.splitlines() if l.startswith("CPU code ")), "unknown")
    thread_counts = sorted({1, args.threads})

    ours = json_lines([hito, "bench", "--threads", str(args.threads)] + common)
    torch = best(sum((json_lines(["/usr/bin/python3", os.path.join(HERE, "reference_torch.py"), "--threads", str(t)]
                                 + common) for t in thread_counts), []))
    ort, ort_note = {}, ""
    if os.path.isdir(os.path.join(ORT_DIR, "node_modules", "onnxruntime-node")):
        if not os.path.isdir(ONNX_DIR):
            subprocess.run(["/usr/bin/python3", os.path.join(HERE, "export_onnx.py"), ONNX_DIR], check=True)
        embed = [l["workload"] for l in ours if l["workload"].endswith("-embed-224")]
        ort = best(sum((json_lines(["node", os.path.join(HERE, "reference_onnxruntime.js"), "--models", ONNX_DIR,
                                    "--workload", w, "--threads", str(t), "--seconds", str(args.seconds)])
                        for w in embed for t in thread_counts), []))
    else:
        ort_note = f"\nONNX Runtime not run: onnxruntime-node is not installed in {ORT_DIR} (scripts/setup.sh installs it)."

    ort_version = next((l["engine"] for l in ort.values()), "ONNX Runtime")
    torch_version = next((l["engine"] for l in torch.values()), "PyTorch")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; hito CPU path {cpu_path}; "
          f"hito --threads {args.threads}; references at their best of {thread_counts} threads; "
          f"{datetime.date.today().isoformat()}; command: bench/compare.py --threads {args.threads}\n")
    print(f"| workload | hito samples/s | {torch_version} best | ratio | {ort_version} best | ratio |")
    print("|---|---|---|---|---|---|")
    for line in ours:
        name = line["workload"]
        t, t_ratio = cell(line, torch.get(name))
        o, o_ratio = cell(line, ort.get(name))
        print(f"| `{name}` | {line['samples_per_s']:.4g} | {t} | {t_ratio} | {o} | {o_ratio} |")
    print(ort_note)


if __name__ == "__main__":
    main()
