// The measures the domain is built on, computed once at load, as of a date: recency,
// frequency, monetary, tenure, RFM scores, revenue rank and the Pareto share, lifecycle stage,
// and the customer-base models' probability of being alive and lifetime value.
//
// Purchases are the events of type `purchase` (their `amount` field) before the as-of date.
// Thresholds of the lifecycle stages are documented in docs/language.md.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "data/store.h"
#include "measures/customer_base.h"

namespace relc::measures {

enum class Lifecycle : uint8_t { Prospect, New, Occasional, Regular, Loyal, Ambassador, Dormant, Lost };
inline constexpr int kLifecycleStages = 8;
std::string_view LifecycleName(Lifecycle stage);

struct MeasureOptions {
  int32_t as_of_day = 0;            // days since 1970-01-01; events on or after it are ignored
  double clv_horizon_days = 365;
  double annual_discount_rate = 0.10;
  unsigned threads = 0;  // 0: every core; the figures do not depend on it
  // Fit BG/NBD and Gamma-Gamma and compute p_alive, expected purchases and CLV: the costliest
  // measures, which `relc panels` skips when no program reads them.
  bool customer_base_models = true;
  // RFM quintile scores, revenue ranks and the Pareto share: four sorts of every customer,
  // skipped when no program reads them.
  bool ranks = true;
};

struct CustomerMeasures {
  // Per customer, in store row order.
  std::vector<double> recency_days;     // since the last purchase; for a prospect, the tenure
  std::vector<int32_t> frequency;       // purchases
  std::vector<int64_t> monetary_cents;  // total of the purchases, net of returns (`return` events' amounts)
  std::vector<int64_t> returns_cents;   // total of the returns
  std::vector<int64_t> average_basket_cents;
  std::vector<double> tenure_days;      // since sign-up, else since the first event
  // Empty unless MeasureOptions::ranks.
  std::vector<uint8_t> rfm_recency, rfm_frequency, rfm_monetary;  // 1-5 by quintile; 0 for prospects
  std::vector<uint32_t> revenue_rank;   // 1 = the best customer
  std::vector<Lifecycle> lifecycle;
  // Empty unless MeasureOptions::customer_base_models.
  std::vector<double> p_alive;
  std::vector<double> expected_purchases;  // over the CLV horizon
  std::vector<double> clv;                 // discounted revenue over the horizon, in currency units

  double pareto_top20_share = 0;  // share of revenue made by the best 20 % of customers (with ranks)
  int64_t total_revenue_cents = 0;  // net of returns
  int64_t total_returns_cents = 0;
  size_t buyers = 0;
  bool models_fitted = false;     // false when too few repeat buyers to fit
  BgNbdParams bgnbd;              // time in days
  GammaGammaParams gamma_gamma;
};

CustomerMeasures ComputeMeasures(const data::CustomerStore& store, const MeasureOptions& options);

// Whether the measure `name` (as programs name it) needs MeasureOptions::customer_base_models,
// or MeasureOptions::ranks: what a run computes follows what its programs read.
inline bool NeedsCustomerBaseModels(std::string_view name) {
  return name == "p_alive" || name == "clv" || name == "expected_purchases";
}
inline bool NeedsRanks(std::string_view name) { return name.starts_with("rfm_") || name == "revenue_rank"; }

// The data columns the measures read (besides event types and times).
inline constexpr std::string_view kMeasureColumns[] = {"signup_date", "amount"};

}  // namespace relc::measures
