#include "measures/customer_base.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "measures/nelder_mead.h"

namespace relc::measures {
namespace {

double LogAddExp(double x, double y) {
  double m = std::max(x, y);
  return m + std::log(std::exp(x - m) + std::exp(y - m));
}

double LogBeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

}  // namespace

double Hypergeometric2F1(double a, double b, double c, double z) {
  double term = 1, sum = 1;
  for (int k = 0; k < 100000; ++k) {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
    sum += term;
    if (std::abs(term) < 1e-15 * std::abs(sum)) break;
  }
  return sum;
}

double BgNbdLogLikelihood(const BgNbdParams& params, const RepeatSummary& customer) {
  const auto [r, alpha, a, b] = params;
  const double x = customer.x;
  double a1 = std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha);
  double a2 = std::lgamma(a + b) + std::lgamma(b + x) - std::lgamma(b) - std::lgamma(a + b + x);
  double a3 = -(r + x) * std::log(alpha + customer.T);
  if (x <= 0) return a1 + a2 + a3;
  double a4 = std::log(a) - std::log(b + x - 1) - (r + x) * std::log(alpha + customer.t_x);
  return a1 + a2 + LogAddExp(a3, a4);
}

BgNbdParams FitBgNbd(std::span<const RepeatSummary> customers) {
  // The log-likelihood of eq. 6, with the terms that depend only on x computed once per
  // distinct x at each evaluation: x is a small count, and lgamma dominates the cost.
  size_t max_x = 0;
  for (const auto& customer : customers) max_x = std::max(max_x, static_cast<size_t>(customer.x));
  std::vector<double> gamma_rx(max_x + 1), beta_terms(max_x + 1), dropout(max_x + 1);
  auto negative_log_likelihood = [&](const std::vector<double>& unbounded) {
    // Beyond e^±12 the likelihood is flat along a ridge (no dropout, or no heterogeneity in
    // it, as a and b grow together): a penalty brings the search back to the bound instead of
    // letting it creep along to the last iteration.
    std::vector<double> log_params = unbounded;
    double penalty = 0;
    for (double& p : log_params) {
      const double excess = std::abs(p) - 12;
      if (excess > 0) penalty += 1000 * excess * excess, p = std::copysign(12.0, p);
    }
    const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]);
    const double a = std::exp(log_params[2]), b = std::exp(log_params[3]);
    const double common = -std::lgamma(r) + r * std::log(alpha) + std::lgamma(a + b) - std::lgamma(b);
    for (size_t x = 0; x <= max_x; ++x) {
      gamma_rx[x] = std::lgamma(r + x);
      beta_terms[x] = std::lgamma(b + x) - std::lgamma(a + b + x);
      dropout[x] = x > 0 ? std::log(a) - std::log(b + x - 1) : 0;
    }
    double total = 0;
    for (const auto& customer : customers) {
      size_t x = static_cast<size_t>(customer.x);
      double base = common + gamma_rx[x] + beta_terms[x];
      double a3 = -(r + customer.x) * std::log(alpha + customer.T);
      double value = x == 0 ? base + a3 : base + LogAddExp(a3, dropout[x] - (r + customer.x) * std::log(alpha + customer.t_x));
      total += customer.weight * value;
    }
    return std::isfinite(total) ? penalty - total : 1e300;
  };
  MinimizeResult best = MinimizeNelderMead(negative_log_likelihood, {0, 0, 0, 0});
  // A restart from the optimum escapes an early collapse of the simplex.
  best = MinimizeNelderMead(negative_log_likelihood, best.point, 0.1);
  auto bounded = [](double p) { return std::exp(std::clamp(p, -12.0, 12.0)); };
  return {bounded(best.point[0]), bounded(best.point[1]), bounded(best.point[2]), bounded(best.point[3])};
}

double BgNbdProbabilityOfPurchases(const BgNbdParams& params, int x, double t) {
  const auto [r, alpha, a, b] = params;
  double log_ratio = r * std::log(alpha / (alpha + t));
  double share = t / (alpha + t);
  double first = std::exp(LogBeta(a, b + x) - LogBeta(a, b) + std::lgamma(r + x) - std::lgamma(r) -
                          std::lgamma(x + 1.0) + log_ratio + x * std::log(share));
  if (x == 0) return first;
  double partial = 0;
  for (int j = 0; j < x; ++j) {
    partial += std::exp(std::lgamma(r + j) - std::lgamma(r) - std::lgamma(j + 1.0) + j * std::log(share));
  }
  double second = std::exp(LogBeta(a + 1, b + x - 1) - LogBeta(a, b)) * (1 - std::exp(log_ratio) * partial);
  return first + second;
}

double BgNbdExpectedPurchases(const BgNbdParams& params, double t) {
  const auto [r, alpha, a, b] = params;
  return (a + b - 1) / (a - 1) *
         (1 - std::pow(alpha / (alpha + t), r) * Hypergeometric2F1(r, b, a + b - 1, t / (alpha + t)));
}

double BgNbdProbabilityAlive(const BgNbdParams& params, const RepeatSummary& customer) {
  const auto [r, alpha, a, b] = params;
  if (customer.x <= 0) return 1;
  double odds = a / (b + customer.x - 1) * std::pow((alpha + customer.T) / (alpha + customer.t_x), r + customer.x);
  return 1 / (1 + odds);
}

double BgNbdConditionalExpectedPurchases(const BgNbdParams& params, const RepeatSummary& customer, double t) {
  const auto [r, alpha, a, b] = params;
  const double x = customer.x, T = customer.T;
  double hyper = Hypergeometric2F1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  double numerator = (a + b + x - 1) / (a - 1) * (1 - std::pow((alpha + T) / (alpha + T + t), r + x) * hyper);
  double denominator = 1;
  if (x > 0) denominator += a / (b + x - 1) * std::pow((alpha + T) / (alpha + customer.t_x), r + x);
  return numerator / denominator;
}

double GammaGammaLogLikelihood(const GammaGammaParams& params, const SpendSummary& customer) {
  const auto [p, q, v] = params;
  const double x = customer.x, m = customer.mean_value;
  return std::lgamma(p * x + q) - std::lgamma(p * x) - std::lgamma(q) + q * std::log(v) + (p * x - 1) * std::log(m) +
         p * x * std::log(x) - (p * x + q) * std::log(x * m + v);
}

GammaGammaParams FitGammaGamma(std::span<const SpendSummary> customers) {
  // As for BG/NBD: the lgamma terms depend on x only; log(m) never changes.
  size_t max_x = 0;
  std::vector<double> log_m;
  for (const auto& customer : customers) {
    max_x = std::max(max_x, static_cast<size_t>(customer.x));
    log_m.push_back(std::log(customer.mean_value));
  }
  std::vector<double> x_terms(max_x + 1);
  auto negative_log_likelihood = [&](const std::vector<double>& log_params) {
    const double p = std::exp(log_params[0]), q = std::exp(log_params[1]), v = std::exp(log_params[2]);
    for (size_t x = 1; x <= max_x; ++x) {
      x_terms[x] = std::lgamma(p * x + q) - std::lgamma(p * x) + p * x * std::log(static_cast<double>(x));
    }
    const double common = -std::lgamma(q) + q * std::log(v);
    double total = 0;
    for (size_t i = 0; i < customers.size(); ++i) {
      const double x = customers[i].x, m = customers[i].mean_value;
      total += customers[i].weight *
               (common + x_terms[static_cast<size_t>(x)] + (p * x - 1) * log_m[i] - (p * x + q) * std::log(x * m + v));
    }
    return std::isfinite(total) ? -total : 1e300;
  };
  MinimizeResult best = MinimizeNelderMead(negative_log_likelihood, {0, 0, 0});
  best = MinimizeNelderMead(negative_log_likelihood, best.point, 0.1);
  return {std::exp(best.point[0]), std::exp(best.point[1]), std::exp(best.point[2])};
}

double GammaGammaExpectedSpend(const GammaGammaParams& params, const SpendSummary& customer) {
  const auto [p, q, v] = params;
  return p * (v + customer.x * customer.mean_value) / (p * customer.x + q - 1);
}

}  // namespace relc::measures
