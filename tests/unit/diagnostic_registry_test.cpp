// The registry's promises: every code is unique, explained, and produced by a golden test.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "diagnostics/diagnostic_kind.h"

using namespace relc;

TEST_CASE("diagnostic codes are unique", "[registry]") {
  std::set<uint16_t> seen;
  for (const auto& info : AllDiagnosticKinds()) {
    INFO(info.name);
    CHECK(seen.insert(info.number).second);
  }
}

TEST_CASE("every diagnostic code has an explanation with an example", "[registry]") {
  for (const auto& info : AllDiagnosticKinds()) {
    INFO(CodeOf(info.kind));
    std::string_view text = ExplanationOf(info.kind);
    CHECK(!text.empty());
    CHECK(text.find("```") != std::string_view::npos);
  }
}

TEST_CASE("every diagnostic code is produced by some golden test", "[registry]") {
  std::string all_expected;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(RELC_SOURCE_DIR "/tests/golden")) {
    if (entry.path().extension() != ".expected") continue;
    std::ifstream in(entry.path());
    std::ostringstream contents;
    contents << in.rdbuf();
    all_expected += contents.str();
  }
  for (const auto& info : AllDiagnosticKinds()) {
    std::string code = CodeOf(info.kind);
    INFO(code << " (" << info.name << ") appears in no tests/golden/**/*.expected");
    CHECK(all_expected.find(code) != std::string::npos);
  }
}

TEST_CASE("codes parse in any spelling", "[registry]") {
  CHECK(ParseDiagnosticCode("REL0011") == DiagnosticKind::UnclosedBlock);
  CHECK(ParseDiagnosticCode("rel0011") == DiagnosticKind::UnclosedBlock);
  CHECK(ParseDiagnosticCode("11") == DiagnosticKind::UnclosedBlock);
  CHECK_FALSE(ParseDiagnosticCode("REL9999").has_value());
  CHECK_FALSE(ParseDiagnosticCode("x").has_value());
}
