#include "measures/mean_difference.h"

#include <algorithm>

namespace relc::measures {
namespace {

// A group's sums centred on its means: Sxx, Syy, Sxy.
struct Centred {
  double n, mean_x, sxx, syy, sxy;
};

Centred CentredOf(const GroupSums& g) {
  const double mx = g.x / g.n, my = g.y / g.n;
  return {g.n, mx, g.xx - g.n * mx * mx, g.yy - g.n * my * my, g.xy - g.n * mx * my};
}

// The variance of the group's mean of y - slope x.
double VarianceOfMean(const Centred& g, double slope) {
  return std::max(0.0, g.syy - 2 * slope * g.sxy + slope * slope * g.sxx) / (g.n - 1) / g.n;
}

}  // namespace

AdjustedDifference DifferenceOfMeans(const GroupSums& treated, const GroupSums& control, bool adjust) {
  const Centred a = CentredOf(treated), b = CentredOf(control);
  AdjustedDifference out;
  out.plain = {treated.y / treated.n - control.y / control.n, VarianceOfMean(a, 0) + VarianceOfMean(b, 0)};
  if (!adjust || a.sxx + b.sxx <= 0) return out;
  out.theta = (a.sxy + b.sxy) / (a.sxx + b.sxx);
  out.adjusted = MeanDifference{out.plain.value - out.theta * (a.mean_x - b.mean_x),
                                VarianceOfMean(a, out.theta) + VarianceOfMean(b, out.theta)};
  out.variance_reduction = out.plain.variance > 0 ? 1 - out.adjusted->variance / out.plain.variance : 0;
  return out;
}

}  // namespace relc::measures
