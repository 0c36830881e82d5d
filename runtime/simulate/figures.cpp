#include "simulate/figures.h"

#include <cmath>

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

// The share of a population who bought, with its variance.
Estimate BuyerShare(const Population& p) {
  const auto n = static_cast<double>(p.customers);
  const double share = n > 0 ? static_cast<double>(p.buyers) / n : 0;
  const double half = n > 1 ? kZ95 * std::sqrt(share * (1 - share) / n) : 0;
  return {share, share - half, share + half};
}

double Variance(const Estimate& e) { return std::pow((e.high - e.low) / (2 * kZ95), 2); }

// The CUPED uplift of `entered` over `held` (sums of revenue y and spend before x per side).
void Adjust(const Population& entered, const Population& held, double difference, Figures& f) {
  struct Centred {
    double n, mean_x, sxx, syy, sxy;
  };
  auto centred = [](const Population& p) {
    const auto n = static_cast<double>(p.customers);
    const double mx = static_cast<double>(p.before_cents) / n, my = Mean(p);
    return Centred{n, mx, static_cast<double>(p.before_squares) - n * mx * mx, static_cast<double>(p.revenue_squares) - n * my * my,
                   static_cast<double>(p.before_revenue) - n * mx * my};
  };
  const Centred a = centred(entered), b = centred(held);
  if (a.sxx + b.sxx <= 0) return;
  const double theta = (a.sxy + b.sxy) / (a.sxx + b.sxx);
  auto variance = [](const Centred& g, double slope) {
    return std::max(0.0, g.syy - 2 * slope * g.sxy + slope * slope * g.sxx) / (g.n - 1) / g.n;
  };
  const double plain = variance(a, 0) + variance(b, 0), adjusted = variance(a, theta) + variance(b, theta);
  const double value = difference - theta * (a.mean_x - b.mean_x), half = kZ95 * std::sqrt(adjusted);
  f.uplift_adjusted = Estimate{value, value - half, value + half};
  f.adjustment = theta;
  f.variance_reduction = plain > 0 ? 1 - adjusted / plain : 0;
}

}  // namespace

ArmFigures ArmFiguresOf(const Result& result, const Variant& variant) {
  const Population& arm = variant.population;
  const Population& held = result.scenario_held_out[static_cast<size_t>(variant.scenario)];
  ArmFigures f;
  f.customers = arm.customers;
  f.conversion = BuyerShare(arm);
  const double spend = Mean(arm), spend_half = arm.customers > 1 ? kZ95 * std::sqrt(VarianceOfMean(arm)) : 0;
  f.spend_per_customer = {spend, spend - spend_half, spend + spend_half};
  if (arm.customers >= 2 && held.customers >= 2) {
    const Estimate held_conversion = BuyerShare(held);
    const double lift = f.conversion.value - held_conversion.value;
    const double lift_half = kZ95 * std::sqrt(Variance(f.conversion) + Variance(held_conversion));
    f.conversion_uplift = Estimate{lift, lift - lift_half, lift + lift_half};
    const double added = spend - Mean(held), added_half = kZ95 * std::sqrt(VarianceOfMean(arm) + VarianceOfMean(held));
    f.spend_uplift = Estimate{added, added - added_half, added + added_half};
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
    Adjust(entered, held, difference, f);
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
