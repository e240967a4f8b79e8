#include "telco.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace kehu::analytics::testing {
namespace {

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool ParseFloat(const std::string& s, float& out) {
  if (s == " " || s.empty()) {
    out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<TelcoData> LoadTelco(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open " + path);
  std::string line;
  if (!std::getline(in, line)) return InvalidArgument(path + ": empty file");
  const std::vector<std::string> header = SplitCsv(line);
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    rows.push_back(SplitCsv(line));
    if (rows.back().size() != header.size()) {
      return InvalidArgument(path + ": a row has " + std::to_string(rows.back().size()) +
                             " fields");
    }
  }
  const std::map<std::string, bool> numeric = {
      {"SeniorCitizen", true}, {"tenure", true}, {"MonthlyCharges", true}, {"TotalCharges", true}};
  // Per input column: how it is encoded and where its output columns start.
  enum class Kind { kSkip, kLabel, kNumber, kYesNo, kOneHot };
  struct Column {
    Kind kind{Kind::kSkip};
    size_t first{0};
    std::vector<std::string> levels{};
  };
  std::vector<Column> columns(header.size());
  TelcoData data;
  FeatureMatrix& x = data.features;
  for (size_t c = 0; c < header.size(); ++c) {
    Column& col = columns[c];
    if (header[c] == "customerID") continue;
    if (header[c] == "Churn") {
      col.kind = Kind::kLabel;
      continue;
    }
    col.first = x.names.size();
    if (numeric.contains(header[c])) {
      col.kind = Kind::kNumber;
      x.names.push_back(header[c]);
      continue;
    }
    for (const auto& row : rows) {
      if (std::find(col.levels.begin(), col.levels.end(), row[c]) == col.levels.end()) {
        col.levels.push_back(row[c]);
      }
    }
    const bool yes_no =
        col.levels.size() == 2 &&
        std::find(col.levels.begin(), col.levels.end(), "Yes") != col.levels.end() &&
        std::find(col.levels.begin(), col.levels.end(), "No") != col.levels.end();
    if (yes_no) {
      col.kind = Kind::kYesNo;
      x.names.push_back(header[c]);
    } else {
      col.kind = Kind::kOneHot;
      for (const auto& level : col.levels) x.names.push_back(header[c] + "=" + level);
    }
  }
  x.rows = rows.size();
  x.cols = x.names.size();
  x.values.assign(x.rows * x.cols, 0.0f);
  data.churned.resize(x.rows);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < header.size(); ++c) {
      const Column& col = columns[c];
      const std::string& v = rows[r][c];
      switch (col.kind) {
        case Kind::kSkip:
          break;
        case Kind::kLabel:
          if (v != "Yes" && v != "No") return InvalidArgument(path + ": bad Churn value " + v);
          data.churned[r] = v == "Yes" ? 1.0f : 0.0f;
          break;
        case Kind::kNumber:
          if (!ParseFloat(v, x.at(r, col.first))) {
            return InvalidArgument(path + ": bad number in " + header[c]);
          }
          break;
        case Kind::kYesNo:
          x.at(r, col.first) = v == "Yes" ? 1.0f : 0.0f;
          break;
        case Kind::kOneHot: {
          const auto level =
              std::find(col.levels.begin(), col.levels.end(), v) - col.levels.begin();
          x.at(r, col.first + static_cast<size_t>(level)) = 1.0f;
          break;
        }
      }
    }
  }
  return data;
}

}  // namespace kehu::analytics::testing
