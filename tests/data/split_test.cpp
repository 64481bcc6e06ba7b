// The stratified, grouped, seeded split on synthetic label/group vectors shaped like HAM10000 (7
// classes in its proportions, 1-4 rows per group): no group on two sides, class shares per part
// within 2 points of the whole, every class in every part, the same split for the same seed.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "data/split.h"
#include "base/error.h"
#include "engine/random.h"

namespace hito::data {
namespace {

struct Rows {
  std::vector<int64_t> labels;
  std::vector<std::string> groups;
};

Rows ham_like(int64_t n, uint64_t seed) {
  const double shares[] = {0.0327, 0.0513, 0.1097, 0.0115, 0.1111, 0.6695, 0.0142};
  Generator gen(seed);
  Rows rows;
  int64_t group = 0;
  while (static_cast<int64_t>(rows.labels.size()) < n) {
    double u = gen.uniform();
    int64_t label = 0;
    while (label < 6 && (u -= shares[label]) >= 0) ++label;
    int64_t size = 1 + (gen.uniform() < 0.25f ? gen.integer(4) : 0);
    for (int64_t i = 0; i < size; ++i) rows.labels.push_back(label), rows.groups.push_back("g" + std::to_string(group));
    ++group;
  }
  return rows;
}

TEST(Split, GroupsStayTogetherAndSharesMatchTheWhole) {
  for (int64_t n : {2000, 8000}) {
    Rows rows = ham_like(n, 11);
    std::vector<Part> parts = stratified_group_split(rows.labels, rows.groups, 7, {}, 3);
    std::map<std::string, std::set<Part>> sides;
    for (size_t i = 0; i < parts.size(); ++i) sides[rows.groups[i]].insert(parts[i]);
    for (const auto& [group, s] : sides) ASSERT_EQ(s.size(), 1u) << "group " << group << " is on two sides";

    std::vector<double> whole(7, 0);
    std::vector<std::vector<double>> per_part(3, std::vector<double>(7, 0));
    std::vector<double> part_size(3, 0);
    for (size_t i = 0; i < parts.size(); ++i) {
      ++whole[static_cast<size_t>(rows.labels[i])];
      ++per_part[static_cast<size_t>(parts[i])][static_cast<size_t>(rows.labels[i])];
      ++part_size[static_cast<size_t>(parts[i])];
    }
    EXPECT_NEAR(part_size[0] / parts.size(), 0.70, 0.02);
    EXPECT_NEAR(part_size[1] / parts.size(), 0.15, 0.02);
    for (int p = 0; p < 3; ++p)
      for (int c = 0; c < 7; ++c) {
        EXPECT_NEAR(per_part[p][c] / part_size[p], whole[c] / parts.size(), 0.02) << "n " << n << " part " << p << " class " << c;
        EXPECT_GT(per_part[p][c], 0) << "class " << c << " missing from part " << p;
      }
  }
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
