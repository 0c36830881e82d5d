// `relc explain CODE`: the long form of a diagnostic, with an example and its fix.
// `relc explain NAME`: what a name of the standard library or a built-in is, from its doc comment.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "diagnostics/diagnostic_kind.h"
#include "driver/commands.h"
#include "sema/sema.h"

namespace relc::driver {
namespace {

// Every module of the standard library and the built-ins, checked together; the names named
// `name`, each with its kind, where it is declared, its declaration's first line and its doc.
int ExplainName(const std::string& name, Context& context) {
  std::string importer = "import std.segments\nimport std.kpis\nimport std.scenarios\n";
  auto file = std::make_shared<const SourceFile>("<relc explain>", importer);
  DiagnosticCollector ignored;
  sema::CheckResult checked = sema::Check(file, ignored, {.stdlib_dir = sema::StdlibDir()});
  int found = 0;
  for (const sema::Symbol& symbol : checked.model.symbols) {
    if (symbol.name != name || symbol.kind == sema::SymbolKind::Parameter || symbol.kind == sema::SymbolKind::Step) continue;
    if (found++ > 0) context.out << '\n';
    if (symbol.file == nullptr) {
      context.out << fmt::format("{} `{}` (built in)\n", sema::KindWord(symbol.kind), name);
    } else {
      LineColumn at = symbol.file->Locate(symbol.range.begin);
      std::string module;
      for (const sema::Module& m : checked.model.modules) {
        if (m.file == symbol.file) module = m.name;
      }
      context.out << fmt::format("{} `{}` in {} ({}:{})\n", sema::KindWord(symbol.kind), name, module, symbol.file->path(), at.line);
      // A short declaration whole (a channel's figures), else the line that names it.
      bool whole = symbol.decl != nullptr && symbol.kind != sema::SymbolKind::Attribute;
      uint32_t first = at.line, last = at.line;
      if (whole) {
        first = symbol.file->Locate(symbol.decl->range.begin).line;
        last = symbol.file->Locate(symbol.decl->range.end).line;
        if (last - first >= 10) last = first = at.line;
      }
      for (uint32_t line = first; line <= last; ++line) context.out << "  " << symbol.file->LineText(line) << '\n';
    }
    if (!symbol.doc.empty()) context.out << '\n' << symbol.doc << '\n';
  }
  return found > 0 ? kExitSuccess : kExitUsageOrIo;
}

bool LooksLikeCode(const std::string& text) {
  std::string digits = text.size() > 3 && (text.starts_with("REL") || text.starts_with("rel")) ? text.substr(3) : text;
  return !digits.empty() && std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
}


std::vector<std::string> DiagnosticCodes() {
  std::vector<std::string> codes;
  for (const auto& info : AllDiagnosticKinds()) codes.emplace_back(CodeOf(info.kind));
  return codes;
}

int RunExplain(const ParsedOptions& options, Context& context) {
  if (options.positional.empty()) {
    context.out << "Diagnostic codes (`relc explain <code>` for details):\n";
    for (const auto& info : AllDiagnosticKinds()) {
      context.out << fmt::format("  {}  {:<7}  {}\n", CodeOf(info.kind), SeverityName(info.severity), info.format);
    }
    return kExitSuccess;
  }
  if (options.positional.size() > 1) {
    PrintUsageError(context.err, "`relc explain` takes one code");
    return kExitUsageOrIo;
  }
  if (!LooksLikeCode(options.positional[0])) {
    int status = ExplainName(options.positional[0], context);
    if (status != kExitSuccess) {
      PrintUsageError(context.err, fmt::format("`{}` is neither a diagnostic code nor a name of the standard library", options.positional[0]),
                      "`relc explain` with no code lists the codes; docs/language.md lists the library");
    }
    return status;
  }
  auto kind = ParseDiagnosticCode(options.positional[0]);
  if (!kind) {
    PrintUsageError(context.err, fmt::format("unknown diagnostic code `{}`", options.positional[0]),
                    "`relc explain` with no code lists them all");
    return kExitUsageOrIo;
  }
  const DiagnosticKindInfo& info = Info(*kind);
  context.out << fmt::format("{} ({}, {}): {}\n\n", CodeOf(*kind), info.name, SeverityName(info.severity), info.format);
  context.out << ExplanationOf(*kind);
  return kExitSuccess;
}

}  // namespace

const Command kExplainCommand{
    .name = "explain",
    .summary = "Explain a diagnostic code, or a name of the standard library",
    .usage = "[code | name]",
    .description = "Prints what a diagnostic means, an example that produces it and how to fix it.\n"
                   "Codes may be written REL0011, rel0011 or 11. With no code, lists every code.\n"
                   "With a name (`winback`, `email`, `recency`, `conversion_rate`), prints what the\n"
                   "standard library or the language declares under it, with its doc comment.",
    .options = {},
    .run = RunExplain,
    .operand_words = DiagnosticCodes,
};

}  // namespace relc::driver
