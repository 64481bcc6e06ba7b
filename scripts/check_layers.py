#!/usr/bin/env python3
"""The layering rule of hito, checked on the source tree (docs/DESIGN.md draws it).

Every folder of the library sits on one layer. A file may include headers of its own folder and of
folders on lower layers, never of a folder on its own layer or above. And no two translation units
include each other, directly or round a loop (a unit is a .h with the .cpp/.cu of the same name).
tests/, bench/ and fuzz/ stand on top and may include anything.

Usage: scripts/check_layers.py [ROOT]   exit 0 when the tree keeps the rule, 1 with every breach listed.
"""
import os
import re
import sys

# Lowest first. Folders on one line share a layer and may not include each other.
LAYERS = [
    ["base"],
    ["kernels"],
    ["engine"],
    ["dist"],
    ["data", "layers", "plot"],
    ["models", "weights"],
    ["onnx"],
    ["apps/eval", "apps/bench"],
    ["apps/study/synth"],
    ["apps/study/prepare"],
    ["apps/study/train"],
    ["apps/study/tabular"],
    ["apps/study/image"],
    ["apps/study/explain", "apps/study/fusion"],
    ["apps/study/evaluate", "apps/study/predict", "apps/study/export"],
    ["apps/study/runs"],
    ["apps/report"],
    ["apps/cli"],
]
TOP = ["tests", "bench", "fuzz"]
SOURCE = (".h", ".cpp", ".cu", ".cuh", ".inc")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(path):
    """The layered folder a path belongs to: the longest LAYERS entry that is a prefix of it."""
    best = None
    for layer in LAYERS:
        for folder in layer:
            if (path == folder or path.startswith(folder + "/")) and (best is None or len(folder) > len(best)):
                best = folder
    return best


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    rank = {folder: i for i, layer in enumerate(LAYERS) for folder in layer}
    includes = {}
    for top in [f for layer in LAYERS for f in layer if "/" not in f] + ["apps"] + TOP:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith(SOURCE):
                    path = os.path.relpath(os.path.join(dirpath, name), root)
                    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                        includes[path] = [m.group(1) for line in f if (m := INCLUDE.match(line))]
    problems = []
    for path, targets in sorted(includes.items()):
        src = folder_of(path)
        if path.split("/")[0] in TOP:
            continue
        if src is None:
            problems.append(f"{path}: in no layer (add its folder to LAYERS in scripts/check_layers.py)")
            continue
        for target in targets:
            if target not in includes:
                continue  # a system or third-party header, or a file relative to the includer
            dst = folder_of(target)
            if dst is None:
                problems.append(f"{path}: includes {target}, which is in no layer")
            elif dst != src and rank[dst] >= rank[src]:
                where = "the same layer as" if rank[dst] == rank[src] else "a layer above"
                problems.append(f"{path}: includes {target} ({dst} is on {where} {src})")

    # Cycles between units, by depth-first search on the unit graph.
    def unit(path):
        return os.path.splitext(path)[0]
    graph = {}
    for path, targets in includes.items():
        if path.split("/")[0] in TOP:
            continue
        edges = graph.setdefault(unit(path), set())
        edges.update(unit(t) for t in targets if t in includes and unit(t) != unit(path))
    state, stack = {}, []

    def visit(u):
        state[u] = "open"
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == "open":
                problems.append("include loop: " + " -> ".join(stack[stack.index(v):] + [v]))
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = "done"
    sys.setrecursionlimit(10000)
    for u in sorted(graph):
        if u not in state:
            visit(u)

    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} breach(es) of the layering rule", file=sys.stderr)
        return 1
    print(f"check_layers: {len(includes)} files, every include points down, no loops")
    return 0


if __name__ == "__main__":
    sys.exit(main())
