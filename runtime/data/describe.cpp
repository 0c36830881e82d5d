#include "data/describe.h"

#include <regex>
#include <unordered_set>

#include "data/values.h"

namespace relc::data {
namespace {

constexpr size_t kMostDistinct = 100000;  // counted exactly up to here

// Formats a date or date-time may follow, most specific first; the first that every value
// of a column matches is its format.
const std::vector<std::pair<std::string, std::regex>>& TimeFormats() {
  static const std::vector<std::pair<std::string, std::regex>> formats = {
      {"", std::regex(R"(\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d)?)?)")},
      {"%Y%m%d", std::regex(R"((19|20)\d\d[01]\d[0-3]\d)")},
      {"%d/%m/%Y %H:%M", std::regex(R"(\d\d?/\d\d?/\d{4} \d\d?:\d\d)")},
      {"%d/%m/%Y", std::regex(R"(\d\d?/\d\d?/\d{4})")},
  };
  return formats;
}

struct ColumnState {
  bool integer = true, decimal = true, boolean = true;
  std::vector<bool> time;       // per format of TimeFormats()
  bool day_first_ruled_out = false;   // a first number above 12: month first
  bool month_first_ruled_out = false; // a second number above 12: day first
  std::unordered_set<std::string> seen;
  std::string previous;
};

bool IsBool(std::string_view text) {
  static const std::vector<std::string_view> words = {"true", "false", "yes", "no", "TRUE", "FALSE", "Yes", "No", "oui", "non"};
  return std::find(words.begin(), words.end(), text) != words.end();
}

}  // namespace

TableProfile ProfileTable(TableReader& reader, std::string& error) {
  TableProfile profile;
  const auto& header = reader.header();
  profile.columns.resize(header.size());
  std::vector<ColumnState> states(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    profile.columns[c].name = header[c];
    states[c].time.assign(TimeFormats().size(), true);
  }
  std::vector<std::string_view> fields;
  while (reader.Next(fields, error)) {
    ++profile.rows;
    for (size_t c = 0; c < header.size(); ++c) {
      std::string_view text = c < fields.size() ? fields[c] : "";
      while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
      ColumnProfile& column = profile.columns[c];
      ColumnState& state = states[c];
      const bool repeated = profile.rows > 1 && text == state.previous;
      column.repeats += repeated;
      state.previous.assign(text);
      if (text.empty()) {
        ++column.empty;
        continue;
      }
      if (state.seen.size() < kMostDistinct) {
        if (state.seen.emplace(text).second && column.examples.size() < 3) column.examples.emplace_back(text);
      } else {
        column.distinct_capped = true;
      }
      int64_t scaled = 0;
      std::string reason;
      const bool number = ParseScaled(text, false, 6, true, scaled, reason);
      state.decimal = state.decimal && number;
      state.integer = state.integer && number && scaled % 1'000'000 == 0 && text.find('.') == std::string_view::npos;
      column.negative += number && scaled < 0;
      if (number && text.size() > 2 && text.ends_with(".0") && scaled % 1'000'000 == 0) ++column.decimal_ids;
      state.boolean = state.boolean && IsBool(text);
      // Regular expressions only while a format is still possible: a text column rules them
      // all out at its first value.
      const std::string owned(text);
      for (size_t f = 0; f < TimeFormats().size(); ++f) {
        if (state.time[f] && !std::regex_match(owned, TimeFormats()[f].second)) state.time[f] = false;
      }
      std::smatch parts;
      static const std::regex slashed(R"((\d\d?)/(\d\d?)/\d{4}.*)");
      if (text.find('/') != std::string_view::npos && std::regex_match(owned, parts, slashed)) {
        state.day_first_ruled_out = state.day_first_ruled_out || std::stoi(parts[2]) > 12;
        state.month_first_ruled_out = state.month_first_ruled_out || std::stoi(parts[1]) > 12;
      }
      if (std::isalpha(static_cast<unsigned char>(text[0])) && text.size() > 1 && std::isdigit(static_cast<unsigned char>(text[1]))) {
        if (column.common_prefix.empty()) column.common_prefix = std::string(1, text[0]);
        column.with_prefix += column.common_prefix[0] == text[0];
      }
    }
  }
  for (size_t c = 0; c < header.size(); ++c) {
    ColumnProfile& column = profile.columns[c];
    ColumnState& state = states[c];
    column.distinct = state.seen.size();
    if (column.empty == profile.rows) {
      column.type = "text";
      continue;
    }
    size_t time_format = std::find(state.time.begin(), state.time.end(), true) - state.time.begin();
    if (time_format < state.time.size() && !(time_format == 1 && state.integer && column.distinct < 3)) {
      std::string format = TimeFormats()[time_format].first;
      // Month first when a second number goes above 12 nowhere but a first one does.
      if (format.starts_with("%d/%m") && state.day_first_ruled_out && !state.month_first_ruled_out) {
        format.replace(0, 5, "%m/%d");
      }
      column.time_format = format;
      column.type = format.find("%H") != std::string::npos || time_format == 0 ? "datetime" : "date";
      if (time_format == 0 && column.examples[0].size() == 10) column.type = "date";
    } else if (state.boolean) {
      column.type = "bool";
    } else if (state.integer) {
      column.type = "integer";
    } else if (state.decimal) {
      column.type = "decimal";
    } else {
      column.type = "text";
    }
    if (column.with_prefix * 2 > profile.rows - column.empty || column.with_prefix == 0) column.common_prefix.clear();
  }
  return profile;
}

}  // namespace relc::data
