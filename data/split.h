// The train/val/test split: grouped (all rows of one group, e.g. the images of one lesion, land in
// the same part), seeded, and representative: every part resembles the whole data in each class's
// share and in how many of its images belong to multi-image groups, so that choices made on
// validation and estimates made on test concern the population a user meets.
//
// The algorithm balances two strata at once: the class (a group's class is the most frequent label
// among its rows) and the size bucket (a group of 1, 2, 3 or 4+ rows). The groups are visited in
// size buckets, largest first, shuffled with the seed within a bucket (classes mixed; the 4+ bucket
// ordered largest first). Each group goes to the part p with the largest
//     deficit(class) + deficit(bucket),   deficit = fraction_p x rows of the stratum seen so far
//                                                   - rows of the stratum already in p,
// so that a bucket's rounding carries over to the next one, the single-row groups, visited last,
// even out the class shares, and no part is favoured at the start of every class. A part left
// without any group of a class then takes the smallest group of the part with the most.
//
// What this guarantees: each part holds its fraction of each class, and of each size bucket, to
// within about one or two groups; split_balance() measures both, check_split_balance() turns the promised
// bounds into an error.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace hito::data {

enum class Part : uint8_t { Train = 0, Val = 1, Test = 2 };
constexpr int kNumParts = 3;

const char* part_name(Part part);  // "train", "val", "test"
// "train"/"val"/"test" -> Part; an error naming `what` otherwise.
Part parse_part(const std::string& name, const std::string& what);

struct SplitFractions {
  double train = 0.7, val = 0.15, test = 0.15;
  double of(Part part) const { return part == Part::Train ? train : part == Part::Val ? val : test; }
  int nonzero_parts() const { return (train > 0) + (val > 0) + (test > 0); }
};
// "0.7,0.15,0.15" (or "70,15,15") -> fractions summing to 1.
SplitFractions parse_fractions(const std::string& text);

// labels[i] in [0, num_classes); groups[i] names row i's group (rows with equal names stay together).
// Requires every class to have at least fractions.nonzero_parts() groups (check with
// groups_per_class first for a clear message).
std::vector<Part> stratified_group_split(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                         int64_t num_classes, const SplitFractions& fractions, uint64_t seed);

// How a split compares with the whole data; part index kNumParts is the whole.
struct SplitBalance {
  static constexpr int kSizeBuckets = 4;  // groups of 1, 2, 3 and 4+ rows
  struct Side {
    int64_t rows = 0, groups = 0;
    std::vector<int64_t> class_rows;          // (num_classes)
    int64_t size_bucket_rows[kSizeBuckets] = {0, 0, 0, 0};  // rows in groups of 1, 2, 3, 4+ rows
    double class_share(int64_t c) const { return rows ? double(class_rows[size_t(c)]) / rows : 0; }
    double bucket_share(int b) const { return rows ? double(size_bucket_rows[b]) / rows : 0; }
    // Share of the rows that belong to groups of two or more rows.
    double multi_row_share() const { return rows ? 1.0 - double(size_bucket_rows[0]) / rows : 0; }
  };
  Side sides[kNumParts + 1];
  int64_t largest_group = 0;

  const Side& whole() const { return sides[kNumParts]; }
  // The largest |class share in the part - class share in the whole| over the classes.
  double class_share_gap(Part part) const;
  double multi_row_share_gap(Part part) const {
    return std::abs(sides[int(part)].multi_row_share() - whole().multi_row_share());
  }
};
SplitBalance split_balance(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                           const std::vector<Part>& parts, int64_t num_classes);

// The bounds a split must meet: in every non-empty part, each class's share within class_points and
// the multi-row share within multi_row_points (percentage points) of the whole. A part so small that
// two groups move a share by more than the bound is held to their weight instead ((2 x the largest
// group + 1 row) / part rows): no split places shares more finely than one group, and the greedy may
// trade about one group of one stratum for the other. An error names the part, the share and the
// bound otherwise.
struct BalanceBounds {
  double class_points = 1.0, multi_row_points = 3.0;
};
void check_split_balance(const SplitBalance& balance, const std::vector<std::string>& class_names,
                         BalanceBounds bounds = {});

// Number of distinct groups whose class (majority label) is c, for each c.
std::vector<int64_t> groups_per_class(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                      int64_t num_classes);

}  // namespace hito::data
