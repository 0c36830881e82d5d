#include "calibrate/validate.h"

#include <cmath>

namespace relc::calibrate {
namespace {

Check Compare(double forecast, double fit_half, double sampling_variance, double observed) {
  Check check;
  double half = std::sqrt(fit_half * fit_half + kZ95 * kZ95 * sampling_variance);
  check.forecast = {forecast, forecast - half, forecast + half};
  check.observed = observed;
  check.error_percent = observed != 0 ? std::fabs(forecast - observed) / std::fabs(observed) * 100 : (forecast == 0 ? 0 : 100);
  check.noise_percent = forecast != 0 ? kZ95 * std::sqrt(sampling_variance) / std::fabs(forecast) * 100 : 0;
  check.inside = observed >= check.forecast.low && observed <= check.forecast.high;
  return check;
}

}  // namespace

Validation Validate(const History& history, double fit_share, uint64_t seed, double min_segment_rows) {
  Validation out;
  out.fit_share = fit_share;
  out.seed = seed;
  std::vector<size_t> fit_rows, test_rows;
  for (size_t i = 0; i < history.rows.size(); ++i) {
    uint64_t mixed = history.rows[i].customer_hash ^ (seed * 0x9E3779B97F4A7C15ull);
    mixed = (mixed ^ (mixed >> 33)) * 0xff51afd7ed558ccdull;
    mixed ^= mixed >> 33;
    (static_cast<double>(mixed >> 11) * 0x1.0p-53 < fit_share ? fit_rows : test_rows).push_back(i);
  }
  out.fit_rows = fit_rows.size();
  out.test_rows = test_rows.size();
  Calibration fitted = Fit(history, fit_rows, min_segment_rows);

  // The test part's observed figures, per arm.
  struct Observed {
    double customers = 0, conversions = 0, spend = 0, forecast_conversions = 0, forecast_variance = 0;
  };
  std::vector<Observed> observed(history.arms.size());
  std::vector<const ArmFit*> fit_of(history.arms.size(), nullptr);
  for (const ArmFit& arm : fitted.arms) fit_of[static_cast<size_t>(arm.arm)] = &arm;
  for (size_t index : test_rows) {
    const HistoryRow& row = history.rows[index];
    Observed& o = observed[static_cast<size_t>(row.arm)];
    o.customers += 1;
    o.conversions += row.converted;
    o.spend += row.amount;
    if (const ArmFit* arm = fit_of[static_cast<size_t>(row.arm)]) {
      double p = arm->ConversionFor(row.segment).value;
      o.forecast_conversions += p;
      o.forecast_variance += p * (1 - p);
    }
  }
  const Observed* control = history.control >= 0 ? &observed[static_cast<size_t>(history.control)] : nullptr;
  for (const ArmFit& arm : fitted.arms) {
    const Observed& o = observed[static_cast<size_t>(arm.arm)];
    if (o.customers == 0) continue;
    ArmCheck check;
    check.arm = arm.arm;
    check.fit_customers = arm.funnel.customers;
    check.test_customers = o.customers;
    double n = o.customers;
    double forecast_rate = o.forecast_conversions / n;
    check.conversion = Compare(forecast_rate, Half(arm.funnel.converted), o.forecast_variance / (n * n), o.conversions / n);
    // Spend per customer: the fitted basket times the forecast conversions.
    const Funnel& f = arm.funnel;
    double basket = f.conversions > 0 ? f.spend / f.conversions : 0;
    double spend_variance = std::pow(Half(f.spend_per_customer) / kZ95, 2) * f.customers;  // per customer
    check.spend = Compare(forecast_rate * basket, Half(f.spend_per_customer), spend_variance / n, o.spend / n);
    if (arm.lift && control != nullptr && control->customers > 0 && fitted.control) {
      double p0 = fitted.control->converted.value;
      double observed_lift = o.conversions / n - control->conversions / control->customers;
      double forecast_lift = forecast_rate - p0;
      double sampling = o.forecast_variance / (n * n) + p0 * (1 - p0) / control->customers;
      check.uplift = Compare(forecast_lift, Half(*arm.lift), sampling, observed_lift);
    }
    out.arms.push_back(check);
  }
  return out;
}

}  // namespace relc::calibrate
