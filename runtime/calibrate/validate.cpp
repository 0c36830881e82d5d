#include "calibrate/validate.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace relc::calibrate {
namespace {

// `at_least_zero`: a rate or a spend, whose interval stops at zero (a normal interval on a few
// customers would reach below it); an uplift may be negative.
Check Compare(double forecast, double fit_half, double sampling_variance, double observed, bool at_least_zero) {
  Check check;
  double half = std::sqrt(fit_half * fit_half + kZ95 * kZ95 * sampling_variance);
  check.forecast = {forecast, at_least_zero ? std::max(0.0, forecast - half) : forecast - half, forecast + half};
  check.observed = observed;
  check.error_percent = observed != 0 ? std::fabs(forecast - observed) / std::fabs(observed) * 100 : (forecast == 0 ? 0 : 100);
  check.noise_percent = forecast != 0 ? kZ95 * std::sqrt(sampling_variance) / std::fabs(forecast) * 100 : 0;
  check.inside = observed >= check.forecast.low && observed <= check.forecast.high;
  return check;
}

// The customers to forecast, and how their arms and segment values read in the fitted history.
struct TestSet {
  const History* history = nullptr;
  std::vector<size_t> rows;
  std::vector<int32_t> fitted_arm;                 // per arm of `history`: the fitted history's, or -1
  std::vector<std::vector<int32_t>> fitted_value;  // per `by` column, per value: the fitted one's, or -1
};

// Per arm of the test set that was fitted: forecast against observed.
std::vector<ArmCheck> Forecast(const Calibration& fitted, size_t fitted_arms, const TestSet& test) {
  const History& history = *test.history;
  struct Observed {
    double customers = 0, conversions = 0, spend = 0, forecast_conversions = 0, forecast_variance = 0;
    std::vector<double> campaign_customers, campaign_conversions;  // per campaign of `history`
  };
  std::vector<Observed> observed(history.arms.size());
  std::vector<const ArmFit*> fit_of(fitted_arms, nullptr);
  for (const ArmFit& arm : fitted.arms) fit_of[static_cast<size_t>(arm.arm)] = &arm;
  auto fit_for = [&](size_t test_arm) -> const ArmFit* {
    int32_t arm = test.fitted_arm[test_arm];
    return arm < 0 ? nullptr : fit_of[static_cast<size_t>(arm)];
  };
  std::vector<int32_t> values;
  for (size_t index : test.rows) {
    const HistoryRow& row = history.rows[index];
    Observed& o = observed[static_cast<size_t>(row.arm)];
    o.customers += 1;
    o.conversions += row.converted;
    auto campaign = static_cast<size_t>(row.campaign);
    if (o.campaign_customers.size() <= campaign) {
      o.campaign_customers.resize(campaign + 1);
      o.campaign_conversions.resize(campaign + 1);
    }
    o.campaign_customers[campaign] += 1;
    o.campaign_conversions[campaign] += row.converted;
    o.spend += row.amount;
    if (const ArmFit* arm = fit_for(static_cast<size_t>(row.arm))) {
      values.clear();
      for (size_t b = 0; b < row.segment.size(); ++b) values.push_back(test.fitted_value[b][static_cast<size_t>(row.segment[b])]);
      double p = arm->ConversionFor(values).value;
      o.forecast_conversions += p;
      o.forecast_variance += p * (1 - p);
    }
  }
  const Observed* control = history.control >= 0 ? &observed[static_cast<size_t>(history.control)] : nullptr;
  std::vector<ArmCheck> out;
  for (size_t a = 0; a < history.arms.size(); ++a) {
    const ArmFit* fit = fit_for(a);
    const Observed& o = observed[a];
    if (fit == nullptr || o.customers == 0) continue;
    ArmCheck check;
    check.arm = static_cast<int32_t>(a);
    check.fit_customers = fit->funnel.customers;
    check.test_customers = o.customers;
    double n = o.customers;
    double forecast_rate = o.forecast_conversions / n;
    check.conversion =
        Compare(forecast_rate, Half(fit->funnel.converted), o.forecast_variance / (n * n), o.conversions / n, true);
    // Spend per customer: the fitted basket times the forecast conversions.
    const Funnel& f = fit->funnel;
    double basket = f.conversions > 0 ? f.spend / f.conversions : 0;
    double spend_variance = std::pow(Half(f.spend_per_customer) / kZ95, 2) * f.customers;  // per customer
    check.spend = Compare(forecast_rate * basket, Half(f.spend_per_customer), spend_variance / n, o.spend / n, true);
    if (fit->lift && control != nullptr) {
      // Observed over the control of the arm's own campaigns, each weighed by its customers in it.
      double p0 = fit->control_converted->value, control_rate = 0, control_variance = 0;
      bool measured = true;
      for (size_t c = 0; c < o.campaign_customers.size(); ++c) {
        if (o.campaign_customers[c] == 0) continue;
        double control_customers = c < control->campaign_customers.size() ? control->campaign_customers[c] : 0;
        if (control_customers == 0) {
          measured = false;
          break;
        }
        double weight = o.campaign_customers[c] / n;
        control_rate += weight * (control->campaign_conversions[c] / control_customers);
        control_variance += weight * weight * p0 * (1 - p0) / control_customers;
      }
      if (measured) {
        double observed_lift = o.conversions / n - control_rate;
        double sampling = o.forecast_variance / (n * n) + control_variance;
        check.uplift = Compare(forecast_rate - p0, Half(*fit->lift), sampling, observed_lift, false);
      }
    }
    out.push_back(check);
  }
  return out;
}

// Per value of each `--by` attribute, the arms forecast for its customers with the segments'
// rates and with the arms' alone (every value read as one the fit never saw).
std::vector<SegmentCheck> SegmentChecks(const Calibration& fitted, size_t fitted_arms, const TestSet& test) {
  const History& history = *test.history;
  std::vector<SegmentCheck> out;
  TestSet flat = test;
  for (auto& values : flat.fitted_value) std::fill(values.begin(), values.end(), -1);
  for (size_t b = 0; b < history.by.size(); ++b) {
    for (size_t v = 0; v < history.segment_values[b].size(); ++v) {
      TestSet part = test;
      part.rows.clear();
      for (size_t index : test.rows) {
        if (static_cast<size_t>(history.rows[index].segment[b]) == v) part.rows.push_back(index);
      }
      if (part.rows.empty()) continue;
      SegmentCheck& check = out.emplace_back(SegmentCheck{b, static_cast<int32_t>(v), {}, {}});
      check.arms = Forecast(fitted, fitted_arms, part);
      part.fitted_value = flat.fitted_value;
      check.without_by = Forecast(fitted, fitted_arms, part);
    }
  }
  return out;
}

}  // namespace

Validation Validate(const History& history, double fit_share, uint64_t seed, double min_segment_rows) {
  Validation out;
  out.fit_share = fit_share;
  out.seed = seed;
  TestSet test{.history = &history};
  std::vector<size_t> fit_rows;
  for (size_t i = 0; i < history.rows.size(); ++i) {
    uint64_t mixed = history.rows[i].customer_hash ^ (seed * 0x9E3779B97F4A7C15ull);
    mixed = (mixed ^ (mixed >> 33)) * 0xff51afd7ed558ccdull;
    mixed ^= mixed >> 33;
    (static_cast<double>(mixed >> 11) * 0x1.0p-53 < fit_share ? fit_rows : test.rows).push_back(i);
  }
  out.fit_rows = fit_rows.size();
  out.test_rows = test.rows.size();
  // One history: its arms and values are the fitted ones. A value only the test part has is
  // one the fit never saw, and ConversionFor finds no segment of it.
  for (size_t a = 0; a < history.arms.size(); ++a) test.fitted_arm.push_back(static_cast<int32_t>(a));
  for (const auto& values : history.segment_values) {
    std::vector<int32_t>& same = test.fitted_value.emplace_back();
    for (size_t v = 0; v < values.size(); ++v) same.push_back(static_cast<int32_t>(v));
  }
  const Calibration fitted = Fit(history, fit_rows, min_segment_rows);
  out.arms = Forecast(fitted, history.arms.size(), test);
  out.segments = SegmentChecks(fitted, history.arms.size(), test);
  return out;
}

Validation Backtest(const History& fitted, const History& forecast, double min_segment_rows) {
  Validation out;
  out.fit_rows = fitted.rows.size();
  out.test_rows = forecast.rows.size();
  TestSet test{.history = &forecast};
  test.rows.resize(forecast.rows.size());
  for (size_t i = 0; i < test.rows.size(); ++i) test.rows[i] = i;
  // An arm is the message it sent, as the simulator knows it (its name may change from one
  // campaign to the next); the control is the control, whatever each campaign calls it.
  for (const Arm& arm : forecast.arms) {
    int32_t match = -1;
    for (size_t a = 0; a < fitted.arms.size(); ++a) {
      const Arm& candidate = fitted.arms[a];
      if (candidate.control == arm.control && candidate.channel == arm.channel && candidate.message == arm.message) {
        match = static_cast<int32_t>(a);
      }
    }
    test.fitted_arm.push_back(match);
    if (match < 0 && !arm.control) out.unfitted_arms.push_back(arm.name);
  }
  for (size_t b = 0; b < forecast.segment_values.size(); ++b) {
    std::map<std::string, int32_t> index;
    for (size_t v = 0; v < fitted.segment_values[b].size(); ++v) index.emplace(fitted.segment_values[b][v], static_cast<int32_t>(v));
    std::vector<int32_t>& mapped = test.fitted_value.emplace_back();
    for (const std::string& value : forecast.segment_values[b]) {
      auto it = index.find(value);
      mapped.push_back(it == index.end() ? -1 : it->second);
    }
  }
  const Calibration calibration = Fit(fitted, {}, min_segment_rows);
  out.arms = Forecast(calibration, fitted.arms.size(), test);
  out.segments = SegmentChecks(calibration, fitted.arms.size(), test);
  return out;
}

}  // namespace relc::calibrate
