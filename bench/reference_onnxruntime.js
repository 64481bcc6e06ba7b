#!/usr/bin/env node
// ONNX Runtime reference for `hito bench`'s inference workloads: runs the models bench/export_onnx.py
// wrote and prints the JSON lines of bench/reference_torch.py (engine "onnxruntime-<version>").
//
// ONNX Runtime comes from npm's onnxruntime-node (its CPU binaries are in the package), installed
// outside the repository's tracked files:
//   scripts/setup.sh installs it into <repo>/tools (npm install --prefix tools --ignore-scripts onnxruntime-node)
// Usage: node bench/reference_onnxruntime.js --models DIR [--workload NAME|all] [--threads N] [--seconds S]
//   (HITO_ORT_DIR: the folder holding node_modules/onnxruntime-node; default <repo>/tools)
"use strict";
const os = require("os");
const path = require("path");

const ortDir = process.env.HITO_ORT_DIR || path.join(__dirname, "..", "tools");
const ort = require(path.join(ortDir, "node_modules", "onnxruntime-node"));
const ortVersion = require(path.join(ortDir, "node_modules", "onnxruntime-node", "package.json")).version;

// The workloads of bench/reference_torch.py's EMBED_MODELS: [batch, image size].
const WORKLOADS = { "resnet18-embed-224": [16, 224], "mobilenetv2-embed-224": [16, 224] };

function parseArgs(argv) {
  const args = { models: null, workload: "all", threads: os.cpus().length, seconds: 2.0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in args) || i + 1 >= argv.length) throw new Error(`unknown or incomplete option ${argv[i]}`);
    args[key] = key === "threads" || key === "seconds" ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!args.models) throw new Error("--models DIR is required (the folder bench/export_onnx.py wrote)");
  return args;
}

// As reference_torch.py's time_steps: 5 warm-up runs, then runs in fours until `seconds` have passed.
async function timeSteps(step, seconds) {
  for (let i = 0; i < 5; ++i) await step();
  let steps = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < 4; ++i) await step();
    steps += 4;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { steps, seconds: elapsed };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const names = args.workload === "all" ? Object.keys(WORKLOADS) : [args.workload];
  for (const name of names) {
    if (!(name in WORKLOADS)) throw new Error(`unknown workload ${name}; known: ${Object.keys(WORKLOADS).join(", ")}`);
    const [batch, size] = WORKLOADS[name];
    const session = await ort.InferenceSession.create(path.join(args.models, `${name}.onnx`), {
      intraOpNumThreads: args.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    const data = Float32Array.from({ length: batch * 3 * size * size }, () => Math.random() * 2 - 1);
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data, [batch, 3, size, size]) };
    const r = await timeSteps(() => session.run(feeds), args.seconds);
    const stepsPerS = r.steps / r.seconds;
    console.log(JSON.stringify({
      workload: name, engine: `onnxruntime-${ortVersion}`, device: "cpu", threads: args.threads, batch,
      steps_per_s: stepsPerS, samples_per_s: stepsPerS * batch, config: "all-optimizations",
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    }));
  }
}

main().catch((e) => {
  console.error(`reference_onnxruntime.js: ${e.message}`);
  process.exit(1);
});
