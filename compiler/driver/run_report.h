// What `relc run` and `relc test` report of a simulation, per program: counts per scenario,
// step and split arm, the uplift over the holdout, KPIs (with their spread over several runs),
// objectives and expectations; as text, JSON or CSV, and the action log as CSV.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "data/load.h"
#include "data/store.h"
#include "distribute/distribute.h"
#include "evaluate/bind.h"
#include "ir/engine.h"
#include "simulate/simulate.h"

namespace relc::driver {

// A KPI (name, formula, value as printed, and as a number in its unit), an objective's target
// (name: the objective's) or an expectation (name: its `else` message, if any).
struct Judged {
  std::string name, text, value;
  bool holds = false;
  std::optional<double> number;
  std::string unit;  // "%", a currency, or "" for a plain number
  // An expectation judged over several runs (`relc test --runs`): "ok", "FAILED" or "undecided".
  std::string verdict;
};

// A KPI over several runs: its mean, a 95 % interval of that mean (normal approximation), and
// a 95 % prediction interval for one launch: where one more run would fall (mean ± t × sd ×
// √(1 + 1/N)), which does not narrow as runs are added. When runs draw the model's figures from
// their intervals, one more run is one more possible launch.
struct Spread {
  double mean = 0, low = 0, high = 0;
  double predict_low = 0, predict_high = 0;
  size_t runs = 0;  // with a value (not null)
};

// What a run was given, the same for every program of the run: so that a report can be traced.
struct RunInputs {
  struct File {
    std::string path, hash;  // hash: FNV-1a 64 of the file's bytes, in hex
  };
  std::vector<File> files;
  std::string data, as_of, model, pressure, engine;
  int days = 90, runs = 1;
  uint64_t seed = 1;
};

// Everything `run` and `test` print, for one program.
struct Report {
  const ir::Program* program = nullptr;
  std::string file;  // where the program is declared
  simulate::Result result;
  std::vector<Judged> kpis, expectations, targets;
  std::vector<Spread> spreads;  // per KPI, with --runs
  // With --runs, the program's built-in counts over the runs, by name (kCountNames).
  std::vector<Spread> count_spreads;
  // With --runs, per split arm (Result::variants), its figures over the runs (kArmFigureNames).
  std::vector<std::vector<Spread>> arm_spreads;
  int runs = 1;
  // Model figures with an interval (`within`), which runs after the first draw from it.
  size_t drawn_figures = 0;
  data::RowAccount rows;                 // where the data's rows went
  std::vector<std::string> assumptions;  // what the data's source assumed in place of columns
  const RunInputs* inputs = nullptr;
  int64_t start = 0;  // the run's first second (the as-of time), for dated series
  // Per named panel: its customers at the start, then a week later, two weeks later... (when a
  // scenario enters on a panel; at the start only otherwise).
  std::vector<std::pair<std::string, std::vector<int64_t>>> panel_weeks;
};

// The program-wide counts given a spread over runs, by their names in KPIs.
inline constexpr const char* kCountNames[] = {"entered",   "sent",      "delivered", "opened",
                                             "clicked",   "converted", "purchases", "revenue",
                                             "attributed_revenue", "cost", "unsubscribed", "suppressed",
                                             "carts_recovered", "signups", "referrals"};

// The metric slots, from a run's counts.
void FillMetrics(const ir::Program& program, const simulate::Result& r, evaluate::BoundData& bound);
// A KPI as a number: money in currency units, a percentage as a percentage; nullopt for null.
std::optional<double> KpiNumber(const ir::Program& program, const ir::Scalar& kpi, const ir::Engine& engine,
                                const evaluate::BoundData& bound);
Spread SpreadOf(const std::vector<double>& values);
// A mean over runs and its interval of the mean, in a unit: "2.95 % [2.80 %, 3.10 %]".
std::string SpreadText(const Spread& s, std::string_view unit);
// A mean over runs and where one launch would fall: "2.95 % (one launch: 2.40 % to 3.50 %)".
std::string PredictionText(const Spread& s, std::string_view unit);
// Whether every target of the program's objective holds: the objective's one verdict.
bool ObjectiveMet(const Report& report);
// An expectation's figure in one run: left - right of a comparison (in its unit), else 1 when it
// holds and 0 when not; nullopt when a side is null.
std::optional<double> ExpectationNumber(const ir::Program& program, size_t expectation, const ir::Engine& engine,
                                        const evaluate::BoundData& bound);
// Judges an expectation on its figures over the runs: "ok" when the 95 % interval of the mean
// clears the threshold, "FAILED" when it lies on the wrong side, "undecided" otherwise (a
// condition that is no comparison: held in every run, in none, or in some).
void JudgeOverRuns(Report& report, size_t expectation, const std::vector<double>& values);
// Evaluates KPIs, expectations and targets over the report's run.
void Judge(Report& report, const ir::Engine& engine, evaluate::BoundData& bound);

nlohmann::ordered_json ReportJson(const Report& report);
// Every count of a program, scenario, step or arm, by its name in the JSON report.
nlohmann::ordered_json CountersJson(const simulate::Counters& c);
// Where the data's rows went and what its source assumed: `data` in every JSON report.
nlohmann::ordered_json DataJson(const data::RowAccount& rows, const std::vector<std::string>& assumptions);
void PrintText(const Report& report, std::ostream& out);
// One row per program, scenario, send step and split arm, with every count: for spreadsheets.
std::string ReportCsv(const std::vector<Report>& reports);
// The action log's rows (without the header) for one program's run, customer by customer: each
// customer's `runs` of it, to merge processes' logs in the source's order (distribute::MergeRuns).
std::string LogCsv(const ir::Program& program, const simulate::Result& r, const data::CustomerStore& store,
                   std::vector<distribute::Run>& runs);
// A row per journey entered, held out (would have entered) or exited, per message sent or
// suppressed, and per purchase of every customer (converted: a message's conversion, with its
// scenario and step); `entry` numbers a customer's journeys in a scenario from 1.
inline constexpr const char* kLogHeader =
    "customer,time,scenario,step,channel,offer,outcome,opened,clicked,converted,unsubscribed,program,entry,amount\n";

}  // namespace relc::driver
