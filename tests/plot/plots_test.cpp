// The SVG plots: well-formed, text escaped, "no data" placeholders instead of broken images, gaps at
// missing values, and the axes' tick arithmetic.
#include <cmath>

#include "plot/axis.h"
#include "plot/bar_chart.h"
#include "plot/forest_plot.h"
#include "plot/heat_map.h"
#include "plot/line_chart.h"
#include "apps/eval/reliability_diagram.h"
#include "plot/svg.h"
#include "base/fs.h"
#include "tests/report/xml_check.h"
#include "tests/support/testing.h"

namespace hito::plot {
namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

const double kNaN = std::nan("");

TEST(Svg, EscapesTextAndFormatsNumbers) {
  EXPECT_EQ(escape_markup("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(escape_markup(std::string("bell\x07") + "\ttab"), "bell\ttab");  // control characters are invalid XML
  EXPECT_EQ(svg_number(12.5), "12.5");
  EXPECT_EQ(svg_number(3.0), "3");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(1.239), "1.24");
  EXPECT_EQ(svg_number(kNaN), "0");
  EXPECT_GT(text_width("WWW", 12), text_width("iii", 12));
  EXPECT_DOUBLE_EQ(text_width("é", 10), text_width("e", 10));  // one character, two UTF-8 bytes
}

TEST(Axis, NiceTicks) {
  Ticks unit = nice_ticks(0, 1, 6);
  EXPECT_EQ(unit.values, (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(unit.label(0.4), "0.4");
  Ticks odd = nice_ticks(0.13, 0.87, 5);
  EXPECT_LE(odd.lo(), 0.13);
  EXPECT_GE(odd.hi(), 0.87);
  EXPECT_DOUBLE_EQ(odd.step, 0.2);
  Ticks counts = nice_ticks(0, 4693, 5);
  EXPECT_DOUBLE_EQ(counts.step, 2000);
  EXPECT_EQ(counts.label(4000), "4000");
  Ticks quarter = nice_ticks(0, 1, 5);
  EXPECT_DOUBLE_EQ(quarter.step, 0.25);
  EXPECT_EQ(quarter.label(0.25), "0.25");
  Ticks flat = nice_ticks(3, 3);
  EXPECT_LT(flat.lo(), 3);
  EXPECT_GT(flat.hi(), 3);
  Ticks epochs = nice_ticks(1, 3, 6, 1);
  EXPECT_DOUBLE_EQ(epochs.step, 1);
  EXPECT_EQ(format_number(-0.0001, 2), "0.00");
  EXPECT_EQ(format_number(kNaN, 2), "-");
  LinearScale y{0, 1, 300, 100};  // pixels grow downwards
  EXPECT_DOUBLE_EQ(y(0.25), 250);
}

LineChart learning_curve() {
  LineChart chart;
  chart.title = "Loss <train & val>";
  chart.x_label = "epoch";
  chart.y_label = "loss";
  chart.series = {{"train", {1, 2, 3, 4}, {1.0, 0.8, 0.7, 0.6}},
                  {"val \"held out\"", {1, 2, 3, 4}, {1.1, kNaN, 0.9, 0.95}}};
  chart.highlights = {{3, 0.9, "best epoch 3"}};
  return chart;
}

TEST(LineChart, WellFormedEscapedWithGapsAndHighlight) {
  std::string svg = render_line_chart(learning_curve());
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("Loss &lt;train &amp; val&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<train"), std::string::npos);
  EXPECT_NE(svg.find("val &quot;held out&quot;"), std::string::npos);  // legend entry
  EXPECT_NE(svg.find("best epoch 3"), std::string::npos);
  // The missing validation value splits that series into two lines; the train series is one line.
  EXPECT_EQ(count(svg, "<polyline"), 3u);
}

TEST(LineChart, LongTitlesWrapInsideTheDrawing) {
  LineChart chart = learning_curve();
  chart.width = 300;
  chart.title = "Validation balanced accuracy per epoch of the image model fine-tuned on the HAM10000 images";
  std::string svg = render_line_chart(chart);
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_EQ(svg.find(chart.title + "</text>"), std::string::npos);  // not one line
  EXPECT_NE(svg.find(">Validation balanced accuracy per"), std::string::npos);
  EXPECT_NE(svg.find("images</text>"), std::string::npos);  // the last words are drawn too
}

TEST(LineChart, NoDataPlaceholder) {
  LineChart empty;
  empty.title = "Nothing yet";
  std::string svg = render_line_chart(empty);
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_NE(svg.find("Nothing yet"), std::string::npos);
  LineChart all_nan = empty;
  all_nan.series = {{"s", {1, 2}, {kNaN, kNaN}}};
  EXPECT_NE(render_line_chart(all_nan).find("no data"), std::string::npos);
  LineChart ragged = empty;
  ragged.series = {{"s", {1, 2}, {1}}};
  EXPECT_THROW(render_line_chart(ragged), Error);
}

TEST(LineChart, ScatterAndExplainedVariance) {
  LineChart chart = explained_variance_chart({0.5, 0.3, kNaN, 0.1}, "PCA");
  ASSERT_EQ(chart.series.size(), 2u);
  EXPECT_DOUBLE_EQ(chart.series[0].y.back(), 0.9);  // the running total skips the missing ratio
  std::string svg = render_line_chart(chart);
  EXPECT_TRUE(testing::well_formed_xml(svg));
  // Markers of the cumulative line (4), of the three defined components, and the legend's dot.
  EXPECT_EQ(count(svg, "<circle"), 8u);
}

TEST(BarChart, GroupedBarsValuesAndNoData) {
  BarChart chart;
  chart.title = "Class counts";
  chart.categories = {"nv", "mel", "a very long category name"};
  chart.groups = {{"train", {700, 100, 5}}, {"test", {150, 20, kNaN}}};
  std::string svg = render_bar_chart(chart);
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_EQ(count(svg, "<rect") - count(svg, "<rect width="), 5u + 2u);  // 5 bars + 2 legend boxes
  EXPECT_NE(svg.find("rotate(-35"), std::string::npos);                  // the long name is slanted
  EXPECT_NE(svg.find(">700<"), std::string::npos);
  chart.groups[0].values.pop_back();
  EXPECT_THROW(render_bar_chart(chart), Error);
  BarChart empty;
  empty.title = "Nothing";
  EXPECT_NE(render_bar_chart(empty).find("no data"), std::string::npos);
}

TEST(HeatMap, RowSharesWithCountsAndColourContrast) {
  HeatMap map;
  map.title = "Confusion";
  map.rows = map.cols = {"a", "b"};
  map.values = {{3, 1}, {0, 0}};
  map.normalize_rows = true;
  std::string svg = render_heat_map(map);
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_NE(svg.find(">0.75<"), std::string::npos);
  EXPECT_NE(svg.find(">n=3<"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#ffffff\""), std::string::npos);  // white text on the dark 0.75 cell
  // An empty row has no shares: its cells are blank, not 0 or NaN.
  EXPECT_EQ(svg.find(">nan<"), std::string::npos);
  EXPECT_EQ(count(svg, ">-<"), 2u);
  map.normalize_rows = false;
  std::string counts = render_heat_map(map);
  EXPECT_NE(counts.find(">3<"), std::string::npos);
  map.values.pop_back();
  EXPECT_THROW(render_heat_map(map), Error);
  HeatMap empty;
  empty.title = "None";
  EXPECT_NE(render_heat_map(empty).find("no data"), std::string::npos);
}

TEST(ForestPlot, IntervalsReferenceAndMissingRows) {
  ForestPlot plot;
  plot.title = "Balanced accuracy by subgroup";
  plot.rows = {"all", "age < 30", "female"};
  plot.row_notes = {"n = 300", "n = 40", "n = 150"};
  plot.series = {{"tabular", {{0.61, 0.55, 0.66}, {kNaN, 0, 0}, {0.6, 0.5, 0.7}}}};
  plot.reference = 0.61;
  plot.reference_label = "overall";
  plot.x_min = 0;
  plot.x_max = 1;
  std::string svg = render_forest_plot(plot);
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_NE(svg.find("0.610 [0.550, 0.660]"), std::string::npos);
  EXPECT_NE(svg.find("age &lt; 30"), std::string::npos);
  EXPECT_NE(svg.find(">no data<"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray=\"5 4\""), std::string::npos);  // the reference line
  plot.series[0].points.pop_back();
  EXPECT_THROW(render_forest_plot(plot), Error);
  plot.series[0].points = {{kNaN, 0, 0}, {kNaN, 0, 0}, {kNaN, 0, 0}};
  EXPECT_NE(render_forest_plot(plot).find("no data"), std::string::npos);
}

TEST(ReliabilityDiagram, BarsForFilledBinsAndEce) {
  std::vector<eval::ReliabilityBin> bins(5);
  for (int b = 0; b < 5; ++b) bins[b] = {b / 5.0, (b + 1) / 5.0, 0, kNaN, kNaN};
  bins[3] = {0.6, 0.8, 10, 0.7, 0.5};
  bins[4] = {0.8, 1.0, 30, 0.9, 0.95};
  std::string svg = eval::render_reliability_diagram({"Calibration", bins, 0.0626});
  EXPECT_TRUE(testing::well_formed_xml(svg));
  EXPECT_NE(svg.find("ECE = 0.063"), std::string::npos);
  EXPECT_EQ(count(svg, "<g><title>confidence"), 2u);  // one bar group per filled bin
  for (auto& b : bins) b.count = 0;
  EXPECT_NE(eval::render_reliability_diagram({"Calibration", bins}).find("no data"), std::string::npos);
}

TEST(Svg, WritesStandaloneFiles) {
  auto dir = testing::temp_dir("svg_file");
  write_svg(dir / "curve.svg", render_line_chart(learning_curve()));
  std::string file = read_file(dir / "curve.svg");
  EXPECT_EQ(file.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg", 0), 0u);
  EXPECT_TRUE(testing::well_formed_xml(file));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hito::plot
