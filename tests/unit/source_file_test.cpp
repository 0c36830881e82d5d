#include <catch2/catch.hpp>

#include "source/source_file.h"

using relc::SourceFile;

TEST_CASE("lines and columns of an ASCII file", "[source]") {
  SourceFile file("a.rel", "panel a\n  kpi b\n");
  CHECK(file.LineCount() == 3);
  CHECK(file.Locate(0).line == 1);
  CHECK(file.Locate(0).column == 1);
  CHECK(file.Locate(10).line == 2);
  CHECK(file.Locate(10).column == 3);
  CHECK(file.LineText(2) == "  kpi b");
  CHECK(file.LineText(3).empty());
  CHECK(file.LineText(4).empty());
}

TEST_CASE("columns count code points and not bytes", "[source]") {
  // "Réactivation": é is two bytes but one column.
  SourceFile file("a.rel", "program \"Réactivation\" x\n");
  auto x = static_cast<uint32_t>(file.text().find('x'));
  CHECK(file.Locate(x).column == 24);
  CHECK(file.OffsetOfCodePoint(23) == x);
}

TEST_CASE("CRLF line ends are not part of the line text", "[source]") {
  SourceFile file("a.rel", "a\r\nb\r\n");
  CHECK(file.LineText(1) == "a");
  CHECK(file.LineText(2) == "b");
  CHECK(file.Locate(3).line == 2);
}

TEST_CASE("a missing file reports why", "[source]") {
  std::string error;
  CHECK_FALSE(SourceFile::Read("/nonexistent/file.rel", error).has_value());
  CHECK(error == "No such file or directory");
}

TEST_CASE("UTF-16 units count a code point beyond the BMP as two", "[source]") {
  // é: 2 bytes, 1 unit; 🎁: 4 bytes, 2 units.
  SourceFile file("a.rel", "kpi \"é🎁\" x\n");
  const auto x = static_cast<uint32_t>(file.text().find('x'));
  CHECK(file.Utf16Units(0, x) == 10);
  CHECK(file.Locate(x).column == 10);
  CHECK(file.Utf16Units(x, x) == 0);
  SourceFile ascii("b.rel", "kpi x\n");
  CHECK(ascii.Utf16Units(0, 4) == 4);
}
