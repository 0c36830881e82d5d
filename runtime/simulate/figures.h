// The figures a report states of a program's run, beyond its counts: what its entered customers
// bought beside the holdout customers who would have entered, the uplift with its 95 % interval,
// the return on cost, and carts recovered net of those bought anyway. One definition each, used
// by every report format and by the KPI metrics (docs/simulation.md, "What each figure means").
#pragma once

#include <optional>

#include "simulate/simulate.h"

namespace relc::simulate {

// A figure with its 95 % interval (normal approximation).
struct Estimate {
  double value = 0, low = 0, high = 0;
};

struct Figures {
  // Per customer who entered, and per holdout customer who would have entered (cents).
  double revenue_per_entered = 0, revenue_per_held_out = 0;
  // The holdout's figures scaled to the number of entered customers: what they would have
  // bought without the program.
  double held_out_purchases_scaled = 0, held_out_revenue_scaled = 0;
  // Revenue per entered customer less that of the holdout who would have entered, and the same
  // times the entered customers; nullopt without at least two customers on each side.
  std::optional<Estimate> uplift_per_entered, incremental_revenue;
  // The same uplift adjusted by what the customers had spent before the run (CUPED: less the
  // difference of the two sides' spend before times the slope of revenue on it, pooled within
  // the sides), which is unbiased and narrower by the share of variance past spend explains
  // (`variance_reduction`); nullopt without spend before to adjust by.
  std::optional<Estimate> uplift_adjusted;
  double adjustment = 0, variance_reduction = 0;
  // (attributed revenue - cost) / cost; nullopt without cost.
  std::optional<double> roi;
  // Carts bought anyway, expected among the entered customers' cart journeys at the holdout's
  // rate (nullopt without a holdout's cart journeys), and the carts recovered net of them.
  std::optional<double> carts_bought_anyway, carts_recovered_net;
};

// The figures of the program (`scenario` < 0) or of one of its scenarios.
Figures FiguresOf(const Result& result, int scenario = -1);

// A split arm beside the holdout of its scenario (the customers who would have entered it): the
// share of the arm's customers who bought from when they took it (conversion) and what they
// spent each (cents), and the same less the holdout's (uplift), with 95 % intervals; the uplift
// is nullopt without two customers on each side.
struct ArmFigures {
  int64_t customers = 0;
  Estimate conversion, spend_per_customer;
  std::optional<Estimate> conversion_uplift, spend_uplift;
};
ArmFigures ArmFiguresOf(const Result& result, const Variant& variant);

}  // namespace relc::simulate
