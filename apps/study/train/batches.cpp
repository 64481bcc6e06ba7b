// In-memory batching: gather rows, shuffle per epoch.
#include "apps/study/train/batches.h"

#include <cstring>
#include <numeric>

#include "engine/random.h"

namespace hito::study {

Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& rows) {
  HITO_CHECK(t.device() == Device::CPU && t.dim() >= 1, "gather_rows needs a CPU tensor with rows, got ", t.describe());
  Shape shape = t.shape();
  int64_t n = shape[0];
  shape[0] = static_cast<int64_t>(rows.size());
  Tensor out = Tensor::empty(shape, t.dtype(), Device::CPU);
  size_t row_bytes = n ? t.nbytes() / static_cast<size_t>(n) : 0;
  auto* dst = static_cast<char*>(out.raw_data());
  auto* src = static_cast<const char*>(t.raw_data());
  for (size_t i = 0; i < rows.size(); ++i) {
    HITO_CHECK(rows[i] >= 0 && rows[i] < n, "gather_rows: row ", rows[i], " out of range for ", t.describe());
    std::memcpy(dst + i * row_bytes, src + rows[i] * row_bytes, row_bytes);
  }
  return out;
}

TensorBatches::TensorBatches(std::vector<Tensor> tensors, Tensor labels, std::vector<int64_t> rows,
                             BatchOptions options)
    : tensors_(std::move(tensors)), labels_(std::move(labels)), rows_(std::move(rows)), options_(options) {
  HITO_CHECK(options_.batch_size > 0, "batch size must be positive, got ", options_.batch_size);
  HITO_CHECK(labels_.dtype() == DType::I64 && labels_.dim() == 1, "labels must be i64 (N), got ", labels_.describe());
  for (const Tensor& t : tensors_)
    HITO_CHECK(t.size(0) == labels_.size(0), "inputs ", t.describe(), " and labels ", labels_.describe(),
               " have different numbers of rows");
  order_ = rows_;
}

void TensorBatches::start_epoch(int64_t epoch) {
  order_ = rows_;
  cursor_ = 0;
  if (!options_.shuffle) return;
  Generator gen(options_.seed * 1000003ull + static_cast<uint64_t>(epoch));
  for (size_t i = order_.size(); i > 1; --i)  // Fisher-Yates
    std::swap(order_[i - 1], order_[static_cast<size_t>(gen.integer(static_cast<int64_t>(i)))]);
}

// A last batch is served when it has a row (two with drop_last: BatchNorm needs them) and one for
// each rank.
static bool kept(int64_t rows, const BatchOptions& options, const data::Shard& shard) {
  return rows >= (options.drop_last ? 2 : 1) && shard.keeps(rows);
}

int64_t TensorBatches::batches() const {
  int64_t n = size(), full = n / options_.batch_size, rest = n % options_.batch_size;
  return full + (rest > 0 && kept(rest, options_, shard_) ? 1 : 0);
}

bool TensorBatches::next(Batch& batch) {
  size_t remaining = order_.size() - cursor_;
  int64_t take = static_cast<int64_t>(std::min<size_t>(remaining, static_cast<size_t>(options_.batch_size)));
  if (take == 0 || !kept(take, options_, shard_)) return false;
  batch.rows.assign(order_.begin() + static_cast<int64_t>(cursor_) + shard_.begin(take),
                    order_.begin() + static_cast<int64_t>(cursor_) + shard_.end(take));
  cursor_ += static_cast<size_t>(take);
  batch.inputs.clear();
  for (const Tensor& t : tensors_) batch.inputs.push_back(gather_rows(t, batch.rows).to(options_.device));
  batch.labels = gather_rows(labels_, batch.rows).to(options_.device);
  return true;
}

}  // namespace hito::study
