#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ast/ast_dump.h"
#include "syntax/format.h"
#include "syntax/parse.h"

using namespace relc;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> FormatText(const std::string& text, const std::string& path = "test.rel") {
  DiagnosticCollector diagnostics;
  return syntax::Format(std::make_shared<const SourceFile>(path, text), diagnostics);
}

std::string AstWithoutPositions(const std::string& text) {
  auto file = std::make_shared<const SourceFile>("test.rel", text);
  DiagnosticCollector diagnostics;
  syntax::ParseResult parsed = syntax::Parse(file, diagnostics);
  return ast::DumpAst(parsed.module, *file, /*with_positions=*/false);
}

std::string ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<fs::path> EveryRelFileOfTheRepository() {
  std::vector<fs::path> files;
  for (const char* folder : {"examples", "stdlib", "tests/golden"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(RELC_SOURCE_DIR) / folder)) {
      if (entry.is_regular_file() && entry.path().extension() == ".rel") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("fmt is idempotent and keeps the AST, over every example, stdlib file and golden input", "[fmt]") {
  int formatted = 0, refused = 0;
  for (const fs::path& path : EveryRelFileOfTheRepository()) {
    INFO(path.string());
    std::string text = ReadWhole(path);
    std::optional<std::string> once = FormatText(text, path.string());
    if (!once) {
      // Only files with syntax errors are refused: the golden inputs of the syntax diagnostics.
      CHECK(path.filename().string().starts_with("fail_"));
      ++refused;
      continue;
    }
    ++formatted;
    std::optional<std::string> twice = FormatText(*once, path.string());
    REQUIRE(twice);
    CHECK(*twice == *once);
    CHECK(AstWithoutPositions(*once) == AstWithoutPositions(text));
  }
  CHECK(formatted > 100);
  CHECK(refused > 0);
}

TEST_CASE("fmt puts one item per line and indents blocks by two spaces", "[fmt]") {
  CHECK(FormatText("program \"P\" {\npanel  a=customers where frequency>=2\n\n\n\nkpi k=sent/delivered}") ==
        "program \"P\" {\n  panel a = customers where frequency >= 2\n\n  kpi k = sent / delivered\n}\n");
  CHECK(FormatText("scenario s {\n trigger enter p; send email \"a\"; wait 2 days }") ==
        "scenario s {\n  trigger enter p\n  send email \"a\"\n  wait 2 days\n}\n");
}

TEST_CASE("fmt keeps a block written on one line on one line", "[fmt]") {
  CHECK(FormatText("offer o = discount 15%{cost=2 EUR;valid=14 days;}\n") ==
        "offer o = discount 15% { cost = 2 EUR; valid = 14 days }\n");
  CHECK(FormatText("channel c {   }\n") == "channel c {}\n");
}

TEST_CASE("fmt keeps comments where they were", "[fmt]") {
  std::string text =
      "// header\n\n/// doc\npanel p = customers   // trailing\n  where frequency >= 1 /* inline */ and recency < 30 days\n"
      "scenario s { // after brace\n  // own line\n  send email \"a\"\n  // before the brace\n}\n";
  CHECK(FormatText(text) ==
        "// header\n\n/// doc\npanel p = customers // trailing\n    where frequency >= 1 /* inline */ and recency < 30 days\n"
        "scenario s { // after brace\n  // own line\n  send email \"a\"\n  // before the brace\n}\n");
}

TEST_CASE("fmt spaces operators, calls, units and ranges the one way", "[fmt]") {
  CHECK(FormatText("kpi k = ( revenue-cost ) / cost * -1\n") == "kpi k = (revenue - cost) / cost * -1\n");
  CHECK(FormatText("pressure { quiet hours 21:00 .. 08:00 }\n") == "pressure { quiet hours 21:00..08:00 }\n");
  CHECK(FormatText("scenario x = winback( audience : dormant , patience : 7 days )\n") ==
        "scenario x = winback(audience: dormant, patience: 7 days)\n");
  CHECK(FormatText("schema s { customer { amount : money ( EUR ) key } }\n") ==
        "schema s { customer { amount: money(EUR) key } }\n");
  CHECK(FormatText("panel p = customers where city in [ \"Lyon\" , \"Paris\" ] and not ( vip )\n") ==
        "panel p = customers where city in [\"Lyon\", \"Paris\"] and not (vip)\n");
}

TEST_CASE("fmt never joins a number to a step label that followed a semicolon", "[fmt]") {
  // On one line `5 next` would read as a quantity; the formatter puts the label on its own line.
  std::string text = "scenario s { trigger enter p\n  set score = 5; next: send email \"a\"\n}\n";
  std::optional<std::string> formatted = FormatText(text);
  REQUIRE(formatted);
  CHECK(*formatted == "scenario s {\n  trigger enter p\n  set score = 5\n  next: send email \"a\"\n}\n");
  CHECK(AstWithoutPositions(*formatted) == AstWithoutPositions(text));
}

TEST_CASE("fmt keeps doc comments with CR-only line ends and across a separator on its own line", "[fmt]") {
  // Old Mac exports end lines with a lone CR: `// c` and `/// The program.` were merged into one
  // comment, and the doc comment lost.
  const std::string cr_only =
      "// c\r/// The program.\rprogram \"P\" {\r  consent email if email_optin\r  panel all = customers where consent(email)\r"
      "  scenario s { trigger enter all; send email \"x\" }\r}\r";
  std::optional<std::string> formatted = FormatText(cr_only);
  REQUIRE(formatted);
  CHECK(formatted->find("// c\n/// The program.\nprogram") != std::string::npos);
  CHECK(AstWithoutPositions(cr_only).find("doc \"The program.\"") != std::string::npos);
  CHECK(AstWithoutPositions(*formatted) == AstWithoutPositions(cr_only));
  // `/// doc` then `;` on its own line: fmt drops the separator, and the doc still documents the
  // same field (it had moved to the next one).
  const std::string separated = "schema crm {\n  customer {\n    id: string key\n    email_optin: bool\n    /// doc\n    ;\n"
                                "    sms_optin: bool\n  }\n}\n";
  formatted = FormatText(separated);
  REQUIRE(formatted);
  CHECK(formatted->find(";") == std::string::npos);
  CHECK(AstWithoutPositions(*formatted) == AstWithoutPositions(separated));
}

TEST_CASE("fmt keeps the author's line breaks inside an item as continuation lines", "[fmt]") {
  CHECK(FormatText("scenario s {\nwait 3 days or until purchase -> exit\n        or until clicked(a) -> exit\n}\n") ==
        "scenario s {\n  wait 3 days or until purchase -> exit\n      or until clicked(a) -> exit\n}\n");
  CHECK(FormatText("scenario x = winback(\naudience: dormant,\n   reward: comeback\n      )\n") ==
        "scenario x = winback(\n    audience: dormant,\n    reward: comeback\n)\n");
}

TEST_CASE("fmt refuses a file with syntax errors and reports them", "[fmt]") {
  DiagnosticCollector diagnostics;
  auto file = std::make_shared<const SourceFile>("bad.rel", "panel p = customers where a && b\n");
  CHECK_FALSE(syntax::Format(file, diagnostics));
  REQUIRE(diagnostics.error_count() == 1);
  CHECK(diagnostics.diagnostics()[0].kind == DiagnosticKind::ForeignOperator);
}
