// The CUPED difference of means from sums, against the same estimate computed from the values:
// the slope by least squares within the groups, the adjusted values y - θx, their sample variances.
#include <catch2/catch.hpp>

#include <vector>

#include "data/random.h"
#include "measures/mean_difference.h"

namespace relc::measures {
namespace {

struct Group {
  std::vector<double> x, y;
  GroupSums Sums() const {
    GroupSums s;
    for (size_t i = 0; i < x.size(); ++i) {
      s.n += 1, s.x += x[i], s.xx += x[i] * x[i], s.y += y[i], s.yy += y[i] * y[i], s.xy += x[i] * y[i];
    }
    return s;
  }
};

double MeanOf(const std::vector<double>& v) {
  double sum = 0;
  for (double value : v) sum += value;
  return sum / static_cast<double>(v.size());
}

// The variance of the mean of `v`: its sample variance over its size.
double VarianceOfMeanOf(const std::vector<double>& v) {
  const double mean = MeanOf(v);
  double squares = 0;
  for (double value : v) squares += (value - mean) * (value - mean);
  return squares / static_cast<double>(v.size() - 1) / static_cast<double>(v.size());
}

Group Generated(uint64_t stream, double effect, size_t n) {
  data::Random random(5, stream);
  Group g;
  for (size_t i = 0; i < n; ++i) {
    const double before = random.Gamma(2, 30);
    g.x.push_back(before);
    g.y.push_back(0.8 * before + effect + 20 * random.Normal());
  }
  return g;
}

TEST_CASE("the CUPED difference of means from sums equals the one computed from the values", "[measures]") {
  const Group treated = Generated(1, 5, 3000), control = Generated(2, 0, 2000);
  const AdjustedDifference d = DifferenceOfMeans(treated.Sums(), control.Sums(), true);
  CHECK(d.plain.value == Approx(MeanOf(treated.y) - MeanOf(control.y)));
  CHECK(d.plain.variance == Approx(VarianceOfMeanOf(treated.y) + VarianceOfMeanOf(control.y)));
  // θ by least squares on the values centred within each group.
  double sxy = 0, sxx = 0;
  for (const Group* g : {&treated, &control}) {
    const double mx = MeanOf(g->x), my = MeanOf(g->y);
    for (size_t i = 0; i < g->x.size(); ++i) sxy += (g->x[i] - mx) * (g->y[i] - my), sxx += (g->x[i] - mx) * (g->x[i] - mx);
  }
  const double theta = sxy / sxx;
  CHECK(d.theta == Approx(theta));
  auto adjusted = [theta](const Group& g) {
    std::vector<double> z;
    for (size_t i = 0; i < g.x.size(); ++i) z.push_back(g.y[i] - theta * g.x[i]);
    return z;
  };
  REQUIRE(d.adjusted);
  CHECK(d.adjusted->value == Approx(MeanOf(adjusted(treated)) - MeanOf(adjusted(control))));
  CHECK(d.adjusted->variance == Approx(VarianceOfMeanOf(adjusted(treated)) + VarianceOfMeanOf(adjusted(control))));
  CHECK(d.variance_reduction == Approx(1 - d.adjusted->variance / d.plain.variance));
  CHECK(d.adjusted->value == Approx(5).margin(2));  // the true effect, within its noise
}

TEST_CASE("without variation of the covariate, or when not asked, no adjustment", "[measures]") {
  Group flat = Generated(3, 0, 100), other = Generated(4, 0, 100);
  for (auto* g : {&flat, &other}) g->x.assign(g->x.size(), 7);
  CHECK_FALSE(DifferenceOfMeans(flat.Sums(), other.Sums(), true).adjusted);
  CHECK_FALSE(DifferenceOfMeans(Generated(5, 0, 50).Sums(), Generated(6, 0, 50).Sums(), false).adjusted);
}

}  // namespace
}  // namespace relc::measures
