// The report document and `hito report`: sections and contents, embedded figures, skipped parts,
// errors without half-written output, and the rendering check in headless Chromium (skipped, with a
// message, where /usr/bin/chromium is missing).
#include "apps/report/report.h"

#include "data/csv_columns.h"
#include "plot/line_chart.h"
#include "plot/png.h"
#include "apps/eval/model_figures.h"
#include "plot/svg.h"
#include "base/fs.h"
#include "tests/report/xml_check.h"
#include "tests/support/testing.h"

namespace hito::report {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::run_shell;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// A copy of the fixture run folder that the test may write into.
fs::path fixture_run(const std::string& name) {
  fs::path dir = testing::temp_dir(name);
  fs::copy(testing::fixture_path("report/run"), dir / "run", fs::copy_options::recursive);
  return dir / "run";
}

TEST(Report, SectionsTocAndUniqueIds) {
  Report report("Study <1>");
  report.set_subtitle("run folder /tmp/x");
  Section& a = report.add_section("Data preparation");
  a.heading("Class balance").paragraph("Counts & shares.").note("skipped: none", NoteKind::Skipped);
  a.facts({{"rows", "10"}});
  a.svg_figure(plot::render_line_chart({}), "an empty chart");
  a.heading("Class balance");  // a repeated heading still gets its own anchor
  Section& b = report.add_section("Data preparation");
  EXPECT_EQ(b.id(), "data-preparation-2");
  EXPECT_EQ(a.subheadings().size(), 2u);
  EXPECT_NE(a.subheadings()[0].first, a.subheadings()[1].first);
  std::string html = report.render();
  EXPECT_TRUE(
      testing::well_formed_xml(html.substr(html.find("<body>"), html.find("</body>") + 7 - html.find("<body>"))));
  EXPECT_NE(html.find("<title>Study &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("href=\"#data-preparation\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#data-preparation-class-balance\""), std::string::npos);
  EXPECT_NE(html.find("id=\"data-preparation-2\""), std::string::npos);
  EXPECT_NE(html.find("Counts &amp; shares."), std::string::npos);
  EXPECT_NE(html.find("<div class=\"figures\"><figure>"), std::string::npos);
  EXPECT_EQ(slug("Model: image-head (v2)"), "model-image-head-v2");
}

TEST(Report, FiguresAreEmbeddedAndCheckedOnTheWay) {
  auto dir = testing::temp_dir("report_figures");
  Section section("Figures", "figures");
  plot::RgbImage image(3, 2, {1, 2, 3});
  section.png_figure(plot::encode_png(image), "a png", "tiny");
  EXPECT_THROW(section.png_figure("not a png", "bad", "bad"), Error);
  plot::write_png(dir / "grid.png", image);
  plot::write_svg(dir / "plot.svg", plot::render_line_chart({}));
  write_file_atomic(dir / "fake.png", "GIF89a...");
  write_file_atomic(dir / "empty.svg", "hello");
  write_file_atomic(dir / "notes.txt", "text");
  section.file_figure(dir / "grid.png", "from a file");
  section.file_figure(dir / "plot.svg", "an svg file");
  EXPECT_THROW(section.file_figure(dir / "fake.png", "x"), Error);
  EXPECT_THROW(section.file_figure(dir / "empty.svg", "x"), Error);
  EXPECT_THROW(section.file_figure(dir / "notes.txt", "x"), Error);
  EXPECT_THROW(section.file_figure(dir / "missing.png", "x"), Error);
  std::string html = section.render();
  EXPECT_NE(html.find("src=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/svg+xml;base64,"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ModelSection, BestEpochAndStandardFigures) {
  fs::path run = fixture_run("model_figures");
  data::CsvTable history = data::read_csv(run / "tabular" / "history.csv");
  auto best = eval::best_epoch(history, nullptr);
  ASSERT_TRUE(best);
  // The epoch of the highest val_bacc, found independently here.
  std::vector<double> val = data::column_numbers(history, history.require_column("val_bacc"));
  size_t argmax = std::max_element(val.begin(), val.end()) - val.begin();
  EXPECT_DOUBLE_EQ(*best, data::column_numbers(history, 0)[argmax]);
  eval::MetricsFile metrics = eval::read_metrics_file(run / "image-head" / "metrics.json");
  EXPECT_EQ(eval::best_epoch(data::read_csv(run / "image-head" / "history.csv"), &metrics), std::optional<double>(12));
  auto curves = eval::learning_curves(history, best);
  ASSERT_EQ(curves.size(), 3u);
  EXPECT_EQ(curves[0].first, eval::kLossCurveFile);
  EXPECT_EQ(curves[1].second.highlights.size(), 1u);
  eval::write_model_figures(run / "tabular");
  for (const char* file : {eval::kLossCurveFile, eval::kBaccCurveFile, eval::kLrCurveFile, eval::kConfusionFile, eval::kReliabilityFile}) {
    ASSERT_TRUE(fs::exists(run / "tabular" / file)) << file;
    EXPECT_TRUE(testing::well_formed_xml(read_file(run / "tabular" / file))) << file;
  }
  fs::remove_all(run.parent_path());
}

std::string report_command(const fs::path& run, const std::string& extra = "") {
  return quoted(testing::hito_binary()) + " report --run " + quoted(run) + extra;
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

TEST(ReportCommand, WritesASelfContainedReport) {
  fs::path run = fixture_run("report_command");
  CommandResult r = run_shell(report_command(run));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("report.html"), std::string::npos);
  std::string html = read_file(run / "report.html");
  for (const char* part : {"Overview", "Data preparation", "Class balance", "Patient characteristics", "Missing values",
                           "Dropped columns", "Image normalisation", "Model: tabular", "Model: image-head",
                           "Learning curves", "Confusion matrix (test)", "Reliability (test)", "best epoch 12",
                           "sample_gradient.png", "not run (hito fuse)", "label leakage", "Label leakage check"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
  // The charts compare train/val/test; the "all" pseudo-split of prepare's tables stays in the tables.
  EXPECT_EQ(html.find(">all</text>"), std::string::npos);
  EXPECT_NE(html.find("<th>all</th>"), std::string::npos);
  // The tabular model comes before the image model (pipeline order), both after the data.
  EXPECT_LT(html.find("Data preparation"), html.find("Model: tabular"));
  EXPECT_LT(html.find("Model: tabular"), html.find("Model: image-head"));
  // Self-contained: figures inline or as data URIs, nothing fetched from elsewhere.
  EXPECT_GE(count(html, "<svg"), 12u);
  EXPECT_EQ(count(html, "<img src=\""), count(html, "<img src=\"data:"));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  fs::remove_all(run.parent_path());
}

TEST(ReportCommand, RendersInHeadlessChromium) {
  if (!fs::exists("/usr/bin/chromium"))
    GTEST_SKIP() << "skipped: /usr/bin/chromium not found (apt-get install chromium)";
  fs::path run = fixture_run("report_chromium");
  ASSERT_EQ(run_shell(report_command(run)).status, 0);
  const fs::path script = testing::source_dir() / "scripts" / "check_report.sh";
  CommandResult ok = run_shell(quoted(script) + " " + quoted(run / "report.html") + " " + quoted(run / "report.png"));
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("problems=0"), std::string::npos) << ok.output;
  ASSERT_TRUE(fs::exists(run / "report.png"));
  EXPECT_TRUE(plot::looks_like_png(read_file(run / "report.png")));
  // The same report with its PNG cut short and one plot emptied must fail the check.
  std::string html = read_file(run / "report.html");
  size_t png = html.find("data:image/png;base64,");
  ASSERT_NE(png, std::string::npos);
  size_t end = html.find('"', png);
  html.erase(png + 60, end - png - 60);
  size_t svg = html.find("<svg");
  html.replace(svg, html.find("</svg>", svg) + 6 - svg,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>");
  write_file_atomic(run / "broken.html", html);
  CommandResult broken = run_shell(quoted(script) + " " + quoted(run / "broken.html") + " " + quoted(run / "broken.png"));
  EXPECT_EQ(broken.status, 1) << broken.output;
  EXPECT_NE(broken.output.find("truncated PNG: sample_gradient.png"), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("empty svg"), std::string::npos) << broken.output;
  fs::remove_all(run.parent_path());
}

TEST(ReportCommand, SkipsWhatIsMissing) {
  fs::path run = testing::temp_dir("report_empty") / "run";
  fs::create_directories(run);
  CommandResult r = run_shell(report_command(run));
  ASSERT_EQ(r.status, 0) << r.output;
  std::string html = read_file(run / "report.html");
  EXPECT_NE(html.find("Run `hito prepare` to make it."), std::string::npos);
  EXPECT_NE(html.find("no model folder"), std::string::npos);
  EXPECT_NE(html.find("0 of 11"), std::string::npos);
  // A prepared folder with some files: the missing ones are named.
  fs::create_directories(run / "prepared");
  fs::copy(testing::fixture_path("report/run/prepared/class_counts.csv"), run / "prepared" / "class_counts.csv");
  ASSERT_EQ(run_shell(report_command(run)).status, 0);
  html = read_file(run / "report.html");
  EXPECT_NE(html.find("Class balance"), std::string::npos);
  EXPECT_NE(
      html.find(
          "lacks: manifest.json, distributions.csv, missing.csv, dropped_columns.csv, leakage.csv, image_stats.json"),
      std::string::npos);
  fs::remove_all(run.parent_path());
}

TEST(ReportCommand, BadInputFailsClearlyWithoutOutput) {
  fs::path missing = testing::temp_dir("report_missing") / "nowhere";
  CommandResult r = run_shell(report_command(missing));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(missing / "report.html"));

  fs::path run = fixture_run("report_bad");
  write_file_atomic(run / "report.html", "previous report");
  write_file_atomic(run / "tabular" / "metrics.json", R"({"class_names": ["a"], "splits": {"test": {"rows": 1}}})");
  r = run_shell(report_command(run));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("tabular/metrics.json.splits.test: missing key \"accuracy\""), std::string::npos) << r.output;
  EXPECT_EQ(read_file(run / "report.html"), "previous report");  // untouched
  for (const auto& entry : fs::directory_iterator(run))
    EXPECT_EQ(entry.path().filename().string().find("report.html.tmp"), std::string::npos);
  // --keep-going shows the failure in the report instead.
  r = run_shell(report_command(run, " --keep-going"));
  ASSERT_EQ(r.status, 0) << r.output;
  std::string html = read_file(run / "report.html");
  EXPECT_NE(html.find("This section could not be built"), std::string::npos);
  EXPECT_NE(html.find("Data preparation"), std::string::npos);
  fs::remove_all(run.parent_path());
  fs::remove_all(missing.parent_path());
}

// A model folder made from other data (its config.json records another fingerprint than prepared/)
// is refused, naming it, as `hito evaluate` refuses it; --keep-going shows the refusal instead.
TEST(Report, AModelFolderOfOtherDataIsRefused) {
  fs::path run = fixture_run("report_other_data");
  std::string config = read_file(run / "tabular" / "config.json");
  std::string other = config;
  other.replace(other.find("5be0c2a1d9e3f417"), 16, "0123456789abcdef");
  write_file_atomic(run / "tabular" / "config.json", other);
  CommandResult r = run_shell(report_command(run));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find((run / "tabular").string() + " was made from data with fingerprint 0123456789abcdef"),
            std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(run / "report.html"));
  r = run_shell(report_command(run, " --keep-going"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(read_file(run / "report.html").find("belongs to another preparation"), std::string::npos);
  write_file_atomic(run / "tabular" / "config.json", config);
  EXPECT_EQ(run_shell(report_command(run)).status, 0);
  fs::remove_all(run.parent_path());
}

}  // namespace
}  // namespace hito::report
