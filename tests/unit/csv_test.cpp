#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <optional>
#include <random>

#include "data/byte_scan.h"
#include "data/csv.h"
#include "data/values.h"

using relc::data::CsvReader;

namespace {

std::vector<std::vector<std::string>> ReadAll(std::string_view text, std::string* error = nullptr) {
  CsvReader reader(text);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string_view> fields;
  std::string message;
  while (reader.Next(fields, message)) records.emplace_back(fields.begin(), fields.end());
  if (error != nullptr) *error = message;
  return records;
}

}  // namespace

TEST_CASE("quoted fields keep separators, doubled quotes and line breaks", "[csv]") {
  auto records = ReadAll("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n1,,3\n");
  REQUIRE(records.size() == 3);
  CHECK(records[1] == std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"});
  CHECK(records[2] == std::vector<std::string>{"1", "", "3"});
}

TEST_CASE("many quoted fields in one record all stay valid", "[csv]") {
  std::string line;
  for (int i = 0; i < 40; ++i) line += (i ? "," : "") + std::string("\"v") + std::to_string(i) + "\"";
  auto records = ReadAll(line + "\n");
  REQUIRE(records.size() == 1);
  REQUIRE(records[0].size() == 40);
  for (int i = 0; i < 40; ++i) CHECK(records[0][static_cast<size_t>(i)] == "v" + std::to_string(i));
}

TEST_CASE("a byte-order mark, CRLF and the semicolon separator", "[csv]") {
  CsvReader reader("\xEF\xBB\xBFid;amount\r\nC1;12,50\r\n");
  CHECK(reader.separator() == ';');
  std::vector<std::string_view> fields;
  std::string error;
  REQUIRE(reader.Next(fields, error));
  CHECK(fields[0] == "id");
  REQUIRE(reader.Next(fields, error));
  CHECK(fields[1] == "12,50");
  CHECK(reader.line() == 2);
}

TEST_CASE("line numbers count the line breaks inside quotes", "[csv]") {
  CsvReader reader("h\n\"a\nb\"\nnext\n");
  std::vector<std::string_view> fields;
  std::string error;
  reader.Next(fields, error);
  reader.Next(fields, error);
  CHECK(reader.line() == 2);
  reader.Next(fields, error);
  CHECK(reader.line() == 4);
  CHECK(fields[0] == "next");
}

TEST_CASE("an unclosed quote is an error with its field", "[csv]") {
  std::string error;
  ReadAll("a,b\n1,\"never closed\n", &error);
  CHECK(error == "a quoted field is never closed");
}

TEST_CASE("random records read back as written, across 64-byte blocks", "[csv]") {
  // Plain fields are read by jumping between separators, quoted ones byte by byte: records of
  // both, of every length, with \n or \r\n and blank lines, read back as generated.
  std::mt19937 random(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
  for (int round = 0; round < 300; ++round) {
    const char separator = pick(2) ? ',' : ';';
    std::string text = std::string("h1") + separator + "h2\n";
    std::vector<std::vector<std::string>> expected = {{"h1", "h2"}};
    std::vector<size_t> lines = {1};
    size_t line = 2;
    const size_t records = 1 + pick(12);
    for (size_t r = 0; r < records; ++r) {
      if (pick(8) == 0) {
        text += "\n";
        ++line;
      }
      std::vector<std::string> fields(2 + pick(5));
      lines.push_back(line);
      for (size_t f = 0; f < fields.size(); ++f) {
        if (f > 0) text += separator;
        const bool quoted = pick(6) == 0;
        for (size_t length = pick(quoted ? 8 : 40); length > 0; --length) {
          const char* alphabet = quoted ? "ab,;\n\"" : "abc 12.-";
          fields[f] += alphabet[pick(quoted ? 6 : 8)];
        }
        if (!quoted) {
          text += fields[f];
          continue;
        }
        text += '"';
        for (char c : fields[f]) {
          text += c == '"' ? "\"\"" : std::string(1, c);
          line += c == '\n';
        }
        text += '"';
      }
      expected.push_back(fields);
      if (r + 1 < records || pick(2)) {
        text += pick(4) ? "\n" : "\r\n";
        ++line;
      }
    }
    CsvReader reader(text);
    std::vector<std::string_view> fields;
    std::string error;
    for (size_t r = 0; r < expected.size(); ++r) {
      INFO("round " << round << ", record " << r << " of " << text);
      REQUIRE(reader.Next(fields, error));
      CHECK(std::vector<std::string>(fields.begin(), fields.end()) == expected[r]);
      CHECK(reader.line() == lines[r]);
    }
    CHECK_FALSE(reader.Next(fields, error));
    CHECK(error.empty());
  }
}

TEST_CASE("block masks and byte counts agree with a byte-by-byte look", "[csv]") {
  std::mt19937 random(11);
  std::string text(1000, ' ');
  for (char& c : text) c = ",\n\"ab;"[random() % 6];
  for (size_t at = 0; at + 64 <= text.size(); at += 37) {
    const uint64_t mask = relc::data::MatchMask64(text.data() + at, ',', '\n', '"', '\r');
    for (size_t i = 0; i < 64; ++i) {
      const char c = text[at + i];
      CHECK(((mask >> i) & 1) == (c == ',' || c == '\n' || c == '"'));
    }
  }
  std::string lines(16 * 600 + 5, '\n');  // every byte a match: more than a byte lane holds
  CHECK(relc::data::CountByte(lines, '\n') == lines.size());
  for (size_t length : {0, 1, 15, 16, 17, 63, 64, 65, 999}) {
    const std::string_view part(text.data(), length);
    CHECK(relc::data::CountByte(part, '\n') == static_cast<size_t>(std::count(part.begin(), part.end(), '\n')));
  }
  relc::data::ByteFinder finder(std::string_view(text.data(), 130), ';', 'x', 'y', 'z');
  for (size_t from = 0; from <= 130; ++from) {
    const size_t next = std::string_view(text.data(), 130).find(';', from);
    CHECK(finder.Next(from) == (next == std::string_view::npos ? 130 : next));
  }
}

TEST_CASE("dates, times and amounts parse exactly", "[csv][values]") {
  int32_t days = 0;
  CHECK(relc::data::ParseDate("2024-02-29", days));
  CHECK(relc::data::FormatDate(days) == "2024-02-29");
  CHECK(relc::data::ParseDate("29/02/2024", days));
  CHECK(relc::data::FormatDate(days) == "2024-02-29");
  CHECK_FALSE(relc::data::ParseDate("2023-02-29", days));
  int64_t seconds = 0;
  CHECK(relc::data::ParseDateTime("2024-02-29 23:59:58", seconds));
  CHECK(relc::data::FormatDateTime(seconds) == "2024-02-29T23:59:58");
  relc::data::Value value;
  std::string reason;
  CHECK(relc::data::ParseValue("12,5", relc::data::ColumnType::Money, true, value, reason));
  CHECK(value.int_value == 1250);
  CHECK_FALSE(relc::data::ParseValue("12.345", relc::data::ColumnType::Money, false, value, reason));
  CHECK(reason == "an amount has at most 2 decimals");
}

TEST_CASE("booleans in every spelling and case, and nothing else", "[csv][values]") {
  auto parse = [](std::string_view text) -> std::optional<int64_t> {
    relc::data::Value value;
    std::string reason;
    if (!relc::data::ParseValue(text, relc::data::ColumnType::Bool, false, value, reason)) return std::nullopt;
    return value.int_value;
  };
  for (std::string_view yes : {"true", "TRUE", "True", "1", "yes", "Yes", "oui", "OUI", "t", "T"}) CHECK(parse(yes) == 1);
  for (std::string_view no : {"false", "FALSE", "0", "no", "No", "non", "NON", "f", "F"}) CHECK(parse(no) == 0);
  for (std::string_view neither : {"tru", "truee", "yes!", "2", "oui ", " no", "vrai", "falsey", "n", "y"}) {
    CHECK_FALSE(parse(neither));
  }
}

TEST_CASE("amounts with thousands grouped as spreadsheets write them", "[csv][values]") {
  relc::data::Value value;
  std::string reason;
  auto cents = [&](std::string_view text, bool decimal_comma) -> std::optional<int64_t> {
    if (!relc::data::ParseValue(text, relc::data::ColumnType::Money, decimal_comma, value, reason)) return std::nullopt;
    return value.int_value;
  };
  CHECK(cents("1,000.50", false) == 100050);
  CHECK(cents("-12,345,678", false) == -1234567800);
  CHECK(cents("1.000,50", true) == 100050);
  CHECK(cents("1 000,50", true) == 100050);
  // Not a grouping: a decimal comma where the decimals are a point, groups of other sizes.
  CHECK(cents("12,34", false) == std::nullopt);
  CHECK(cents("1,0000", false) == std::nullopt);
  CHECK(cents("1234,567", false) == std::nullopt);
  CHECK(cents("1,00,000", false) == std::nullopt);
  CHECK(cents(",100", false) == std::nullopt);
}

TEST_CASE("dates convert to the same days inside and outside the table of month starts", "[csv][values]") {
  // 1800 to 2300: before, across and after the years whose months are tabled.
  for (int year = 1800; year <= 2300; ++year) {
    for (int month = 1; month <= 12; ++month) {
      for (int day : {1, 15, 28}) {
        const std::string text = fmt::format("{:04}-{:02}-{:02}", year, month, day);
        int32_t days = 0;
        REQUIRE(relc::data::ParseDate(text, days));
        REQUIRE(days == relc::data::DaysFromCivil(year, month, day));
        int64_t seconds = 0;
        REQUIRE(relc::data::ParseDateTime(text + "T12:30:05", seconds));
        REQUIRE(seconds == int64_t{days} * 86400 + 12 * 3600 + 30 * 60 + 5);
      }
    }
  }
  int32_t days = 0;
  CHECK(relc::data::ParseDate("2024-02-29", days));
  CHECK(days == relc::data::DaysFromCivil(2024, 2, 29));
  CHECK_FALSE(relc::data::ParseDate("2023-02-29", days));
}
