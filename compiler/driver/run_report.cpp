#include "driver/run_report.h"

#include <fmt/format.h>

#include <cmath>

#include "data/values.h"

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

nlohmann::ordered_json CountersJson(const simulate::Counters& c) {
  return {{"entered", c.entered},     {"exited", c.exited},       {"sent", c.sent},
          {"delivered", c.delivered}, {"opened", c.opened},       {"clicked", c.clicked},
          {"converted", c.converted}, {"purchases", c.purchases}, {"revenue_cents", c.revenue_cents},
          {"cost_cents", c.cost_cents}, {"unsubscribed", c.unsubscribed}, {"suppressed", c.suppressed},
          {"carts_recovered", c.carts_recovered}, {"signups", c.signups}, {"referrals", c.referrals}};
}

double Ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}

// The rates every program is judged by, whatever its KPIs: conversion (per message sent),
// response (clicks per message delivered), open rate, the average basket of the purchases the
// messages brought, and the return on the cost: (that revenue - cost) / cost.
nlohmann::ordered_json RatesJson(const simulate::Counters& c, int64_t attributed_revenue_cents) {
  return {{"conversion_rate", Ratio(c.converted, c.sent)},
          {"response_rate", Ratio(c.clicked, c.delivered)},
          {"open_rate", Ratio(c.opened, c.delivered)},
          {"average_basket", Ratio(attributed_revenue_cents, c.converted) / 100},
          {"roi", c.cost_cents > 0 ? Ratio(attributed_revenue_cents - c.cost_cents, c.cost_cents) : 0.0}};
}

// Revenue the messages brought: the converted purchases, summed over the scenarios.
int64_t AttributedRevenue(const simulate::Result& r) {
  int64_t cents = 0;
  for (const simulate::Counters& scenario : r.scenarios) cents += scenario.revenue_cents;
  return cents;
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

// An arm by its first step: `arm 2: send email "b"`.
std::string ArmName(const ir::Program& program, const simulate::Variant& v) {
  return fmt::format("arm {}: {}", v.arm + 1, program.scenarios[v.scenario].steps[v.target].text);
}

std::string WinnerText(const ir::Program& program, const simulate::Result& r, const simulate::Winner& w) {
  std::string when = data::FormatDateTime(w.decided_at);
  for (const simulate::Variant& v : r.variants) {
    if (v.scenario == w.scenario && v.step == w.step && v.arm == w.arm) {
      return fmt::format("winner by {} on {}: {}", w.metric, when, ArmName(program, v));
    }
  }
  return fmt::format("winner by {} on {}: none (no journey took an arm before)", w.metric, when);
}

}  // namespace

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
                         : slot.metric == "customers_revenue" ? r.treated.revenue_cents
                         : slot.metric == "holdout_revenue"   ? r.holdout.revenue_cents
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
      case ir::ValueType::Int: return scalar.unit.empty() || scalar.unit == "%" ? std::to_string(v.bits) : Money(v.bits, scalar.unit);
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
    nlohmann::ordered_json arms = nlohmann::ordered_json::array();
    for (const simulate::Variant& v : r.variants) {
      if (v.scenario != static_cast<int32_t>(s)) continue;
      auto arm = CountersJson(v.counters);
      arm["split"] = scenario.steps[v.step].text;
      arm["arm"] = v.arm + 1;
      arm["first_step"] = scenario.steps[v.target].text;
      arms.push_back(std::move(arm));
    }
    nlohmann::ordered_json winners = nlohmann::ordered_json::array();
    for (const simulate::Winner& w : r.winners) {
      if (w.scenario != static_cast<int32_t>(s)) continue;
      winners.push_back({{"split", scenario.steps[w.step].text},
                         {"metric", w.metric},
                         {"decided_at", data::FormatDateTime(w.decided_at)},
                         {"arm", w.arm >= 0 ? nlohmann::ordered_json(w.arm + 1) : nlohmann::ordered_json(nullptr)}});
    }
    auto entry = CountersJson(r.scenarios[s]);
    entry["scenario"] = scenario.name;
    entry["rates"] = RatesJson(r.scenarios[s], r.scenarios[s].revenue_cents);
    entry["steps"] = std::move(steps);
    entry["split_arms"] = std::move(arms);
    entry["split_winners"] = std::move(winners);
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
  nlohmann::ordered_json counts_over_runs = nlohmann::ordered_json::object();
  for (size_t c = 0; c < report.count_spreads.size() && report.runs > 1; ++c) {
    const Spread& s = report.count_spreads[c];
    counts_over_runs[kCountNames[c]] = {{"mean", s.mean}, {"low", s.low}, {"high", s.high}};
  }
  Uplift uplift = UpliftOf(r);
  nlohmann::ordered_json json = {{"program", report.program->title},
          {"currency", report.program->currency},
          {"models", report.program->models},
          {"customers", r.customers},
          {"holdout_customers", r.holdout_customers},
          {"totals", CountersJson(r.program)},
          {"rates", RatesJson(r.program, AttributedRevenue(r))},
          {"scenarios", std::move(scenarios)},
          {"uplift", {{"revenue_per_customer_cents", std::llround(uplift.treated)},
                      {"holdout_revenue_per_customer_cents", std::llround(uplift.holdout)},
                      {"incremental_revenue_cents", uplift.incremental_cents}}},
          {"runs", report.runs},
          {"kpis", std::move(kpis)},
          {"objective_targets", judged(report.targets, false)},
          {"expectations", judged(report.expectations, false)}};
  // Money in currency units here: means are not whole cents.
  if (report.runs > 1) json["totals_over_runs"] = std::move(counts_over_runs);
  return json;
}

void PrintText(const Report& report, std::ostream& out) {
  const simulate::Result& r = report.result;
  const simulate::Counters& t = r.program;
  out << fmt::format("{}\n  {} customers, {} more in the holdout (never contacted)\n", report.program->title, r.customers,
                     r.holdout_customers);
  if (!report.program->models.empty()) out << fmt::format("  response model: {}\n", fmt::join(report.program->models, ", "));
  out << '\n';
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
    for (const simulate::Variant& v : r.variants) {
      if (v.scenario != static_cast<int32_t>(s)) continue;
      std::string arm = ArmName(*report.program, v);
      if (arm.size() > 26) arm = arm.substr(0, 25) + "…";
      const simulate::Counters& taken = v.counters;
      out << fmt::format("    {:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}\n", arm, taken.entered, taken.sent,
                         Percent(taken.delivered, taken.sent), Percent(taken.opened, taken.delivered),
                         Percent(taken.clicked, taken.delivered), taken.converted, taken.suppressed);
    }
    for (const simulate::Winner& w : r.winners) {
      if (w.scenario == static_cast<int32_t>(s)) out << "    " << WinnerText(*report.program, r, w) << '\n';
    }
  }
  Uplift uplift = UpliftOf(r);
  const std::string& currency = report.program->currency;
  out << fmt::format("\n  purchases {} · revenue {} · cost {} · unsubscribed {} · carts recovered {}", t.purchases,
                     Money(t.revenue_cents, currency), Money(t.cost_cents, currency), t.unsubscribed, t.carts_recovered);
  if (t.signups > 0) out << fmt::format(" · sign-ups {}", t.signups);
  if (t.referrals > 0) out << fmt::format(" · referrals {}", t.referrals);
  out << '\n';
  const int64_t attributed = AttributedRevenue(r);
  out << fmt::format("  conversion {} of sent · response {} of delivered · average basket {} · ROI of the messages {:.2f}\n",
                     Percent(t.converted, t.sent), Percent(t.clicked, t.delivered),
                     t.converted > 0 ? Money(attributed / t.converted, currency) : "-",
                     t.cost_cents > 0 ? Ratio(attributed - t.cost_cents, t.cost_cents) : 0.0);
  if (report.runs > 1 && report.count_spreads.size() == std::size(kCountNames)) {
    auto spread = [&](std::string_view name) {
      for (size_t c = 0; c < std::size(kCountNames); ++c) {
        if (kCountNames[c] == name) return report.count_spreads[c];
      }
      return Spread{};
    };
    Spread converted = spread("converted"), revenue = spread("revenue"), cost = spread("cost");
    out << fmt::format("  over {} runs (mean, 95 % interval): converted {:.1f} [{:.1f}, {:.1f}] · revenue {:.2f} [{:.2f}, {:.2f}] · "
                       "cost {:.2f} [{:.2f}, {:.2f}]\n",
                       report.runs, converted.mean, converted.low, converted.high, revenue.mean, revenue.low, revenue.high,
                       cost.mean, cost.low, cost.high);
  }
  if (r.holdout_customers > 0) {
    out << fmt::format("  uplift: {} per contacted customer against {} in the holdout: {} incremental revenue\n",
                       Money(std::llround(uplift.treated), currency), Money(std::llround(uplift.holdout), currency),
                       Money(uplift.incremental_cents, currency));
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

std::string ReportCsv(const std::vector<Report>& reports) {
  std::string csv =
      "program,scenario,step,arm,entered,exited,sent,delivered,opened,clicked,converted,purchases,revenue,cost,unsubscribed,"
      "suppressed,carts_recovered\n";
  auto quoted = [](std::string_view text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  auto row = [&](const Report& report, std::string_view scenario, std::string_view step, std::string_view arm,
                 const simulate::Counters& c) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{:.2f},{:.2f},{},{},{}\n", quoted(report.program->title), quoted(scenario),
                       quoted(step), quoted(arm), c.entered, c.exited, c.sent, c.delivered, c.opened, c.clicked, c.converted,
                       c.purchases, static_cast<double>(c.revenue_cents) / 100, static_cast<double>(c.cost_cents) / 100,
                       c.unsubscribed, c.suppressed, c.carts_recovered);
  };
  for (const Report& report : reports) {
    const simulate::Result& r = report.result;
    row(report, "", "", "", r.program);
    for (size_t s = 0; s < report.program->scenarios.size(); ++s) {
      const ir::Scenario& scenario = report.program->scenarios[s];
      row(report, scenario.name, "", "", r.scenarios[s]);
      for (size_t k = 0; k < scenario.steps.size(); ++k) {
        if (scenario.steps[k].op == ir::StepOp::Send) row(report, scenario.name, scenario.steps[k].text, "", r.steps[s][k]);
      }
      for (const simulate::Variant& v : r.variants) {
        if (v.scenario == static_cast<int32_t>(s)) {
          row(report, scenario.name, scenario.steps[v.step].text, ArmName(*report.program, v), v.counters);
        }
      }
    }
  }
  return csv;
}

std::string LogCsv(const ir::Program& program, const simulate::Result& r, const data::CustomerStore& store) {
  static constexpr const char* kOutcomes[] = {"sent", "suppressed: no consent", "suppressed: pressure", "dropped: quiet hours"};
  std::string csv;
  const data::Column& ids = store.customers.columns[store.key_column];
  for (const simulate::LogEntry& e : r.log) {
    const ir::Step& step = program.scenarios[e.scenario].steps[e.step];
    csv += fmt::format("{},{},{},\"{}\",{},{},{},{},{},{},{},\"{}\"\n", ids.String(e.customer), data::FormatDateTime(e.time),
                       program.scenarios[e.scenario].name, step.message, step.channel, step.offer,
                       kOutcomes[static_cast<int>(e.outcome)], (e.responses & 2) != 0, (e.responses & 4) != 0,
                       (e.responses & 8) != 0, (e.responses & 16) != 0, program.title);
  }
  return csv;
}

}  // namespace relc::driver
