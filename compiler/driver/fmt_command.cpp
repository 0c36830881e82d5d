// `relc fmt`: rewrite .rel files in the canonical layout, or, with --check, show what would
// change and fail (for CI).
#include <fmt/format.h>

#include "diagnostics/render.h"
#include "driver/commands.h"
#include "driver/output_file.h"
#include "driver/source_set.h"
#include "driver/unified_diff.h"
#include "syntax/format.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kFmtOptions[] = {
    {"--check", "", "", "change nothing: print a diff of each file not in the canonical layout, exit 1 if any"},
    {"--quiet", "-q", "", "no summary line"},
};

int RunFmt(const ParsedOptions& options, Context& context) {
  if (options.positional.empty()) {
    PrintUsageError(context.err, "`relc fmt` needs at least one file or directory", "try `relc fmt examples/`");
    return kExitUsageOrIo;
  }
  bool check = options.Has("--check");
  SourceSet sources = LoadSources(options.positional);
  for (const auto& problem : sources.problems) RenderHuman(problem, HumanStyle{}, context.err);

  int unformatted = 0, with_errors = 0, unwritable = 0;
  for (const auto& file : sources.files) {
    DiagnosticCollector diagnostics;
    std::optional<std::string> formatted = syntax::Format(file, diagnostics);
    if (!formatted) {
      ++with_errors;
      for (const auto& diagnostic : diagnostics.diagnostics()) {
        RenderHuman(diagnostic, HumanStyle{}, context.err);
        context.err << '\n';
      }
      continue;
    }
    if (*formatted == file->text()) continue;
    ++unformatted;
    if (check) {
      context.out << UnifiedDiff(file->text(), *formatted, file->path());
    } else if (std::string error = WriteFileAtomically(file->path(), *formatted); !error.empty()) {
      ++unwritable;
      PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", file->path(), error));
    }
  }

  if (!options.Has("--quiet")) {
    std::string files = fmt::format("{} file{}", sources.files.size(), sources.files.size() == 1 ? "" : "s");
    std::string outcome = check ? fmt::format("{} to reformat", unformatted)
                                : fmt::format("{} reformatted", unformatted - unwritable);
    if (with_errors > 0) outcome += fmt::format(", {} not formatted (syntax errors)", with_errors);
    context.err << fmt::format("fmt: {} checked, {}\n", files, outcome);
  }
  if (!sources.problems.empty() || unwritable > 0) return kExitUsageOrIo;
  return with_errors > 0 || (check && unformatted > 0) ? kExitProgramErrors : kExitSuccess;
}

}  // namespace

const Command kFmtCommand{
    .name = "fmt",
    .summary = "Rewrite .rel files in the canonical layout",
    .usage = "[--check] <file|directory>...",
    .description = "Lays out each file the one canonical way: one item per line, two spaces per\n"
                   "block, blocks written on one line kept on one line, comments and the author's\n"
                   "line breaks inside an item kept. Only whitespace changes, so the program does\n"
                   "not. Files are rewritten whole or not at all; a file with syntax errors is left\n"
                   "alone and its errors shown. With --check nothing is written: each file that\n"
                   "would change is shown as a unified diff on stdout and the exit code is 1.",
    .options = kFmtOptions,
    .run = RunFmt,
};

}  // namespace relc::driver
