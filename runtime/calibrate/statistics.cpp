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

// The regularized lower incomplete gamma function P(a, x), by its series (x < a + 1) or its
// continued fraction.
double RegularizedGammaP(double a, double x) {
  if (x <= 0) return 0;
  double front = std::exp(a * std::log(x) - x - std::lgamma(a));
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < 500 && std::fabs(term) > std::fabs(sum) * 1e-15; ++n) sum += term *= x / (a + n);
    return front * sum;
  }
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 500; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-15) break;
  }
  return 1 - front * h;
}

// How sure the strength's upper bound is (one-sided): see PriorStrength.
constexpr double kStrengthDoubt = 0.2;

}  // namespace

double ChiSquareQuantile(double q, double freedom) {
  double low = 0, high = freedom + 20 * std::sqrt(2 * freedom) + 20;
  for (int i = 0; i < 200; ++i) {
    double middle = (low + high) / 2;
    (RegularizedGammaP(freedom / 2, middle / 2) < q ? low : high) = middle;
  }
  return (low + high) / 2;
}

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

BetaPrior FitPrior(const std::vector<std::pair<double, double>>& counts, double parent_rate, double parent_half) {
  double mean = std::clamp(parent_rate, 1e-6, 1 - 1e-6);
  return {mean, PriorStrength(counts, std::vector<double>(counts.size(), mean)), parent_half};
}

double PriorStrength(const std::vector<std::pair<double, double>>& counts, const std::vector<double>& expected) {
  double rows = 0, spread = 0, sampling = 0, ceiling = 0, segments = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    auto [k, n] = counts[i];
    if (n <= 0) continue;
    double mean = std::clamp(expected[i], 1e-6, 1 - 1e-6), rate = k / n;
    rows += n;
    spread += n * (rate - mean) * (rate - mean);
    sampling += mean * (1 - mean);  // n times the sampling variance of the segment's rate
    ceiling += n * mean * (1 - mean);
    segments += 1;
  }
  constexpr double kStrongest = 1e6;
  if (rows <= 0) return kStrongest;
  // The between-segment variance, what the weighted spread shows beyond sampling noise, is
  // itself uncertain, the more so the fewer the segments: (between + sampling) is about a
  // chi-square with K - 1 degrees of freedom over K - 1. Its upper bound keeps a handful of
  // segments that look alike by chance from being pooled, which would make their intervals far
  // too narrow. Under the prior, the between variance is mean (1 - mean) / (strength + 1).
  double typical_sampling = sampling / rows;
  double between = std::max(0.0, (spread - sampling) / rows);
  double freedom = std::max(1.0, segments - 1);
  double upper = (between + typical_sampling) * freedom / ChiSquareQuantile(kStrengthDoubt, freedom) - typical_sampling;
  return std::min(kStrongest, std::max(0.0, ceiling / rows / upper - 1));
}

Estimate Shrunk(double k, double n, const BetaPrior& prior) {
  double a = k + prior.strength * prior.mean + 0.5, b = n - k + prior.strength * (1 - prior.mean) + 0.5;
  double value = (a - 0.5) / (a + b - 1), low = BetaQuantile(0.025, a, b), high = BetaQuantile(0.975, a, b);
  double weight = n > 0 ? prior.strength / (prior.strength + n) : 1;  // on the prior
  double leaning = weight * prior.mean_half;
  return {value, std::max(0.0, value - std::hypot(value - low, leaning)), std::min(1.0, value + std::hypot(high - value, leaning))};
}

Estimate Mean(double sum, double sum_of_squares, double n) {
  if (n <= 0) return {0, 0, 0};
  double mean = sum / n;
  double variance = n > 1 ? std::max(0.0, (sum_of_squares - n * mean * mean) / (n - 1)) : 0;
  double half = kZ95 * std::sqrt(variance / n);
  return {mean, mean - half, mean + half};
}

Estimate Difference(const Estimate& a, const Estimate& b) {
  double half_a = Half(a), half_b = Half(b);
  double half = std::sqrt(half_a * half_a + half_b * half_b);
  double value = a.value - b.value;
  return {value, value - half, value + half};
}

}  // namespace relc::calibrate
