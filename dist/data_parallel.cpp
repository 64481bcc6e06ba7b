// DataParallel: the initial broadcast, the loss scaling and the bucketed gradient all-reduce.
#include "dist/data_parallel.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "engine/autograd.h"

namespace hito::dist {

int64_t bucket_bytes_from_environment() {
  const char* text = std::getenv("HITO_DIST_BUCKET_MB");
  if (!text || !*text) return kBucketBytes;
  char* end = nullptr;
  double mib = std::strtod(text, &end);
  HITO_CHECK(end != text && *end == '\0' && mib > 0, "HITO_DIST_BUCKET_MB must be a positive number of MiB, got '",
             text, "'");
  return std::max<int64_t>(1, static_cast<int64_t>(mib * (1 << 20)));
}

DataParallel::DataParallel(Communicator& comm, const std::vector<Tensor>& state, std::vector<Tensor> trainable,
                           int64_t bucket_bytes)
    : comm_(comm), trainable_(std::move(trainable)), reported_(trainable_.size(), false) {
  for (size_t i = 0; i < state.size(); ++i)
    comm_.broadcast(state[i], "the broadcast of tensor " + std::to_string(i) + " of the initial state");
  // Reverse registration order; a new bucket when the next parameter would overflow this one (a
  // parameter larger than a bucket gets one of its own) or lives on another device.
  std::vector<int64_t> numel;
  for (size_t k = trainable_.size(); k-- > 0;) {
    const Tensor& p = trainable_[k];
    HITO_CHECK(p.dtype() == DType::F32, "data-parallel training: parameter ", k, " is ", p.describe(), ", not f32");
    bool fits = !buckets_.empty() && (numel.back() + p.numel()) * 4 <= bucket_bytes &&
                trainable_[buckets_.back().params.front()].device() == p.device();
    if (!fits) {
      buckets_.emplace_back();
      numel.push_back(0);
    }
    Bucket& b = buckets_.back();
    where_[&p.impl()] = {buckets_.size() - 1, b.params.size()};
    b.params.push_back(k);
    b.offsets.push_back(numel.back());
    numel.back() += p.numel();
  }
  for (size_t i = 0; i < buckets_.size(); ++i)
    buckets_[i].flat = Tensor::empty({numel[i]}, DType::F32, trainable_[buckets_[i].params.front()].device());
}

Tensor DataParallel::view(const Bucket& bucket, size_t slot) const {
  const Tensor& p = trainable_[bucket.params[slot]];
  return Tensor::from_storage(bucket.flat.impl().storage, p.shape(), DType::F32, bucket.offsets[slot]);
}

void DataParallel::start(Bucket& bucket, size_t index) {
  for (size_t slot = 0; slot < bucket.params.size(); ++slot) {
    Tensor grad = trainable_[bucket.params[slot]].grad();
    Tensor part = view(bucket, slot);
    if (grad.defined()) part.copy_(grad);
    else part.zero_();
  }
  bucket.pending = comm_.start_all_reduce(bucket.flat, "the all-reduce of gradient bucket " + std::to_string(index) +
                                                           " of " + std::to_string(buckets_.size()));
}

void DataParallel::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() && buckets_[next_to_start_].ready == buckets_[next_to_start_].params.size()) {
    start(buckets_[next_to_start_], next_to_start_);
    ++next_to_start_;
  }
  comm_.progress();
}

void DataParallel::on_grad_ready(const Tensor& leaf) {
  auto it = where_.find(&leaf.impl());
  if (it == where_.end()) return;  // a leaf that is not a trainable parameter (an input requiring grad)
  size_t k = buckets_[it->second.first].params[it->second.second];
  if (reported_[k]) return;
  reported_[k] = true;
  ++buckets_[it->second.first].ready;
  start_ready_buckets();
}

GlobalLoss DataParallel::backward(const Tensor& loss, double weight, int64_t rows) {
  HITO_CHECK(loss.numel() == 1, "DataParallel::backward needs a one-element loss, got ", loss.describe());
  std::vector<double> totals = {weight, weight * static_cast<double>(loss.item()), static_cast<double>(rows)};
  comm_.all_reduce_sum(totals, "the all-reduce of the batch loss");
  HITO_CHECK(totals[0] > 0, "data-parallel training: the global batch has total weight ", totals[0]);
  GlobalLoss global{totals[1] / totals[0], totals[0], static_cast<int64_t>(totals[2])};

  for (Bucket& b : buckets_) b.ready = 0;
  std::fill(reported_.begin(), reported_.end(), false);
  next_to_start_ = 0;
  {
    GradReadyHook hook([this](const Tensor& leaf) { on_grad_ready(leaf); });
    loss.backward(Tensor::full(loss.shape(), static_cast<float>(weight / totals[0]), loss.device()));
  }
  // Buckets whose parameters got no gradient in this pass start now, still in order.
  for (; next_to_start_ < buckets_.size(); ++next_to_start_) start(buckets_[next_to_start_], next_to_start_);
  for (Bucket& b : buckets_) {
    comm_.wait(b.pending);
    for (size_t slot = 0; slot < b.params.size(); ++slot) {
      Tensor grad = trainable_[b.params[slot]].grad();
      if (grad.defined()) grad.copy_(view(b, slot));
    }
  }
  return global;
}

}  // namespace hito::dist
