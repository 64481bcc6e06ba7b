// The inputs of a fusion: the model folders it combines (model_output.h), found in the run folder,
// and what fusion reads from them, their saved embeddings (early) and class probabilities (late),
// always checked against the prepared data's fingerprint and aligned to the rows asked for.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/study/fusion/late_fusion.h"
#include "apps/study/prepare/prepared_data.h"
#include "engine/tensor.h"

namespace hito::study {

// The model folders late fusion combines when --inputs is not given, those present of: tabular,
// image-head, image-finetune, image-scratch (pixels only on request: it duplicates the image modality
// with a weaker model).
const std::vector<std::string>& default_fusion_candidates();

// "tabular,image-head" -> {"tabular", "image-head"}; refuses empty names and repeats.
std::vector<std::string> parse_input_list(const std::string& list);

// The inputs to use: `requested` when not empty (each must exist in the run), else the defaults.
// Late fusion (need_embeddings false): the default candidates with predictions. Early fusion (chosen
// on the real validation split): "prepared/tabular" and the embeddings of the image networks trained
// on the images, image-finetune and image-scratch, those present; without either, every embedding
// cached by `hito embed` ("embeddings/<name>"); without those, image-head. Requires two inputs.
std::vector<std::string> resolve_fusion_inputs(const fs::path& run_dir, const std::vector<std::string>& requested,
                                               bool need_embeddings);

// Early fusion also takes two inputs that are no model folder, the modalities before any training:
//   "prepared/tabular"    the prepared tabular features (hito prepare's encoding);
//   "embeddings/<name>"   the backbone features cached by `hito embed` (<run>/embeddings/<name>.npy).
// A trained model's embedding has seen its training rows' labels, so on those rows it separates the
// classes better than on new ones; these two have not.
inline constexpr const char* kPreparedTabularInput = "prepared/tabular";
inline constexpr const char* kEmbeddingsInputPrefix = "embeddings/";

// The embeddings of an input: <run>/<name>/embeddings.npy, or one of the two above. f32 (N, D), one row
// per data-set row; refuses another fingerprint, a missing file, a wrong row count or non-finite
// values (naming the file).
Tensor load_input_embeddings(const PreparedData& data, const std::string& name);

// What early fusion fits on: the input's out-of-fold embeddings (<run>/<name>/embeddings_oof.npy, from
// `hito image --oof-folds`: each training row embedded by a network that never saw it) when the
// folder has them, else its embeddings as above. `source` receives "out-of-fold (K folds)" or
// "in-sample" for a trained model's own training rows, or "untrained" for the two inputs above.
Tensor load_fitting_embeddings(const PreparedData& data, const std::string& name, std::string& source);

// A content hash (16 hex digits) of what identifies an input's version: its config.json and
// predictions (a model folder; a refit has test predictions only), its provenance file (embeddings/<name>), or the
// preparation manifest (prepared/tabular). Recorded by a fusion so that a stale fusion, made from
// inputs retrained since, can be told apart.
std::string input_version(const fs::path& run_dir, const std::string& name);

// The probabilities (rows.size(), K) saved in <run>/<name>/predictions_<split>.csv, reordered to
// `rows`; refuses a file lacking one of the rows, or with rows of another split.
Tensor load_input_probabilities(const PreparedData& data, const std::string& name, const std::string& split,
                                const std::vector<int64_t>& rows);

// The probabilities of every input for the rows of one split, for late fusion (rows in `rows` order).
LateInputs load_late_inputs(const PreparedData& data, const std::vector<std::string>& inputs, const std::string& split,
                            const std::vector<int64_t>& rows);

}  // namespace hito::study
