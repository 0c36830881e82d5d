#include "driver/validation_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace relc::driver {
namespace {

struct Metric {
  const char* title;
  const char* key;  // in JSON
  const calibrate::Check* (*get)(const calibrate::ArmCheck&);
  bool money;
};
constexpr Metric kMetrics[] = {
    {"conversion", "conversion", [](const calibrate::ArmCheck& a) { return &a.conversion; }, false},
    {"spend per customer", "spend_per_customer", [](const calibrate::ArmCheck& a) { return &a.spend; }, true},
    {"uplift over the control", "uplift", [](const calibrate::ArmCheck& a) { return a.uplift ? &*a.uplift : nullptr; }, false},
};

std::string Cell(const calibrate::Check& check, bool money) {
  auto show = [money](double v) { return money ? fmt::format("{:.2f}", v) : fmt::format("{:.2f} %", v * 100); };
  return fmt::format("{} [{} – {}]", show(check.forecast.value), show(check.forecast.low), show(check.forecast.high));
}

}  // namespace

void PrintValidationText(const calibrate::History& history, const calibrate::History* fitted,
                         const calibrate::Validation& validation, std::ostream& out) {
  if (fitted == nullptr) {
    out << fmt::format("validation: fitted on {} customers ({:.0f} %), forecast for the other {} (seed {})\n\n",
                       validation.fit_rows, validation.fit_share * 100, validation.test_rows, validation.seed);
  } else {
    out << fmt::format("backtest: fitted on {} ({} customers), forecast for {} ({} customers)\n", fitted->source,
                       validation.fit_rows, history.source, validation.test_rows);
    for (const std::string& name : validation.unfitted_arms) {
      auto arm = std::find_if(history.arms.begin(), history.arms.end(), [&](const calibrate::Arm& a) { return a.name == name; });
      out << fmt::format("arm `{}` sent {} \"{}\", which {} did not: it cannot be forecast\n", name, arm->channel, arm->message,
                         fitted->source);
    }
    out << '\n';
  }
  for (const Metric& metric : kMetrics) {
    out << fmt::format("| {} | test customers | forecast [95 %] | observed | error | observed in interval | held-out noise |\n",
                       metric.title);
    out << "|---|---|---|---|---|---|---|\n";
    bool any = false;
    for (const calibrate::ArmCheck& arm : validation.arms) {
      const calibrate::Check* check = metric.get(arm);
      if (check == nullptr) continue;
      any = true;
      std::string observed = metric.money ? fmt::format("{:.2f}", check->observed) : fmt::format("{:.2f} %", check->observed * 100);
      out << fmt::format("| {} | {:.0f} | {} | {} | {:.1f} % | {} | ±{:.1f} % |\n", history.arms[static_cast<size_t>(arm.arm)].name,
                         arm.test_customers, Cell(*check, metric.money), observed, check->error_percent,
                         check->inside ? "yes" : "no", check->noise_percent);
    }
    if (!any) out << "| (no control: uplift cannot be forecast) | | | | | | |\n";
    out << '\n';
  }
  out << "held-out noise: how far the held-out customers' own figure may land from the true rate (95 %), from\n"
         "their number alone; an error within it is what even the true rates would show.\n";
  if (fitted != nullptr) {
    out << "A backtest also measures how much the customers' response changed between the campaigns: an error\n"
           "beyond the held-out noise there is drift, not only the model's.\n";
  }
}

void PrintValidationJson(const calibrate::History& history, const calibrate::History* fitted,
                         const calibrate::Validation& validation, std::ostream& out) {
  nlohmann::ordered_json json;
  if (fitted == nullptr) {
    json["kind"] = "validation";
    json["fit_share"] = validation.fit_share;
    json["seed"] = validation.seed;
    json["source"] = history.source;
  } else {
    json["kind"] = "backtest";
    json["fitted_on"] = fitted->source;
    json["forecast_for"] = history.source;
    json["unfitted_arms"] = validation.unfitted_arms;
  }
  json["fit_customers"] = validation.fit_rows;
  json["test_customers"] = validation.test_rows;
  nlohmann::ordered_json arms = nlohmann::ordered_json::array();
  for (const calibrate::ArmCheck& arm : validation.arms) {
    nlohmann::ordered_json entry = {{"arm", history.arms[static_cast<size_t>(arm.arm)].name},
                                    {"fit_customers", std::llround(arm.fit_customers)},
                                    {"test_customers", std::llround(arm.test_customers)}};
    for (const Metric& metric : kMetrics) {
      const calibrate::Check* check = metric.get(arm);
      if (check == nullptr) {
        entry[metric.key] = nullptr;  // no control: uplift cannot be forecast
        continue;
      }
      entry[metric.key] = {{"forecast", check->forecast.value}, {"low", check->forecast.low},
                           {"high", check->forecast.high},       {"observed", check->observed},
                           {"error_percent", check->error_percent}, {"inside", check->inside},
                           {"noise_percent", check->noise_percent}};
    }
    arms.push_back(std::move(entry));
  }
  json["arms"] = std::move(arms);
  out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace relc::driver
