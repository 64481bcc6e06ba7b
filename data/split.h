// The train/val/test split: stratified by label (each class's share is about the same in every part)
// and grouped (all rows of one group, e.g. the images of one lesion, land in the same part), seeded.
//
// Per class, the class's groups are shuffled with the seed, ordered largest first, and each goes to
// the part furthest below its target row count; a part left without any group of the class then
// takes the smallest group of the part with the most. A group's class is the most frequent label
// among its rows.
#pragma once

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

// Number of distinct groups whose class (majority label) is c, for each c.
std::vector<int64_t> groups_per_class(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                      int64_t num_classes);

}  // namespace hito::data
