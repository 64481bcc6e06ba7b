// hito export on model folders: the ONNX file, run by onnxruntime on the inputs its documentation
// asks for (apps/study/export/export.h), gives the probabilities `hito predict` gives for the same
// rows (tabular in one-hot and embedding mode; image scratch, finetune, and head with flip averaging
// and a centre crop). A folder that is not a model, or of a kind without an exporter, is refused by
// name and leaves no file.
#include <gtest/gtest.h>

#include "apps/study/export/export.h"
#include "apps/study/image/image_predict.h"
#include "apps/study/tabular/tabular_predict.h"
#include "apps/study/train/model_output.h"
#include "base/json.h"
#include "tests/export/onnx_runtime.h"
#include "tests/image/image_fixture.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

// The ONNX file of `folder`, run by onnxruntime on `inputs`: its "probabilities".
Tensor exported_probabilities(const fs::path& folder, const std::vector<testing::OnnxInput>& inputs) {
  const fs::path file = folder.parent_path() / (folder.filename().string() + ".onnx");
  ExportResult result = run_export({.model_dir = folder, .onnx = file});
  EXPECT_GT(result.bytes, 0);
  auto outputs = testing::run_onnxruntime(file, inputs);
  EXPECT_TRUE(outputs.count("logits")) << file;
  return outputs["probabilities"];
}

// f32 (N, 3, H, W): the u8 pixels of every image of the source, 0..255, as the "pixels" input wants.
Tensor pixels_of(const data::ImageSource& images) {
  const int64_t n = images.size(), h = images.height(), w = images.width(), plane = h * w;
  std::vector<float> nchw(static_cast<size_t>(n * 3 * plane));
  std::vector<uint8_t> hwc(static_cast<size_t>(plane * 3));
  for (int64_t i = 0; i < n; ++i) {
    images.read(i, hwc.data());
    for (int64_t p = 0; p < plane; ++p)
      for (int64_t c = 0; c < 3; ++c) nchw[static_cast<size_t>((i * 3 + c) * plane + p)] = hwc[static_cast<size_t>(p * 3 + c)];
  }
  return Tensor::from_vector(nchw, {n, 3, h, w});
}

TEST(FolderExport, TabularMatchesPredictInBothModes) {
  HITO_REQUIRE_ONNXRUNTIME();
  fs::path run = tabular_test_run("export");
  for (const std::string mode : {"onehot", "embedding"}) {
    TabularOptions t = quick_tabular_options(run);
    t.hyper.mode = mode;
    t.name = "tabular-" + mode;
    const fs::path folder = run_tabular(t);
    ModelFolder model = load_model_folder(folder);
    NewData rows = read_new_data(load_prepared(run).data_dir, model.dataset);
    const Tensor expected = predict_tabular(model, rows);

    data::EncodedTable encoded = model.encoder.transform(rows.table);
    std::vector<testing::OnnxInput> inputs;
    if (mode == "onehot")
      inputs = {{"features", encoded.tabular}};
    else
      inputs = {{"numeric", encoded.numeric}, {"codes", encoded.codes}};
    EXPECT_TRUE(testing::all_close(exported_probabilities(folder, inputs), expected, 1e-4f, 1e-6f)) << mode;
  }
  fs::remove_all(run);
}

TEST(FolderExport, ImageModesMatchPredict) {
  HITO_REQUIRE_ONNXRUNTIME();
  fs::path run = image_test_run("export");
  const fs::path weights = small_cnn_weights(run, 3);
  std::vector<fs::path> folders = {run_image(quick_image_options(run, "scratch"))};
  ImageOptions finetune = quick_image_options(run, "finetune");
  finetune.weights = weights;
  finetune.backbone = "small_cnn";
  folders.push_back(run_image(finetune));
  EmbedOptions e = embed_options(run, weights);
  e.tta_flip = true;
  e.keep_aspect = true;
  run_embed(e);
  ImageOptions head = quick_image_options(run, "head");
  head.embeddings = "small_cnn";
  folders.push_back(run_image(head));

  for (const fs::path& folder : folders) {
    ModelFolder model = load_model_folder(folder);
    NewData rows = read_new_data(load_prepared(run).data_dir, model.dataset);
    const Tensor expected = predict_image_model(model, rows);
    const ImageNetworkSpec spec = ImageNetworkSpec::from_json(model.config.at("network"), folder.string());
    const Tensor pixels = pixels_of(*spec.preprocessing.files(rows.image_paths()));
    EXPECT_TRUE(testing::all_close(exported_probabilities(folder, {{"pixels", pixels}}), expected, 1e-4f, 1e-6f))
        << folder;
  }
  fs::remove_all(run);
}

TEST(FolderExport, AFolderThatIsNotAModelIsRefusedByName) {
  const fs::path dir = testing::temp_dir("hito-export-not-a-model");
  const std::string message = testing::error_message([&] { run_export({.model_dir = dir, .onnx = dir / "m.onnx"}); });
  EXPECT_NE(message.find(dir.string() + " is not a model folder (no config.json"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir / "m.onnx"));

  testing::CommandResult cli = testing::run_hito("export --model '" + dir.string() + "' --onnx '" + (dir / "m.onnx").string() + "'");
  EXPECT_NE(cli.status, 0);
  EXPECT_NE(cli.output.find(dir.string() + " is not a model folder"), std::string::npos) << cli.output;
  EXPECT_FALSE(fs::exists(dir / "m.onnx"));
  fs::remove_all(dir);
}

TEST(FolderExport, AKindWithoutExporterIsRefusedByName) {
  fs::path run = tabular_test_run("export-kind");
  const fs::path folder = run_tabular(quick_tabular_options(run));
  nlohmann::json config = read_json_file(folder / kModelConfig);
  config["kind"] = "fusion-late";
  write_file_atomic(folder / kModelConfig, config.dump());
  const std::string message = testing::error_message([&] { run_export({.model_dir = folder, .onnx = run / "m.onnx"}); });
  EXPECT_NE(message.find("cannot export " + folder.string() + ": its kind 'fusion-late' has no ONNX exporter (kinds that "
                         "export: image-finetune, image-head, image-scratch, tabular)"),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(run / "m.onnx"));
  fs::remove_all(run);
}

}  // namespace
}  // namespace hito::study
