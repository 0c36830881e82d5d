// `relc run`: simulate a program over a dataset and print what it would achieve.
// `relc test`: the same simulation, judged by the program's `expect` lines.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <tuple>

#include "data/random.h"
#include "data/values.h"
#include "diagnostics/render.h"
#include "distribute/distribute.h"
#include "driver/arm_report.h"
#include "driver/commands.h"
#include "driver/crm_events.h"
#include "driver/html_output.h"
#include "driver/output_file.h"
#include "driver/program_runs.h"
#include "driver/run_report.h"
#include "driver/session.h"
#include "driver/source_set.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "ir/lower.h"
#include "simulate/simulate.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kRunOptions[] = {
    kDataOptions[0],  kDataOptions[1],  kDataOptions[2], kDataOptions[3], kDataOptions[4], kDataOptions[5], kDataOptions[6], kDataOptions[7], kEngineOptions[0], kEngineOptions[1], kEngineOptions[2], kEngineOptions[3],
    {"--days", "", "N", "how many days to simulate (default 90)"},
    {"--seed", "", "S", "the seed of every random draw (default 1): the same seed gives the same report"},
    {"--runs", "", "R", "repeat the simulation with R seeds derived from S: KPIs get their mean and 95 % interval"},
    {"--threads", "", "T", "simulate on T threads (default: every core); the report does not depend on it"},
    {"--format", "", "text|json|csv", "text (default), json or csv"},
    {"--log", "", "FILE", "write every send and suppression to FILE as CSV (whole or not at all)"},
    {"--events", "", "FILE", "write what the simulated customers did (purchases, carts, opens, clicks...) to FILE as CRM events"},
    {"--pressure", "", "FILE", "a pressure policy shared by every program run (the `pressure` blocks at FILE's top)"},
    {"--model", "", "FILE", "a response model to simulate with, such as `relc calibrate`'s: its figures win over every other"},
    {"--html", "", "FILE", "also write the report as one HTML page of charts that works offline (whole or not at all)"},
    kTimingsOption,
};

// `relc test`: the same, and what an undecided expectation does.
constexpr auto kTestOptions = [] {
  std::array<OptionSpec, std::size(kRunOptions) + 1> options{};
  std::copy(std::begin(kRunOptions), std::end(kRunOptions), options.begin());
  for (auto& option : options) {
    if (option.name == "--format") option = {"--format", "", "text|json|github", "text (default), json or github"};
  }
  options.back() = {"--strict", "", "", "with --runs, an undecided expectation (its interval straddles the threshold) fails too"};
  return options;
}();

// A simulation of the files' programs together.
struct Simulation {
  std::deque<CompiledFile> compiled;  // the reports point into it
  std::optional<ir::Pressure> shared_pressure;
  std::optional<Dataset> dataset;
  std::optional<std::vector<Report>> reports;
  RunInputs inputs;  // the reports point at it
  int exit_code = 0;
};

// A shared pressure policy from `--pressure FILE`: the `pressure` blocks at the top of FILE.
std::optional<ir::Pressure> LoadSharedPressure(const std::string& path, Context& context, int& exit_code) {
  std::vector<std::string> paths = {path};
  SourceSet sources = LoadSources(paths);
  for (const auto& problem : sources.problems) RenderHuman(problem, HumanStyle{}, context.err);
  exit_code = kExitUsageOrIo;
  if (sources.files.size() != 1) return std::nullopt;
  CompiledFile policy = CompileAndRender(sources.files[0], context);
  if (policy.has_errors) {
    exit_code = kExitProgramErrors;
    return std::nullopt;
  }
  std::optional<ir::Pressure> pressure = ir::LowerSharedPressure(policy.checked.model);
  if (!pressure) {
    PrintUsageError(context.err, fmt::format("`{}` has no `pressure` block at its top level", path),
                    "a shared policy is a file such as: pressure { at most 3 messages per 7 days }");
    return std::nullopt;
  }
  exit_code = kExitSuccess;
  return pressure;
}

// Runs every program of the files together; nullopt (with `exit_code`) on a usage, data or
// program error.
std::optional<std::vector<Report>> RunPrograms(const ParsedOptions& options, Context& context, int& exit_code, Simulation& out) {
  simulate::Options run;
  // Each number whole: `--seed 1e3` or `--days 10x` is a usage error, never 1 or 10.
  std::optional<uint64_t> days, seed, threads, repeats;
  for (auto [name, fallback, low, high, value] :
       {std::tuple{"--days", "90", uint64_t{1}, uint64_t{3660}, &days}, std::tuple{"--seed", "1", uint64_t{0}, UINT64_MAX, &seed},
        std::tuple{"--threads", "0", uint64_t{0}, uint64_t{1024}, &threads}, std::tuple{"--runs", "1", uint64_t{1}, uint64_t{1000}, &repeats}}) {
    *value = ParseWholeNumber(options.Get(name, fallback), high);
    if (!*value || **value < low) {
      PrintUsageError(context.err, fmt::format("`{}` takes a whole number from {} to {}, not `{}`", name, low, high, options.Get(name, fallback)));
      exit_code = kExitUsageOrIo;
      return std::nullopt;
    }
  }
  run.days = static_cast<int>(*days);
  run.seed = *seed;
  run.threads = static_cast<unsigned>(*threads);
  const int runs = static_cast<int>(*repeats);
  run.log = options.Has("--log");
  auto choice = ParseEngineChoice(options, context);
  if (!choice) {
    exit_code = kExitUsageOrIo;
    return std::nullopt;
  }
  auto compiled = CompileFilesForEngines(options, context, exit_code);
  if (!compiled) return std::nullopt;
  out.compiled = std::move(*compiled);
  if (options.Has("--pressure")) {
    out.shared_pressure = LoadSharedPressure(options.Get("--pressure", ""), context, exit_code);
    if (!out.shared_pressure) return std::nullopt;
    run.shared_pressure = &*out.shared_pressure;
  }
  std::vector<const CompiledFile*> files;
  for (const CompiledFile& file : out.compiled) files.push_back(&file);
  Progress progress(context.env.stderr_is_terminal, std::chrono::milliseconds(context.env.progress_after_ms));
  out.dataset = LoadDataset(files, options, context, exit_code, &progress);
  if (!out.dataset) return std::nullopt;
  const Dataset& dataset = *out.dataset;

  out.inputs = {.data = options.Get("--data", ""), .as_of = data::FormatDate(static_cast<int32_t>(dataset.now / 86400)),
                .model = options.Get("--model", ""), .pressure = options.Get("--pressure", ""),
                .engine = options.Get("--engine", "jit"), .days = run.days, .runs = runs, .seed = run.seed};
  for (const CompiledFile& file : out.compiled) {
    const SourceFile& source = *file.checked.model.modules.front().file;
    out.inputs.files.push_back({source.path(), fmt::format("{:016x}", data::HashName(source.text()))});
  }

  progress.Phase("compiling and binding");
  std::optional<ProgramRuns> prepared = PreparePrograms(out.compiled, dataset, *choice, run.days, run.seed, context, exit_code);
  if (!prepared) return std::nullopt;
  ProgramRuns& loaded = *prepared;
  std::vector<Report> reports;
  for (size_t p = 0; p < loaded.runs.size(); ++p) {
    const ir::Program& program = *loaded.runs[p].program;
    Report& report = reports.emplace_back();
    report.program = &program;
    report.file = loaded.files[p]->checked.model.modules.front().file->path();
    report.runs = runs;
    report.drawn_figures = static_cast<size_t>(std::count_if(program.response_rates.begin(), program.response_rates.end(),
                                                             [](const ir::ResponseRate& rate) { return rate.low != ir::kNoExpr; }));
    report.rows = dataset.rows;
    report.assumptions = dataset.assumptions;
    report.inputs = &out.inputs;
    report.start = dataset.now;
    for (size_t i = 0; i < program.panels.size(); ++i) {
      if (program.panels[i].name.empty()) continue;
      std::vector<int64_t> weeks = {static_cast<int64_t>(evaluate::CountSelected(loaded.panels[p][i]))};
      for (const auto& week : loaded.weekly_panels[p]) weeks.push_back(static_cast<int64_t>(evaluate::CountSelected(week[i])));
      distribute::SumAll(weeks);  // every process's customers
      report.panel_weeks.emplace_back(program.panels[i].name, std::move(weeks));
    }
  }
  std::vector<std::vector<std::vector<double>>> values(reports.size());  // per program, per KPI, per run
  std::vector<std::vector<std::vector<double>>> counts(reports.size());  // per program, per count, per run
  // Per program, per expectation, per run: left - right of a comparison, else 1 or 0 as it holds.
  std::vector<std::vector<std::vector<double>>> expected(reports.size());
  // Per program, per split arm, per arm figure, per run.
  std::vector<std::vector<std::array<std::vector<double>, std::size(kArmFigureNames)>>> arms(reports.size());
  for (size_t p = 0; p < reports.size(); ++p) {
    values[p].resize(reports[p].program->kpis.size());
    counts[p].resize(std::size(kCountNames));
    expected[p].resize(reports[p].program->expectations.size());
  }
  const std::vector<uint64_t> customer_keys = simulate::CustomerKeys(dataset.store);
  run.customer_keys = &customer_keys;
  run.store = &dataset.store;
  progress.Phase(runs > 1 ? fmt::format("simulating {} runs", runs) : "simulating", dataset.store.customers.rows * static_cast<size_t>(runs));
  run.customers_done = &progress.done();
  for (int r = 0; r < runs; ++r) {
    simulate::Options derived = run;
    derived.seed = r == 0 ? run.seed : run.seed + static_cast<uint64_t>(r) * 0x9e3779b97f4a7c15ULL;
    derived.log = r == 0 && run.log;
    derived.record_events = r == 0 && options.Has("--events");
    // The first run simulates the model's figures as stated; each other one a launch it allows.
    derived.draw_figures = r > 0;
    for (auto& bound : loaded.bound) bound->frame().seed = derived.seed;
    std::vector<simulate::Result> results = simulate::Simulate(loaded.runs, dataset.measures, derived);
    if (!ReportRunaway(results, loaded.runs, dataset.store, context)) {
      exit_code = kExitProgramErrors;
      return std::nullopt;
    }
    for (size_t p = 0; p < reports.size(); ++p) {
      const ir::Program& program = *reports[p].program;
      if (r == 0) {
        reports[p].result = std::move(results[p]);
        Judge(reports[p], *loaded.engines[p], *loaded.bound[p]);
      }
      const simulate::Result& result = r == 0 ? reports[p].result : results[p];
      FillMetrics(program, result, *loaded.bound[p]);
      for (size_t c = 0; c < std::size(kCountNames); ++c) {
        auto value = static_cast<double>(result.program.Metric(kCountNames[c]));
        std::string_view name = kCountNames[c];
        bool money = name == "revenue" || name == "cost" || name == "attributed_revenue";
        counts[p][c].push_back(money ? value / 100 : value);
      }
      for (size_t k = 0; k < program.kpis.size(); ++k) {
        if (auto v = KpiNumber(program, program.kpis[k], *loaded.engines[p], *loaded.bound[p])) values[p][k].push_back(*v);
      }
      for (size_t e = 0; e < program.expectations.size(); ++e) {
        if (auto v = ExpectationNumber(program, e, *loaded.engines[p], *loaded.bound[p])) expected[p][e].push_back(*v);
      }
      arms[p].resize(result.variants.size());
      for (size_t v = 0; v < result.variants.size(); ++v) {
        const ArmValues figures = ArmValuesOf(result, result.variants[v]);
        for (size_t k = 0; k < figures.size(); ++k) {
          if (figures[k]) arms[p][v][k].push_back(*figures[k]);
        }
      }
    }
  }
  for (size_t p = 0; p < reports.size(); ++p) {
    for (const auto& list : values[p]) reports[p].spreads.push_back(SpreadOf(list));
    for (const auto& list : counts[p]) reports[p].count_spreads.push_back(SpreadOf(list));
    for (const auto& arm : arms[p]) {
      std::vector<Spread>& spreads = reports[p].arm_spreads.emplace_back();
      for (const auto& list : arm) spreads.push_back(SpreadOf(list));
    }
    if (runs > 1) {
      for (size_t e = 0; e < expected[p].size(); ++e) JudgeOverRuns(reports[p], e, expected[p][e]);
    }
  }
  if (run.log) {
    std::string log = kLogHeader;
    for (const Report& report : reports) {
      std::vector<distribute::Run> customers;
      log += distribute::MergeRuns(LogCsv(*report.program, report.result, dataset.store, customers), customers);
    }
    std::string path = options.Get("--log", "");
    if (std::string failure = WriteFileAtomically(path, log); !failure.empty()) {
      PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, failure));
      exit_code = kExitUsageOrIo;
      return std::nullopt;
    }
  }
  if (options.Has("--events")) {
    const simulate::Result& first = reports.front().result;
    const std::string path = options.Get("--events", "");
    if (std::string failure = WriteFileAtomically(path, CrmEventsCsv(first.events, first.timeline.channels, dataset.store)); !failure.empty()) {
      PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, failure));
      exit_code = kExitUsageOrIo;
      return std::nullopt;
    }
  }
  if (options.Has("--timings")) {
    context.err << "timings: " << progress.Timings() << '\n';
    if (std::string shares = Progress::ProcessShares(dataset.store.customers.rows); !shares.empty()) context.err << "timings: " << shares << '\n';
  }
  exit_code = kExitSuccess;
  return reports;
}

std::unique_ptr<Simulation> SimulateFiles(const ParsedOptions& options, Context& context,
                                          std::initializer_list<std::string_view> formats) {
  auto simulation = std::make_unique<Simulation>();
  std::string format = options.Get("--format", "text");
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    PrintUsageError(context.err, fmt::format("unknown format `{}`", format), fmt::format("choose one of {}", fmt::join(formats, ", ")));
    simulation->exit_code = kExitUsageOrIo;
    return simulation;
  }
  simulation->reports = RunPrograms(options, context, simulation->exit_code, *simulation);
  return simulation;
}

int RunRun(const ParsedOptions& options, Context& context) {
  auto simulation = SimulateFiles(options, context, {"text", "json", "csv"});
  if (!simulation->reports) return simulation->exit_code;
  const std::vector<Report>* reports = &*simulation->reports;
  if (options.Has("--html") && !WriteHtmlReport(*reports, options.Get("--html", ""), context)) return kExitUsageOrIo;
  std::string format = options.Get("--format", "text");
  if (format == "json") {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const Report& report : *reports) all.push_back(ReportJson(report));
    context.out << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return kExitSuccess;
  }
  if (format == "csv") {
    context.out << ReportCsv(*reports);
    return kExitSuccess;
  }
  context.out << fmt::format("simulated {} days from {}, seed {}\n\n", options.Get("--days", "90"),
                             data::FormatDate(static_cast<int32_t>(simulation->dataset->now / 86400)), options.Get("--seed", "1"));
  for (const Report& report : *reports) {
    PrintText(report, context.out);
    context.out << '\n';
  }
  return kExitSuccess;
}

int RunTest(const ParsedOptions& options, Context& context) {
  auto simulation = SimulateFiles(options, context, {"text", "json", "github"});
  if (!simulation->reports) return simulation->exit_code;
  const std::vector<Report>* reports = &*simulation->reports;
  if (options.Has("--html") && !WriteHtmlReport(*reports, options.Get("--html", ""), context)) return kExitUsageOrIo;
  const std::string format = options.Get("--format", "text");
  const bool strict = options.Has("--strict");
  size_t failed = 0, undecided = 0, total = 0;
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const Report& report : *reports) {
    for (const Judged& e : report.expectations) {
      ++total;
      const std::string verdict = !e.verdict.empty() ? e.verdict : e.holds ? "ok" : "FAILED";
      failed += verdict == "FAILED";
      undecided += verdict == "undecided";
      const bool fails = verdict == "FAILED" || (strict && verdict == "undecided");
      if (format == "json") {
        nlohmann::ordered_json item = {{"program", report.program->title}, {"expect", e.text}, {"holds", e.holds},
                                       {"verdict", verdict}, {"message", e.name}};
        if (report.runs > 1) item["over_runs"] = e.value;
        json.push_back(std::move(item));
      }
      if (format == "text") {
        context.out << fmt::format("{:<6} {} — expect {}", verdict, report.program->title, e.text);
        if (verdict != "ok" && !e.name.empty()) context.out << ": " << e.name;
        if (report.runs > 1) context.out << fmt::format("\n          {}", e.value);
        context.out << '\n';
      }
      if (format == "github" && verdict != "ok") {
        context.out << fmt::format("::{} file={},title=relc test::expectation {} in \"{}\": {}{}\n", fails ? "error" : "warning",
                                   report.file, verdict == "FAILED" ? "failed" : "undecided", report.program->title, e.text,
                                   e.name.empty() ? "" : " — " + e.name);
      }
    }
  }
  if (format == "json") context.out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  if (format == "text") {
    context.out << fmt::format("\n{} expectation{}, {} failed", total, total == 1 ? "" : "s", failed);
    if (undecided > 0) context.out << fmt::format(", {} undecided{}", undecided, strict ? " (failing: --strict)" : "");
    context.out << '\n';
  }
  return failed > 0 || (strict && undecided > 0) ? kExitProgramErrors : kExitSuccess;
}

}  // namespace

const Command kRunCommand{
    .name = "run",
    .summary = "Simulate programs over customer data and report their KPIs",
    .usage = "[options] <file>... --data <source>",
    .description = "Compiles the files, loads the data, and simulates their programs together from the\n"
                   "as-of date for `--days` days: triggers, journeys, consent and pressure rules (shared\n"
                   "across programs with `--pressure`), and how customers respond (docs/simulation.md).\n"
                   "Prints sends, responses, revenue, cost, the uplift over the holdout, the KPIs,\n"
                   "objectives and expectations.",
    .options = kRunOptions,
    .run = RunRun,
    .spreads = true,
};

const Command kTestCommand{
    .name = "test",
    .summary = "Simulate programs and check their `expect` lines",
    .usage = "[options] <file>... --data <source>",
    .description = "Runs the same simulation as `relc run` and judges every `expect` of every program:\n"
                   "exit code 0 when all hold, 1 listing those that fail (`--format github` annotates\n"
                   "them in GitHub Actions). With `--runs N`, each is judged on the N runs: ok when the\n"
                   "95 % interval of its mean clears the threshold, FAILED when it lies on the wrong\n"
                   "side, undecided otherwise (which fails only with `--strict`).",
    .options = kTestOptions,
    .run = RunTest,
    .spreads = true,
};

}  // namespace relc::driver
