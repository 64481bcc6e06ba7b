// A minimal SVG writer for the report's plots: shapes and text appended to one <svg> element that is
// valid both as a standalone .svg file and inline in HTML (it declares its namespace, uses no ids
// that could collide between plots on one page, and scales through its viewBox). Every piece of
// text goes through escape_markup().
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/markup.h"
#include <utility>
#include <vector>

namespace hito::plot {


// A number as SVG wants it: at most 2 decimals, no trailing zeros ("12.5", "3", "-0.25").
std::string svg_number(double value);

// Estimated width in pixels of `text` set in the plots' sans-serif font at `font_size` (for layout:
// legends, margins, label rotation). Deliberately generous by a few percent.
double text_width(std::string_view text, double font_size);

enum class Anchor { Start, Middle, End };

struct TextStyle {
  double size = 12;
  Anchor anchor = Anchor::Start;
  std::string fill = "#333";
  bool bold = false;
  double rotate = 0;              // degrees, around (x, y)
  std::string baseline = "auto";  // dominant-baseline: auto, middle, hanging
};

struct StrokeStyle {
  std::string color = "#333";
  double width = 1;
  std::string dash = "";  // stroke-dasharray, empty: solid
  double opacity = 1;
};

class Svg {
 public:
  // `title` becomes the <title> (shown as a tooltip and read by screen readers).
  Svg(double width, double height, std::string_view title);

  double width() const { return width_; }
  double height() const { return height_; }
  // For plots whose height follows from their content: set once the content is laid out.
  void set_height(double height) { height_ = height; }

  void rect(double x, double y, double w, double h, std::string_view fill, double opacity = 1,
            const StrokeStyle* stroke = nullptr, double corner_radius = 0);
  void line(double x1, double y1, double x2, double y2, const StrokeStyle& stroke);
  void polyline(const std::vector<std::pair<double, double>>& points, const StrokeStyle& stroke);
  void circle(double cx, double cy, double r, std::string_view fill, const StrokeStyle* stroke = nullptr);
  void text(double x, double y, std::string_view content, const TextStyle& style);
  // A tooltip-carrying group: shapes drawn between begin_group and end_group show `tooltip` on hover.
  void begin_group(std::string_view tooltip);
  void end_group();

  // The complete <svg> element.
  std::string str() const;

 private:
  double width_, height_;
  std::string title_;
  std::string body_;
};

// A placeholder of the given size that says why there is no plot ("no data" and the title), so a
// figure with nothing to show is visible as such instead of a broken or empty image.
std::string no_data_svg(double width, double height, std::string_view title, std::string_view reason = "no data");

// Writes an SVG element as a standalone .svg file (with the XML declaration), atomically.
void write_svg(const std::filesystem::path& path, const std::string& svg);

}  // namespace hito::plot
