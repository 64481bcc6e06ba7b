#!/usr/bin/env node
// Runs an ONNX file with onnxruntime (the npm package onnxruntime-node that scripts/setup.sh installs
// into tools/node_modules): the independent runtime the export tests check hito's ONNX files with.
//
// Usage: node tests/scripts/run_onnx.js MODEL.onnx OUT_DIR NAME=FILE:TYPE:D0xD1x... ...
//   each input NAME is read from FILE, raw little-endian TYPE (f32 or i64) of shape D0 x D1 x ...;
//   each output is written to OUT_DIR/<output name>.f32 (raw little-endian f32), and its shape
//   printed as one JSON line {"name": [d0, d1, ...]}.
// Exit status 2 when onnxruntime-node is not installed (the tests then skip), 1 on any other error.
'use strict';
const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require(path.join(__dirname, '..', '..', 'tools', 'node_modules', 'onnxruntime-node'));
} catch (e) {
  console.error('run_onnx: onnxruntime-node is not installed (scripts/setup.sh installs it): ' + e.message);
  process.exit(2);
}

function readInput(spec) {
  const [name, rest] = spec.split(/=(.*)/s);
  const [file, type, dims] = rest.split(':');
  const shape = dims.split('x').map(Number);
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data = type === 'i64' ? new BigInt64Array(buffer) : new Float32Array(buffer);
  return [name, new ort.Tensor(type === 'i64' ? 'int64' : 'float32', data, shape)];
}

async function main() {
  const [model, outDir, ...specs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model);
  const feeds = Object.fromEntries(specs.map(readInput));
  const results = await session.run(feeds);
  for (const [name, tensor] of Object.entries(results)) {
    const data = Float32Array.from(tensor.data);
    fs.writeFileSync(path.join(outDir, name + '.f32'), Buffer.from(data.buffer));
    console.log(JSON.stringify({[name]: tensor.dims}));
  }
}

main().catch((e) => {
  console.error('run_onnx: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
