#include "driver/arm_report.h"

#include <fmt/format.h>

#include "simulate/figures.h"

namespace relc::driver {
namespace {

nlohmann::ordered_json EstimateJson(const simulate::Estimate& e, double scale) {
  return {{"value", e.value * scale}, {"low", e.low * scale}, {"high", e.high * scale}};
}

}  // namespace

ArmValues ArmValuesOf(const simulate::Result& result, const simulate::Variant& variant) {
  const simulate::ArmFigures f = simulate::ArmFiguresOf(result, variant);
  ArmValues values;
  if (f.customers == 0) return values;
  values[0] = f.conversion.value * 100;
  values[1] = f.spend_per_customer.value / 100;
  if (f.conversion_uplift) values[2] = f.conversion_uplift->value * 100;
  if (f.spend_uplift) values[3] = f.spend_uplift->value / 100;
  return values;
}

nlohmann::ordered_json ArmPopulationJson(const simulate::Result& result, const simulate::Variant& variant,
                                         const std::vector<Spread>* over_runs) {
  const simulate::Population& p = variant.population;
  const simulate::ArmFigures f = simulate::ArmFiguresOf(result, variant);
  nlohmann::ordered_json json = {{"customers", p.customers},
                                 {"buyers", p.buyers},
                                 {"purchases", p.purchases},
                                 {"revenue_cents", p.revenue_cents},
                                 {"conversion_percent", EstimateJson(f.conversion, 100)},
                                 {"spend_per_customer_cents", EstimateJson(f.spend_per_customer, 1)}};
  json["conversion_uplift_points"] = f.conversion_uplift ? EstimateJson(*f.conversion_uplift, 100) : nullptr;
  json["spend_uplift_cents"] = f.spend_uplift ? EstimateJson(*f.spend_uplift, 1) : nullptr;
  if (over_runs != nullptr) {
    nlohmann::ordered_json runs = nlohmann::ordered_json::object();
    for (size_t k = 0; k < std::size(kArmFigureNames); ++k) {
      const Spread& s = (*over_runs)[k];
      if (s.runs == 0) continue;
      runs[kArmFigureNames[k]] = {{"runs", s.runs},           {"mean", s.mean},
                                  {"mean_low", s.low},        {"mean_high", s.high},
                                  {"predict_low", s.predict_low}, {"predict_high", s.predict_high}};
    }
    json["over_runs"] = std::move(runs);
  }
  return json;
}

std::string ArmText(const simulate::Result& result, const simulate::Variant& variant, const std::vector<Spread>* over_runs,
                    const std::string& currency) {
  const simulate::ArmFigures f = simulate::ArmFiguresOf(result, variant);
  if (f.customers == 0) return "";
  if (over_runs != nullptr) {
    const std::vector<Spread>& s = *over_runs;
    std::string text = fmt::format("      bought: {} of its customers, {} each", PredictionText(s[0], "%"), PredictionText(s[1], currency));
    if (s[3].runs > 0) text += fmt::format("; over the holdout: {}", PredictionText(s[3], currency));
    return text + "\n";
  }
  std::string text = fmt::format("      bought: {:.2f} % of its {} customers, {:.2f} {} each", f.conversion.value * 100, f.customers,
                                 f.spend_per_customer.value / 100, currency);
  if (f.spend_uplift) {
    text += fmt::format("; over the holdout: {:+.2f} {} [{:+.2f}, {:+.2f}] each", f.spend_uplift->value / 100, currency,
                        f.spend_uplift->low / 100, f.spend_uplift->high / 100);
  }
  return text + "\n";
}

}  // namespace relc::driver
