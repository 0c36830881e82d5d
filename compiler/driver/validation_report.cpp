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

std::string NoiseVerdict(const calibrate::Check& check) {
  return check.within_noise() ? "within: as good as this sample allows" : "beyond";
}

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
    out << fmt::format("| {} | test customers | forecast [95 %] | observed | error | observed in interval | held-out noise | error against noise |\n",
                       metric.title);
    out << "|---|---|---|---|---|---|---|---|\n";
    bool any = false;
    for (const calibrate::ArmCheck& arm : validation.arms) {
      const calibrate::Check* check = metric.get(arm);
      if (check == nullptr) continue;
      any = true;
      std::string observed = metric.money ? fmt::format("{:.2f}", check->observed) : fmt::format("{:.2f} %", check->observed * 100);
      out << fmt::format("| {} | {:.0f} | {} | {} | {:.1f} % | {} | ±{:.1f} % | {} |\n", history.arms[static_cast<size_t>(arm.arm)].name,
                         arm.test_customers, Cell(*check, metric.money), observed, check->error_percent,
                         check->inside ? "yes" : "no", check->noise_percent, NoiseVerdict(*check));
    }
    if (!any) out << "| (no control: uplift cannot be forecast) | | | | | | | |\n";
    out << '\n';
  }
  if (!validation.segments.empty()) {
    out << "| conversion by segment | arm | test customers | forecast [95 %] | observed | error | observed in interval | held-out noise | "
           "error without --by |\n";
    out << "|---|---|---|---|---|---|---|---|---|\n";
    for (const calibrate::SegmentCheck& segment : validation.segments) {
      const std::string& value = history.segment_values[segment.column][static_cast<size_t>(segment.value)];
      for (size_t a = 0; a < segment.arms.size(); ++a) {
        const calibrate::Check& check = segment.arms[a].conversion;
        out << fmt::format("| {} = {} | {} | {:.0f} | {} | {:.2f} % | {:.1f} % | {} | ±{:.1f} % | {:.1f} % |\n", history.by[segment.column],
                           value.empty() ? "(empty)" : value, history.arms[static_cast<size_t>(segment.arms[a].arm)].name,
                           segment.arms[a].test_customers, Cell(check, false), check.observed * 100, check.error_percent,
                           check.inside ? "yes" : "no", check.noise_percent, segment.without_by[a].conversion.error_percent);
      }
    }
    out << "\nerror without --by: the same customers forecast with their arm's rate alone; a segmentation helps where\n"
           "its error is the smaller.\n\n";
  }
  out << "held-out noise: how far the held-out customers' own figure may land from the true rate (95 %), from\n"
         "their number alone; an error within it is what even the true rates would show: as good as this\n"
         "sample allows. An error beyond it is the model's, or drift.\n";
  if (fitted != nullptr) {
    out << "A backtest also measures how much the customers' response changed between the campaigns: an error\n"
           "beyond the held-out noise there is drift, not only the model's.\n";
  }
}

nlohmann::ordered_json ValidationJson(const calibrate::History& history, const calibrate::History* fitted,
                                      const calibrate::Validation& validation) {
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
                           {"noise_percent", check->noise_percent}, {"within_noise", check->within_noise()}};
    }
    arms.push_back(std::move(entry));
  }
  json["arms"] = std::move(arms);
  nlohmann::ordered_json segments = nlohmann::ordered_json::array();
  for (const calibrate::SegmentCheck& segment : validation.segments) {
    for (size_t a = 0; a < segment.arms.size(); ++a) {
      const calibrate::Check& check = segment.arms[a].conversion;
      segments.push_back({{"attribute", history.by[segment.column]},
                          {"value", history.segment_values[segment.column][static_cast<size_t>(segment.value)]},
                          {"arm", history.arms[static_cast<size_t>(segment.arms[a].arm)].name},
                          {"test_customers", std::llround(segment.arms[a].test_customers)},
                          {"conversion", {{"forecast", check.forecast.value}, {"low", check.forecast.low}, {"high", check.forecast.high},
                                          {"observed", check.observed}, {"error_percent", check.error_percent},
                                          {"inside", check.inside}, {"noise_percent", check.noise_percent},
                                          {"within_noise", check.within_noise()},
                                          {"error_percent_without_by", segment.without_by[a].conversion.error_percent}}}});
    }
  }
  json["segments"] = std::move(segments);
  return json;
}

void PrintValidationJson(const calibrate::History& history, const calibrate::History* fitted,
                         const calibrate::Validation& validation, std::ostream& out) {
  out << ValidationJson(history, fitted, validation).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace relc::driver
