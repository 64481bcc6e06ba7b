// Balancing and concatenating embedding blocks, and the early-fusion network.
#include "apps/study/fusion/early_fusion.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "engine/ops.h"

namespace hito::study {

int64_t EarlyFusionConfig::block_width(size_t m) const {
  if (balance == "none") return input_widths[m];
  if (balance == "project") return width;
  return std::min(width, *std::min_element(input_widths.begin(), input_widths.end()));
}

int64_t EarlyFusionConfig::fused_width() const {
  int64_t total = 0;
  for (size_t m = 0; m < input_widths.size(); ++m) total += block_width(m);
  return total;
}

void EarlyFusionConfig::validate() const {
  HITO_CHECK(balance == "pca" || balance == "project" || balance == "none", "--balance must be pca, project or none, got '",
             balance, "'");
  HITO_CHECK(!inputs.empty() && inputs.size() == input_widths.size(), "early fusion: one width per input needed");
  for (int64_t w : input_widths) HITO_CHECK(w > 0, "early fusion: an input embedding has no columns");
  HITO_CHECK(width > 0, "--width must be positive, got ", width);
  HITO_CHECK(weights.empty() || weights.size() == inputs.size(), "--modality-weights: ", weights.size(),
             " weights for ", inputs.size(), " inputs");
  for (float w : weights) HITO_CHECK(std::isfinite(w) && w >= 0, "--modality-weights: weights must be >= 0, got ", w);
  HITO_CHECK(num_classes >= 2, "early fusion needs at least two classes");
}

nlohmann::ordered_json EarlyFusionConfig::to_json() const {
  nlohmann::ordered_json j;
  j["inputs"] = inputs;
  j["input_widths"] = input_widths;
  j["balance"] = balance;
  j["width"] = width;
  std::vector<float> w;
  for (size_t m = 0; m < inputs.size(); ++m) w.push_back(weight(m));
  j["weights"] = w;
  std::vector<int64_t> widths;
  for (size_t m = 0; m < inputs.size(); ++m) widths.push_back(block_width(m));
  j["block_widths"] = widths;
  j["classifier"] = {{"kind", classifier.depth == 0 ? "linear" : "mlp"}, {"width", classifier.width},
                     {"depth", classifier.depth},  {"dropout", classifier.dropout},
                     {"batch_norm", classifier.batch_norm}, {"activation", classifier.activation}};
  j["num_classes"] = num_classes;
  return j;
}

EarlyFusionConfig EarlyFusionConfig::from_json(const nlohmann::json& j, const std::string& where) {
  EarlyFusionConfig c;
  try {
    c.inputs = j.at("inputs").get<std::vector<std::string>>();
    c.input_widths = j.at("input_widths").get<std::vector<int64_t>>();
    c.balance = j.at("balance").get<std::string>();
    c.width = j.at("width").get<int64_t>();
    c.weights = j.at("weights").get<std::vector<float>>();
    const nlohmann::json& k = j.at("classifier");
    c.classifier = {.width = k.at("width").get<int64_t>(), .depth = k.at("depth").get<int64_t>(),
                    .dropout = k.at("dropout").get<float>(), .batch_norm = k.at("batch_norm").get<bool>(),
                    .activation = k.at("activation").get<std::string>()};
    c.num_classes = j.at("num_classes").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(where, ": bad early-fusion description: ", e.what());
  }
  c.validate();
  return c;
}

BlockStatistics fit_block_statistics(const Tensor& embeddings, const std::vector<int64_t>& rows,
                                     const std::string& balance, int64_t width) {
  HITO_CHECK(embeddings.dim() == 2 && embeddings.dtype() == DType::F32, "block statistics need f32 (N, D), got ",
             embeddings.describe());
  HITO_CHECK(rows.size() >= 2, "block statistics need at least two training rows");
  const int64_t d = embeddings.size(1), n = static_cast<int64_t>(rows.size());
  const float* e = embeddings.data<float>();
  Eigen::MatrixXd x(n, d);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) x(i, j) = e[rows[static_cast<size_t>(i)] * d + j];

  // Standardisation: mean and (population) standard deviation per column.
  Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;
  Eigen::RowVectorXd inv_std(d);
  for (int64_t j = 0; j < d; ++j) {
    double sd = std::sqrt(x.col(j).squaredNorm() / static_cast<double>(n));
    inv_std[j] = sd > 1e-8 ? 1.0 / sd : 0.0;
  }
  x = x * inv_std.asDiagonal();

  BlockStatistics s;
  std::vector<float> m(mean.data(), mean.data() + d), is(inv_std.data(), inv_std.data() + d);
  s.mean = Tensor::from_vector(m, {d});
  s.inv_std = Tensor::from_vector(is, {d});
  if (balance != "pca") return s;

  // PCA: the top-W eigenvectors of the standardised block's covariance (Eigen sorts ascending).
  HITO_CHECK(width > 0 && width <= d, "PCA width ", width, " for a block of ", d, " columns");
  Eigen::MatrixXd cov = (x.transpose() * x) / static_cast<double>(n - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
  HITO_CHECK(solver.info() == Eigen::Success, "PCA: the eigen decomposition did not converge");
  const Eigen::VectorXd& values = solver.eigenvalues();
  double total = std::max(values.sum(), 1e-30), kept = 0.0;
  for (int64_t c = 0; c < width; ++c) kept += std::max(values[d - 1 - c], 0.0);
  // Scale so the W projected columns have mean variance 1 on the training rows.
  double scale = kept > 1e-12 ? std::sqrt(static_cast<double>(width) / kept) : 0.0;
  std::vector<float> comp(static_cast<size_t>(width * d));
  for (int64_t c = 0; c < width; ++c) {
    Eigen::VectorXd axis = solver.eigenvectors().col(d - 1 - c);
    Eigen::Index largest;
    axis.cwiseAbs().maxCoeff(&largest);
    if (axis[largest] < 0) axis = -axis;  // a fixed sign, so the same data give the same axes
    for (int64_t j = 0; j < d; ++j) comp[static_cast<size_t>(c * d + j)] = static_cast<float>(scale * axis[j]);
    s.explained.push_back(std::max(values[d - 1 - c], 0.0) / total);
  }
  s.components = Tensor::from_vector(comp, {width, d});
  return s;
}

EarlyFusionNet::EarlyFusionNet(const EarlyFusionConfig& config, const std::vector<BlockStatistics>& statistics,
                               Generator& gen)
    : config_(config) {
  config_.validate();
  HITO_CHECK(statistics.empty() || statistics.size() == config.inputs.size(), "early fusion: ", statistics.size(),
             " block statistics for ", config.inputs.size(), " inputs");
  for (size_t m = 0; m < config_.inputs.size(); ++m) {
    const int64_t d = config_.input_widths[m], w = config_.block_width(m);
    const std::string prefix = "blocks." + std::to_string(m) + ".";
    Block b;
    const BlockStatistics* s = statistics.empty() ? nullptr : &statistics[m];
    if (s) HITO_CHECK(s->mean.numel() == d && s->inv_std.numel() == d, "early fusion: statistics of block ", m,
                      " do not match its width ", d);
    b.mean = register_buffer(prefix + "mean", s ? s->mean : Tensor::zeros({d}));
    b.inv_std = register_buffer(prefix + "inv_std", s ? s->inv_std : Tensor::zeros({d}));
    if (config_.balance == "pca") {
      if (s) HITO_CHECK(s->components.defined() && s->components.size(0) == w && s->components.size(1) == d,
                        "early fusion: PCA components of block ", m, " must be (", w, ", ", d, ")");
      b.components = register_buffer(prefix + "components", s ? s->components : Tensor::zeros({w, d}));
    } else if (config_.balance == "project") {
      b.projection = register_module(prefix + "projection", std::make_shared<Linear>(d, w, true, gen));
    }
    blocks_.push_back(std::move(b));
  }
  classifier_ = register_module("classifier", std::make_shared<Mlp>(config_.fused_width(), config_.num_classes,
                                                                    config_.classifier, gen));
}

Tensor EarlyFusionNet::fuse(const std::vector<Tensor>& blocks, int64_t zeroed) {
  HITO_CHECK(blocks.size() == blocks_.size(), "early fusion expects ", blocks_.size(), " embedding blocks, got ",
             blocks.size());
  std::vector<Tensor> parts;
  for (size_t m = 0; m < blocks.size(); ++m) {
    const Block& b = blocks_[m];
    HITO_CHECK(blocks[m].dim() == 2 && blocks[m].size(1) == config_.input_widths[m], "early fusion: block ", m, " (",
               config_.inputs[m], ") must be (B, ", config_.input_widths[m], "), got ", blocks[m].describe());
    // (B, D): standardised, or the training mean (zeros) when this block is ablated.
    Tensor z = static_cast<int64_t>(m) == zeroed
                   ? Tensor::zeros({blocks[m].size(0), config_.input_widths[m]}, DType::F32, blocks[m].device())
                   : (blocks[m] - b.mean) * b.inv_std;
    if (b.components.defined()) z = matmul(z, b.components, false, true);  // (B, W)
    if (b.projection) z = b.projection->forward(z);                       // (B, W)
    if (config_.weight(m) != 1.0f) z = z * config_.weight(m);
    parts.push_back(z);
  }
  return parts.size() == 1 ? parts[0] : concat(parts, 1);
}

}  // namespace hito::study
