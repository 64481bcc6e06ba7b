// The SVG writer (see svg.h).
#include "plot/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/fs.h"

namespace hito::plot {

std::string svg_number(double value) {
  if (!std::isfinite(value)) return "0";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string s = buffer;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

double text_width(std::string_view text, double font_size) {
  // Average advance widths of a humanist sans-serif, as a share of the font size.
  double em = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: not a new character
    if (std::strchr("iljtfr.,:;|!' ", c) && c != 0)
      em += 0.32;
    else if (std::strchr("mwMW@%", c) && c != 0)
      em += 0.88;
    else if (c >= 'A' && c <= 'Z')
      em += 0.68;
    else if (c >= '0' && c <= '9')
      em += 0.57;
    else
      em += 0.54;
  }
  return em * font_size * 1.04;
}

namespace {
const char* anchor_name(Anchor a) { return a == Anchor::Start ? "start" : a == Anchor::Middle ? "middle" : "end"; }

// Appends ` name="value"` (value escaped) to out.
void attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  out += escape_markup(value);
  out += '"';
}
void attribute(std::string& out, std::string_view name, double value) { attribute(out, name, svg_number(value)); }

void stroke_attributes(std::string& out, const StrokeStyle& s) {
  attribute(out, "stroke", s.color);
  attribute(out, "stroke-width", s.width);
  if (!s.dash.empty()) attribute(out, "stroke-dasharray", s.dash);
  if (s.opacity < 1) attribute(out, "stroke-opacity", s.opacity);
}

constexpr const char* kFontFamily =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif";
}  // namespace

Svg::Svg(double width, double height, std::string_view title) : width_(width), height_(height), title_(title) {}

void Svg::rect(double x, double y, double w, double h, std::string_view fill, double opacity, const StrokeStyle* stroke,
               double corner_radius) {
  body_ += "<rect";
  attribute(body_, "x", x);
  attribute(body_, "y", y);
  attribute(body_, "width", std::max(0.0, w));
  attribute(body_, "height", std::max(0.0, h));
  attribute(body_, "fill", fill);
  if (opacity < 1) attribute(body_, "fill-opacity", opacity);
  if (corner_radius > 0) attribute(body_, "rx", corner_radius);
  if (stroke) stroke_attributes(body_, *stroke);
  body_ += "/>";
}

void Svg::line(double x1, double y1, double x2, double y2, const StrokeStyle& stroke) {
  body_ += "<line";
  attribute(body_, "x1", x1);
  attribute(body_, "y1", y1);
  attribute(body_, "x2", x2);
  attribute(body_, "y2", y2);
  stroke_attributes(body_, stroke);
  body_ += "/>";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& points, const StrokeStyle& stroke) {
  if (points.empty()) return;
  std::string coordinates;
  for (const auto& [x, y] : points) {
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += svg_number(x);
    coordinates += ',';
    coordinates += svg_number(y);
  }
  body_ += "<polyline fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\"";
  attribute(body_, "points", coordinates);
  stroke_attributes(body_, stroke);
  body_ += "/>";
}

void Svg::circle(double cx, double cy, double r, std::string_view fill, const StrokeStyle* stroke) {
  body_ += "<circle";
  attribute(body_, "cx", cx);
  attribute(body_, "cy", cy);
  attribute(body_, "r", r);
  attribute(body_, "fill", fill);
  if (stroke) stroke_attributes(body_, *stroke);
  body_ += "/>";
}

void Svg::text(double x, double y, std::string_view content, const TextStyle& style) {
  body_ += "<text";
  attribute(body_, "x", x);
  attribute(body_, "y", y);
  attribute(body_, "font-size", style.size);
  attribute(body_, "fill", style.fill);
  attribute(body_, "text-anchor", anchor_name(style.anchor));
  if (style.bold) attribute(body_, "font-weight", "600");
  if (style.baseline != "auto") attribute(body_, "dominant-baseline", style.baseline);
  if (style.rotate != 0)
    attribute(body_, "transform",
              "rotate(" + svg_number(style.rotate) + " " + svg_number(x) + " " + svg_number(y) + ")");
  body_ += '>';
  body_ += escape_markup(content);
  body_ += "</text>";
}

void Svg::begin_group(std::string_view tooltip) {
  body_ += "<g><title>";
  body_ += escape_markup(tooltip);
  body_ += "</title>";
}

void Svg::end_group() { body_ += "</g>"; }

std::string Svg::str() const {
  const std::string w = svg_number(width_), h = svg_number(height_);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"" + w + "\" height=\"" + h +
         "\" viewBox=\"0 0 " + w + " " + h + "\" role=\"img\" font-family=\"" + escape_markup(kFontFamily) + "\"><title>" +
         escape_markup(title_) + "</title><rect width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>" + body_ +
         "</svg>";
}

std::string no_data_svg(double width, double height, std::string_view title, std::string_view reason) {
  Svg svg(width, height, std::string(title) + ": " + std::string(reason));
  StrokeStyle border{"#c8ccd2", 1.5, "6 4"};
  svg.rect(8, 8, width - 16, height - 16, "#f7f8fa", 1, &border, 8);
  svg.text(width / 2, height / 2 - 10, title, {15, Anchor::Middle, "#555", true});
  svg.text(width / 2, height / 2 + 16, reason, {13, Anchor::Middle, "#888"});
  return svg.str();
}

void write_svg(const std::filesystem::path& path, const std::string& svg) {
  write_file_atomic(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg + "\n");
}

}  // namespace hito::plot
