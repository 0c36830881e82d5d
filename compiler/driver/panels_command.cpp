// `relc panels`: how many customers each panel of a program selects in a dataset, computed by
// the JIT (or the interpreter): the first thing to look at before simulating a program.
//
// `relc emit-llvm`: the LLVM IR the JIT runs, for the curious and for bug reports.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "codegen/jit.h"
#include "distribute/distribute.h"
#include "driver/commands.h"
#include "driver/run_report.h"
#include "driver/session.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kPanelsOptions[] = {
    kDataOptions[0], kDataOptions[1], kDataOptions[2], kDataOptions[3], kDataOptions[4], kDataOptions[5], kDataOptions[6], kDataOptions[7], kEngineOptions[0], kEngineOptions[1], kEngineOptions[2], kEngineOptions[3],
    {"--format", "", "text|json", "text (default) or json"},
    kTimingsOption,
};

int RunPanels(const ParsedOptions& options, Context& context) {
  std::string format = options.Get("--format", "text");
  if (format != "text" && format != "json") {
    PrintUsageError(context.err, fmt::format("unknown format `{}`", format), "choose `text` or `json`");
    return kExitUsageOrIo;
  }
  auto choice = ParseEngineChoice(options, context);
  if (!choice) return kExitUsageOrIo;
  int exit_code = 0;
  auto compiled = CompileForEngines(options, context, exit_code);
  if (!compiled) return exit_code;
  Progress progress(context.env.stderr_is_terminal, std::chrono::milliseconds(context.env.progress_after_ms));
  auto dataset = LoadDataset({&*compiled}, options, context, exit_code, &progress, MeasuresNeeded::kReadByPrograms);
  if (!dataset) return exit_code;

  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const ir::Program& program : compiled->programs) {
    progress.Phase("compiling and binding");
    std::unique_ptr<ir::Engine> engine = MakeEngine(program, *compiled, *choice, context);
    if (!engine) return kExitProgramErrors;
    std::string error;
    auto bound = evaluate::BoundData::Bind(program, dataset->store, dataset->measures, dataset->measure_options,
                                           dataset->now, /*seed: panels draw nothing at random*/ 1, error);
    if (!bound) {
      context.err << "error: " << error << '\n';
      return kExitProgramErrors;
    }
    progress.Phase("evaluating panels");
    std::vector<evaluate::Selection> selections = evaluate::EvaluatePanels(program, *engine, *bound);
    // Every process's customers: the count of each named panel, then of all.
    std::vector<int64_t> counts;
    for (size_t p = 0; p < program.panels.size(); ++p) counts.push_back(static_cast<int64_t>(evaluate::CountSelected(selections[p])));
    counts.push_back(static_cast<int64_t>(bound->customer_count()));
    distribute::SumAll(counts);
    const auto customers = static_cast<size_t>(counts.back());
    if (format == "text") context.out << fmt::format("{}  ({} customers)\n", program.title, customers);
    nlohmann::ordered_json panels = nlohmann::ordered_json::array();
    for (size_t p = 0; p < program.panels.size(); ++p) {
      if (program.panels[p].name.empty()) continue;
      const auto selected = static_cast<size_t>(counts[p]);
      double share = customers ? 100.0 * static_cast<double>(selected) / static_cast<double>(customers) : 0;
      if (format == "text") context.out << fmt::format("  {:<24} {:>10} {:>6.1f} %\n", program.panels[p].name, selected, share);
      panels.push_back({{"panel", program.panels[p].name}, {"customers", selected}});
    }
    json.push_back({{"program", program.title}, {"customers", customers}, {"panels", std::move(panels)},
                    {"data", DataJson(dataset->rows, dataset->assumptions)}});
  }
  if (options.Has("--timings")) {
    context.err << "timings: " << progress.Timings() << '\n';
    if (std::string shares = Progress::ProcessShares(dataset->store.customers.rows); !shares.empty()) context.err << "timings: " << shares << '\n';
  }
  if (format == "json") context.out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return kExitSuccess;
}

constexpr OptionSpec kEmitOptions[] = {
    {"--unoptimized", "", "", "print the IR as generated, before the O2 pipeline"},
};

int RunEmitLlvm(const ParsedOptions& options, Context& context) {
  int exit_code = 0;
  auto compiled = CompileForEngines(options, context, exit_code);
  if (!compiled) return exit_code;
  for (const ir::Program& program : compiled->programs) {
    std::string error;
    std::string text = codegen::EmitLlvm(program, !options.Has("--unoptimized"), error);
    if (!error.empty()) {
      context.err << fmt::format("error[REL0502]: the JIT could not compile program `{}`: {}\n", program.title, error);
      return kExitProgramErrors;
    }
    context.out << fmt::format("; program \"{}\"\n", program.title) << text;
  }
  return kExitSuccess;
}

}  // namespace

const Command kPanelsCommand{
    .name = "panels",
    .summary = "Count the customers each panel selects in a dataset",
    .usage = "[options] <file> --data <source>",
    .description = "Checks and compiles the file, loads the dataset with the program's data contract,\n"
                   "computes the customer measures as of `--as-of`, and evaluates every named panel of\n"
                   "every program: how many customers it selects, and their share of all customers.",
    .options = kPanelsOptions,
    .run = RunPanels,
    .spreads = true,
};

const Command kEmitLlvmCommand{
    .name = "emit-llvm",
    .summary = "Print the LLVM IR a program compiles to",
    .usage = "[options] <file>",
    .description = "Prints, per program of the file, the LLVM module the JIT runs: one function per panel\n"
                   "filter, ranking, KPI, expectation and event condition, and one step machine per\n"
                   "scenario, after the O2 pipeline unless `--unoptimized`.",
    .options = kEmitOptions,
    .run = RunEmitLlvm,
};

}  // namespace relc::driver
