// Nelder-Mead minimisation, for the maximum-likelihood fits of the customer-base models
// (BG/NBD, Gamma-Gamma): a handful of parameters, smooth but unbounded surfaces, no gradients.
#pragma once

#include <functional>
#include <vector>

namespace relc::measures {

struct MinimizeResult {
  std::vector<double> point;
  double value = 0;
  int iterations = 0;
  bool converged = false;
};

// Minimises `f` from `start`, with an initial simplex of `step` along each axis, until the
// simplex's values differ by less than `tolerance` (relative to the best value, absolute below
// 1) or `max_iterations` pass.
MinimizeResult MinimizeNelderMead(const std::function<double(const std::vector<double>&)>& f,
                                  std::vector<double> start, double step = 0.5, double tolerance = 1e-12,
                                  int max_iterations = 20000);

}  // namespace relc::measures
