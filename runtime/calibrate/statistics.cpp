#include "calibrate/statistics.h"

#include <algorithm>
#include <cmath>

namespace relc::calibrate {
namespace {

// The continued fraction of the incomplete beta function (modified Lentz).
double BetaContinuedFraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300;
  double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-14) break;
  }
  return h;
}

// The regularized incomplete beta function I_x(a, b).
double RegularizedBeta(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(x, a, b) / a;
  return 1 - front * BetaContinuedFraction(1 - x, b, a) / b;
}

}  // namespace

double BetaQuantile(double q, double a, double b) {
  double low = 0, high = 1;
  for (int i = 0; i < 100; ++i) {
    double middle = (low + high) / 2;
    (RegularizedBeta(middle, a, b) < q ? low : high) = middle;
  }
  return (low + high) / 2;
}

Estimate Proportion(double k, double n) {
  if (n <= 0) return {0, 0, 1};
  double a = k + 0.5, b = n - k + 0.5;
  // At the edges the Jeffreys interval is closed at 0 or 1 (Brown, Cai & DasGupta 2001).
  double low = k <= 0 ? 0 : BetaQuantile(0.025, a, b);
  double high = k >= n ? 1 : BetaQuantile(0.975, a, b);
  return {k / n, low, high};
}

BetaPrior FitPrior(const std::vector<std::pair<double, double>>& counts, double parent_rate) {
  double mean = std::clamp(parent_rate, 1e-6, 1 - 1e-6);
  double rows = 0, spread = 0, sampling = 0;
  for (const auto& [k, n] : counts) {
    if (n <= 0) continue;
    double rate = k / n;
    rows += n;
    spread += n * (rate - mean) * (rate - mean);
    sampling += mean * (1 - mean);  // n times the sampling variance of the segment's rate
  }
  // Between-segment variance: what the weighted spread shows beyond sampling noise.
  double between = rows > 0 ? (spread - sampling) / rows : 0;
  double ceiling = mean * (1 - mean);
  constexpr double kStrongest = 1e6;  // segments that differ only by chance: all but pooled
  double strength = between <= ceiling / kStrongest ? kStrongest : std::max(0.0, ceiling / between - 1);
  return {mean, strength};
}

Estimate Shrunk(double k, double n, const BetaPrior& prior) {
  double a = k + prior.strength * prior.mean + 0.5, b = n - k + prior.strength * (1 - prior.mean) + 0.5;
  return {(a - 0.5) / (a + b - 1), BetaQuantile(0.025, a, b), BetaQuantile(0.975, a, b)};
}

Estimate Mean(double sum, double sum_of_squares, double n) {
  if (n <= 0) return {0, 0, 0};
  double mean = sum / n;
  double variance = n > 1 ? std::max(0.0, (sum_of_squares - n * mean * mean) / (n - 1)) : 0;
  double half = kZ95 * std::sqrt(variance / n);
  return {mean, mean - half, mean + half};
}

Estimate Difference(const Estimate& a, const Estimate& b) {
  double half_a = (a.high - a.low) / 2, half_b = (b.high - b.low) / 2;
  double half = std::sqrt(half_a * half_a + half_b * half_b);
  double value = a.value - b.value;
  return {value, value - half, value + half};
}

}  // namespace relc::calibrate
