// `relc explain CODE`: the long form of a diagnostic, with an example and its fix.
#include <fmt/format.h>

#include "diagnostics/diagnostic_kind.h"
#include "driver/commands.h"

namespace relc::driver {
namespace {


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
    .summary = "Explain a diagnostic code, with an example",
    .usage = "[code]",
    .description = "Prints what a diagnostic means, an example that produces it and how to fix it.\n"
                   "Codes may be written REL0011, rel0011 or 11. With no code, lists every code.",
    .options = {},
    .run = RunExplain,
};

}  // namespace relc::driver
