#include "measures/nelder_mead.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace relc::measures {

MinimizeResult MinimizeNelderMead(const std::function<double(const std::vector<double>&)>& f,
                                  std::vector<double> start, double step, double tolerance, int max_iterations) {
  // Standard coefficients (Nelder & Mead 1965; Lagarias et al. 1998).
  constexpr double kReflect = 1, kExpand = 2, kContract = 0.5, kShrink = 0.5;
  const size_t n = start.size();
  std::vector<std::vector<double>> simplex(n + 1, start);
  for (size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
  std::vector<double> values(n + 1);
  for (size_t i = 0; i <= n; ++i) values[i] = f(simplex[i]);
  std::vector<size_t> order(n + 1);

  auto combine = [&](const std::vector<double>& centroid, const std::vector<double>& worst, double t) {
    std::vector<double> point(n);
    for (size_t j = 0; j < n; ++j) point[j] = centroid[j] + t * (centroid[j] - worst[j]);
    return point;
  };

  MinimizeResult result;
  for (result.iterations = 0; result.iterations < max_iterations; ++result.iterations) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    size_t best = order.front(), worst = order.back(), second_worst = order[n - 1];
    // Relative to the value's size too: a log-likelihood over many customers cannot be known
    // to 1e-10 absolutely, and a flat ridge would otherwise be crept along to the last iteration.
    if (std::abs(values[worst] - values[best]) < tolerance * std::max(1.0, std::abs(values[best]))) {
      result.converged = true;
      break;
    }
    std::vector<double> centroid(n, 0.0);
    for (size_t i : order) {
      if (i == worst) continue;
      for (size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / static_cast<double>(n);
    }
    std::vector<double> reflected = combine(centroid, simplex[worst], kReflect);
    double reflected_value = f(reflected);
    if (reflected_value < values[best]) {
      std::vector<double> expanded = combine(centroid, simplex[worst], kExpand);
      double expanded_value = f(expanded);
      if (expanded_value < reflected_value) {
        simplex[worst] = expanded, values[worst] = expanded_value;
      } else {
        simplex[worst] = reflected, values[worst] = reflected_value;
      }
      continue;
    }
    if (reflected_value < values[second_worst]) {
      simplex[worst] = reflected, values[worst] = reflected_value;
      continue;
    }
    bool outside = reflected_value < values[worst];
    std::vector<double> contracted = combine(centroid, simplex[worst], outside ? kContract : -kContract);
    double contracted_value = f(contracted);
    if (contracted_value < (outside ? reflected_value : values[worst])) {
      simplex[worst] = contracted, values[worst] = contracted_value;
      continue;
    }
    for (size_t i : order) {
      if (i == best) continue;
      for (size_t j = 0; j < n; ++j) simplex[i][j] = simplex[best][j] + kShrink * (simplex[i][j] - simplex[best][j]);
      values[i] = f(simplex[i]);
    }
  }
  size_t best = static_cast<size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  result.point = simplex[best];
  result.value = values[best];
  return result;
}

}  // namespace relc::measures
