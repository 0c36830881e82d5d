// `relc graph`: a scenario's journey as a picture (SVG, PNG through graphviz's `dot`), as
// Graphviz or Mermaid source, or as JSON for tools.
#include <fmt/format.h>

#include "diagnostics/render.h"
#include "diagnostics/suggest.h"
#include "driver/commands.h"
#include "driver/compile.h"
#include "driver/graphviz.h"
#include "driver/output_file.h"
#include "driver/source_set.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kGraphOptions[] = {
    {"--format", "", "dot|mermaid|json|svg|png", "dot (default), mermaid, json, svg or png"},
    {"--scenario", "", "NAME", "only this scenario (svg and png draw one scenario)"},
    {"--output", "-o", "FILE", "write to FILE (whole or not at all) instead of stdout"},
};


int RunGraph(const ParsedOptions& options, Context& context) {
  std::string format = options.Get("--format", "dot");
  if (format != "dot" && format != "mermaid" && format != "json" && format != "svg" && format != "png") {
    PrintUsageError(context.err, fmt::format("unknown format `{}`", format), "choose one of dot, mermaid, json, svg, png");
    return kExitUsageOrIo;
  }
  if (options.positional.size() != 1) {
    PrintUsageError(context.err, "`relc graph` takes exactly one file");
    return kExitUsageOrIo;
  }
  SourceSet sources = LoadSources(options.positional);
  for (const auto& problem : sources.problems) RenderHuman(problem, HumanStyle{}, context.err);
  if (sources.files.size() != 1) return kExitUsageOrIo;

  DiagnosticCollector diagnostics;
  CompiledFile compiled = CompileFile(sources.files[0], diagnostics);
  for (const auto& diagnostic : diagnostics.diagnostics()) {
    RenderHuman(diagnostic, HumanStyle{}, context.err);
    context.err << '\n';
  }
  if (compiled.has_errors) return kExitProgramErrors;

  std::vector<graph::ScenarioGraph> graphs = std::move(compiled.graphs);
  if (options.Has("--scenario")) {
    std::string wanted = options.Get("--scenario", "");
    std::vector<std::string> names;
    for (const auto& g : graphs) names.push_back(g.scenario);
    std::erase_if(graphs, [&](const graph::ScenarioGraph& g) { return g.scenario != wanted; });
    if (graphs.empty()) {
      auto close = ClosestMatch(wanted, names);
      PrintUsageError(context.err, fmt::format("no scenario `{}` in {}", wanted, options.positional[0]),
                      close ? fmt::format("did you mean `{}`?", *close)
                            : fmt::format("its scenarios: {}", fmt::join(names, ", ")));
      return kExitUsageOrIo;
    }
  }
  if (graphs.empty()) {
    PrintUsageError(context.err, fmt::format("{} has no scenario to draw", options.positional[0]));
    return kExitUsageOrIo;
  }

  std::string output;
  if (format == "json") {
    output = graph::ToJson(graphs);
  } else if (format == "mermaid") {
    for (const auto& g : graphs) output += (output.empty() ? "" : "\n") + ("%% scenario " + g.scenario + "\n") + graph::ToMermaid(g);
  } else if (format == "dot") {
    for (const auto& g : graphs) output += graph::ToDot(g);
  } else {
    if (graphs.size() > 1) {
      std::vector<std::string> names;
      for (const auto& g : graphs) names.push_back(g.scenario);
      PrintUsageError(context.err, fmt::format("{} draws one scenario at a time", format),
                      fmt::format("add `--scenario NAME`, one of: {}", fmt::join(names, ", ")));
      return kExitUsageOrIo;
    }
    if (std::string error = RunDot(graph::ToDot(graphs[0]), format, output); !error.empty()) {
      PrintUsageError(context.err, error);
      return kExitUsageOrIo;
    }
  }

  if (options.Has("--output")) {
    std::string path = options.Get("--output", "");
    if (std::string error = WriteFileAtomically(path, output); !error.empty()) {
      PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, error));
      return kExitUsageOrIo;
    }
    return kExitSuccess;
  }
  context.out << output;
  return kExitSuccess;
}

}  // namespace

const Command kGraphCommand{
    .name = "graph",
    .summary = "Draw a program's scenarios as graphs",
    .usage = "[options] <file>",
    .description = "Checks the file, then draws each scenario's journey: the trigger, every step (its\n"
                   "shape tells its kind), every transition labelled with its condition, delay, event or\n"
                   "split weight, and the exits. svg and png go through graphviz's `dot`.",
    .options = kGraphOptions,
    .run = RunGraph,
};

}  // namespace relc::driver
