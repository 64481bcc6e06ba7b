// The "Fusion" section: how each fusion folder of the run (fusion-early, fusion-late, fusion-joint,
// written by `hito fuse`) combined the modalities, read from its config.json and metrics.json: the
// inputs and their balancing, each modality's contribution (early), the combiners' cross-fitted
// validation scores (late), the mean gates (joint), and the fit and predict times. Each model's
// curves and scores are in its own model section; the test comparisons in the evaluation section.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/eval/metrics_file.h"
#include "plot/axis.h"
#include "apps/report/sections/sections.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::report {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

double number_at(const json& j, const std::string& key) {
  return j.is_object() && j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : NAN;
}

std::string join_strings(const json& array) {
  std::string out;
  if (!array.is_array()) return out;
  for (const auto& v : array) out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

// One sentence on how the folder fuses, from its config.
std::string how_it_fuses(const json& config) {
  std::string kind = config.value("kind", std::string());
  if (kind == "fusion-early" && config.contains("fusion")) {
    const json& f = config.at("fusion");
    std::string inputs;
    const json& names = f.value("inputs", json::array());
    for (size_t m = 0; m < names.size(); ++m) {
      inputs += (m ? ", " : "") + names[m].get<std::string>();
      if (f.contains("input_widths") && f.contains("block_widths") && m < f["input_widths"].size() &&
          m < f["block_widths"].size())
        inputs += " (" + f["input_widths"][m].dump() + " -> " + f["block_widths"][m].dump() + ")";
    }
    std::string classifier = f.contains("classifier") ? f["classifier"].value("kind", std::string("?")) : "?";
    return "embeddings of " + inputs + "; balancing: " + f.value("balance", std::string("?")) +
           "; modality weights " + join_strings(f.value("weights", json::array())) + "; " + classifier + " classifier";
  }
  if (kind == "fusion-late") {
    std::string combiner = config.contains("combiner") ? config["combiner"].value("method", std::string("?")) : "?";
    return "probabilities of " + join_strings(config.value("inputs", json::array())) + "; combiner " + combiner +
           " (chosen on cross-fitted validation scores)";
  }
  if (kind == "fusion-joint" && config.contains("fusion")) {
    const json& f = config.at("fusion");
    return "one network trained end to end; head " + f.value("head", std::string("?")) + ", branch width " +
           (f.contains("branch_width") ? f["branch_width"].dump() : "?") + ", backbone blocks unfrozen " +
           config.value("unfreeze", std::string("?"));
  }
  return kind.empty() ? "(no kind in config.json)" : kind;
}

void early_details(Section& section, const std::string& name, const json& extra) {
  if (!extra.contains("contribution") || !extra["contribution"].is_object()) return;
  Table table;
  table.caption = name + ": each modality's contribution, the validation balanced accuracy with its block zeroed (all: " +
                  plot::format_number(number_at(extra, "val_bacc_all"), 3) + ")";
  table.header = {"modality zeroed", "validation bacc without it", "drop"};
  for (const auto& [modality, c] : extra["contribution"].items())
    table.rows.push_back({modality, Cell::number(number_at(c, "val_bacc_without")), Cell::number(number_at(c, "drop"))});
  section.table(table);
  if (extra.contains("pca_variance_kept") && extra["pca_variance_kept"].is_object()) {
    std::vector<std::pair<std::string, std::string>> facts;
    for (const auto& [modality, share] : extra["pca_variance_kept"].items())
      facts.emplace_back("PCA variance kept, " + modality, share.is_number() ? plot::format_number(share.get<double>(), 3) : "-");
    section.facts(facts);
  }
}

void late_details(Section& section, const std::string& name, const json& extra) {
  Table table;
  table.caption = name + ": validation balanced accuracy of the inputs and of each combiner (cross-fitted)";
  table.header = {"input or combiner", "validation bacc"};
  if (extra.contains("input_val_bacc") && extra["input_val_bacc"].is_object())
    for (const auto& [input, bacc] : extra["input_val_bacc"].items())
      table.rows.push_back({"input " + input, Cell::number(bacc.is_number() ? bacc.get<double>() : NAN)});
  std::string chosen = extra.value("chosen", std::string());
  if (extra.contains("cv_val_bacc") && extra["cv_val_bacc"].is_object())
    for (const auto& [method, bacc] : extra["cv_val_bacc"].items()) {
      Cell value = Cell::number(bacc.is_number() ? bacc.get<double>() : NAN);
      if (method == chosen) value.css_class = "best";
      table.rows.push_back({method + (method == chosen ? " (chosen)" : ""), value});
    }
  if (!table.rows.empty()) section.table(table);
}

void joint_details(Section& section, const std::string& name, const json& extra) {
  if (!extra.contains("mean_gates") || !extra["mean_gates"].is_object()) return;
  Table table;
  table.caption = name + ": mean gate of each modality (the gated head's per-image weights)";
  table.header = {"split", "image", "tabular"};
  for (const auto& [split, gates] : extra["mean_gates"].items())
    table.rows.push_back({split, Cell::number(number_at(gates, "image")), Cell::number(number_at(gates, "tabular"))});
  section.table(table);
}

}  // namespace

void build_fusion_section(const ReportContext& context, Report& report) {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(context.run_dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("fusion", 0) == 0 &&
        !is_partial_output(entry.path()) && fs::exists(entry.path() / "config.json"))
      folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  Section& section = report.add_section("Fusion");
  if (folders.empty()) {
    section.note("Skipped: no fusion folder (fusion-early, fusion-late, fusion-joint) in " + context.run_dir.string() +
                     " yet. Run `hito fuse --kind early|late|joint`.",
                 NoteKind::Skipped);
    return;
  }
  section.paragraph("How each fusion combines the metadata and the image. Scores here are the model folders' own; the "
                    "evaluation section compares every model on the same test images.");
  Table summary;
  summary.header = {"model", "how", "validation bacc", "test bacc [95% CI]", "fit time", "predict time"};
  std::vector<std::pair<std::string, json>> extras;
  for (const auto& dir : folders) {
    const std::string name = dir.filename().string();
    json config = read_json_file<json>(dir / "config.json");
    json extra = json::object();
    Cell val("-"), test("-");
    if (fs::exists(dir / "metrics.json")) {
      eval::MetricsFile metrics = eval::read_metrics_file(dir / "metrics.json");
      extra = metrics.extra;
      if (const auto* v = metrics.find("val")) val = Cell::number(v->metrics.balanced_accuracy);
      if (const auto* t = metrics.find("test")) {
        auto it = t->intervals.find("balanced_accuracy");
        test = it != t->intervals.end() ? Cell::interval(it->second) : Cell::number(t->metrics.balanced_accuracy);
      }
    }
    summary.rows.push_back({name, how_it_fuses(config), val, test, Cell::of_kind(number_at(config, "fit_seconds"), NumberKind::Seconds),
                            Cell::of_kind(number_at(config, "predict_seconds"), NumberKind::Seconds)});
    extras.emplace_back(config.value("kind", name), extra);
  }
  section.table(summary);
  for (size_t i = 0; i < folders.size(); ++i) {
    const std::string name = folders[i].filename().string();
    const auto& [kind, extra] = extras[i];
    if (kind == "fusion-early") early_details(section, name, extra);
    if (kind == "fusion-late") late_details(section, name, extra);
    if (kind == "fusion-joint") joint_details(section, name, extra);
  }
}

}  // namespace hito::report
