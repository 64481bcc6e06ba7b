// HTML building blocks of the report: escaping, base64 data URIs, number and interval formatting,
// and tables (from CSV files or from rows built in memory) rendered with numbers right-aligned.
#pragma once

#include <string>
#include <string_view>

#include "base/markup.h"
#include <vector>

#include "apps/eval/bootstrap.h"
#include "data/csv.h"

namespace hito::report {

// Standard base64 (RFC 4648) with padding.
std::string base64_encode(std::string_view bytes);
// "data:<mime>;base64,...": embeds a file in the page so that it opens offline.
std::string data_uri(std::string_view mime, std::string_view bytes);

// "0.712 [0.681, 0.744]" (the estimate and its interval); "-" parts where a value is undefined.
std::string format_interval(double estimate, double lower, double upper, int decimals = 3);
std::string format_interval(const eval::Interval& interval, int decimals = 3);

// What a number measures decides how it is written: a rate or a decay (learning rate, weight decay:
// 3.0e-04 when below 0.01, never "0.000"), a duration in seconds (0.7 ms, 12.3 s, 4 min 05 s), or
// a score and anything else (3 decimals).
enum class NumberKind { Score, Rate, Seconds };
// The kind of a column or setting by its name: lr, *_lr, learning_rate, *decay* -> Rate;
// *seconds*, *_s, *time* -> Seconds; anything else -> Score.
NumberKind number_kind(std::string_view name);
std::string format_number_of_kind(double value, NumberKind kind);  // "-" when undefined
std::string format_duration(double seconds);
// "1 test image", "3 test images"; `plural` defaults to the singular + "s".
std::string count_of(int64_t n, std::string_view singular, std::string_view plural = "");

// One table cell: its text, and whether it is a number (right-aligned, tabular figures).
struct Cell {
  std::string text;
  bool numeric = false;
  std::string css_class;  // extra class, e.g. "best" to emphasise a value

  Cell() = default;
  Cell(std::string t) : text(std::move(t)) {}          // NOLINT: text cells from strings
  Cell(const char* t) : text(t) {}                     // NOLINT
  static Cell number(double value, int decimals = 3);  // "-" when undefined
  static Cell of_kind(double value, NumberKind kind);  // format_number_of_kind
  static Cell count(int64_t value);                    // thousands separated: 12,345
  static Cell interval(const eval::Interval& interval, int decimals = 3);
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;  // each as long as the header
  std::string caption;                  // shown above the table when not empty
};

// A CSV table with its numeric columns recognised and formatted: whole numbers as counts, others by
// the kind their header names (number_kind), scores with `decimals` digits.
Table table_from_csv(const data::CsvTable& csv, int decimals = 3);

// The <table> element (inside a scrolling wrapper for wide tables). Requires rows as long as the header.
std::string render_table(const Table& table);

}  // namespace hito::report
