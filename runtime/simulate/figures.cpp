#include "simulate/figures.h"

#include <cmath>

#include "measures/mean_difference.h"

namespace relc::simulate {
namespace {

constexpr double kZ95 = 1.959964;

double Mean(const Population& p) { return p.customers > 0 ? static_cast<double>(p.revenue_cents) / static_cast<double>(p.customers) : 0; }

// The variance of the mean revenue per customer: the between-customer variance over n.
double VarianceOfMean(const Population& p) {
  const auto n = static_cast<double>(p.customers);
  const double mean = Mean(p);
  const double variance = (static_cast<double>(p.revenue_squares) - n * mean * mean) / (n - 1);
  return std::max(0.0, variance) / n;
}

// The share of a population who bought, and the variance of that share.
double BuyerShare(const Population& p) { return p.customers > 0 ? static_cast<double>(p.buyers) / static_cast<double>(p.customers) : 0; }
double BuyerShareVariance(const Population& p) {
  const double share = BuyerShare(p);
  return p.customers > 1 ? share * (1 - share) / static_cast<double>(p.customers) : 0;
}

Estimate Around(double value, double variance) {
  const double half = kZ95 * std::sqrt(variance);
  return {value, value - half, value + half};
}

// The uplift of `entered` over `held` adjusted by what they spent before the run (CUPED).
void Adjust(const Population& entered, const Population& held, Figures& f) {
  auto sums = [](const Population& p) {
    return measures::GroupSums{static_cast<double>(p.customers),     static_cast<double>(p.before_cents),
                               static_cast<double>(p.before_squares), static_cast<double>(p.revenue_cents),
                               static_cast<double>(p.revenue_squares), static_cast<double>(p.before_revenue)};
  };
  const measures::AdjustedDifference uplift = measures::DifferenceOfMeans(sums(entered), sums(held), true);
  if (!uplift.adjusted) return;
  f.uplift_adjusted = Around(uplift.adjusted->value, uplift.adjusted->variance);
  f.adjustment = uplift.theta;
  f.variance_reduction = uplift.variance_reduction;
}

}  // namespace

ArmFigures ArmFiguresOf(const Result& result, const Variant& variant) {
  const Population& arm = variant.population;
  const Population& held = result.scenario_held_out[static_cast<size_t>(variant.scenario)];
  ArmFigures f;
  f.customers = arm.customers;
  f.conversion = Around(BuyerShare(arm), BuyerShareVariance(arm));
  f.spend_per_customer = Around(Mean(arm), arm.customers > 1 ? VarianceOfMean(arm) : 0);
  if (arm.customers >= 2 && held.customers >= 2) {
    f.conversion_uplift = Around(BuyerShare(arm) - BuyerShare(held), BuyerShareVariance(arm) + BuyerShareVariance(held));
    f.spend_uplift = Around(Mean(arm) - Mean(held), VarianceOfMean(arm) + VarianceOfMean(held));
  }
  return f;
}

Figures FiguresOf(const Result& result, int scenario) {
  const bool program = scenario < 0;
  const Population& entered = program ? result.entered : result.scenario_entered[static_cast<size_t>(scenario)];
  const Population& held = program ? result.held_out : result.scenario_held_out[static_cast<size_t>(scenario)];
  const Counters& counts = program ? result.program : result.scenarios[static_cast<size_t>(scenario)];
  Figures f;
  f.revenue_per_entered = Mean(entered);
  f.revenue_per_held_out = Mean(held);
  const auto n = static_cast<double>(entered.customers);
  if (held.customers > 0) {
    f.held_out_purchases_scaled = static_cast<double>(held.purchases) / static_cast<double>(held.customers) * n;
    f.held_out_revenue_scaled = f.revenue_per_held_out * n;
  }
  if (entered.customers >= 2 && held.customers >= 2) {
    const double difference = f.revenue_per_entered - f.revenue_per_held_out;
    const double half = kZ95 * std::sqrt(VarianceOfMean(entered) + VarianceOfMean(held));
    f.uplift_per_entered = Estimate{difference, difference - half, difference + half};
    f.incremental_revenue = Estimate{difference * n, (difference - half) * n, (difference + half) * n};
    Adjust(entered, held, f);
  }
  if (counts.cost_cents > 0) {
    f.roi = static_cast<double>(counts.attributed_cents - counts.cost_cents) / static_cast<double>(counts.cost_cents);
  }
  if (held.cart_journeys > 0) {
    f.carts_bought_anyway = static_cast<double>(held.carts_bought) / static_cast<double>(held.cart_journeys) *
                            static_cast<double>(entered.cart_journeys);
    f.carts_recovered_net = static_cast<double>(counts.carts_recovered) - *f.carts_bought_anyway;
  }
  return f;
}

}  // namespace relc::simulate
