// `relc fmt`: any bytes as a .rel file. Oracle: a file without syntax errors formats to a file
// that parses without errors to the same AST, and formatting that again changes nothing.
#include <cstdint>
#include <string>

#include "ast/ast_dump.h"
#include "fuzz_check.h"
#include "syntax/format.h"
#include "syntax/parse.h"

namespace {

// The AST without positions, or nullopt when the text has syntax errors.
std::optional<std::string> AstOf(const std::shared_ptr<const relc::SourceFile>& file) {
  relc::DiagnosticCollector ignored;
  relc::syntax::ParseResult parsed = relc::syntax::Parse(file, ignored);
  if (parsed.has_errors) return std::nullopt;
  return relc::ast::DumpAst(parsed.module, *file, /*with_positions=*/false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = std::make_shared<const relc::SourceFile>("fuzz.rel", std::string(reinterpret_cast<const char*>(data), size));
  relc::DiagnosticCollector diagnostics;
  std::optional<std::string> formatted = relc::syntax::Format(input, diagnostics);
  const std::optional<std::string> before = AstOf(input);
  FUZZ_REQUIRE(formatted.has_value() == before.has_value(), "fmt and the parser disagree on whether the file has syntax errors");
  if (!formatted) return 0;
  auto output = std::make_shared<const relc::SourceFile>("fuzz.rel", *formatted);
  const std::optional<std::string> after = AstOf(output);
  FUZZ_REQUIRE(after.has_value(), "the formatted file has syntax errors:\n%s", formatted->c_str());
  FUZZ_REQUIRE(*before == *after, "fmt changed the AST:\n--- before\n%s\n--- after\n%s", before->c_str(), after->c_str());
  relc::DiagnosticCollector again_diagnostics;
  std::optional<std::string> again = relc::syntax::Format(output, again_diagnostics);
  FUZZ_REQUIRE(again && *again == *formatted, "fmt is not idempotent:\n--- once\n%s\n--- twice\n%s", formatted->c_str(),
               again ? again->c_str() : "(syntax errors)");
  return 0;
}
