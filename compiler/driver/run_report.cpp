#include "driver/run_report.h"

#include <fmt/format.h>

#include <cmath>

#include "data/values.h"
#include "driver/arm_report.h"
#include "driver/chart_data.h"
#include "driver/figure_sources.h"
#include "simulate/figures.h"

namespace relc::driver {
namespace {

// 1,234,567.89 EUR
std::string Money(int64_t cents, std::string_view currency) {
  std::string digits = std::to_string(std::llabs(cents) / 100), grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return fmt::format("{}{}.{:02} {}", cents < 0 ? "-" : "", grouped, std::llabs(cents) % 100, currency);
}

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f} %", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}


double Ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}

// The rates every program is judged by, whatever its KPIs, as percentages of their
// populations: conversion (per message sent), response (clicks per message delivered), open
// rate; the average basket of the conversions (cents, in the report's currency); and the ROI of
// the messages, a ratio.
nlohmann::ordered_json RatesJson(const simulate::Counters& c, const simulate::Figures& f) {
  return {{"conversion_rate_percent", 100 * Ratio(c.converted, c.sent)},
          {"response_rate_percent", 100 * Ratio(c.clicked, c.delivered)},
          {"open_rate_percent", 100 * Ratio(c.opened, c.delivered)},
          {"average_basket_cents", std::llround(Ratio(c.attributed_cents, c.converted))},
          {"roi", f.roi ? nlohmann::ordered_json(*f.roi) : nlohmann::ordered_json(nullptr)}};
}

nlohmann::ordered_json EstimateJson(const std::optional<simulate::Estimate>& e) {
  if (!e) return nullptr;
  return {{"value", std::llround(e->value)}, {"low", std::llround(e->low)}, {"high", std::llround(e->high)}};
}

// Who entered and what they bought from their entry on, beside the holdout who would have
// entered (scaled to as many customers), and the uplift with its 95 % interval.
nlohmann::ordered_json PopulationJson(const simulate::Population& entered, const simulate::Population& held,
                                      const simulate::Figures& f) {
  return {{"entered", {{"customers", entered.customers},
                       {"journeys", entered.journeys},
                       {"purchases", entered.purchases},
                       {"revenue_cents", entered.revenue_cents},
                       {"revenue_per_customer_cents", std::llround(f.revenue_per_entered)}}},
          {"holdout_would_have_entered", {{"customers", held.customers},
                                          {"purchases", held.purchases},
                                          {"revenue_cents", held.revenue_cents},
                                          {"revenue_per_customer_cents", std::llround(f.revenue_per_held_out)},
                                          {"purchases_scaled", f.held_out_purchases_scaled},
                                          {"revenue_scaled_cents", std::llround(f.held_out_revenue_scaled)}}},
          {"uplift", {{"confidence", 0.95},
                      {"revenue_per_entered_customer_cents", EstimateJson(f.uplift_per_entered)},
                      {"incremental_revenue_cents", EstimateJson(f.incremental_revenue)},
                      {"adjusted_by_spend_before", {{"revenue_per_entered_customer_cents", EstimateJson(f.uplift_adjusted)},
                                                    {"adjustment", f.adjustment},
                                                    {"variance_reduction", f.variance_reduction}}}}}};
}

std::string MoneyOf(double cents, std::string_view currency) { return Money(std::llround(cents), currency); }

std::string SignedMoney(double cents, std::string_view currency) {
  return (cents >= 0 ? "+" : "") + MoneyOf(cents, currency);
}

// "+1.20 EUR [-0.40, +2.80]", or "-" when there is no interval.
std::string EstimateText(const std::optional<simulate::Estimate>& e, std::string_view currency) {
  if (!e) return "n/a (fewer than two customers on a side)";
  return fmt::format("{} [{}, {}] (95 %)", SignedMoney(e->value, currency), SignedMoney(e->low, currency),
                     SignedMoney(e->high, currency));
}

// How conversions are attributed, for the report's header.
std::string AttributionText(const ir::Program& program) {
  const double window = program.goal_window_seconds > 0 ? program.goal_window_seconds : 3.0 * 86400;
  std::string goal = program.goal.event_type >= 0 ? program.event_types[program.goal.event_type] : "purchase";
  std::string span = window >= 86400 && std::fmod(window, 86400) == 0 ? fmt::format("{:g} days", window / 86400)
                                                                     : fmt::format("{:g} hours", window / 3600);
  return fmt::format("a conversion is a {} within {} of the delivery of the message that caused it (last touch)", goal, span);
}

// An arm by its first step: `arm 2: send email "b"`.
std::string ArmName(const ir::Program& program, const simulate::Variant& v) {
  return fmt::format("arm {}: {}", v.arm + 1, program.scenarios[v.scenario].steps[v.target].text);
}

std::string WinnerText(const ir::Program& program, const simulate::Result& r, const simulate::Winner& w) {
  std::string when = data::FormatDateTime(w.decided_at);
  auto arm = [&](int32_t index) {
    for (const simulate::Variant& v : r.variants) {
      if (v.scenario == w.scenario && v.step == w.step && v.arm == index) return ArmName(program, v);
    }
    return std::string("none");
  };
  if (w.leader < 0) return fmt::format("winner by {} on {}: none (no journey took an arm before)", w.metric, when);
  if (w.runner_up < 0) return fmt::format("winner by {} on {}: none (only {} was taken)", w.metric, when, arm(w.leader));
  std::string test = fmt::format("z = {:.2f} against {}, 95 % needs {:.2f}", w.z, arm(w.runner_up), simulate::Winner::kCriticalZ);
  if (w.arm >= 0) return fmt::format("winner by {} on {}: {} ({})", w.metric, when, arm(w.arm), test);
  return fmt::format("winner by {} on {}: none, {} leads without a significant lead ({}); the split goes on by its weights",
                     w.metric, when, arm(w.leader), test);
}

// A KPI's or count's value as the report prints it: money with its currency, a rate as a percentage.
std::string Show(double value, std::string_view unit) {
  if (unit == "%") return fmt::format("{:.2f} %", value);
  if (!unit.empty()) return fmt::format("{:.2f} {}", value, unit);
  return fmt::format("{:.4g}", value);
}

// The 97.5 % quantile of Student's t with `freedom` degrees of freedom: exact for 1 and 2, a
// Cornish-Fisher expansion beyond (within 1 % at 3, 0.3 % at 4, closer beyond).
double StudentT975(double freedom) {
  if (freedom < 1.5) return 12.7062;
  if (freedom < 2.5) return 4.3027;
  const double z = 1.959963984540054, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * freedom) + (5 * z5 + 16 * z3 + 3 * z) / (96 * freedom * freedom) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * freedom * freedom * freedom);
}

// What the spread over runs covers: simulation noise, and the model's uncertainty when its
// figures are drawn.
std::string DrawnText(const Report& report) {
  if (report.drawn_figures == 0) return "the mean and where one launch would fall (simulation noise only: no figure states an interval)";
  return fmt::format("the mean and where one launch would fall (95 %; each run after the first draws the model's {} figure{} "
                     "with an interval from it)", report.drawn_figures, report.drawn_figures == 1 ? "" : "s");
}

}  // namespace

nlohmann::ordered_json CountersJson(const simulate::Counters& c) {
  return {{"entered", c.entered},     {"exited", c.exited},       {"sent", c.sent},
          {"delivered", c.delivered}, {"opened", c.opened},       {"clicked", c.clicked},
          {"converted", c.converted}, {"purchases", c.purchases}, {"revenue_cents", c.revenue_cents},
          {"attributed_revenue_cents", c.attributed_cents}, {"cost_cents", c.cost_cents}, {"unsubscribed", c.unsubscribed}, {"suppressed", c.suppressed},
          {"carts_recovered", c.carts_recovered}, {"signups", c.signups}, {"referrals", c.referrals}};
}

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
    bound.metrics()[m] = slot.metric == "customers"           ? r.customers
                         : slot.metric == "holdout_customers" ? r.holdout_customers
                         : slot.metric == "entered_customers" ? r.entered.customers
                         : slot.metric == "holdout_entered"   ? r.held_out.customers
                         : slot.metric == "holdout_purchases" ? r.held_out.purchases
                         : slot.metric == "holdout_revenue"   ? r.held_out.revenue_cents
                                                              : counters->Metric(slot.metric);
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
  if (values.size() > 1) {
    const double sd = std::sqrt(squares / static_cast<double>(values.size() - 1));
    const double reach = StudentT975(static_cast<double>(values.size() - 1)) * sd * std::sqrt(1 + 1.0 / static_cast<double>(values.size()));
    s.predict_low = s.mean - reach;
    s.predict_high = s.mean + reach;
  } else {
    s.predict_low = s.predict_high = s.mean;
  }
  return s;
}

std::optional<double> ExpectationNumber(const ir::Program& program, size_t e, const ir::Engine& engine,
                                        const evaluate::BoundData& bound) {
  if (const std::optional<ir::Comparison>& sides = program.expectation_sides[e]) {
    std::optional<double> left = KpiNumber(program, sides->left, engine, bound);
    std::optional<double> right = KpiNumber(program, sides->right, engine, bound);
    if (!left || !right) return std::nullopt;
    return *left - *right;
  }
  ir::Value v = engine.Scalar(program.expectations[e].value, bound.frame());
  return v.valid && v.bits != 0 ? 1.0 : 0.0;
}

void JudgeOverRuns(Report& report, size_t e, const std::vector<double>& values) {
  Judged& judged = report.expectations[e];
  const std::optional<ir::Comparison>& sides = report.program->expectation_sides[e];
  const Spread spread = SpreadOf(values);
  if (values.empty()) {
    judged.verdict = "undecided";
    judged.value = "n/a in every run";
    judged.holds = false;
    return;
  }
  if (!sides) {  // not a comparison: held in every run, in none, or in some
    const auto held = static_cast<size_t>(std::count(values.begin(), values.end(), 1.0));
    judged.verdict = held == values.size() ? "ok" : held == 0 ? "FAILED" : "undecided";
    judged.value = fmt::format("held in {} of {} runs", held, values.size());
  } else {
    // Pass when the interval of the mean clears the threshold, fail when it lies on the wrong side.
    const double near = sides->greater ? spread.low : -spread.high, far = sides->greater ? spread.high : -spread.low;
    const bool clears = sides->inclusive ? near >= 0 : near > 0;
    const bool misses = sides->inclusive ? far < 0 : far <= 0;
    judged.verdict = clears ? "ok" : misses ? "FAILED" : "undecided";
    judged.value = fmt::format("{} - {} = {} over {} runs (mean, 95 % interval of the mean)", sides->left.text, sides->right.text,
                               SpreadText(spread, sides->left.unit), values.size());
  }
  judged.holds = judged.verdict == "ok";
}

// Evaluates KPIs, expectations and targets over the report's run.
void Judge(Report& report, const ir::Engine& engine, evaluate::BoundData& bound) {
  const ir::Program& program = *report.program;
  FillMetrics(program, report.result, bound);
  auto show = [&](const ir::Scalar& scalar) {
    if (program[scalar.value].type == ir::ValueType::Bool) {
      ir::Value v = engine.Scalar(scalar.value, bound.frame());
      return std::string(!v.valid ? "n/a" : v.bits ? "true" : "false");
    }
    std::optional<double> v = KpiNumber(program, scalar, engine, bound);
    return v ? Show(*v, scalar.unit) : std::string("n/a");
  };
  for (const ir::Scalar& kpi : program.kpis) {
    Judged& judged = report.kpis.emplace_back(Judged{kpi.name, kpi.text, show(kpi), true});
    judged.number = KpiNumber(program, kpi, engine, bound);
    judged.unit = kpi.unit;
  }
  for (const auto* list : {&program.expectations, &program.targets}) {
    auto& out = list == &program.expectations ? report.expectations : report.targets;
    for (const ir::Scalar& condition : *list) {
      ir::Value v = engine.Scalar(condition.value, bound.frame());
      // An expectation's name is its `else` message.
      out.push_back({condition.name, condition.text, "", v.valid && v.bits != 0});
    }
  }
}

std::string SpreadText(const Spread& s, std::string_view unit) {
  return fmt::format("{} [{}, {}]", Show(s.mean, unit), Show(s.low, unit), Show(s.high, unit));
}

std::string PredictionText(const Spread& s, std::string_view unit) {
  return fmt::format("{} (one launch: {} to {})", Show(s.mean, unit), Show(s.predict_low, unit), Show(s.predict_high, unit));
}

// The unit of a program-wide count given over runs: money in the program's currency.
std::string CountUnit(size_t count, const ir::Program& program) {
  std::string_view name = kCountNames[count];
  return name == "revenue" || name == "cost" || name == "attributed_revenue" ? program.currency : "";
}

bool ObjectiveMet(const Report& report) {
  return std::all_of(report.targets.begin(), report.targets.end(), [](const Judged& t) { return t.holds; });
}

nlohmann::ordered_json ReportJson(const Report& report) {
  const simulate::Result& r = report.result;
  const ir::Program& program = *report.program;
  nlohmann::ordered_json scenarios = nlohmann::ordered_json::array();
  for (size_t s = 0; s < program.scenarios.size(); ++s) {
    const ir::Scenario& scenario = program.scenarios[s];
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (size_t k = 0; k < scenario.steps.size(); ++k) {
      if (scenario.steps[k].op != ir::StepOp::Send) continue;
      auto step = CountersJson(r.steps[s][k]);
      step["step"] = scenario.steps[k].text;
      step["channel"] = scenario.steps[k].channel;
      steps.push_back(std::move(step));
    }
    nlohmann::ordered_json arms = nlohmann::ordered_json::array();
    for (size_t i = 0; i < r.variants.size(); ++i) {
      const simulate::Variant& v = r.variants[i];
      if (v.scenario != static_cast<int32_t>(s)) continue;
      auto arm = CountersJson(v.counters);
      arm["split"] = scenario.steps[v.step].text;
      arm["arm"] = v.arm + 1;
      arm["first_step"] = scenario.steps[v.target].text;
      arm["population"] = ArmPopulationJson(r, v, report.runs > 1 && i < report.arm_spreads.size() ? &report.arm_spreads[i] : nullptr);
      arms.push_back(std::move(arm));
    }
    nlohmann::ordered_json winners = nlohmann::ordered_json::array();
    for (const simulate::Winner& w : r.winners) {
      if (w.scenario != static_cast<int32_t>(s)) continue;
      auto arm_or_null = [](int32_t arm) { return arm >= 0 ? nlohmann::ordered_json(arm + 1) : nlohmann::ordered_json(nullptr); };
      winners.push_back({{"split", scenario.steps[w.step].text},
                         {"metric", w.metric},
                         {"decided_at", data::FormatDateTime(w.decided_at)},
                         {"arm", arm_or_null(w.arm)},
                         {"test", {{"leader", arm_or_null(w.leader)},
                                   {"runner_up", arm_or_null(w.runner_up)},
                                   {"z", w.z},
                                   {"critical_z", simulate::Winner::kCriticalZ},
                                   {"confidence", 0.95}}}});
    }
    const simulate::Figures figures = simulate::FiguresOf(r, static_cast<int>(s));
    auto entry = CountersJson(r.scenarios[s]);
    entry["scenario"] = scenario.name;
    entry["rates"] = RatesJson(r.scenarios[s], figures);
    entry["population"] = PopulationJson(r.scenario_entered[s], r.scenario_held_out[s], figures);
    entry["steps"] = std::move(steps);
    entry["split_arms"] = std::move(arms);
    entry["split_winners"] = std::move(winners);
    entry["journey"] = JourneyJson(scenario, r, s);
    scenarios.push_back(std::move(entry));
  }
  auto judged = [](const std::vector<Judged>& list, bool with_value) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Judged& j : list) {
      nlohmann::ordered_json item = {{"name", j.name}, {"formula", j.text}};
      if (with_value) {
        item["value"] = j.number ? nlohmann::ordered_json(*j.number) : nlohmann::ordered_json(nullptr);
        item["unit"] = j.unit;
        item["text"] = j.value;
      } else {
        item["holds"] = j.holds;
        if (!j.verdict.empty()) item["verdict"] = j.verdict;
      }
      out.push_back(std::move(item));
    }
    return out;
  };
  auto kpis = judged(report.kpis, true);
  for (size_t k = 0; k < report.spreads.size() && report.runs > 1; ++k) {
    const Spread& s = report.spreads[k];
    kpis[k]["over_runs"] = {{"runs", s.runs}, {"mean", s.mean}, {"mean_low", s.low}, {"mean_high", s.high},
                            {"predict_low", s.predict_low}, {"predict_high", s.predict_high},
                            {"text", PredictionText(s, report.kpis[k].unit)}};
  }
  nlohmann::ordered_json counts_over_runs = nlohmann::ordered_json::object();
  for (size_t c = 0; c < report.count_spreads.size() && report.runs > 1; ++c) {
    const Spread& s = report.count_spreads[c];
    counts_over_runs[kCountNames[c]] = {{"mean", s.mean}, {"mean_low", s.low}, {"mean_high", s.high}, {"predict_low", s.predict_low},
                                        {"predict_high", s.predict_high}, {"unit", CountUnit(c, program)}};
  }
  const simulate::Figures figures = simulate::FiguresOf(r);
  nlohmann::ordered_json carts = {{"journeys", r.entered.cart_journeys},
                                   {"recovered", r.program.carts_recovered},
                                   {"holdout_journeys", r.held_out.cart_journeys},
                                   {"holdout_bought", r.held_out.carts_bought}};
  carts["bought_anyway_expected"] = figures.carts_bought_anyway ? nlohmann::ordered_json(*figures.carts_bought_anyway) : nullptr;
  carts["recovered_net"] = figures.carts_recovered_net ? nlohmann::ordered_json(*figures.carts_recovered_net) : nullptr;
  nlohmann::ordered_json json = {{"program", program.title},
          {"currency", program.currency},
          {"attribution", {{"rule", "last touch"},
                           {"goal", program.goal.event_type >= 0 ? program.event_types[program.goal.event_type] : "purchase"},
                           {"window_seconds", program.goal_window_seconds > 0 ? program.goal_window_seconds : 3.0 * 86400},
                           {"text", AttributionText(program)}}},
          {"models", program.models},
          {"figure_sources", FigureSourcesJson(program, r)},
          {"customers", r.customers},
          {"holdout_customers", r.holdout_customers},
          {"totals", CountersJson(r.program)},
          {"rates", RatesJson(r.program, figures)},
          {"population", PopulationJson(r.entered, r.held_out, figures)},
          {"carts", std::move(carts)},
          {"scenarios", std::move(scenarios)},
          {"runs", report.runs},
          {"kpis", std::move(kpis)},
          {"objective_targets", judged(report.targets, false)},
          {"objective_met", ObjectiveMet(report)},
          {"expectations", judged(report.expectations, false)},
          {"data", DataJson(report.rows, report.assumptions)},
          {"timeline", TimelineJson(report)},
          {"pressure", PressureJson(report)},
          {"panels_by_week", PanelWeeksJson(report)}};
  if (report.inputs != nullptr) json["inputs"] = InputsJson(*report.inputs);
  // Money in currency units here: means are not whole cents.
  if (report.runs > 1) {
    json["totals_over_runs"] = std::move(counts_over_runs);
    json["figures_drawn"] = report.drawn_figures;
  }
  return json;
}

nlohmann::ordered_json DataJson(const data::RowAccount& rows, const std::vector<std::string>& assumptions) {
  return {{"rows", {{"read", rows.read}, {"loaded", rows.loaded}, {"left_out", rows.left_out},
                    {"without_customer", rows.without_customer}, {"unknown_customer", rows.unknown_customer},
                    {"rejected", rows.rejected}}},
          {"assumptions", assumptions}};
}

void PrintText(const Report& report, std::ostream& out) {
  const simulate::Result& r = report.result;
  const simulate::Counters& t = r.program;
  const ir::Program& program = *report.program;
  const std::string& currency = program.currency;
  out << fmt::format("{}\n  {} customers, {} more in the holdout (never contacted)\n", program.title, r.customers,
                     r.holdout_customers);
  out << fmt::format("  attribution: {}\n", AttributionText(program));
  for (const std::string& assumption : report.assumptions) out << fmt::format("  assumed: {}\n", assumption);
  if (!program.models.empty()) {
    out << fmt::format("  response model: {}; where each figure comes from:\n", fmt::join(program.models, ", "));
    out << FigureSourcesText(program, r);
  }
  out << '\n';
  out << fmt::format("  {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}\n", "scenario / step", "entered", "sent",
                     "delivered", "opened", "clicked", "converted", "suppressed");
  for (size_t s = 0; s < program.scenarios.size(); ++s) {
    const ir::Scenario& scenario = program.scenarios[s];
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
    for (size_t i = 0; i < r.variants.size(); ++i) {
      const simulate::Variant& v = r.variants[i];
      if (v.scenario != static_cast<int32_t>(s)) continue;
      std::string arm = ArmName(program, v);
      if (arm.size() > 26) arm = arm.substr(0, 25) + "…";
      const simulate::Counters& taken = v.counters;
      out << fmt::format("    {:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}\n", arm, taken.entered, taken.sent,
                         Percent(taken.delivered, taken.sent), Percent(taken.opened, taken.delivered),
                         Percent(taken.clicked, taken.delivered), taken.converted, taken.suppressed);
      out << ArmText(r, v, report.runs > 1 && i < report.arm_spreads.size() ? &report.arm_spreads[i] : nullptr, currency);
    }
    for (const simulate::Winner& w : r.winners) {
      if (w.scenario == static_cast<int32_t>(s)) out << "    " << WinnerText(program, r, w) << '\n';
    }
    if (r.scenario_held_out[s].customers > 0 && r.scenario_held_out[s].customers != r.held_out.customers) {
      const simulate::Figures f = simulate::FiguresOf(r, static_cast<int>(s));
      out << fmt::format("    uplift of {} per entered customer: {} against {} held out\n", scenario.name,
                         EstimateText(f.uplift_per_entered, currency), r.scenario_held_out[s].customers);
    }
  }
  const simulate::Figures f = simulate::FiguresOf(r);
  out << fmt::format("\n  messages: sent {} · cost {} · unsubscribed {} · converted {} ({} of sent) · attributed revenue {}",
                     t.sent, Money(t.cost_cents, currency), t.unsubscribed, t.converted, Percent(t.converted, t.sent),
                     Money(t.attributed_cents, currency));
  if (t.signups > 0) out << fmt::format(" · sign-ups {}", t.signups);
  if (t.referrals > 0) out << fmt::format(" · referrals {}", t.referrals);
  out << '\n';
  out << fmt::format("  response {} of delivered · average basket {} · ROI {}\n", Percent(t.clicked, t.delivered),
                     t.converted > 0 ? Money(t.attributed_cents / t.converted, currency) : "-",
                     f.roi ? fmt::format("{:.2f} (attributed revenue - cost) / cost", *f.roi) : "n/a (no cost)");
  out << fmt::format("  customers who entered: {} · from their entry on they bought {} times, {} ({} each)\n", r.entered.customers,
                     t.purchases, Money(t.revenue_cents, currency), MoneyOf(f.revenue_per_entered, currency));
  if (r.holdout_customers > 0) {
    out << fmt::format("  holdout who would have entered: {} · scaled to {}: {:.0f} purchases, {} ({} each)\n", r.held_out.customers,
                       r.entered.customers, f.held_out_purchases_scaled, MoneyOf(f.held_out_revenue_scaled, currency),
                       MoneyOf(f.revenue_per_held_out, currency));
    out << fmt::format("  uplift per entered customer: {}\n", EstimateText(f.uplift_per_entered, currency));
    if (f.uplift_adjusted) {
      out << fmt::format("    adjusted by what they spent before the run (CUPED): {}, its variance {:.0f} % smaller\n",
                         EstimateText(f.uplift_adjusted, currency), f.variance_reduction * 100);
    }
    out << fmt::format("  incremental revenue: {}\n", EstimateText(f.incremental_revenue, currency));
  }
  if (t.carts_recovered > 0 || f.carts_recovered_net) {
    out << fmt::format("  carts recovered: {}", t.carts_recovered);
    if (f.carts_recovered_net) {
      out << fmt::format(", {:.0f} net of the {:.0f} the holdout's rate says would have been bought anyway", *f.carts_recovered_net,
                         *f.carts_bought_anyway);
    }
    out << '\n';
  }
  if (report.runs > 1 && report.count_spreads.size() == std::size(kCountNames)) {
    auto spread = [&](std::string_view name) {
      for (size_t c = 0; c < std::size(kCountNames); ++c) {
        if (kCountNames[c] == name) return report.count_spreads[c];
      }
      return Spread{};
    };
    out << fmt::format("  over {} runs, {}:\n    converted {} · revenue {} · cost {}\n", report.runs, DrawnText(report),
                       PredictionText(spread("converted"), ""), PredictionText(spread("revenue"), currency),
                       PredictionText(spread("cost"), currency));
  }
  if (!report.kpis.empty()) out << "\n  KPIs\n";
  for (size_t k = 0; k < report.kpis.size(); ++k) {
    const Judged& kpi = report.kpis[k];
    out << fmt::format("    {:<16} {:>14}   = {}\n", kpi.name, kpi.value, kpi.text);
    if (report.runs > 1 && k < report.spreads.size() && report.spreads[k].runs > 0) {
      out << fmt::format("    {:<16} {:>14}   over {} runs\n", "", PredictionText(report.spreads[k], kpi.unit), report.spreads[k].runs);
    }
  }
  if (!report.targets.empty()) {
    out << fmt::format("\n  objective {}: {}\n", report.targets.front().name, ObjectiveMet(report) ? "met" : "not met");
    for (const Judged& target : report.targets) out << fmt::format("    {} {}\n", target.holds ? "met    " : "not met", target.text);
  }
  if (!report.expectations.empty()) out << "\n  expectations\n";
  for (const Judged& e : report.expectations) {
    out << fmt::format("    {} {}", e.verdict.empty() ? (e.holds ? "ok    " : "FAILED") : e.verdict, e.text);
    if (!e.holds && !e.name.empty()) out << fmt::format(": {}", e.name);
    out << '\n';
  }
}

// Program, scenario and split arm rows also carry their population's figures (entered customers,
// the uplift per entered customer and its 95 % interval); step rows leave them empty.
std::string ReportCsv(const std::vector<Report>& reports) {
  std::string csv =
      "program,scenario,step,arm,entered,exited,sent,delivered,opened,clicked,converted,purchases,revenue,attributed_revenue,"
      "cost,unsubscribed,suppressed,carts_recovered,entered_customers,uplift_per_entered_customer,uplift_low,uplift_high\n";
  auto quoted = [](std::string_view text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  auto money = [](double cents) { return fmt::format("{:.2f}", cents / 100); };
  auto row = [&](const Report& report, std::string_view scenario, std::string_view step, std::string_view arm,
                 const simulate::Counters& c, const simulate::Population* population, const simulate::Figures* figures) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", quoted(report.program->title), quoted(scenario),
                       quoted(step), quoted(arm), c.entered, c.exited, c.sent, c.delivered, c.opened, c.clicked, c.converted,
                       c.purchases, money(static_cast<double>(c.revenue_cents)), money(static_cast<double>(c.attributed_cents)),
                       money(static_cast<double>(c.cost_cents)), c.unsubscribed, c.suppressed, c.carts_recovered);
    const auto& uplift = figures != nullptr ? figures->uplift_per_entered : std::nullopt;
    csv += fmt::format(",{},{},{},{}\n", population != nullptr ? std::to_string(population->customers) : "",
                       uplift ? money(uplift->value) : "", uplift ? money(uplift->low) : "", uplift ? money(uplift->high) : "");
  };
  for (const Report& report : reports) {
    const simulate::Result& r = report.result;
    const simulate::Figures program = simulate::FiguresOf(r);
    row(report, "", "", "", r.program, &r.entered, &program);
    for (size_t s = 0; s < report.program->scenarios.size(); ++s) {
      const ir::Scenario& scenario = report.program->scenarios[s];
      const simulate::Figures figures = simulate::FiguresOf(r, static_cast<int>(s));
      row(report, scenario.name, "", "", r.scenarios[s], &r.scenario_entered[s], &figures);
      for (size_t k = 0; k < scenario.steps.size(); ++k) {
        if (scenario.steps[k].op == ir::StepOp::Send) row(report, scenario.name, scenario.steps[k].text, "", r.steps[s][k], nullptr, nullptr);
      }
      for (const simulate::Variant& v : r.variants) {
        if (v.scenario != static_cast<int32_t>(s)) continue;
        // An arm's customers and their spend over the scenario's holdout, as a scenario's.
        simulate::Figures arm;
        arm.uplift_per_entered = simulate::ArmFiguresOf(r, v).spend_uplift;
        row(report, scenario.name, scenario.steps[v.step].text, ArmName(*report.program, v), v.counters, &v.population, &arm);
      }
    }
  }
  return csv;
}

std::string LogCsv(const ir::Program& program, const simulate::Result& r, const data::CustomerStore& store,
                   std::vector<distribute::Run>& runs) {
  static constexpr const char* kOutcomes[] = {"sent",    "suppressed: no consent", "suppressed: pressure", "dropped: quiet hours",
                                              "entered", "held out",               "exited",               "purchase"};
  std::string csv;
  const data::Column& ids = store.customers.columns[store.key_column];
  for (size_t i = 0; i < r.log.size(); ++i) {
    const simulate::LogEntry& e = r.log[i];
    if (i > 0 && e.customer != r.log[i - 1].customer) distribute::EndRun(runs, store.SourceOrder(r.log[i - 1].customer), csv.size());
    const ir::Scenario* scenario = e.scenario >= 0 ? &program.scenarios[e.scenario] : nullptr;
    const ir::Step* step = scenario != nullptr && e.step >= 0 ? &scenario->steps[e.step] : nullptr;
    const bool message = step != nullptr && step->op == ir::StepOp::Send;
    csv += fmt::format("{},{},{},\"{}\",{},{},{},{},{},{},{},\"{}\",{},{}\n", ids.String(e.customer), data::FormatDateTime(e.time),
                       scenario != nullptr ? scenario->name : "", message ? step->message : "", message ? step->channel : "",
                       message ? step->offer : "", kOutcomes[static_cast<int>(e.outcome)], (e.responses & 2) != 0,
                       (e.responses & 4) != 0, (e.responses & 8) != 0, (e.responses & 16) != 0, program.title, e.entry,
                       e.outcome == simulate::Outcome::Purchase ? fmt::format("{:.2f}", static_cast<double>(e.amount_cents) / 100) : "");
  }
  if (!r.log.empty()) distribute::EndRun(runs, store.SourceOrder(r.log.back().customer), csv.size());
  return csv;
}

}  // namespace relc::driver
