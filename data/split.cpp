// Stratified, grouped, seeded splitting.
#include "data/split.h"

#include <algorithm>
#include <array>
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

namespace {

int size_bucket(size_t rows) { return static_cast<int>(std::min<size_t>(rows, SplitBalance::kSizeBuckets)) - 1; }

// The groups in visiting order: size buckets largest first, shuffled within a bucket (classes mixed),
// and the 4+ bucket ordered largest first (a stable sort keeps the shuffle among equal sizes).
std::vector<size_t> visiting_order(const std::vector<Group>& all, Generator& gen) {
  std::vector<size_t> order(all.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = g;
  for (size_t i = order.size(); i > 1; --i)  // Fisher-Yates
    std::swap(order[i - 1], order[static_cast<size_t>(gen.integer(static_cast<int64_t>(i)))]);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const size_t sa = all[a].rows.size(), sb = all[b].rows.size();
    const int ba = size_bucket(sa), bb = size_bucket(sb);
    return ba != bb ? ba > bb : (ba == SplitBalance::kSizeBuckets - 1 && sa > sb);
  });
  return order;
}

// Rows seen so far of one stratum (a class, or a size bucket) and how many went to each part.
struct Tally {
  double seen = 0;
  double filled[kNumParts] = {0, 0, 0};
  // How far part p lies below its share of the rows seen.
  double deficit(const SplitFractions& fractions, int p) const {
    return fractions.of(static_cast<Part>(p)) * seen - filled[p];
  }
};

}  // namespace

std::vector<Part> stratified_group_split(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                                         int64_t num_classes, const SplitFractions& fractions, uint64_t seed) {
  std::vector<Group> all = collect_groups(labels, groups, num_classes);
  std::vector<int64_t> groups_of_class(static_cast<size_t>(num_classes), 0);
  for (const Group& g : all) ++groups_of_class[static_cast<size_t>(g.label)];
  for (int64_t c = 0; c < num_classes; ++c) {
    const int64_t count = groups_of_class[static_cast<size_t>(c)];
    HITO_CHECK(count == 0 || count >= fractions.nonzero_parts(), "split: class ", c, " has ", count,
               " groups, fewer than the ", fractions.nonzero_parts(), " parts of the split");
  }

  // Greedy: each group to the part with the largest deficit in its class plus in its size bucket.
  Generator gen(seed);
  const std::vector<size_t> order = visiting_order(all, gen);
  std::vector<Tally> by_class(static_cast<size_t>(num_classes)), by_bucket(SplitBalance::kSizeBuckets);
  std::vector<Part> assigned(all.size(), Part::Train);
  for (size_t g : order) {
    const double size = static_cast<double>(all[g].rows.size());
    Tally& c = by_class[static_cast<size_t>(all[g].label)];
    Tally& b = by_bucket[static_cast<size_t>(size_bucket(all[g].rows.size()))];
    c.seen += size, b.seen += size;
    int best = -1;
    double best_deficit = 0;
    for (int p = 0; p < kNumParts; ++p) {
      if (fractions.of(static_cast<Part>(p)) <= 0) continue;
      const double deficit = c.deficit(fractions, p) + b.deficit(fractions, p);
      if (best < 0 || deficit > best_deficit) best = p, best_deficit = deficit;
    }
    assigned[g] = static_cast<Part>(best);
    c.filled[best] += size, b.filled[best] += size;
  }

  // Repair: every part with a non-zero fraction gets at least one group of each class, taken from
  // the part holding most of the class's groups: its last-visited (smallest) one.
  for (int64_t label = 0; label < num_classes; ++label) {
    for (int p = 0; p < kNumParts; ++p) {
      if (fractions.of(static_cast<Part>(p)) <= 0 || groups_of_class[static_cast<size_t>(label)] == 0) continue;
      std::array<int64_t, kNumParts> count{};
      for (size_t g : order)
        if (all[g].label == label) ++count[static_cast<size_t>(assigned[g])];
      if (count[static_cast<size_t>(p)] > 0) continue;
      const int donor = static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
      for (size_t k = order.size(); k-- > 0;)
        if (all[order[k]].label == label && assigned[order[k]] == static_cast<Part>(donor)) {
          assigned[order[k]] = static_cast<Part>(p);
          break;
        }
    }
  }

  std::vector<Part> parts(labels.size(), Part::Train);
  for (size_t g = 0; g < all.size(); ++g)
    for (int64_t r : all[g].rows) parts[static_cast<size_t>(r)] = assigned[g];
  return parts;
}

double SplitBalance::class_share_gap(Part part) const {
  double gap = 0;
  for (size_t c = 0; c < whole().class_rows.size(); ++c) {
    const int64_t k = static_cast<int64_t>(c);
    gap = std::max(gap, std::abs(sides[int(part)].class_share(k) - whole().class_share(k)));
  }
  return gap;
}

SplitBalance split_balance(const std::vector<int64_t>& labels, const std::vector<std::string>& groups,
                           const std::vector<Part>& parts, int64_t num_classes) {
  HITO_CHECK(parts.size() == labels.size(), "split: ", parts.size(), " parts for ", labels.size(), " rows");
  SplitBalance balance;
  for (auto& side : balance.sides) side.class_rows.assign(static_cast<size_t>(num_classes), 0);
  for (const Group& g : collect_groups(labels, groups, num_classes)) {
    const Part part = parts[static_cast<size_t>(g.rows.front())];
    balance.largest_group = std::max<int64_t>(balance.largest_group, static_cast<int64_t>(g.rows.size()));
    for (SplitBalance::Side* side : {&balance.sides[int(part)], &balance.sides[kNumParts]}) {
      side->groups += 1;
      side->rows += static_cast<int64_t>(g.rows.size());
      side->size_bucket_rows[size_bucket(g.rows.size())] += static_cast<int64_t>(g.rows.size());
      for (int64_t r : g.rows) {
        HITO_CHECK(parts[static_cast<size_t>(r)] == part, "split: group '", groups[static_cast<size_t>(r)],
                   "' lies on two sides");
        ++side->class_rows[static_cast<size_t>(labels[static_cast<size_t>(r)])];
      }
    }
  }
  return balance;
}

void check_split_balance(const SplitBalance& balance, const std::vector<std::string>& class_names,
                         BalanceBounds bounds) {
  const SplitBalance::Side& whole = balance.whole();
  for (int p = 0; p < kNumParts; ++p) {
    const SplitBalance::Side& side = balance.sides[p];
    if (side.rows == 0) continue;
    // What two groups weigh in this part: no split places shares more finely than one group, and the
    // greedy may trade about one group of one stratum for the other.
    const double granularity = static_cast<double>(2 * balance.largest_group + 1) / static_cast<double>(side.rows);
    const double class_bound = std::max(bounds.class_points / 100, granularity);
    const double multi_bound = std::max(bounds.multi_row_points / 100, granularity);
    const double multi_gap = std::abs(side.multi_row_share() - whole.multi_row_share());
    HITO_CHECK(multi_gap <= multi_bound, "split: ", 100 * side.multi_row_share(), "% of ", part_name(static_cast<Part>(p)),
               " belongs to multi-image groups but ", 100 * whole.multi_row_share(), "% of the data, more than the ",
               100 * multi_bound, "-point bound (try other --split fractions or --seed)");
    for (size_t c = 0; c < class_names.size(); ++c) {
      const int64_t k = static_cast<int64_t>(c);
      const double class_gap = std::abs(side.class_share(k) - whole.class_share(k));
      HITO_CHECK(class_gap <= class_bound, "split: class '", class_names[c], "' is ", 100 * side.class_share(k), "% of ",
                 part_name(static_cast<Part>(p)), " but ", 100 * whole.class_share(k), "% of the data, more than the ",
                 100 * class_bound, "-point bound: the groups of this class are too few or too large to split "
                 "representatively (try other --split fractions or --seed)");
    }
  }
}

}  // namespace hito::data
