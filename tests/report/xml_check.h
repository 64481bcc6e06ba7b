// A small well-formedness check for the SVG and HTML fragments the report makes: tags nest and close,
// attribute values are quoted, and text holds no raw '<' or unescaped '&'.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hito::testing {

inline ::testing::AssertionResult well_formed_xml(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << " at offset " << i << ": ..." << xml.substr(i > 40 ? i - 40 : 0, 80);
  };
  while (i < xml.size()) {
    char c = xml[i];
    if (c == '&') {
      size_t end = xml.find(';', i);
      std::string entity = end == std::string::npos ? "" : xml.substr(i, end - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" && entity != "&#39;")
        return fail("unescaped '&'");
      i = end + 1;
      continue;
    }
    if (c != '<') {
      if (c == '>') return fail("raw '>' in text");
      ++i;
      continue;
    }
    if (xml.compare(i, 5, "<?xml") == 0 || xml.compare(i, 9, "<!DOCTYPE") == 0) {
      i = xml.find('>', i) + 1;
      continue;
    }
    const bool closing = xml[i + 1] == '/';
    size_t name_start = i + (closing ? 2 : 1), j = name_start;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '-' || xml[j] == ':')) ++j;
    const std::string name = xml.substr(name_start, j - name_start);
    if (name.empty()) return fail("raw '<' in text");
    // Attributes: name="value" pairs, values without '<'.
    while (j < xml.size() && xml[j] != '>' && !(xml[j] == '/' && xml[j + 1] == '>')) {
      if (xml[j] == '"') {
        size_t close = xml.find('"', j + 1);
        if (close == std::string::npos || xml.substr(j, close - j).find('<') != std::string::npos)
          return fail("bad attribute value");
        j = close + 1;
      } else if (xml[j] == '=' && xml[j + 1] != '"') {
        return fail("unquoted attribute");
      } else {
        ++j;
      }
    }
    if (j >= xml.size()) return fail("unterminated tag");
    const bool self_closing = xml[j] == '/';
    i = j + (self_closing ? 2 : 1);
    if (closing) {
      if (open.empty() || open.back() != name)
        return fail("</" + name + "> closes <" + (open.empty() ? "" : open.back()) + ">");
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> is never closed";
  return ::testing::AssertionSuccess();
}

}  // namespace hito::testing
