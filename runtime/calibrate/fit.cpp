#include "calibrate/fit.h"

#include <numeric>

namespace relc::calibrate {
namespace {

struct Counts {
  double customers = 0, opens = 0, clicks = 0, conversions = 0, spend = 0, spend_squares = 0;
  void Add(const HistoryRow& row) {
    customers += 1;
    opens += row.opened == 1;
    clicks += row.clicked == 1;
    conversions += row.converted;
    spend += row.amount;
    spend_squares += row.amount * row.amount;
  }
};

Funnel FunnelOf(const Counts& c) {
  Funnel f;
  f.customers = c.customers;
  f.opens = c.opens, f.clicks = c.clicks, f.conversions = c.conversions, f.spend = c.spend;
  f.opened = Proportion(c.opens, c.customers);
  f.clicked = Proportion(c.clicks, c.customers);
  f.converted = Proportion(c.conversions, c.customers);
  f.spend_per_customer = Mean(c.spend, c.spend_squares, c.customers);
  return f;
}

}  // namespace

Calibration Fit(const History& history, const std::vector<size_t>& rows, double min_segment_rows) {
  std::vector<size_t> all;
  const std::vector<size_t>* used = &rows;
  if (rows.empty()) {
    all.resize(history.rows.size());
    std::iota(all.begin(), all.end(), 0);
    used = &all;
  }
  const size_t arms = history.arms.size();
  std::vector<Counts> per_arm(arms);
  // per arm, per `by` column, per value
  std::vector<std::vector<std::vector<Counts>>> per_segment(arms);
  for (size_t a = 0; a < arms; ++a) {
    per_segment[a].resize(history.by.size());
    for (size_t b = 0; b < history.by.size(); ++b) per_segment[a][b].resize(history.segment_values[b].size());
  }
  for (size_t index : *used) {
    const HistoryRow& row = history.rows[index];
    auto arm = static_cast<size_t>(row.arm);
    per_arm[arm].Add(row);
    for (size_t b = 0; b < row.segment.size(); ++b) per_segment[arm][b][static_cast<size_t>(row.segment[b])].Add(row);
  }

  Calibration out;
  // The control per segment: customers buy anyway at different rates (members more), so a
  // segment's lift is over its own control.
  std::vector<std::vector<Estimate>> control_segments(history.by.size());
  if (history.control >= 0 && per_arm[static_cast<size_t>(history.control)].customers > 0) {
    auto control = static_cast<size_t>(history.control);
    out.control = FunnelOf(per_arm[control]);
    for (size_t b = 0; b < history.by.size(); ++b) {
      std::vector<std::pair<double, double>> counts;
      for (const Counts& c : per_segment[control][b]) counts.emplace_back(c.conversions, c.customers);
      BetaPrior prior = FitPrior(counts, out.control->converted.value);
      for (const Counts& c : per_segment[control][b]) control_segments[b].push_back(Shrunk(c.conversions, c.customers, prior));
    }
  }
  for (size_t a = 0; a < arms; ++a) {
    if (history.arms[a].control || per_arm[a].customers == 0) continue;
    ArmFit& fit = out.arms.emplace_back();
    fit.arm = static_cast<int32_t>(a);
    fit.funnel = FunnelOf(per_arm[a]);
    if (out.control) fit.lift = Difference(fit.funnel.converted, out.control->converted);
    for (size_t b = 0; b < history.by.size(); ++b) {
      const auto& values = per_segment[a][b];
      // One prior per rate and attribute: how much this arm's segments really differ.
      auto prior = [&](double Counts::*successes, double parent) {
        std::vector<std::pair<double, double>> counts;
        for (const Counts& c : values) counts.emplace_back(c.*successes, c.customers);
        return FitPrior(counts, parent);
      };
      BetaPrior opened = prior(&Counts::opens, fit.funnel.opened.value);
      BetaPrior clicked = prior(&Counts::clicks, fit.funnel.clicked.value);
      BetaPrior converted = prior(&Counts::conversions, fit.funnel.converted.value);
      for (size_t v = 0; v < values.size(); ++v) {
        const Counts& c = values[v];
        if (c.customers == 0) continue;
        SegmentFit segment;
        segment.column = b;
        segment.value = static_cast<int32_t>(v);
        segment.raw = FunnelOf(c);
        segment.opened = Shrunk(c.opens, c.customers, opened);
        segment.clicked = Shrunk(c.clicks, c.customers, clicked);
        segment.converted = Shrunk(c.conversions, c.customers, converted);
        segment.small = c.customers < min_segment_rows;
        if (out.control) segment.control_converted = control_segments[b][v];
        fit.segments.push_back(segment);
      }
    }
  }
  return out;
}

}  // namespace relc::calibrate
