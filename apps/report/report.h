// The report document: one self-contained HTML file (inline CSS, inline SVG, images as base64 data
// URIs; no scripts, fonts or requests from elsewhere, so it opens offline) made of sections, each
// with headings, paragraphs, notes, tables and figures, and a table of contents built from them.
//
//   Report report("HAM10000 study");
//   Section& s = report.add_section("Data preparation");
//   s.paragraph("...").table(table_from_csv(data::read_csv(path))).svg_figure(render_bar_chart(chart), "Class counts");
//   write_file_atomic(run / "report.html", report.render());
#pragma once

#include <deque>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apps/report/html.h"

namespace hito::report {

enum class NoteKind { Info, Skipped, Warning, Error };

class Section {
 public:
  Section(std::string title, std::string id) : title_(std::move(title)), id_(std::move(id)) {}

  const std::string& title() const { return title_; }
  const std::string& id() const { return id_; }

  // A sub-heading, also listed in the table of contents under the section.
  Section& heading(std::string_view text);
  Section& paragraph(std::string_view text);  // plain text, escaped
  // A highlighted box: information, a skipped part ("no history.csv: ..."), a warning or an error.
  Section& note(std::string_view text, NoteKind kind = NoteKind::Info);
  // Label / value pairs shown as a compact summary grid.
  Section& facts(const std::vector<std::pair<std::string, std::string>>& items);
  Section& table(const Table& table);
  // A figure from SVG markup made by the plotting library (inlined). Consecutive figures share a row
  // when they fit; `wide` ones take the full width.
  Section& svg_figure(const std::string& svg, std::string_view caption, bool wide = false);
  // A figure from PNG bytes (embedded as a data URI). Requires a valid PNG signature.
  Section& png_figure(std::string_view png, std::string_view caption, std::string_view alt, bool wide = false);
  // A figure from an .svg or .png file (embedded as a data URI); an error names a missing,
  // unreadable or malformed file.
  Section& file_figure(const std::filesystem::path& path, std::string_view caption, bool wide = false);
  // Trusted markup, inserted as is.
  Section& html(std::string markup);

  bool empty() const { return blocks_.empty(); }
  std::string render() const;
  const std::vector<std::pair<std::string, std::string>>& subheadings() const { return subheadings_; }  // (id, text)

 private:
  struct Block {
    bool figure;
    std::string html;
  };
  std::string title_, id_;
  std::vector<Block> blocks_;
  std::vector<std::pair<std::string, std::string>> subheadings_;
};

class Report {
 public:
  explicit Report(std::string title) : title_(std::move(title)) {}

  // A line under the title ("run: /path/to/run · made 2024-06-11 14:02").
  void set_subtitle(std::string subtitle) { subtitle_ = std::move(subtitle); }
  // A new section at the end; its anchor id is made from the title and unique in the document.
  Section& add_section(std::string_view title);
  const std::deque<Section>& sections() const { return sections_; }

  // The complete HTML document.
  std::string render() const;

 private:
  std::string title_, subtitle_;
  std::deque<Section> sections_;  // a deque: references handed out by add_section stay valid
};

// "Data preparation" -> "data-preparation" (lower-case letters, digits and dashes).
std::string slug(std::string_view text);

}  // namespace hito::report
