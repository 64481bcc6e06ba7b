// The representative, grouped, seeded split on synthetic label/group vectors shaped like HAM10000 (7
// classes in its proportions, lesions of 1-6 images in its proportions) and on sets built to be hard
// (a few huge groups, a rare class living only in multi-row groups): no group on two sides, class
// shares per part within 1 point of the whole, the share of rows in multi-row groups within 3 points,
// every class in every part, the same split for the same seed; split_balance against a direct count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "data/split.h"
#include "base/error.h"
#include "engine/random.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

struct Rows {
  std::vector<int64_t> labels;
  std::vector<std::string> groups;
};

// Group sizes as in HAM10000 (of its lesions: 73.7% one image, 18.9% two, 6.5% three, 0.5% four,
// and a few of five and six).
int64_t ham_lesion_size(Generator& gen) {
  const double u = gen.uniform();
  return u < 0.737 ? 1 : u < 0.926 ? 2 : u < 0.991 ? 3 : u < 0.996 ? 4 : u < 0.998 ? 5 : 6;
}

Rows ham_like(int64_t n, uint64_t seed) {
  const double shares[] = {0.0327, 0.0513, 0.1097, 0.0115, 0.1111, 0.6695, 0.0142};
  Generator gen(seed);
  Rows rows;
  int64_t group = 0;
  while (static_cast<int64_t>(rows.labels.size()) < n) {
    double u = gen.uniform();
    int64_t label = 0;
    while (label < 6 && (u -= shares[label]) >= 0) ++label;
    const int64_t size = ham_lesion_size(gen);
    for (int64_t i = 0; i < size; ++i) rows.labels.push_back(label), rows.groups.push_back("g" + std::to_string(group));
    ++group;
  }
  return rows;
}

// Counted directly from the rows: each part's size, class shares and share of rows in multi-row
// groups, and the same for the whole (index 3).
struct Shares {
  double rows[4] = {0, 0, 0, 0};
  std::vector<std::vector<double>> class_rows;  // [part][class]
  double multi_rows[4] = {0, 0, 0, 0};
  double class_gap(int p, size_t c) const { return std::abs(class_rows[p][c] / rows[p] - class_rows[3][c] / rows[3]); }
  double multi_gap(int p) const { return std::abs(multi_rows[p] / rows[p] - multi_rows[3] / rows[3]); }
};

Shares count_shares(const Rows& rows, const std::vector<Part>& parts, size_t num_classes) {
  std::map<std::string, int64_t> group_size;
  std::map<std::string, std::set<Part>> sides;
  for (size_t i = 0; i < parts.size(); ++i) ++group_size[rows.groups[i]], sides[rows.groups[i]].insert(parts[i]);
  for (const auto& [group, s] : sides) EXPECT_EQ(s.size(), 1u) << "group " << group << " is on two sides";
  Shares shares;
  shares.class_rows.assign(4, std::vector<double>(num_classes, 0));
  for (size_t i = 0; i < parts.size(); ++i)
    for (int p : {static_cast<int>(parts[i]), 3}) {
      shares.rows[p] += 1;
      shares.class_rows[p][static_cast<size_t>(rows.labels[i])] += 1;
      shares.multi_rows[p] += group_size[rows.groups[i]] > 1;
    }
  return shares;
}

TEST(Split, GroupsStayTogetherAndEveryPartLooksLikeTheWhole) {
  for (int64_t n : {2000, 8000, 10015}) {
    for (uint64_t seed : {3, 4, 5}) {
      Rows rows = ham_like(n, 11 + seed);
      std::vector<Part> parts = stratified_group_split(rows.labels, rows.groups, 7, {}, seed);
      Shares shares = count_shares(rows, parts, 7);
      EXPECT_NEAR(shares.rows[0] / shares.rows[3], 0.70, 0.01);
      EXPECT_NEAR(shares.rows[1] / shares.rows[3], 0.15, 0.01);
      // 1 point of a 2,000-row set's val part is 3 rows: one large lesion; hold it to 1.5 points there.
      const double class_bound = n >= 8000 ? 0.01 : 0.015;
      for (int p = 0; p < 3; ++p) {
        EXPECT_LE(shares.multi_gap(p), 0.03) << "n " << n << " seed " << seed << " part " << p;
        for (size_t c = 0; c < 7; ++c) {
          EXPECT_LE(shares.class_gap(p, c), class_bound) << "n " << n << " seed " << seed << " part " << p << " class " << c;
          EXPECT_GT(shares.class_rows[p][c], 0) << "class " << c << " missing from part " << p;
        }
      }
      EXPECT_NO_THROW(check_split_balance(split_balance(rows.labels, rows.groups, parts, 7),
                                          {"a", "b", "c", "d", "e", "f", "g"}));
    }
  }
}

TEST(Split, AFewHugeGroupsStayWholeWithinTheirOwnWeight) {
  // 3,000 single rows of two classes, plus five groups of 40 rows of class 0.
  Rows rows;
  for (int64_t i = 0; i < 3000; ++i) rows.labels.push_back(i % 3 == 0), rows.groups.push_back("s" + std::to_string(i));
  for (int64_t g = 0; g < 5; ++g)
    for (int64_t i = 0; i < 40; ++i) rows.labels.push_back(0), rows.groups.push_back("huge" + std::to_string(g));
  std::vector<Part> parts = stratified_group_split(rows.labels, rows.groups, 2, {}, 7);
  Shares shares = count_shares(rows, parts, 2);
  const SplitBalance balance = split_balance(rows.labels, rows.groups, parts, 2);
  EXPECT_EQ(balance.largest_group, 40);
  // Each part holds its share of the huge groups' rows to within one of them.
  for (int p = 0; p < 3; ++p) EXPECT_LE(shares.multi_gap(p), 41.0 / shares.rows[p]) << "part " << p;
  EXPECT_NO_THROW(check_split_balance(balance, {"a", "b"}));
}

TEST(Split, ARareClassLivingOnlyInMultiRowGroupsReachesEveryPart) {
  Rows rows = ham_like(4000, 21);
  for (int64_t g = 0; g < 12; ++g)  // class 7: twelve lesions of three images, nothing else
    for (int64_t i = 0; i < 3; ++i) rows.labels.push_back(7), rows.groups.push_back("rare" + std::to_string(g));
  for (uint64_t seed = 0; seed < 5; ++seed) {
    std::vector<Part> parts = stratified_group_split(rows.labels, rows.groups, 8, {}, seed);
    Shares shares = count_shares(rows, parts, 8);
    for (int p = 0; p < 3; ++p) {
      EXPECT_GT(shares.class_rows[p][7], 0) << "seed " << seed << " part " << p;
      EXPECT_LE(shares.class_gap(p, 7), 0.01) << "seed " << seed << " part " << p;
      EXPECT_LE(shares.multi_gap(p), 0.03) << "seed " << seed << " part " << p;
    }
  }
}

TEST(Split, BalanceIsCountedAsTheRowsSayAndAnUnrepresentativeSplitIsRefused) {
  Rows rows = ham_like(3000, 31);
  std::vector<Part> parts = stratified_group_split(rows.labels, rows.groups, 7, {}, 1);
  const SplitBalance balance = split_balance(rows.labels, rows.groups, parts, 7);
  const Shares shares = count_shares(rows, parts, 7);
  for (int p = 0; p < 4; ++p) {
    EXPECT_EQ(balance.sides[p].rows, shares.rows[p]);
    EXPECT_DOUBLE_EQ(balance.sides[p].multi_row_share(), shares.multi_rows[p] / shares.rows[p]);
    for (size_t c = 0; c < 7; ++c)
      EXPECT_DOUBLE_EQ(balance.sides[p].class_share(int64_t(c)), shares.class_rows[p][c] / shares.rows[p]);
  }
  EXPECT_NEAR(balance.class_share_gap(Part::Test), 0, 0.015);

  // Every multi-row group in train: the share of multi-image rows in val and test drops to 0.
  std::map<std::string, int64_t> size;
  for (const std::string& g : rows.groups) ++size[g];
  std::vector<Part> skewed = parts;
  int64_t moved = 0;
  for (size_t i = 0; i < rows.groups.size(); ++i) {
    if (size[rows.groups[i]] > 1) skewed[i] = Part::Train;
    else if (parts[i] == Part::Train && moved++ % 2 == 0) skewed[i] = Part::Val;
  }
  const std::string message = testing::error_message(
      [&] { check_split_balance(split_balance(rows.labels, rows.groups, skewed, 7), {"a", "b", "c", "d", "e", "f", "g"}); });
  EXPECT_NE(message.find("multi-image"), std::string::npos) << message;
  EXPECT_THROW(split_balance(rows.labels, rows.groups, std::vector<Part>(rows.labels.size() - 1), 7), Error);
}

TEST(Split, IsSeededAndDeterministic) {
  Rows rows = ham_like(1000, 5);
  auto a = stratified_group_split(rows.labels, rows.groups, 7, {}, 1);
  auto b = stratified_group_split(rows.labels, rows.groups, 7, {}, 1);
  auto c = stratified_group_split(rows.labels, rows.groups, 7, {}, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Split, TinyClassesReachEveryPart) {
  // Three single-row groups of class 1: one per part, whatever the greedy order would do.
  std::vector<int64_t> labels = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  std::vector<std::string> groups;
  for (size_t i = 0; i < labels.size(); ++i) groups.push_back("g" + std::to_string(i));
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto parts = stratified_group_split(labels, groups, 2, {}, seed);
    std::set<Part> seen(parts.begin() + 10, parts.end());
    EXPECT_EQ(seen.size(), 3u) << "seed " << seed;
  }
  EXPECT_EQ(groups_per_class(labels, groups, 2), (std::vector<int64_t>{10, 3}));
  // Two groups cannot fill three parts.
  EXPECT_THROW(stratified_group_split({0, 0, 0, 1, 1}, {"a", "b", "c", "d", "e"}, 2, {}, 0), Error);
  // ... but can fill two.
  SplitFractions two{0.8, 0.2, 0.0};
  auto parts = stratified_group_split({0, 0, 0, 1, 1}, {"a", "b", "c", "d", "e"}, 2, two, 0);
  EXPECT_EQ(std::count(parts.begin(), parts.end(), Part::Test), 0);
}

TEST(Split, FractionsParse) {
  SplitFractions f = parse_fractions("70,15,15");
  EXPECT_DOUBLE_EQ(f.train, 0.7);
  EXPECT_DOUBLE_EQ(f.test, 0.15);
  EXPECT_EQ(parse_fractions("0.8,0.2,0").nonzero_parts(), 2);
  EXPECT_THROW(parse_fractions("0.5,0.5"), Error);
  EXPECT_THROW(parse_fractions("0,0.5,0.5"), Error);
  EXPECT_THROW(parse_fractions("a,b,c"), Error);
  EXPECT_EQ(parse_part("val", "x"), Part::Val);
  EXPECT_THROW(parse_part("validation", "x"), Error);
}

}  // namespace
}  // namespace hito::data
