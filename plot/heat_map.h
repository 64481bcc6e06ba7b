// Heat maps with the value printed in every cell: confusion matrices (counts, or each row as shares
// of its true class with the count underneath), missing-value tables. White-to-blue colours with a
// colour bar; text switches to white on dark cells.
#pragma once

#include <string>
#include <vector>

namespace hito::plot {

struct HeatMap {
  std::string title;
  std::string row_label, col_label;         // axis titles ("true class", "predicted class")
  std::vector<std::string> rows, cols;      // cell labels
  std::vector<std::vector<double>> values;  // (rows, cols); non-finite cells are drawn blank
  bool normalize_rows = false;              // colour and print row shares (value / row sum); counts shown below
  int decimals = -1;                        // printed digits; -1: 2 for shares, 0 for whole numbers, else 2
  double width = 480;                       // the height follows from the number of rows
};

// The heat map as an <svg> element; a "no data" placeholder when there are no cells.
std::string render_heat_map(const HeatMap& map);

}  // namespace hito::plot
