#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include "diagnostics/diagnostic.h"
#include "diagnostics/render.h"

using namespace relc;

namespace {

std::vector<Diagnostic> OneDiagnostic() {
  auto file = std::make_shared<const SourceFile>("p.rel", "scenario winback {\n  send email \"x\"\n");
  DiagnosticCollector collector;
  DiagnosticEmitter emitter(file, collector);
  emitter.Emit(DiagnosticKind::UnclosedBlock, SourceRange{35, 35}, "scenario `winback`", "1:18")
      .Primary("expected `}` here")
      .Label(SourceRange{17, 18}, "opened here")
      .Note("a note")
      .Help("add `}`", {{SourceRange{35, 35}, "\n}"}});
  return collector.diagnostics();
}

}  // namespace

TEST_CASE("human rendering shows the source with carets and labels", "[render]") {
  std::ostringstream out;
  RenderHuman(OneDiagnostic()[0], HumanStyle{false}, out);
  CHECK(out.str() ==
        "error[REL0011]: expected `}` to close scenario `winback` opened at 1:18\n"
        " --> p.rel:2:17\n"
        "  |\n"
        "1 | scenario winback {\n"
        "  |                  - opened here\n"
        "2 |   send email \"x\"\n"
        "  |                 ^ expected `}` here\n"
        "  |\n"
        "  = note: a note\n"
        "  = help: add `}`\n");
}

TEST_CASE("colour only when asked", "[render]") {
  std::ostringstream plain, colored;
  RenderHuman(OneDiagnostic()[0], HumanStyle{false}, plain);
  RenderHuman(OneDiagnostic()[0], HumanStyle{true}, colored);
  CHECK(plain.str().find('\x1b') == std::string::npos);
  CHECK(colored.str().find("\x1b[1;31merror") != std::string::npos);
}

TEST_CASE("JSON carries positions and labels and fixes", "[render]") {
  auto json = nlohmann::json::parse(RenderJson(OneDiagnostic()));
  CHECK(json["valid"] == false);
  CHECK(json["error_count"] == 1);
  auto& d = json["diagnostics"][0];
  CHECK(d["code"] == "REL0011");
  CHECK(d["range"]["start"]["line"] == 2);
  CHECK(d["range"]["start"]["column"] == 17);
  CHECK(d["range"]["start"]["byte"] == 35);
  CHECK(d["snippet"]["code"] == "  send email \"x\"");
  CHECK(d["secondary_labels"][0]["message"] == "opened here");
  CHECK(d["suggestions"][0]["edits"][0]["replacement"] == "\n}");
  auto empty = nlohmann::json::parse(RenderJson({}));
  CHECK(empty["valid"] == true);
  CHECK(empty["diagnostics"].is_array());
}

TEST_CASE("SARIF 2.1.0 has its required members", "[render]") {
  auto sarif = nlohmann::json::parse(RenderSarif(OneDiagnostic(), "0.1.0"));
  CHECK(sarif["version"] == "2.1.0");
  auto& run = sarif["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "relc");
  CHECK(run["tool"]["driver"]["rules"][0]["id"] == "REL0011");
  auto& result = run["results"][0];
  CHECK(result["ruleId"] == "REL0011");
  CHECK(result["level"] == "error");
  CHECK(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "p.rel");
  CHECK(result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
  CHECK(result["relatedLocations"][0]["message"]["text"] == "opened here");
  CHECK(result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "\n}");
  // A rule's description is text, not the message's template; a region's snippet is its own text,
  // its line in the context region.
  CHECK(run["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == "expected `}` to close \u2026 opened at \u2026");
  CHECK(result["relatedLocations"][0]["physicalLocation"]["region"]["snippet"]["text"] == "{");
  CHECK(result["relatedLocations"][0]["physicalLocation"]["contextRegion"]["snippet"]["text"] == "scenario winback {");
}

TEST_CASE("SARIF names an absolute path by a file:// URI, a relative one by a relative reference", "[render]") {
  CHECK(PathToUri("/work/my programs/a.rel") == "file:///work/my%20programs/a.rel");
  CHECK(PathToUri("examples/a b.rel") == "examples/a%20b.rel");
}

TEST_CASE("GitHub annotations escape their data and properties", "[render]") {
  auto file = std::make_shared<const SourceFile>("dir,x/a:b.rel", "x\n");
  DiagnosticCollector collector;
  DiagnosticEmitter(file, collector).Emit(DiagnosticKind::UnknownCharacter, SourceRange{0, 1}, "%").Help("100%");
  std::ostringstream out;
  RenderGithub(collector.diagnostics()[0], out);
  CHECK(out.str() ==
        "::error file=dir%2Cx/a%3Ab.rel,line=1,col=1,endLine=1,endColumn=2,title=REL0001::"
        "unknown character `%25`%0Ahelp: 100%25\n");
}

namespace {

// One line of 30,000 bytes: the same panel declared 1,500 times, a duplicate reported at byte
// 20,010 with the first definition at byte 6.
std::vector<Diagnostic> OnALongLine() {
  std::string line;
  for (int i = 0; i < 1500; ++i) line += "panel p = customers ";
  auto file = std::make_shared<const SourceFile>("long.rel", line + "\n");
  DiagnosticCollector collector;
  DiagnosticEmitter emitter(file, collector);
  emitter.Emit(DiagnosticKind::DuplicateDefinition, SourceRange{20006, 20007}, "p")
      .Primary("defined again here")
      .Label(SourceRange{6, 7}, "first defined here");
  return collector.diagnostics();
}

}  // namespace

TEST_CASE("a long line is shown as a window around each marker, not whole", "[render]") {
  std::ostringstream out;
  RenderHuman(OnALongLine()[0], HumanStyle{false}, out);
  const std::string text = out.str();
  CHECK(text.size() < 1000);
  // The first definition, at the line's start, and the duplicate far along it, each in its window.
  CHECK(text.find("1 | panel p = customers panel p") != std::string::npos);
  CHECK(text.find("  |       - first defined here\n") != std::string::npos);
  const size_t cut = text.find("1 | ...");
  REQUIRE(cut != std::string::npos);
  const size_t caret = text.find('^', cut);
  REQUIRE(caret != std::string::npos);
  // The caret stands under the `p` that was defined again.
  const size_t line_start = text.find("...", cut);
  const size_t caret_line_start = text.rfind('\n', caret) + 1;
  CHECK(text[line_start + (caret - caret_line_start) - 4] == 'p');
}

TEST_CASE("JSON and SARIF keep a window of a long line, and say where it starts", "[render]") {
  const auto json = nlohmann::json::parse(RenderJson(OnALongLine()));
  const auto& snippet = json["diagnostics"][0]["snippet"];
  const std::string code = snippet["code"];
  CHECK(code.size() <= 1024);
  const size_t offset = snippet["code_offset"], start = snippet["highlight_start_offset"];
  CHECK(offset + start == 20006);
  CHECK(code.substr(start, 1) == "p");
  const auto sarif = nlohmann::json::parse(RenderSarif(OnALongLine(), "0.1.0"));
  const auto& context = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["contextRegion"];
  CHECK(context["snippet"]["text"].get<std::string>().size() <= 1024);
  const size_t byte_offset = context["byteOffset"];
  CHECK(byte_offset <= 20006);
  CHECK(byte_offset + context["byteLength"].get<size_t>() > 20007);
}
