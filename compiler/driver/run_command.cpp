// `relc run`: simulate a program over a dataset and print what it would achieve.
// `relc test`: the same simulation, judged by the program's `expect` lines.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

#include "data/values.h"
#include "driver/commands.h"
#include "driver/output_file.h"
#include "driver/session.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "simulate/simulate.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kRunOptions[] = {
    kDataOptions[0],  kDataOptions[1],  kDataOptions[2], kEngineOptions[0], kEngineOptions[1], kEngineOptions[2],
    {"--days", "", "N", "how many days to simulate (default 90)"},
    {"--seed", "", "S", "the seed of every random draw (default 1): the same seed gives the same report"},
    {"--runs", "", "R", "repeat the simulation with R seeds derived from S: KPIs get their mean and 95 % interval"},
    {"--threads", "", "T", "simulate on T threads (default: every core); the report does not depend on it"},
    {"--format", "", "FORMAT", "text (default) or json (relc test: text, json or github)"},
    {"--log", "", "FILE", "write every send and suppression to FILE as CSV (whole or not at all)"},
};

// 1,234,567.89 EUR
std::string Money(int64_t cents) {
  std::string digits = std::to_string(std::llabs(cents) / 100), grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return fmt::format("{}{}.{:02} EUR", cents < 0 ? "-" : "", grouped, std::llabs(cents) % 100);
}

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f} %", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

struct Judged {
  std::string name, text, value;
  bool holds = false;
};

// A KPI over several runs: its mean and a 95 % interval of that mean (normal approximation).
struct Spread {
  double mean = 0, low = 0, high = 0;
  size_t runs = 0;  // with a value (not null)
};

// Everything `run` and `test` print, for one program.
struct Report {
  const ir::Program* program = nullptr;
  simulate::Result result;
  std::vector<Judged> kpis, expectations, targets;
  std::vector<Spread> spreads;  // per KPI, with --runs
  int runs = 1;
};

// The metric slots, from a run's counts.
void FillMetrics(const ir::Program& program, const simulate::Result& r, evaluate::BoundData& bound) {
  for (size_t m = 0; m < program.metrics.size(); ++m) {
    const ir::MetricSlot& slot = program.metrics[m];
    const simulate::Counters* counters = &r.program;
    for (size_t s = 0; s < program.scenarios.size(); ++s) {
      if (program.scenarios[s].name != slot.scenario) continue;
      counters = &r.scenarios[s];
      for (size_t k = 0; k < program.scenarios[s].steps.size(); ++k) {
        if (!slot.step.empty() && program.scenarios[s].steps[k].label == slot.step) counters = &r.steps[s][k];
      }
    }
    bound.metrics()[m] = counters->Metric(slot.metric);
  }
}

// A KPI as a number: money in currency units, a percentage as a percentage; nullopt for null.
std::optional<double> KpiNumber(const ir::Program& program, const ir::Scalar& kpi, const ir::Engine& engine,
                                const evaluate::BoundData& bound) {
  ir::Value v = engine.Scalar(kpi.value, bound.frame());
  if (!v.valid) return std::nullopt;
  switch (program[kpi.value].type) {
    case ir::ValueType::Bool: return v.bits ? 1.0 : 0.0;
    case ir::ValueType::Int: return kpi.unit.empty() || kpi.unit == "%" ? static_cast<double>(v.bits) : static_cast<double>(v.bits) / 100;
    case ir::ValueType::Float: return kpi.unit == "%" ? 100 * v.AsFloat() : v.AsFloat();
  }
  return std::nullopt;
}

Spread SpreadOf(const std::vector<double>& values) {
  Spread s;
  s.runs = values.size();
  if (values.empty()) return s;
  for (double v : values) s.mean += v;
  s.mean /= static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  double half = values.size() > 1 ? 1.96 * std::sqrt(squares / static_cast<double>(values.size() - 1)) /
                                        std::sqrt(static_cast<double>(values.size()))
                                  : 0;
  s.low = s.mean - half;
  s.high = s.mean + half;
  return s;
}

// Evaluates KPIs, expectations and targets over the report's run.
void Judge(Report& report, const ir::Engine& engine, evaluate::BoundData& bound) {
  const ir::Program& program = *report.program;
  FillMetrics(program, report.result, bound);
  auto show = [&](const ir::Scalar& scalar) {
    ir::Value v = engine.Scalar(scalar.value, bound.frame());
    if (!v.valid) return std::string("n/a");
    switch (program[scalar.value].type) {
      case ir::ValueType::Bool: return std::string(v.bits ? "true" : "false");
      case ir::ValueType::Int: return scalar.unit.empty() || scalar.unit == "%" ? std::to_string(v.bits) : Money(v.bits);
      case ir::ValueType::Float:
        return scalar.unit == "%" ? fmt::format("{:.2f} %", 100 * v.AsFloat()) : fmt::format("{:.4g}", v.AsFloat());
    }
    return std::string();
  };
  for (const ir::Scalar& kpi : program.kpis) report.kpis.push_back({kpi.name, kpi.text, show(kpi), true});
  for (const auto* list : {&program.expectations, &program.targets}) {
    auto& out = list == &program.expectations ? report.expectations : report.targets;
    for (const ir::Scalar& condition : *list) {
      ir::Value v = engine.Scalar(condition.value, bound.frame());
      out.push_back({condition.name, condition.text, "", v.valid && v.bits != 0});
    }
  }
}

nlohmann::ordered_json CountersJson(const simulate::Counters& c) {
  return {{"entered", c.entered},     {"exited", c.exited},       {"sent", c.sent},
          {"delivered", c.delivered}, {"opened", c.opened},       {"clicked", c.clicked},
          {"converted", c.converted}, {"purchases", c.purchases}, {"revenue_cents", c.revenue_cents},
          {"cost_cents", c.cost_cents}, {"unsubscribed", c.unsubscribed}, {"suppressed", c.suppressed},
          {"carts_recovered", c.carts_recovered}};
}

// Revenue per customer of those the program may contact, against the holdout's.
struct Uplift {
  double treated = 0, holdout = 0;
  int64_t incremental_cents = 0;
};

Uplift UpliftOf(const simulate::Result& r) {
  Uplift u;
  if (r.customers > 0) u.treated = static_cast<double>(r.treated.revenue_cents) / static_cast<double>(r.customers);
  if (r.holdout_customers > 0) u.holdout = static_cast<double>(r.holdout.revenue_cents) / static_cast<double>(r.holdout_customers);
  if (r.holdout_customers > 0) u.incremental_cents = std::llround((u.treated - u.holdout) * static_cast<double>(r.customers));
  return u;
}

nlohmann::ordered_json ReportJson(const Report& report) {
  const simulate::Result& r = report.result;
  nlohmann::ordered_json scenarios = nlohmann::ordered_json::array();
  for (size_t s = 0; s < report.program->scenarios.size(); ++s) {
    const ir::Scenario& scenario = report.program->scenarios[s];
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (size_t k = 0; k < scenario.steps.size(); ++k) {
      if (scenario.steps[k].op != ir::StepOp::Send) continue;
      auto step = CountersJson(r.steps[s][k]);
      step["step"] = scenario.steps[k].text;
      steps.push_back(std::move(step));
    }
    auto entry = CountersJson(r.scenarios[s]);
    entry["scenario"] = scenario.name;
    entry["steps"] = std::move(steps);
    scenarios.push_back(std::move(entry));
  }
  auto judged = [](const std::vector<Judged>& list, bool with_value) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Judged& j : list) {
      nlohmann::ordered_json item = {{"name", j.name}, {"formula", j.text}};
      if (with_value) item["value"] = j.value;
      else item["holds"] = j.holds;
      out.push_back(std::move(item));
    }
    return out;
  };
  auto kpis = judged(report.kpis, true);
  for (size_t k = 0; k < report.spreads.size() && report.runs > 1; ++k) {
    const Spread& s = report.spreads[k];
    kpis[k]["over_runs"] = {{"runs", s.runs}, {"mean", s.mean}, {"low", s.low}, {"high", s.high}};
  }
  Uplift uplift = UpliftOf(r);
  return {{"program", report.program->title},
          {"customers", r.customers},
          {"holdout_customers", r.holdout_customers},
          {"totals", CountersJson(r.program)},
          {"scenarios", std::move(scenarios)},
          {"uplift", {{"revenue_per_customer_cents", std::llround(uplift.treated)},
                      {"holdout_revenue_per_customer_cents", std::llround(uplift.holdout)},
                      {"incremental_revenue_cents", uplift.incremental_cents}}},
          {"runs", report.runs},
          {"kpis", std::move(kpis)},
          {"objective_targets", judged(report.targets, false)},
          {"expectations", judged(report.expectations, false)}};
}

void PrintText(const Report& report, std::ostream& out) {
  const simulate::Result& r = report.result;
  const simulate::Counters& t = r.program;
  out << fmt::format("{}\n  {} customers, {} more in the holdout (never contacted)\n\n", report.program->title, r.customers,
                     r.holdout_customers);
  out << fmt::format("  {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}\n", "scenario / step", "entered", "sent",
                     "delivered", "opened", "clicked", "converted", "suppressed");
  for (size_t s = 0; s < report.program->scenarios.size(); ++s) {
    const ir::Scenario& scenario = report.program->scenarios[s];
    const simulate::Counters& c = r.scenarios[s];
    out << fmt::format("  {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}\n", scenario.name, c.entered, c.sent, c.delivered,
                       c.opened, c.clicked, c.converted, c.suppressed);
    for (size_t k = 0; k < scenario.steps.size(); ++k) {
      if (scenario.steps[k].op != ir::StepOp::Send) continue;
      const simulate::Counters& step = r.steps[s][k];
      std::string name = scenario.steps[k].text.size() > 26 ? scenario.steps[k].text.substr(0, 25) + "…" : scenario.steps[k].text;
      out << fmt::format("    {:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}\n", name, "", step.sent,
                         Percent(step.delivered, step.sent), Percent(step.opened, step.delivered),
                         Percent(step.clicked, step.delivered), step.converted, step.suppressed);
    }
  }
  Uplift uplift = UpliftOf(r);
  out << fmt::format("\n  purchases {} · revenue {} · cost {} · unsubscribed {} · carts recovered {}\n", t.purchases,
                     Money(t.revenue_cents), Money(t.cost_cents), t.unsubscribed, t.carts_recovered);
  if (r.holdout_customers > 0) {
    out << fmt::format("  uplift: {} per contacted customer against {} in the holdout: {} incremental revenue\n",
                       Money(std::llround(uplift.treated)), Money(std::llround(uplift.holdout)), Money(uplift.incremental_cents));
  }
  if (!report.kpis.empty()) out << "\n  KPIs\n";
  for (size_t k = 0; k < report.kpis.size(); ++k) {
    const Judged& kpi = report.kpis[k];
    out << fmt::format("    {:<16} {:>14}   = {}\n", kpi.name, kpi.value, kpi.text);
    if (report.runs > 1 && k < report.spreads.size() && report.spreads[k].runs > 0) {
      const Spread& s = report.spreads[k];
      out << fmt::format("    {:<16} {:>14}   mean over {} runs, 95 % interval [{:.4g}, {:.4g}]\n", "", fmt::format("{:.4g}", s.mean),
                         s.runs, s.low, s.high);
    }
  }
  for (const Judged& target : report.targets) {
    out << fmt::format("\n  objective {}: {} — {}\n", target.name, target.text, target.holds ? "met" : "not met");
  }
  if (!report.expectations.empty()) out << "\n  expectations\n";
  for (const Judged& e : report.expectations) out << fmt::format("    {} {}\n", e.holds ? "ok    " : "FAILED", e.text);
}

std::string LogCsv(const ir::Program& program, const simulate::Result& r, const data::CustomerStore& store) {
  static constexpr const char* kOutcomes[] = {"sent", "suppressed: no consent", "suppressed: pressure", "dropped: quiet hours"};
  std::string csv;
  const data::Column& ids = store.customers.columns[store.key_column];
  for (const simulate::LogEntry& e : r.log) {
    const ir::Step& step = program.scenarios[e.scenario].steps[e.step];
    csv += fmt::format("{},{},{},\"{}\",{},{},{},{},{},{},{}\n", ids.String(e.customer), data::FormatDateTime(e.time),
                       program.scenarios[e.scenario].name, step.message, step.channel, step.offer,
                       kOutcomes[static_cast<int>(e.outcome)], (e.responses & 2) != 0, (e.responses & 4) != 0,
                       (e.responses & 8) != 0, (e.responses & 16) != 0);
  }
  return csv;
}

// Runs every program of the file; nullopt (with `exit_code`) on a usage, data or program error.
std::optional<std::vector<Report>> RunPrograms(const ParsedOptions& options, Context& context, int& exit_code,
                                               std::optional<CompiledFile>& compiled, std::optional<Dataset>& dataset) {
  simulate::Options run;
  int runs = 1;
  try {
    run.days = std::stoi(options.Get("--days", "90"));
    run.seed = std::stoull(options.Get("--seed", "1"));
    run.threads = static_cast<unsigned>(std::stoul(options.Get("--threads", "0")));
    runs = std::stoi(options.Get("--runs", "1"));
  } catch (...) {
    PrintUsageError(context.err, "`--days`, `--seed` and `--threads` take whole numbers");
    exit_code = kExitUsageOrIo;
    return std::nullopt;
  }
  if (run.days <= 0 || run.days > 3660 || runs <= 0 || runs > 1000) {
    PrintUsageError(context.err, "`--days` is between 1 and 3660, `--runs` between 1 and 1000");
    exit_code = kExitUsageOrIo;
    return std::nullopt;
  }
  run.log = options.Has("--log");
  auto choice = ParseEngineChoice(options, context);
  if (!choice) {
    exit_code = kExitUsageOrIo;
    return std::nullopt;
  }
  compiled = CompileForEngines(options, context, exit_code);
  if (!compiled) return std::nullopt;
  dataset = LoadDataset(*compiled, options, context, exit_code);
  if (!dataset) return std::nullopt;

  std::vector<Report> reports;
  std::string log;
  for (const ir::Program& program : compiled->programs) {
    std::unique_ptr<ir::Engine> engine = MakeEngine(program, *compiled, *choice, context);
    if (!engine) {
      exit_code = kExitProgramErrors;
      return std::nullopt;
    }
    std::string error;
    auto bound = evaluate::BoundData::Bind(program, dataset->store, dataset->measures, dataset->measure_options,
                                           dataset->now, run.seed, error);
    if (!bound) {
      context.err << "error: " << error << '\n';
      exit_code = kExitProgramErrors;
      return std::nullopt;
    }
    std::vector<evaluate::Selection> panels = evaluate::EvaluatePanels(program, *engine, *bound);
    Report& report = reports.emplace_back();
    report.program = &program;
    report.result = simulate::Simulate(program, *engine, *bound, panels, dataset->measures, run);
    Judge(report, *engine, *bound);
    report.runs = runs;
    std::vector<std::vector<double>> values(program.kpis.size());
    for (int r = 0; r < runs; ++r) {
      simulate::Options derived = run;
      derived.seed = r == 0 ? run.seed : run.seed + static_cast<uint64_t>(r) * 0x9e3779b97f4a7c15ULL;
      derived.log = false;
      bound->frame().seed = derived.seed;
      simulate::Result other = r == 0 ? report.result : simulate::Simulate(program, *engine, *bound, panels, dataset->measures, derived);
      FillMetrics(program, other, *bound);
      for (size_t k = 0; k < program.kpis.size(); ++k) {
        if (auto v = KpiNumber(program, program.kpis[k], *engine, *bound)) values[k].push_back(*v);
      }
    }
    for (const auto& list : values) report.spreads.push_back(SpreadOf(list));
    bound->frame().seed = run.seed;
    if (run.log) log += LogCsv(program, report.result, dataset->store);
  }
  if (run.log) {
    std::string path = options.Get("--log", "");
    log = "customer,time,scenario,step,channel,offer,outcome,opened,clicked,converted,unsubscribed\n" + log;
    if (std::string failure = WriteFileAtomically(path, log); !failure.empty()) {
      PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, failure));
      exit_code = kExitUsageOrIo;
      return std::nullopt;
    }
  }
  exit_code = kExitSuccess;
  return reports;
}

// A simulation of the file's programs, once `--format` is one of `formats`.
struct Simulation {
  std::optional<CompiledFile> compiled;  // the reports point into it
  std::optional<Dataset> dataset;
  std::optional<std::vector<Report>> reports;
  int exit_code = 0;
};

std::unique_ptr<Simulation> SimulateFile(const ParsedOptions& options, Context& context, std::initializer_list<std::string_view> formats) {
  auto simulation = std::make_unique<Simulation>();
  std::string format = options.Get("--format", "text");
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    PrintUsageError(context.err, fmt::format("unknown format `{}`", format), fmt::format("choose one of {}", fmt::join(formats, ", ")));
    simulation->exit_code = kExitUsageOrIo;
    return simulation;
  }
  simulation->reports = RunPrograms(options, context, simulation->exit_code, simulation->compiled, simulation->dataset);
  return simulation;
}

int RunRun(const ParsedOptions& options, Context& context) {
  auto simulation = SimulateFile(options, context, {"text", "json"});
  if (!simulation->reports) return simulation->exit_code;
  const std::vector<Report>* reports = &*simulation->reports;
  std::string format = options.Get("--format", "text");
  if (format == "json") {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const Report& report : *reports) all.push_back(ReportJson(report));
    context.out << all.dump(2) << '\n';
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
  auto simulation = SimulateFile(options, context, {"text", "json", "github"});
  if (!simulation->reports) return simulation->exit_code;
  const std::vector<Report>* reports = &*simulation->reports;
  std::string format = options.Get("--format", "text");
  size_t failed = 0, total = 0;
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const Report& report : *reports) {
    for (const Judged& e : report.expectations) {
      ++total;
      failed += !e.holds;
      if (format == "json") json.push_back({{"program", report.program->title}, {"expect", e.text}, {"holds", e.holds}});
      if (format == "text") context.out << fmt::format("{} {} — expect {}\n", e.holds ? "ok    " : "FAILED", report.program->title, e.text);
      if (format == "github" && !e.holds) {
        context.out << fmt::format("::error file={},title=relc test::expectation failed in \"{}\": {}\n", options.positional[0],
                                   report.program->title, e.text);
      }
    }
  }
  if (format == "json") context.out << json.dump(2) << '\n';
  if (format == "text") context.out << fmt::format("\n{} expectation{}, {} failed\n", total, total == 1 ? "" : "s", failed);
  return failed > 0 ? kExitProgramErrors : kExitSuccess;
}

}  // namespace

const Command kRunCommand{
    .name = "run",
    .summary = "Simulate programs over customer data and report their KPIs",
    .usage = "[options] <file> --data <source>",
    .description = "Compiles the file, loads the data, and simulates each program from the as-of date for\n"
                   "`--days` days: its triggers, journeys, consent and pressure rules, and how customers\n"
                   "respond (docs/simulation.md). Prints sends, responses, revenue, cost, the uplift over\n"
                   "the holdout, the KPIs, objectives and expectations.",
    .options = kRunOptions,
    .run = RunRun,
};

const Command kTestCommand{
    .name = "test",
    .summary = "Simulate programs and check their `expect` lines",
    .usage = "[options] <file> --data <source>",
    .description = "Runs the same simulation as `relc run` and judges every `expect` of every program:\n"
                   "exit code 0 when all hold, 1 listing those that fail (`--format github` annotates\n"
                   "them in GitHub Actions).",
    .options = kRunOptions,
    .run = RunTest,
};

}  // namespace relc::driver
