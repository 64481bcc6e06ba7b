// Stratified, grouped, seeded splitting.
#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "data/columns.h"
#include "base/error.h"
#include "engine/random.h"

namespace hito::data {

namespace {

struct Group {
  std::vector<int64_t> rows;
  int64_t label = 0;
};

// Groups in order of first appearance, each with its majority label (ties: the smaller class index).
std::vector<Group> collect_groups(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                  int64_t num_classes) {
  HITO_CHECK(labels.size() == groups.size(), "split: ", labels.size(), " labels but ", groups.size(), " group names");
  std::map<std::string, size_t> index;
  std::vector<Group> out;
  for (size_t i = 0; i < labels.size(); ++i) {
    HITO_CHECK(labels[i] >= 0 && labels[i] < num_classes, "split: label ", labels[i], " of row ", i, " is not in [0, ",
               num_classes, ")");
    auto [it, inserted] = index.emplace(groups[i], out.size());
    if (inserted) out.emplace_back();
    out[it->second].rows.push_back(static_cast<int64_t>(i));
  }
  for (Group& g : out) {
    std::vector<int64_t> votes(static_cast<size_t>(num_classes), 0);
    for (int64_t r : g.rows) ++votes[static_cast<size_t>(labels[static_cast<size_t>(r)])];
    g.label = std::max_element(votes.begin(), votes.end()) - votes.begin();
  }
  return out;
}

}  // namespace

const char* part_name(Part part) {
  switch (part) {
    case Part::Train: return "train";
    case Part::Val: return "val";
    case Part::Test: return "test";
  }
  return "?";
}

Part parse_part(const std::string& name, const std::string& what) {
  if (name == "train") return Part::Train;
  if (name == "val") return Part::Val;
  HITO_CHECK(name == "test", what, ": split must be train, val or test, got '", name, "'");
  return Part::Test;
}

SplitFractions parse_fractions(const std::string& text) {
  std::vector<double> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    auto value = parse_number(item);
    HITO_CHECK(value && *value >= 0, "--split '", text, "': '", item, "' is not a non-negative number");
    values.push_back(*value);
  }
  HITO_CHECK(values.size() == 3, "--split '", text, "' needs three numbers: train,val,test");
  double total = values[0] + values[1] + values[2];
  HITO_CHECK(total > 0 && values[0] > 0, "--split '", text, "': the training part must be non-empty");
  return {values[0] / total, values[1] / total, values[2] / total};
}

std::vector<int64_t> groups_per_class(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                      int64_t num_classes) {
  std::vector<int64_t> counts(static_cast<size_t>(num_classes), 0);
  for (const Group& g : collect_groups(labels, groups, num_classes)) ++counts[static_cast<size_t>(g.label)];
  return counts;
}

std::vector<Part> stratified_group_split(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                         int64_t num_classes, const SplitFractions& fractions, uint64_t seed) {
  std::vector<Group> all = collect_groups(labels, groups, num_classes);
  std::vector<Part> parts(labels.size(), Part::Train);
  Generator gen(seed);
  for (int64_t c = 0; c < num_classes; ++c) {
    std::vector<size_t> members;
    int64_t rows = 0;
    for (size_t g = 0; g < all.size(); ++g)
      if (all[g].label == c) members.push_back(g), rows += static_cast<int64_t>(all[g].rows.size());
    if (members.empty()) continue;
    HITO_CHECK(static_cast<int>(members.size()) >= fractions.nonzero_parts(), "split: class ", c, " has ", members.size(),
               " groups, fewer than the ", fractions.nonzero_parts(), " parts of the split");
    for (size_t i = members.size() - 1; i > 0; --i)  // Fisher-Yates
      std::swap(members[i], members[static_cast<size_t>(gen.integer(static_cast<int64_t>(i) + 1))]);
    std::stable_sort(members.begin(), members.end(),
                     [&](size_t a, size_t b) { return all[a].rows.size() > all[b].rows.size(); });

    // Greedy: each group to the part furthest below its target.
    std::vector<Part> assigned(members.size());
    double filled[kNumParts] = {0, 0, 0};
    for (size_t m = 0; m < members.size(); ++m) {
      int best = -1;
      double best_deficit = 0;
      for (int p = 0; p < kNumParts; ++p) {
        double target = fractions.of(static_cast<Part>(p)) * static_cast<double>(rows);
        if (target <= 0) continue;
        double deficit = target - filled[p];
        if (best < 0 || deficit > best_deficit) best = p, best_deficit = deficit;
      }
      assigned[m] = static_cast<Part>(best);
      filled[best] += static_cast<double>(all[members[m]].rows.size());
    }
    // Repair: every part with a non-zero fraction gets at least one group of the class.
    for (int p = 0; p < kNumParts; ++p) {
      if (fractions.of(static_cast<Part>(p)) <= 0) continue;
      auto count_in = [&](int q) { return std::count(assigned.begin(), assigned.end(), static_cast<Part>(q)); };
      if (count_in(p) > 0) continue;
      int donor = 0;
      for (int q = 1; q < kNumParts; ++q)
        if (count_in(q) > count_in(donor)) donor = q;
      // The donor's smallest group (members are ordered largest first, so the last one).
      for (size_t m = members.size(); m-- > 0;)
        if (assigned[m] == static_cast<Part>(donor)) {
          assigned[m] = static_cast<Part>(p);
          break;
        }
    }
    for (size_t m = 0; m < members.size(); ++m)
      for (int64_t r : all[members[m]].rows) parts[static_cast<size_t>(r)] = assigned[m];
  }
  return parts;
}

}  // namespace hito::data
