// DataLoader: a bounded, ordered hand-off between worker threads that make batches (by index) and
// the consumer that takes them in index order.
#include "data/data_loader.h"

#include <cstring>

#include "base/hash.h"
#include "base/error.h"
#include "engine/random.h"

namespace hito::data {

namespace {

// Copies rows `rows` of a CPU tensor (N, ...) into a new (rows.size(), ...) tensor.
Tensor gather(const Tensor& table, const std::vector<int64_t>& rows) {
  Shape shape = table.shape();
  shape[0] = static_cast<int64_t>(rows.size());
  Tensor out = Tensor::empty(shape, table.dtype());
  size_t row_bytes = table.nbytes() / static_cast<size_t>(table.size(0));
  const char* src = static_cast<const char*>(table.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(dst + i * row_bytes, src + static_cast<size_t>(rows[i]) * row_bytes, row_bytes);
  return out;
}

}  // namespace

DataLoader::DataLoader(std::shared_ptr<const ImageSource> images, LoaderTables tables, std::vector<int64_t> rows,
                       LoaderOptions options)
    : images_(std::move(images)), tables_(std::move(tables)), rows_(std::move(rows)), options_(options) {
  HITO_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be positive, got ", options_.batch_size);
  HITO_CHECK(options_.workers >= 0 && options_.prefetch >= 1, "DataLoader: needs workers >= 0 and prefetch >= 1");
  HITO_CHECK(tables_.labels.defined() && tables_.labels.dtype() == DType::I64 && tables_.labels.dim() == 1 &&
                 !tables_.labels.is_cuda(),
             "DataLoader: labels must be i64 (N) on the CPU");
  int64_t n = tables_.labels.size(0);
  auto check_table = [&](const Tensor& t, DType dtype, const char* name) {
    if (!t.defined()) return;
    HITO_CHECK(t.dtype() == dtype && t.dim() == 2 && t.size(0) == n && !t.is_cuda(), "DataLoader: ", name, " must be ",
               dtype_name(dtype), " (", n, ", F) on the CPU, got ", t.describe());
  };
  check_table(tables_.tabular, DType::F32, "tabular");
  check_table(tables_.codes, DType::I64, "codes");
  HITO_CHECK(!images_ || images_->size() == n, "DataLoader: the image source has ", images_ ? images_->size() : 0,
             " images for ", n, " labels");
  for (int64_t r : rows_) HITO_CHECK(r >= 0 && r < n, "DataLoader: row ", r, " is not in [0, ", n, ")");
  for (float s : options_.std) HITO_CHECK(s > 0, "DataLoader: a channel std is not positive");
}

DataLoader::~DataLoader() { stop_workers(); }

int64_t DataLoader::num_batches() const {
  int64_t n = size(), b = options_.batch_size, rest = n % b;
  return n / b + (rest > 0 && !options_.drop_last && shard_.keeps(rest) ? 1 : 0);
}

void DataLoader::set_shard(Shard shard) {
  stop_workers();
  shard_ = shard;
}

void DataLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  space_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void DataLoader::start_epoch(int64_t epoch) {
  stop_workers();
  epoch_ = epoch;
  order_ = rows_;
  if (options_.shuffle) {
    Generator gen(Hasher().add(options_.seed).add(static_cast<uint64_t>(epoch)).add("shuffle").digest());
    for (size_t i = order_.size(); i > 1; --i)
      std::swap(order_[i - 1], order_[static_cast<size_t>(gen.integer(static_cast<int64_t>(i)))]);
  }
  ready_.clear();
  next_to_make_ = next_to_consume_ = 0;
  stopping_ = false;
  error_ = nullptr;
  started_ = true;
  for (int w = 0; w < options_.workers; ++w) workers_.emplace_back([this] { worker_loop(); });
}

void DataLoader::worker_loop() {
  int64_t batches = num_batches();
  for (;;) {
    int64_t index;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      space_cv_.wait(lock, [&] {
        return stopping_ || next_to_make_ >= batches || next_to_make_ < next_to_consume_ + options_.prefetch;
      });
      if (stopping_ || next_to_make_ >= batches) return;
      index = next_to_make_++;
    }
    LoaderBatch batch;
    std::exception_ptr error;
    try {
      batch = make_batch(index);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (error && !error_) error_ = error;
      ready_[index] = std::move(batch);
    }
    ready_cv_.notify_all();
  }
}

bool DataLoader::next(LoaderBatch& batch) {
  if (!started_) start_epoch(0);
  if (next_to_consume_ >= num_batches()) return false;
  if (options_.workers == 0) {
    batch = make_batch(next_to_consume_++);
  } else {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_cv_.wait(lock, [&] { return error_ || ready_.count(next_to_consume_) > 0; });
    if (error_) {
      std::exception_ptr error = error_;
      lock.unlock();
      stop_workers();
      std::rethrow_exception(error);
    }
    batch = std::move(ready_[next_to_consume_]);
    ready_.erase(next_to_consume_++);
    lock.unlock();
    space_cv_.notify_all();
  }
  if (options_.device != Device::CPU) {
    if (batch.images.defined()) batch.images = batch.images.to(options_.device);
    if (batch.tabular.defined()) batch.tabular = batch.tabular.to(options_.device);
    if (batch.codes.defined()) batch.codes = batch.codes.to(options_.device);
    batch.labels = batch.labels.to(options_.device);
  }
  return true;
}

LoaderBatch DataLoader::make_batch(int64_t index) const {
  int64_t global_begin = index * options_.batch_size;
  int64_t global_rows = std::min(global_begin + options_.batch_size, size()) - global_begin;
  int64_t begin = global_begin + shard_.begin(global_rows), end = global_begin + shard_.end(global_rows);
  LoaderBatch batch;
  batch.rows.assign(order_.begin() + begin, order_.begin() + end);
  batch.labels = gather(tables_.labels, batch.rows);
  if (tables_.tabular.defined()) batch.tabular = gather(tables_.tabular, batch.rows);
  if (tables_.codes.defined()) batch.codes = gather(tables_.codes, batch.rows);
  if (!images_) return batch;

  int64_t h = images_->height(), w = images_->width(), plane = h * w;
  int64_t count = static_cast<int64_t>(batch.rows.size());
  batch.images = Tensor::empty({count, 3, h, w});
  float* out = batch.images.data<float>();
  std::vector<uint8_t> pixels(static_cast<size_t>(plane * 3)), augmented(pixels.size());
  for (int64_t i = 0; i < count; ++i) {
    int64_t row = batch.rows[static_cast<size_t>(i)];
    images_->read(row, pixels.data());
    const uint8_t* hwc = pixels.data();
    float* chw = out + i * 3 * plane;
    Generator gen(Hasher().add(options_.seed).add(static_cast<uint64_t>(epoch_)).add(static_cast<uint64_t>(row)).digest());
    if (options_.augment) {
      augment_geometry(pixels.data(), h, w, augmented.data(), options_.augment_options, gen);
      hwc = augmented.data();
    }
    for (int64_t p = 0; p < plane; ++p)
      for (int64_t c = 0; c < 3; ++c) chw[c * plane + p] = hwc[p * 3 + c] * (1.0f / 255.0f);
    if (options_.augment) augment_colour(chw, h, w, options_.augment_options, gen);
    for (int64_t c = 0; c < 3; ++c) {
      float mean = options_.mean[static_cast<size_t>(c)], inv_std = 1.0f / options_.std[static_cast<size_t>(c)];
      for (int64_t p = 0; p < plane; ++p) chw[c * plane + p] = (chw[c * plane + p] - mean) * inv_std;
    }
  }
  return batch;
}

}  // namespace hito::data
