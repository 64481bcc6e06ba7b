// HTML escaping, data URIs, formatting and tables (see html.h).
#include "apps/report/html.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "plot/axis.h"
#include "data/csv_columns.h"
#include "base/error.h"

namespace hito::report {

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[n >> 18], out += kAlphabet[(n >> 12) & 63], out += kAlphabet[(n >> 6) & 63],
        out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[n >> 18], out += kAlphabet[(n >> 12) & 63], out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[n >> 18], out += kAlphabet[(n >> 12) & 63], out += kAlphabet[(n >> 6) & 63], out += '=';
  }
  return out;
}

std::string data_uri(std::string_view mime, std::string_view bytes) {
  return "data:" + std::string(mime) + ";base64," + base64_encode(bytes);
}

std::string format_interval(double estimate, double lower, double upper, int decimals) {
  if (!std::isfinite(lower) && !std::isfinite(upper)) return plot::format_number(estimate, decimals);
  return plot::format_number(estimate, decimals) + " [" + plot::format_number(lower, decimals) + ", " +
         plot::format_number(upper, decimals) + "]";
}

std::string format_interval(const eval::Interval& interval, int decimals) {
  return format_interval(interval.estimate, interval.lower, interval.upper, decimals);
}

NumberKind number_kind(std::string_view name) {
  std::string n(name);
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto has = [&](std::string_view part) { return n.find(part) != std::string::npos; };
  auto ends = [&](std::string_view end) { return n.size() >= end.size() && n.compare(n.size() - end.size(), end.size(), end) == 0; };
  if (n == "lr" || ends("_lr") || n.rfind("lr_", 0) == 0 || has("learning_rate") || has("learning rate") || has("decay"))
    return NumberKind::Rate;
  if (has("seconds") || ends("_s") || has("time")) return NumberKind::Seconds;
  return NumberKind::Score;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  char text[48];
  if (seconds < 0.001) std::snprintf(text, sizeof text, "%.2f ms", seconds * 1000);
  else if (seconds < 1) std::snprintf(text, sizeof text, "%.0f ms", seconds * 1000);
  else if (seconds < 60) std::snprintf(text, sizeof text, "%.1f s", seconds);
  else if (seconds < 3600) std::snprintf(text, sizeof text, "%d min %02d s", int(seconds) / 60, int(seconds + 0.5) % 60);
  else std::snprintf(text, sizeof text, "%d h %02d min", int(seconds) / 3600, int(seconds) % 3600 / 60);
  return text;
}

std::string format_number_of_kind(double value, NumberKind kind) {
  if (!std::isfinite(value)) return "-";
  if (kind == NumberKind::Seconds) return format_duration(value);
  if (kind == NumberKind::Score || value == 0) return plot::format_number(value, 3);
  char text[32];
  std::snprintf(text, sizeof text, std::abs(value) < 0.01 ? "%.1e" : "%.3g", value);
  return text;
}

std::string count_of(int64_t n, std::string_view singular, std::string_view plural) {
  std::string word = n == 1 ? std::string(singular) : plural.empty() ? std::string(singular) + "s" : std::string(plural);
  return std::to_string(n) + " " + word;
}

Cell Cell::of_kind(double value, NumberKind kind) {
  Cell c(format_number_of_kind(value, kind));
  c.numeric = true;
  return c;
}

Cell Cell::number(double value, int decimals) {
  Cell c(plot::format_number(value, decimals));
  c.numeric = true;
  return c;
}

Cell Cell::count(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  Cell c(value < 0 ? "-" + out : out);
  c.numeric = true;
  return c;
}

Cell Cell::interval(const eval::Interval& interval, int decimals) {
  Cell c(format_interval(interval, decimals));
  c.numeric = true;
  return c;
}

Table table_from_csv(const data::CsvTable& csv, int decimals) {
  Table table;
  table.header = csv.header;
  std::vector<bool> numeric(csv.header.size()), whole(csv.header.size(), true);
  std::vector<std::vector<double>> values(csv.header.size());
  for (size_t c = 0; c < csv.header.size(); ++c) {
    numeric[c] = data::is_numeric_column(csv, static_cast<int64_t>(c));
    if (!numeric[c]) continue;
    values[c] = data::column_numbers(csv, static_cast<int64_t>(c));
    for (double v : values[c])
      if (std::isfinite(v) && (v != std::round(v) || std::abs(v) > 9e15)) whole[c] = false;
  }
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    std::vector<Cell> row;
    for (size_t c = 0; c < csv.header.size(); ++c) {
      if (!numeric[c])
        row.emplace_back(csv.rows[r][c]);
      else if (whole[c] && std::isfinite(values[c][r]))
        row.push_back(Cell::count(static_cast<int64_t>(values[c][r])));
      else if (NumberKind kind = number_kind(csv.header[c]); kind != NumberKind::Score)
        row.push_back(Cell::of_kind(values[c][r], kind));
      else
        row.push_back(Cell::number(values[c][r], decimals));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string render_table(const Table& table) {
  std::string html = "<div class=\"table-wrap\"><table>";
  if (!table.caption.empty()) html += "<caption>" + escape_markup(table.caption) + "</caption>";
  html += "<thead><tr>";
  for (const auto& h : table.header) html += "<th>" + escape_markup(h) + "</th>";
  html += "</tr></thead><tbody>";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    HITO_CHECK(table.rows[r].size() == table.header.size(), "table '", table.caption, "': row ", r, " has ",
               table.rows[r].size(), " cells for ", table.header.size(), " columns");
    html += "<tr>";
    for (const auto& cell : table.rows[r]) {
      std::string classes = cell.numeric ? "num" : "";
      if (!cell.css_class.empty()) classes += (classes.empty() ? "" : " ") + cell.css_class;
      html += classes.empty() ? "<td>" : "<td class=\"" + escape_markup(classes) + "\">";
      html += escape_markup(cell.text) + "</td>";
    }
    html += "</tr>";
  }
  if (table.rows.empty())
    html += "<tr><td class=\"empty\" colspan=\"" + std::to_string(std::max<size_t>(1, table.header.size())) +
            "\">no rows</td></tr>";
  html += "</tbody></table></div>";
  return html;
}

}  // namespace hito::report
