// The report document and its stylesheet (see report.h).
#include "apps/report/report.h"

#include <cctype>

#include "plot/png.h"
#include "base/error.h"
#include "base/fs.h"

namespace hito::report {

namespace {
// One stylesheet for the whole page: readable type, cards for sections, a sticky contents sidebar
// on wide screens (on top on narrow ones), compact tables with right-aligned figures.
constexpr const char* kStyle = R"CSS(
:root { --ink:#2b2f36; --muted:#5f6670; --line:#e3e6ea; --bg:#f4f5f7; --card:#fff; --accent:#4e79a7; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.5; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
header.top { background: #1f2a37; color: #fff; padding: 28px 40px 24px; }
header.top h1 { margin: 0; font-size: 26px; font-weight: 650; letter-spacing: .2px; }
header.top p { margin: 6px 0 0; color: #c9d1db; font-size: 14px; }
.layout { display: grid; grid-template-columns: 230px minmax(0, 1fr); gap: 24px; max-width: 1440px;
  margin: 0 auto; padding: 24px 24px 60px; }
nav.toc { position: sticky; top: 20px; align-self: start; max-height: calc(100vh - 40px); overflow-y: auto;
  background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 14px; font-size: 14px; }
nav.toc h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0 0 8px; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: 2px 0; }
nav.toc a { color: var(--ink); text-decoration: none; display: block; padding: 3px 8px; border-radius: 6px; }
nav.toc a:hover { background: #eef2f7; color: var(--accent); }
nav.toc ol ol a { color: var(--muted); font-size: 13px; padding-left: 20px; }
main { min-width: 0; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 20px 22px 24px; margin-bottom: 24px; box-shadow: 0 1px 2px rgba(20, 30, 40, .04); }
section.card > h2 { margin: 0 0 14px; font-size: 21px; font-weight: 650; padding-bottom: 10px;
  border-bottom: 1px solid var(--line); }
section.card h3 { font-size: 16px; font-weight: 650; margin: 24px 0 10px; }
p { margin: 8px 0 12px; max-width: 80ch; }
.note { border-left: 4px solid var(--accent); background: #eef3f9; padding: 10px 14px; border-radius: 6px;
  margin: 10px 0 14px; font-size: 14px; }
.note.skipped { border-color: #9aa0a8; background: #f3f4f6; color: var(--muted); }
.note.warning { border-color: #e0a030; background: #fdf6e7; }
.note.error { border-color: #c0392b; background: #fbeceb; color: #7b241c; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; margin: 12px 0 16px; }
.facts div { background: #f7f8fa; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; min-width: 0; }
.facts dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.facts dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 10px 0 18px; }
.table-wrap td:first-child, .table-wrap th:first-child { position: sticky; left: 0; z-index: 1;
  background: var(--card); box-shadow: inset -1px 0 0 var(--line); }
.table-wrap thead th:first-child { background: #f0f2f5; z-index: 2; }
details { margin: 6px 0 16px; font-size: 13.5px; }
details summary { cursor: pointer; color: var(--accent); }
details pre { background: #f7f8fa; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
  max-height: 420px; overflow: auto; font-size: 12.5px; }
table { border-collapse: collapse; font-size: 13.5px; min-width: 40%; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; color: var(--ink); }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
thead th { background: #f0f2f5; font-weight: 600; border-bottom: 2px solid #d5d9df; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fafbfc; }
tbody tr:hover { background: #eef3f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: 700; color: #1d5d2c; }
td.empty { color: var(--muted); font-style: italic; text-align: center; }
.figures { display: flex; flex-wrap: wrap; gap: 18px; margin: 12px 0 18px; align-items: flex-start; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 10px;
  max-width: 100%; }
figure.wide { flex-basis: 100%; }
figure svg, figure img { display: block; max-width: 100%; height: auto; }
figure.wide svg, figure.wide img { margin: 0 auto; }
figure.wide img { min-width: min(100%, 760px); }  /* small image grids (explanations) at a readable size */
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; width: min-content; min-width: 100%; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 10px 0 30px; }
@media (max-width: 900px) {
  .layout { grid-template-columns: 1fr; padding: 16px; } nav.toc { position: static; max-height: none; } }
@media print {
  nav.toc { display: none; } .layout { display: block; } section.card { break-inside: avoid-page; box-shadow: none; } }
)CSS";

const char* note_class(NoteKind kind) {
  switch (kind) {
    case NoteKind::Info:
      return "note";
    case NoteKind::Skipped:
      return "note skipped";
    case NoteKind::Warning:
      return "note warning";
    case NoteKind::Error:
      return "note error";
  }
  return "note";
}

std::string figure_html(const std::string& content, std::string_view caption, bool wide) {
  std::string out = wide ? "<figure class=\"wide\">" : "<figure>";
  out += content;
  if (!caption.empty()) out += "<figcaption>" + escape_markup(caption) + "</figcaption>";
  return out + "</figure>";
}

std::string img_tag(const std::string& src, std::string_view alt) {
  return "<img src=\"" + src + "\" alt=\"" + escape_markup(alt) + "\">";
}
}  // namespace

std::string slug(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c))
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "section" : out;
}

Section& Section::heading(std::string_view text) {
  std::string id = id_ + "-" + slug(text);
  for (const auto& [existing, t] : subheadings_)
    if (existing == id) id.append("-").append(std::to_string(subheadings_.size()));
  subheadings_.emplace_back(id, std::string(text));
  return html("<h3 id=\"" + escape_markup(id) + "\">" + escape_markup(text) + "</h3>");
}

Section& Section::paragraph(std::string_view text) { return html("<p>" + escape_markup(text) + "</p>"); }

Section& Section::note(std::string_view text, NoteKind kind) {
  return html("<div class=\"" + std::string(note_class(kind)) + "\">" + escape_markup(text) + "</div>");
}

Section& Section::facts(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "<dl class=\"facts\">";
  for (const auto& [label, value] : items)
    out += "<div><dt>" + escape_markup(label) + "</dt><dd>" + escape_markup(value) + "</dd></div>";
  return html(out + "</dl>");
}

Section& Section::table(const Table& t) { return html(render_table(t)); }

Section& Section::svg_figure(const std::string& svg, std::string_view caption, bool wide) {
  blocks_.push_back({true, figure_html(svg, caption, wide)});
  return *this;
}

Section& Section::png_figure(std::string_view png, std::string_view caption, std::string_view alt, bool wide) {
  HITO_CHECK(plot::looks_like_png(png), "figure '", caption, "': the image is not a PNG");
  blocks_.push_back({true, figure_html(img_tag(data_uri("image/png", png), alt), caption, wide)});
  return *this;
}

Section& Section::file_figure(const std::filesystem::path& path, std::string_view caption, bool wide) {
  const std::string bytes = read_file(path);
  const std::string ext = path.extension().string();
  if (ext == ".png") {
    HITO_CHECK(plot::looks_like_png(bytes), path.string(), ": not a PNG file (bad signature)");
    blocks_.push_back({true, figure_html(img_tag(data_uri("image/png", bytes), caption), caption, wide)});
  } else {
    HITO_CHECK(ext == ".svg", path.string(), ": only .svg and .png figures can be embedded");
    HITO_CHECK(bytes.find("<svg") != std::string::npos, path.string(), ": no <svg> element in the file");
    blocks_.push_back({true, figure_html(img_tag(data_uri("image/svg+xml", bytes), caption), caption, wide)});
  }
  return *this;
}

Section& Section::html(std::string markup) {
  blocks_.push_back({false, std::move(markup)});
  return *this;
}

std::string Section::render() const {
  std::string out = "<section class=\"card\" id=\"" + escape_markup(id_) + "\"><h2>" + escape_markup(title_) + "</h2>";
  bool in_figures = false;
  for (const auto& block : blocks_) {
    if (block.figure != in_figures) out += block.figure ? "<div class=\"figures\">" : "</div>";
    in_figures = block.figure;
    out += block.html;
  }
  if (in_figures) out += "</div>";
  return out + "</section>";
}

Section& Report::add_section(std::string_view title) {
  std::string id = slug(title), unique = id;
  for (int n = 2;; ++n) {
    bool taken = false;
    for (const auto& s : sections_) taken |= s.id() == unique;
    if (!taken) break;
    unique = id + "-" + std::to_string(n);
  }
  return sections_.emplace_back(std::string(title), unique);
}

std::string Report::render() const {
  std::string toc = "<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2><ol>";
  std::string body;
  for (const auto& s : sections_) {
    toc += "<li><a href=\"#" + escape_markup(s.id()) + "\">" + escape_markup(s.title()) + "</a>";
    if (!s.subheadings().empty()) {
      toc += "<ol>";
      for (const auto& [id, text] : s.subheadings())
        toc += "<li><a href=\"#" + escape_markup(id) + "\">" + escape_markup(text) + "</a></li>";
      toc += "</ol>";
    }
    toc += "</li>";
    body += s.render();
  }
  toc += "</ol></nav>";
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         escape_markup(title_) + "</title><style>" + kStyle +
         "</style></head><body>"
         "<header class=\"top\"><h1>" +
         escape_markup(title_) + "</h1>" + (subtitle_.empty() ? "" : "<p>" + escape_markup(subtitle_) + "</p>") +
         "</header>"
         "<div class=\"layout\">" +
         toc + "<main>" + body +
         "</main></div>"
         "<footer>Made by hito report. Self-contained: every figure is embedded in this file.</footer>"
         "</body></html>\n";
}

}  // namespace hito::report
