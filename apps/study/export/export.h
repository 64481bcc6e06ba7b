// `hito export --model DIR --onnx FILE`: a trained model folder as one ONNX file (opset 13) that any
// ONNX runtime runs without hito. The graph is the model in eval mode, BatchNorm as
// BatchNormalization nodes (nothing folded), and gives two outputs: "logits" (N, K) and
// "probabilities" (N, K), their softmax, in the class order of the model (metadata "classes").
// Inputs, by kind (config.json "kind"; image_graph.h and tabular_graph.h build them):
//   image-head, image-finetune, image-scratch
//     "pixels"    f32 (N, 3, H, W), NCHW: the RGB values 0..255 of each image resized as the folder
//                 records (config.json network.preprocessing: H x W, "pil" or "area" resize, centre
//                 crop to the aspect first when keep_aspect); the graph divides by 255 and applies the
//                 recorded mean and std, and averages with the mirrored image when tta_flip.
//   tabular
//     onehot mode:    "features" f32 (N, F): the rows through the folder's fitted encoder
//                     (preprocessing/encoders.json), the columns named in metadata "features".
//     embedding mode: "numeric" f32 (N, F) (absent when F is 0) and "codes" i64 (N, C), the
//                     category codes of the columns in metadata "codes".
// The file is written atomically: an error leaves no file behind.
#pragma once

#include <filesystem>
#include <string>

namespace hito::study {

namespace fs = std::filesystem;

struct ExportOptions {
  fs::path model_dir, onnx;
};

struct ExportResult {
  fs::path onnx;
  std::string kind;
  int64_t bytes = 0;
};

// Refuses a folder that is not a model folder, and a kind without an exporter, naming the folder.
ExportResult run_export(const ExportOptions& options);

}  // namespace hito::study
