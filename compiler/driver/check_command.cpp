// `relc check`: every problem in every program, in the format the reader wants; and
// `relc ast`, the front end's output for one file.
#include <fmt/format.h>

#include <filesystem>
#include <set>
#include <tuple>

#include "ast/ast_dump.h"
#include "diagnostics/render.h"
#include "driver/commands.h"
#include "driver/source_set.h"
#include "driver/compile.h"
#include "syntax/parse.h"

namespace relc::driver {
namespace {

constexpr std::string_view kVersion = RELC_VERSION;

constexpr OptionSpec kCheckOptions[] = {
    {"--format", "", "human|json|sarif|github", "human (default), json, sarif or github"},
    {"--werror", "", "", "treat warnings as errors"},
    {"--color", "", "auto|always|never", "auto (default: on a terminal, unless NO_COLOR is set), always or never"},
    {"--quiet", "-q", "", "no summary line"},
};

bool UseColor(const ParsedOptions& options, const Environment& env, bool& valid) {
  std::string when = options.Get("--color", "auto");
  valid = when == "auto" || when == "always" || when == "never";
  if (when == "always") return true;
  if (when == "never") return false;
  return env.stderr_is_terminal && !env.no_color;
}

std::string Plural(int count, std::string_view word) {
  return fmt::format("{} {}{}", count, word, count == 1 ? "" : "s");
}

int RunCheck(const ParsedOptions& options, Context& context) {
  auto format = ParseDiagnosticFormat(options.Get("--format", "human"));
  if (!format) {
    PrintUsageError(context.err, fmt::format("unknown format `{}`", options.Get("--format", "")),
                    "choose one of human, json, sarif, github");
    return kExitUsageOrIo;
  }
  bool color_valid = true;
  bool color = UseColor(options, context.env, color_valid);
  if (!color_valid) {
    PrintUsageError(context.err, fmt::format("unknown value `{}` for `--color`", options.Get("--color", "")),
                    "choose one of auto, always, never");
    return kExitUsageOrIo;
  }
  if (options.positional.empty()) {
    PrintUsageError(context.err, "`relc check` needs at least one file or directory",
                    "try `relc check examples/`");
    return kExitUsageOrIo;
  }

  SourceSet sources = LoadSources(options.positional);
  DiagnosticCollector collected;
  for (auto& problem : sources.problems) collected.Consume(std::move(problem));
  DiagnosticCollector checked;
  for (const auto& file : sources.files) CompileFile(file, checked);
  // A file checked on its own and imported by another reports its problems once.
  std::set<std::tuple<std::string, uint32_t, uint32_t, std::string>> seen;
  for (auto& diagnostic : checked.diagnostics()) {
    std::error_code ignored;
    std::string identity = std::filesystem::weakly_canonical(diagnostic.path, ignored).string();
    if (seen.emplace(identity, diagnostic.range.begin, diagnostic.range.end, diagnostic.message).second) {
      collected.Consume(std::move(diagnostic));
    }
  }

  std::vector<Diagnostic>& diagnostics = collected.diagnostics();
  bool werror = options.Has("--werror");
  int errors = 0, warnings = 0;
  for (auto& diagnostic : diagnostics) {
    if (werror && diagnostic.severity == Severity::Warning) diagnostic.severity = Severity::Error;
    errors += diagnostic.severity == Severity::Error;
    warnings += diagnostic.severity == Severity::Warning;
  }

  switch (*format) {
    case DiagnosticFormat::Human:
      for (const auto& diagnostic : diagnostics) {
        RenderHuman(diagnostic, HumanStyle{color}, context.err);
        context.err << '\n';
      }
      break;
    case DiagnosticFormat::Json:
      context.out << RenderJson(diagnostics);
      break;
    case DiagnosticFormat::Sarif:
      context.out << RenderSarif(diagnostics, kVersion);
      break;
    case DiagnosticFormat::Github:
      for (const auto& diagnostic : diagnostics) RenderGithub(diagnostic, context.out);
      break;
  }

  bool machine_readable = *format == DiagnosticFormat::Json || *format == DiagnosticFormat::Sarif;
  if (!options.Has("--quiet") && !machine_readable) {
    std::string outcome = errors == 0 && warnings == 0
                              ? "no problems found"
                              : warnings == 0 ? Plural(errors, "error")
                              : errors == 0   ? Plural(warnings, "warning")
                                              : Plural(errors, "error") + ", " + Plural(warnings, "warning");
    context.err << fmt::format("checked {}: {}\n", Plural(static_cast<int>(sources.files.size()), "file"), outcome);
  }
  if (!sources.problems.empty()) return kExitUsageOrIo;
  return errors > 0 ? kExitProgramErrors : kExitSuccess;
}


int RunAst(const ParsedOptions& options, Context& context) {
  if (options.positional.size() != 1) {
    PrintUsageError(context.err, "`relc ast` takes exactly one file");
    return kExitUsageOrIo;
  }
  SourceSet sources = LoadSources(options.positional);
  for (const auto& problem : sources.problems) RenderHuman(problem, HumanStyle{}, context.err);
  if (sources.files.size() != 1) return kExitUsageOrIo;
  DiagnosticCollector collected;
  syntax::ParseResult result = syntax::Parse(sources.files[0], collected);
  for (const auto& diagnostic : collected.diagnostics()) RenderHuman(diagnostic, HumanStyle{}, context.err);
  context.out << ast::DumpAst(result.module, *sources.files[0]);
  return result.has_errors ? kExitProgramErrors : kExitSuccess;
}

}  // namespace

const Command kCheckCommand{
    .name = "check",
    .summary = "Check .rel programs and report every problem",
    .usage = "[options] <file|directory>...",
    .description = "Parses and checks each program and reports every problem found, each with its\n"
                   "location, the source line and a code that `relc explain` details. A directory\n"
                   "stands for every *.rel file below it (hidden directories are skipped).\n"
                   "Human output goes to stderr; json, sarif and github output to stdout.",
    .options = kCheckOptions,
    .run = RunCheck,
};

const Command kAstCommand{
    .name = "ast",
    .summary = "Print the syntax tree of a program (for relc's own tests)",
    .usage = "<file>",
    .description = "Prints the abstract syntax tree relc builds from one file, one declaration or\n"
                   "step per line with its line:column, expressions as s-expressions.",
    .options = {},
    .run = RunAst,
};

}  // namespace relc::driver
