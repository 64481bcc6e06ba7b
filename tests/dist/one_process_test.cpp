// The pieces of dist/ in one process (world size 1, no MPI call): synchronised batch norm is batch
// norm, the data-parallel backward is the plain backward whatever the buckets, the grad-ready hook
// reports each leaf once with its final gradient, and a shard slices each global batch.
#include <map>

#include "apps/study/train/batches.h"
#include "dist/data_parallel.h"
#include "dist/sync_batch_norm.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/random.h"
#include "tests/support/testing.h"

namespace hito::testing {
namespace {

TEST(SyncBatchNorm, InOneProcessIsBatchNorm) {
  for (Shape shape : {Shape{6, 3}, Shape{4, 3, 5, 2}}) {
    Generator gen(3);
    Tensor x = normal_tensor(shape, 0.5f, 2.0f, gen).set_requires_grad();
    Tensor w = normal_tensor({3}, 1.0f, 0.2f, gen).set_requires_grad(), b = normal_tensor({3}, 0.0f, 1.0f, gen).set_requires_grad();
    Tensor r = normal_tensor(shape, 0.0f, 1.0f, gen);  // the loss is sum(y * r)
    Tensor mean_a = Tensor::zeros({3}), var_a = Tensor::ones({3}), mean_b = Tensor::zeros({3}), var_b = Tensor::ones({3});
    Tensor y_a = batch_norm(x, w, b, mean_a, var_a, true, 0.1f, 1e-5f);
    sum(y_a * r).backward();
    Tensor dx = x.grad().clone(), dw = w.grad().clone(), db = b.grad().clone();
    x.clear_grad(), w.clear_grad(), b.clear_grad();
    Tensor y_b = dist::sync_batch_norm(x, w, b, mean_b, var_b, 0.1f, 1e-5f, dist::world());
    sum(y_b * r).backward();
    EXPECT_TRUE(all_close(y_b, y_a, 1e-5f, 1e-5f)) << shape_str(shape);
    EXPECT_TRUE(all_close(x.grad(), dx, 1e-4f, 1e-5f)) << shape_str(shape);
    EXPECT_TRUE(all_close(w.grad(), dw, 1e-4f, 1e-5f)) << shape_str(shape);
    EXPECT_TRUE(all_close(b.grad(), db, 1e-5f, 1e-5f)) << shape_str(shape);
    EXPECT_TRUE(all_close(mean_b, mean_a, 1e-5f, 1e-6f));
    EXPECT_TRUE(all_close(var_b, var_a, 1e-5f, 1e-6f));
  }
}

TEST(SyncBatchNorm, GradientsMatchFiniteDifferences) {
  Generator gen(4);
  std::vector<Tensor> inputs = {normal_tensor({5, 2, 3}, 0.0f, 1.0f, gen), normal_tensor({2}, 1.0f, 0.3f, gen),
                                normal_tensor({2}, 0.0f, 1.0f, gen)};
  for (Tensor& t : inputs) t.set_requires_grad();
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& in) {
        return dist::sync_batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), 0.1f, 1e-5f, dist::world());
      },
      inputs));
}

TEST(GradReadyHook, ReportsEachLeafOnceWithItsFinalGradient) {
  Tensor w = Tensor::from_vector(std::vector<float>{1, 2, 3}, {3}).set_requires_grad();
  Tensor v = Tensor::from_vector(std::vector<float>{4, 5, 6}, {3}).set_requires_grad();
  Tensor unused = Tensor::ones({3}).set_requires_grad();
  std::map<const TensorImpl*, std::vector<float>> reported;
  {
    GradReadyHook hook([&](const Tensor& leaf) {
      EXPECT_EQ(reported.count(&leaf.impl()), 0u) << "reported twice";
      reported[&leaf.impl()] = leaf.grad().to_vector<float>();
    });
    // w is used three times, v once: L = sum(w * v + w * w), dL/dw = v + 2 w, dL/dv = w.
    sum(w * v + w * w).backward();
  }
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[&w.impl()], (std::vector<float>{6, 9, 12}));
  EXPECT_EQ(reported[&v.impl()], (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(reported.count(&unused.impl()), 0u);
}

TEST(DataParallel, InOneProcessIsThePlainBackwardWhateverTheBuckets) {
  Generator gen(6);
  Tensor x = normal_tensor({8, 5}, 0.0f, 1.0f, gen);
  Tensor y = Tensor::from_vector(std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1}, {8});
  std::vector<Tensor> params = {normal_tensor({4, 5}, 0.0f, 0.5f, gen).set_requires_grad(),
                                normal_tensor({4}, 0.0f, 0.5f, gen).set_requires_grad(),
                                normal_tensor({3, 4}, 0.0f, 0.5f, gen).set_requires_grad()};
  auto loss = [&] { return cross_entropy(linear(relu(linear(x, params[0], params[1])), params[2]), y); };
  loss().backward();
  std::vector<Tensor> expected;
  for (Tensor& p : params) expected.push_back(p.grad().clone()), p.clear_grad();
  for (int64_t bucket_bytes : {int64_t{1}, int64_t{64}, dist::kBucketBytes}) {
    dist::DataParallel parallel(dist::world(), params, params, bucket_bytes);
    EXPECT_EQ(parallel.num_buckets(), bucket_bytes == 1 ? 3 : bucket_bytes == 64 ? 2 : 1);
    dist::GlobalLoss global = parallel.backward(loss(), 8.0, 8);
    EXPECT_EQ(global.rows, 8);
    EXPECT_NEAR(global.loss, loss().item(), 1e-6);
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_TRUE(identical(params[i].grad(), expected[i])) << "parameter " << i << ", buckets of " << bucket_bytes;
      params[i].clear_grad();
    }
  }
}

TEST(Shard, EachRankTakesItsSliceOfEveryGlobalBatch) {
  // 10 rows, batches of 4: [0..3] [4..7] [8, 9]; rank 1 of 2 takes the second half of each.
  Tensor values = Tensor::from_vector(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 1});
  Tensor labels = Tensor::zeros({10}, DType::I64);
  std::vector<int64_t> rows = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  study::TensorBatches source({values}, labels, rows, {.batch_size = 4});
  source.set_shard(data::Shard(1, 2));
  source.start_epoch(0);
  std::vector<std::vector<int64_t>> seen;
  for (study::Batch batch; source.next(batch);) seen.push_back(batch.rows);
  EXPECT_EQ(seen, (std::vector<std::vector<int64_t>>{{2, 3}, {6, 7}, {9}}));
  EXPECT_EQ(source.batches(), 3);
  // Three ranks: the last batch of 2 rows would leave one rank empty, so it is dropped everywhere.
  source.set_shard(data::Shard(2, 3));
  source.start_epoch(0);
  seen.clear();
  for (study::Batch batch; source.next(batch);) seen.push_back(batch.rows);
  EXPECT_EQ(seen, (std::vector<std::vector<int64_t>>{{2, 3}, {6, 7}}));
  EXPECT_EQ(source.batches(), 2);
}

}  // namespace
}  // namespace hito::testing
