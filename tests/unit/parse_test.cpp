#include <catch2/catch.hpp>

#include <filesystem>

#include "syntax/parse.h"

using namespace relc;

namespace {

struct Parsed {
  std::shared_ptr<const SourceFile> file;
  DiagnosticCollector diagnostics;
  syntax::ParseResult result;
};

std::unique_ptr<Parsed> ParseText(std::string text) {
  auto parsed = std::make_unique<Parsed>();
  parsed->file = std::make_shared<const SourceFile>("test.rel", std::move(text));
  parsed->result = syntax::Parse(parsed->file, parsed->diagnostics);
  return parsed;
}

const ast::ProgramDecl& OnlyProgram(const Parsed& parsed) {
  REQUIRE(parsed.result.module.decls.size() == 1);
  auto* program = parsed.result.module.decls[0]->As<ast::ProgramDecl>();
  REQUIRE(program != nullptr);
  return *program;
}

}  // namespace

TEST_CASE("a program keeps its UTF-8 title and doc comment", "[parse]") {
  auto parsed = ParseText("/// Relance des clients\n/// dormants.\nprogram \"Réactivation\" {}\n");
  CHECK(parsed->diagnostics.diagnostics().empty());
  const auto& program = OnlyProgram(*parsed);
  CHECK(program.title.value == "Réactivation");
  CHECK(program.doc == "Relance des clients\ndormants.");
  CHECK(parsed->file->Slice(program.range) == "program \"Réactivation\" {}");
}

TEST_CASE("quantities carry their unit which must be on the number line", "[parse]") {
  auto parsed = ParseText(
      "scenario s {\n"
      "  wait 5 days\n"
      "  set score = 5\n"
      "  next: send email \"x\"\n"
      "}\n");
  CHECK(parsed->diagnostics.diagnostics().empty());
  auto* scenario = parsed->result.module.decls.at(0)->As<ast::ScenarioDecl>();
  REQUIRE(scenario != nullptr);
  REQUIRE(scenario->steps.size() == 3);
  auto* wait = scenario->steps[0]->As<ast::WaitStep>();
  REQUIRE(wait != nullptr);
  auto* duration = wait->spec->As<ast::NumberLiteral>();
  REQUIRE(duration != nullptr);
  CHECK(duration->unit->name == "days");
  CHECK(duration->value == 5);
  auto* set = scenario->steps[1]->As<ast::SetStep>();
  REQUIRE(set != nullptr);
  CHECK_FALSE(set->value->As<ast::NumberLiteral>()->unit.has_value());
  CHECK(scenario->steps[2]->label->name == "next");
}

TEST_CASE("operators bind as documented", "[parse]") {
  auto parsed = ParseText("panel p = customers where a > 1 and b in top 20% or not c\n");
  CHECK(parsed->diagnostics.diagnostics().empty());
  auto* panel = parsed->result.module.decls.at(0)->As<ast::PanelDecl>();
  REQUIRE(panel != nullptr);
  auto* where = panel->definition->As<ast::BinaryExpr>();
  REQUIRE(where != nullptr);
  CHECK(where->op == ast::BinaryOp::Where);
  auto* disjunction = where->right->As<ast::BinaryExpr>();
  REQUIRE(disjunction != nullptr);
  CHECK(disjunction->op == ast::BinaryOp::Or);
  auto* conjunction = disjunction->left->As<ast::BinaryExpr>();
  REQUIRE(conjunction != nullptr);
  CHECK(conjunction->op == ast::BinaryOp::And);
  CHECK(conjunction->right->As<ast::BinaryExpr>()->op == ast::BinaryOp::InTop);
}

TEST_CASE("three independent syntax errors give three diagnostics", "[parse][recovery]") {
  auto parsed = ParseText(
      "program \"P\" {\n"
      "  panel a = customers where recency >\n"
      "  offer o = discount 10%\n"
      "  kpi k = sent / / delivered\n"
      "  scenario s {\n"
      "    send email \"x\" with\n"
      "  }\n"
      "}\n");
  CHECK(parsed->result.has_errors);
  const auto& found = parsed->diagnostics.diagnostics();
  REQUIRE(found.size() == 3);
  CHECK(parsed->file->Locate(found[0].range.begin).line == 3);
  CHECK(parsed->file->Locate(found[1].range.begin).line == 4);
  CHECK(parsed->file->Locate(found[2].range.begin).line == 7);
}

TEST_CASE("an unclosed block names the block and where it opened", "[parse][recovery]") {
  auto parsed = ParseText("program \"P\" {\n  scenario s {\n    send email \"x\"\n");
  const auto& found = parsed->diagnostics.diagnostics();
  REQUIRE(found.size() == 1);
  CHECK(found[0].kind == DiagnosticKind::UnclosedBlock);
  CHECK(found[0].message == "expected `}` to close scenario `s` opened at 2:14");
}

TEST_CASE("garbage never crashes the parser", "[parse][recovery]") {
  const char* inputs[] = {"", "}", "{{{{", "program", "program \"", "scenario s { branch { when -> } }",
                          "panel = = =", "\xff\xfe\x00", "wait until", "/* never closed",
                          "program \"x\" { scenario s { split { 50% -> } winner by after } }"};
  for (const char* input : inputs) {
    INFO(input);
    auto parsed = ParseText(input);
    CHECK((parsed->result.has_errors || std::string(input).empty()));
  }
}

TEST_CASE("every file under examples/ and stdlib/ parses cleanly", "[parse][examples]") {
  int files = 0;
  for (const char* folder : {"/examples", "/stdlib"}) {
    std::filesystem::path root = std::string(RELC_SOURCE_DIR) + folder;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.path().extension() != ".rel") continue;
      ++files;
      std::string error;
      auto source = SourceFile::Read(entry.path().string(), error);
      REQUIRE(source.has_value());
      DiagnosticCollector diagnostics;
      syntax::Parse(std::make_shared<const SourceFile>(std::move(*source)), diagnostics);
      INFO(entry.path().string());
      CHECK(diagnostics.diagnostics().empty());
    }
  }
  CHECK(files >= 3);
}

namespace {

// The words of the first backticked paragraph after `heading` in docs/language.md.
std::vector<std::string> DocumentedWords(const std::string& heading) {
  std::string error;
  auto doc = SourceFile::Read(RELC_SOURCE_DIR "/docs/language.md", error);
  REQUIRE(doc.has_value());
  const std::string& text = doc->text();
  size_t start = text.find('`', text.find(heading));
  size_t end = text.find('`', start + 1);
  std::vector<std::string> words;
  std::string word;
  for (char c : text.substr(start + 1, end - start - 1)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

}  // namespace

TEST_CASE("docs/language.md lists the reserved words the grammar reserves", "[parse][docs]") {
  auto reserved = DocumentedWords("These words cannot be names:");
  CHECK(reserved.size() > 40);
  for (const auto& word : reserved) {
    INFO(word);
    auto parsed = ParseText("panel " + word + " = customers\n");
    REQUIRE(!parsed->diagnostics.diagnostics().empty());
    CHECK(parsed->diagnostics.diagnostics()[0].kind == DiagnosticKind::KeywordAsName);
  }
  auto soft = DocumentedWords("These are keywords only where");
  CHECK(soft.size() > 20);
  for (const auto& word : soft) {
    INFO(word);
    auto parsed = ParseText("panel " + word + " = customers\n");
    CHECK(parsed->diagnostics.diagnostics().empty());
  }
}
