// The simulator's model figures: drawn from their intervals for prediction intervals, and the
// baselines of what customers buy anyway.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "simulate/behaviour.h"

namespace relc::simulate {
namespace {

struct Moments {
  double mean = 0, sd = 0, least = INFINITY, most = -INFINITY;
};

Moments Draws(double value, double low, double high, bool amount) {
  data::Random random(7, 11);
  std::vector<double> draws;
  for (int i = 0; i < 40000; ++i) draws.push_back(DrawFigure(value, low, high, amount, random));
  Moments m;
  for (double d : draws) m.mean += d, m.least = std::min(m.least, d), m.most = std::max(m.most, d);
  m.mean /= static_cast<double>(draws.size());
  for (double d : draws) m.sd += (d - m.mean) * (d - m.mean);
  m.sd = std::sqrt(m.sd / static_cast<double>(draws.size() - 1));
  return m;
}

TEST_CASE("a rate is drawn around its value with the spread its interval states", "[simulate]") {
  Moments rate = Draws(0.0426, 0.0384, 0.0472, false);  // a Beta
  CHECK(rate.mean == Approx(0.0426).epsilon(0.005));
  CHECK(rate.sd == Approx((0.0472 - 0.0384) / 3.92).epsilon(0.03));
  CHECK(rate.least > 0);
  CHECK(rate.most < 1);
  // About 95 % of draws fall inside the interval.
  data::Random random(3, 5);
  int inside = 0;
  for (int i = 0; i < 20000; ++i) {
    double d = DrawFigure(0.0426, 0.0384, 0.0472, false, random);
    inside += d >= 0.0384 && d <= 0.0472;
  }
  CHECK(inside / 20000.0 == Approx(0.95).margin(0.01));
}

TEST_CASE("an amount is drawn from a Gamma distribution, never below zero", "[simulate]") {
  Moments basket = Draws(6357, 5514, 7199, true);  // cents
  CHECK(basket.mean == Approx(6357).epsilon(0.005));
  CHECK(basket.sd == Approx((7199 - 5514) / 3.92).epsilon(0.03));
  CHECK(basket.least > 0);
}

TEST_CASE("a lift whose interval reaches below zero is drawn normally, a draw below zero taken as none", "[simulate]") {
  Moments lift = Draws(0.0225, -0.0603, 0.1053, false);
  CHECK(lift.least == 0);
  CHECK(lift.mean > 0.0225);  // the draws below zero are moved up to it
  CHECK(lift.most <= 1);
}

TEST_CASE("a figure without a spread is itself", "[simulate]") {
  data::Random random(1, 1);
  CHECK(DrawFigure(0.05, 0.05, 0.05, false, random) == 0.05);
  CHECK(DrawFigure(1.0, 1.0, 1.0, false, random) == 1.0);
  CHECK(DrawFigure(0.05, NAN, NAN, false, random) == 0.05);
}

TEST_CASE("a baseline's share over its window becomes a daily rate, and a segment takes what it does not state from everyone's",
          "[simulate]") {
  ir::Program program;
  auto figure = [&](int32_t panel, const char* property) {
    program.baseline_rates.push_back({.model = "m", .panel = panel, .property = property});
  };
  figure(-1, "converted"), figure(-1, "basket"), figure(-1, "window");
  figure(3, "converted"), figure(3, "window");
  figure(4, "basket");  // no share of its own, nor a window: everyone's
  std::vector<Baseline> baselines = BaselinesFor(program, {0.03, 5776, 30 * 86400.0, 0.05, 14 * 86400.0, 9000});
  REQUIRE(baselines.size() == 3);
  CHECK(baselines[0].panel == -1);
  // 3 % buy within 30 days: 1 - exp(-30 x rate) = 3 %.
  CHECK(1 - std::exp(-30 * baselines[0].per_day) == Approx(0.03));
  // A buyer's 57.76 over the window, spread over the purchases a buyer makes (a little over one):
  // the spend per customer is 3 % x 57.76.
  CHECK(baselines[0].basket_cents == 5689);
  CHECK(30 * baselines[0].per_day * baselines[0].basket_cents == Approx(0.03 * 5776).epsilon(0.001));
  CHECK(baselines[1].panel == 3);
  CHECK(1 - std::exp(-14 * baselines[1].per_day) == Approx(0.05));
  CHECK(14 * baselines[1].per_day * baselines[1].basket_cents == Approx(0.05 * 5776).epsilon(0.001));
  CHECK(baselines[2].panel == 4);
  CHECK(baselines[2].per_day == Approx(baselines[0].per_day));
  CHECK(30 * baselines[2].per_day * baselines[2].basket_cents == Approx(0.03 * 9000).epsilon(0.001));
}

}  // namespace
}  // namespace relc::simulate
