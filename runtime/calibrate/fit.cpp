#include "calibrate/fit.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <tuple>

#include "measures/mean_difference.h"

namespace relc::calibrate {
namespace {

struct Counts {
  double customers = 0, opens = 0, clicks = 0, conversions = 0, unsubscribes = 0, spend = 0, spend_squares = 0;
  // Spend before (x), its square and its product with spend (y), for CUPED; spend capped, for winsorising.
  double before = 0, before_squares = 0, before_spend = 0, capped = 0, capped_squares = 0;
  // Per campaign, as far as the last one seen; counted only for pooled campaigns (empty: one).
  std::vector<double> campaign_customers, campaign_conversions;
  void Add(const HistoryRow& row, bool pooled = false) {
    if (pooled) {
      auto campaign = static_cast<size_t>(row.campaign);
      if (campaign_customers.size() <= campaign) {
        campaign_customers.resize(campaign + 1);
        campaign_conversions.resize(campaign + 1);
      }
      campaign_customers[campaign] += 1;
      campaign_conversions[campaign] += row.converted;
    }
    customers += 1;
    opens += row.opened == 1;
    clicks += row.clicked == 1;
    unsubscribes += row.unsubscribed == 1;
    conversions += row.converted;
    spend += row.amount;
    spend_squares += row.amount * row.amount;
    before += row.spend_before;
    before_squares += row.spend_before * row.spend_before;
    before_spend += row.spend_before * row.amount;
  }
  void AddCapped(double amount) {
    capped += amount;
    capped_squares += amount * amount;
  }
};

void Accumulate(Counts& to, const Counts& from) {
  to.customers += from.customers, to.opens += from.opens, to.clicks += from.clicks, to.conversions += from.conversions;
  to.unsubscribes += from.unsubscribes, to.spend += from.spend, to.spend_squares += from.spend_squares;
}

Funnel FunnelOf(const Counts& c) {
  Funnel f;
  f.customers = c.customers;
  f.opens = c.opens, f.clicks = c.clicks, f.conversions = c.conversions, f.unsubscribes = c.unsubscribes, f.spend = c.spend;
  f.opened = Proportion(c.opens, c.customers);
  f.clicked = Proportion(c.clicks, c.customers);
  f.converted = Proportion(c.conversions, c.customers);
  f.unsubscribed = Proportion(c.unsubscribes, c.customers);
  f.spend_per_customer = Mean(c.spend, c.spend_squares, c.customers);
  return f;
}

double Logit(double p) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return std::log(p / (1 - p));
}

// The rate a combination's attributes predict together: the parent's log-odds plus each
// attribute's shift from it; its interval from the segments' (the parent's is far narrower).
Estimate Combined(double parent, const std::vector<Estimate>& segments) {
  double logit = Logit(parent), logit_variance = 0;
  for (const Estimate& segment : segments) {
    double p = std::clamp(segment.value, 1e-6, 1 - 1e-6);
    logit += Logit(p) - Logit(parent);
    logit_variance += std::pow(Half(segment) / (p * (1 - p)), 2);
  }
  double rate = 1 / (1 + std::exp(-logit));
  double half = std::sqrt(logit_variance) * rate * (1 - rate);
  return {rate, rate - half, rate + half};
}

using CombinationCounts = std::map<std::vector<int32_t>, Counts>;

// Each combination's rate shrunk toward what its attributes predict: `successes` picks the
// counts, `expected` gives the prediction for a combination's values.
template <typename Successes, typename Expected>
std::vector<Estimate> ShrunkCombinations(const CombinationCounts& combinations, Successes successes, Expected expected) {
  std::vector<std::pair<double, double>> counts;
  std::vector<Estimate> predicted;
  std::vector<double> means;
  for (const auto& [values, c] : combinations) {
    counts.emplace_back(successes(c), c.customers);
    predicted.push_back(expected(values));
    means.push_back(std::clamp(predicted.back().value, 1e-6, 1 - 1e-6));
  }
  double strength = PriorStrength(counts, means);
  std::vector<Estimate> out;
  for (size_t i = 0; i < counts.size(); ++i) {
    out.push_back(Shrunk(counts[i].first, counts[i].second, {means[i], strength, Half(predicted[i])}));
  }
  return out;
}

// One campaign's control: its conversion, and per segment value and combination the same,
// shrunk toward it (customers buy anyway at different rates: members more).
struct ControlFit {
  Funnel funnel;
  std::vector<std::vector<Estimate>> segments;  // per `by` column, per value
  std::map<std::vector<int32_t>, Estimate> combinations;
};

// `combinations`: the keys of every arm's combinations, so that one the control lacks gets
// what its attributes predict.
ControlFit FitControl(const Counts& counts, const std::vector<std::vector<Counts>>& segments,
                      const CombinationCounts& own_combinations, const std::vector<CombinationCounts>& combinations) {
  ControlFit control;
  control.funnel = FunnelOf(counts);
  for (const std::vector<Counts>& values : segments) {
    std::vector<std::pair<double, double>> pairs;
    for (const Counts& c : values) pairs.emplace_back(c.conversions, c.customers);
    BetaPrior prior = FitPrior(pairs, control.funnel.converted.value, Half(control.funnel.converted));
    std::vector<Estimate>& shrunk = control.segments.emplace_back();
    for (const Counts& c : values) shrunk.push_back(Shrunk(c.conversions, c.customers, prior));
  }
  if (segments.size() < 2) return control;
  CombinationCounts keyed = own_combinations;
  for (const CombinationCounts& arm : combinations) {
    for (const auto& entry : arm) keyed.try_emplace(entry.first);
  }
  std::vector<Estimate> shrunk = ShrunkCombinations(
      keyed, [](const Counts& c) { return c.conversions; },
      [&](const std::vector<int32_t>& values) {
        std::vector<Estimate> rates;
        for (size_t b = 0; b < values.size(); ++b) rates.push_back(control.segments[b][static_cast<size_t>(values[b])]);
        return Combined(control.funnel.converted.value, rates);
      });
  size_t i = 0;
  for (const auto& entry : keyed) control.combinations.emplace(entry.first, shrunk[i++]);
  return control;
}

// What customers spread over campaigns would show: each campaign's estimate, weighed by their
// number in it. Customers of one campaign: its estimate as it is.
template <typename EstimateOf>
Estimate Matched(const std::vector<double>& customers, EstimateOf estimate_of) {
  double total = 0;
  size_t last = 0, campaigns = 0;
  for (size_t c = 0; c < customers.size(); ++c) {
    if (customers[c] > 0) total += customers[c], last = c, ++campaigns;
  }
  if (campaigns <= 1) return estimate_of(last);
  double value = 0, variance = 0;
  for (size_t c = 0; c < customers.size(); ++c) {
    if (customers[c] == 0) continue;
    const Estimate& e = estimate_of(c);
    double weight = customers[c] / total;
    value += weight * e.value;
    variance += std::pow(weight * Half(e), 2);
  }
  double half = std::sqrt(variance);
  return {value, value - half, value + half};
}

// The arm's lift in each campaign it was sent in, and whether they differ beyond what sampling
// explains: Cochran's Q (their spread around the inverse-variance mean) against the 99 %
// quantile of chi-square with one degree of freedom fewer than campaigns.
void CompareCampaignLifts(const Counts& arm, const std::vector<ControlFit>& controls, ArmFit& fit) {
  double weights = 0, weighted = 0;
  for (size_t c = 0; c < arm.campaign_customers.size(); ++c) {
    if (arm.campaign_customers[c] == 0) continue;
    Estimate lift = Difference(Proportion(arm.campaign_conversions[c], arm.campaign_customers[c]), controls[c].funnel.converted);
    fit.campaign_lifts.push_back({c, lift});
    double variance = std::pow(Half(lift) / kZ95, 2);
    weights += 1 / variance;
    weighted += lift.value / variance;
  }
  if (fit.campaign_lifts.size() < 2) return;
  double mean = weighted / weights, q = 0;
  for (const ArmFit::CampaignLift& campaign : fit.campaign_lifts) {
    q += std::pow(campaign.lift.value - mean, 2) / std::pow(Half(campaign.lift) / kZ95, 2);
  }
  fit.lifts_differ = q > ChiSquareQuantile(0.99, static_cast<double>(fit.campaign_lifts.size() - 1));
}

// An arm's combinations, once its segments are fitted: each shrunk toward what its attributes'
// shrunk segment rates predict together.
void FitCombinations(const CombinationCounts& counts, const std::vector<ControlFit>* controls, double min_segment_rows,
                     ArmFit& fit) {
  // segment_of[b][v]: the arm's segment for value v of column b.
  std::vector<std::vector<const SegmentFit*>> segment_of;
  for (const SegmentFit& segment : fit.segments) {
    if (segment_of.size() <= segment.column) segment_of.resize(segment.column + 1);
    auto& column = segment_of[segment.column];
    if (column.size() <= static_cast<size_t>(segment.value)) column.resize(static_cast<size_t>(segment.value) + 1);
    column[static_cast<size_t>(segment.value)] = &segment;
  }
  auto expected = [&](Estimate SegmentFit::*rate, double parent) {
    return [&segment_of, rate, parent](const std::vector<int32_t>& values) {
      std::vector<Estimate> rates;
      for (size_t b = 0; b < values.size(); ++b) rates.push_back(segment_of[b][static_cast<size_t>(values[b])]->*rate);
      return Combined(parent, rates);
    };
  };
  auto expected_opened = expected(&SegmentFit::opened, fit.funnel.opened.value);
  auto expected_clicked = expected(&SegmentFit::clicked, fit.funnel.clicked.value);
  auto expected_unsubscribed = expected(&SegmentFit::unsubscribed, fit.funnel.unsubscribed.value);
  auto expected_converted = expected(&SegmentFit::converted, fit.funnel.converted.value);
  std::vector<Estimate> opened = ShrunkCombinations(counts, [](const Counts& c) { return c.opens; }, expected_opened);
  std::vector<Estimate> clicked = ShrunkCombinations(counts, [](const Counts& c) { return c.clicks; }, expected_clicked);
  std::vector<Estimate> unsubscribed =
      ShrunkCombinations(counts, [](const Counts& c) { return c.unsubscribes; }, expected_unsubscribed);
  std::vector<Estimate> converted = ShrunkCombinations(counts, [](const Counts& c) { return c.conversions; }, expected_converted);
  size_t i = 0;
  for (const auto& [values, c] : counts) {
    CombinationFit& combination = fit.combinations.emplace_back();
    combination.values = values;
    combination.raw = FunnelOf(c);
    combination.opened = opened[i], combination.clicked = clicked[i], combination.converted = converted[i];
    combination.unsubscribed = unsubscribed[i];
    combination.expected_converted = expected_converted(values).value;
    combination.small = c.customers < min_segment_rows;
    if (controls != nullptr) {
      combination.control_converted =
          Matched(c.campaign_customers, [&](size_t k) { return (*controls)[k].combinations.at(values); });
    }
    ++i;
  }
}

Estimate EstimateOf(const measures::MeanDifference& d) {
  const double half = kZ95 * std::sqrt(d.variance);
  return {d.value, d.value - half, d.value + half};
}

// An arm's spend uplift per customer over the control: plain, adjusted by spend before (CUPED)
// when the history has it, and winsorised when spend is heavy-tailed (`cap` > 0).
void SpendUplifts(const Counts& arm, const Counts& control, bool adjust, double cap, ArmFit& fit) {
  if (arm.customers < 2 || control.customers < 2) return;
  auto sums = [](const Counts& c, bool capped) {
    return measures::GroupSums{c.customers, c.before, c.before_squares, capped ? c.capped : c.spend,
                               capped ? c.capped_squares : c.spend_squares, c.before_spend};
  };
  const measures::AdjustedDifference uplift = measures::DifferenceOfMeans(sums(arm, false), sums(control, false), adjust);
  fit.spend_uplift = EstimateOf(uplift.plain);
  if (uplift.adjusted) {
    fit.spend_uplift_adjusted = EstimateOf(*uplift.adjusted);
    fit.adjustment = uplift.theta;
    fit.variance_reduction = uplift.variance_reduction;
  }
  if (cap > 0) fit.spend_uplift_winsorised = EstimateOf(measures::DifferenceOfMeans(sums(arm, true), sums(control, true), false).plain);
}

// Where heavy-tailed spend is capped: the 99th percentile of the amounts of those who spent, when
// the top 1 % of them make 5 % of all spend or more (of a light tail's, such as Gamma(4)
// baskets, they make under 3 %); 0 otherwise. And the share they make.
std::pair<double, double> WinsorCap(const History& history, const std::vector<size_t>& rows) {
  std::vector<double> amounts;
  double total = 0;
  for (size_t index : rows) {
    if (history.rows[index].amount > 0) amounts.push_back(history.rows[index].amount), total += history.rows[index].amount;
  }
  if (amounts.size() < 100 || total <= 0) return {0, 0};
  std::sort(amounts.begin(), amounts.end(), std::greater<>());
  const size_t top = amounts.size() / 100;
  double held = 0;
  for (size_t i = 0; i < top; ++i) held += amounts[i];
  const double share = held / total;
  return {share >= 0.05 ? amounts[top] : 0.0, share};
}

// Spend per converted customer: the mean of the converters' amounts.
Estimate BasketOf(const Counts& c) { return Mean(c.spend, c.spend_squares, c.conversions); }

// The spend an arm adds per conversion it adds: (spend per customer - the control's) / lift, its
// variance by the delta method. A customer's spend is zero unless they converted, so the
// covariance of spend and conversion per customer is mean spend x (1 - conversion rate).
std::optional<Estimate> AddedBasket(const Counts& arm, const Counts& control, const Estimate& control_spend, const Estimate& lift) {
  if (arm.customers < 2 || control.customers < 2 || lift.low <= 0) return std::nullopt;
  const Estimate arm_spend = Mean(arm.spend, arm.spend_squares, arm.customers);
  const double added_spend = arm_spend.value - control_spend.value;
  const double ratio = added_spend / lift.value;
  auto variance = [](const Estimate& e) { return std::pow(Half(e) / kZ95, 2); };
  auto covariance = [](const Counts& c) {
    const double spend = c.spend / c.customers, rate = c.conversions / c.customers;
    return spend * (1 - rate) / c.customers;
  };
  const double spread = variance(arm_spend) + variance(control_spend) - 2 * ratio * (covariance(arm) + covariance(control)) +
                        ratio * ratio * variance(lift);
  const double half = kZ95 * std::sqrt(std::max(0.0, spread)) / lift.value;
  // Per customer the message converts in a simulation, where its conversions fall on those who
  // would have bought anyway too: lift / (1 - control) of them (MessageConversion).
  const double anyway = 1 - control.conversions / control.customers;
  return Estimate{ratio * anyway, (ratio - half) * anyway, (ratio + half) * anyway};
}

}  // namespace

Estimate MessageConversion(const Estimate& lift, double control) {
  const double anyway = std::max(1e-9, 1 - control);
  return {lift.value / anyway, lift.low / anyway, lift.high / anyway};
}

const Estimate& ArmFit::ConversionFor(const std::vector<int32_t>& values) const {
  auto combination = std::lower_bound(combinations.begin(), combinations.end(), values,
                                      [](const CombinationFit& c, const std::vector<int32_t>& v) { return c.values < v; });
  if (combination != combinations.end() && combination->values == values) return combination->converted;
  for (auto segment = segments.rbegin(); segment != segments.rend(); ++segment) {
    if (segment->column < values.size() && segment->value == values[segment->column]) return segment->converted;
  }
  return funnel.converted;
}

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
  const bool combine = history.by.size() >= 2;
  std::vector<CombinationCounts> per_combination(arms);
  // The control of each campaign apart: an arm is measured against its own campaign's.
  const size_t campaigns = std::max<size_t>(1, history.campaigns.size());
  const bool pooled = campaigns > 1;
  std::vector<Counts> control_counts(campaigns);
  std::vector<std::vector<std::vector<Counts>>> control_segment_counts(campaigns);
  std::vector<CombinationCounts> control_combination_counts(campaigns);
  for (auto& columns : control_segment_counts) {
    for (const auto& values : history.segment_values) columns.emplace_back(values.size());
  }
  Calibration out;
  if (history.has_amount) std::tie(out.winsor_cap, out.top_share) = WinsorCap(history, *used);
  for (size_t index : *used) {
    const HistoryRow& row = history.rows[index];
    auto arm = static_cast<size_t>(row.arm), campaign = static_cast<size_t>(row.campaign);
    per_arm[arm].Add(row, pooled);
    if (out.winsor_cap > 0) per_arm[arm].AddCapped(std::min(row.amount, out.winsor_cap));
    // The control's segments and combinations are counted per campaign only.
    const bool control = row.arm == history.control;
    if (control) control_counts[campaign].Add(row);
    auto& segments = control ? control_segment_counts[campaign] : per_segment[arm];
    for (size_t b = 0; b < row.segment.size(); ++b) segments[b][static_cast<size_t>(row.segment[b])].Add(row, pooled);
    if (combine) (control ? control_combination_counts[campaign] : per_combination[arm])[row.segment].Add(row, pooled);
  }

  std::vector<ControlFit> controls;
  if (history.control >= 0) {
    // Each campaign with customers among the rows fitted must have control customers among them.
    bool measured = per_arm[static_cast<size_t>(history.control)].customers > 0;
    for (const Counts& arm : per_arm) {
      for (size_t c = 0; c < arm.campaign_customers.size(); ++c) {
        measured = measured && (arm.campaign_customers[c] == 0 || control_counts[c].customers > 0);
      }
    }
    if (measured) {
      out.control = FunnelOf(per_arm[static_cast<size_t>(history.control)]);
      if (history.has_amount && out.control->conversions >= 2) out.control_basket = BasketOf(per_arm[static_cast<size_t>(history.control)]);
      for (size_t c = 0; c < campaigns; ++c) {
        controls.push_back(FitControl(control_counts[c], control_segment_counts[c], control_combination_counts[c], per_combination));
        out.campaign_controls.push_back(controls.back().funnel);
      }
      // What each segment buys anyway over every campaign: the controls' counts added up.
      std::vector<std::vector<Counts>> all_segments = control_segment_counts[0];
      CombinationCounts all_combinations = control_combination_counts[0];
      for (size_t c = 1; c < campaigns; ++c) {
        for (size_t b = 0; b < all_segments.size(); ++b) {
          for (size_t v = 0; v < all_segments[b].size(); ++v) Accumulate(all_segments[b][v], control_segment_counts[c][b][v]);
        }
        for (const auto& [values, counts] : control_combination_counts[c]) Accumulate(all_combinations[values], counts);
      }
      ControlFit anyway = campaigns == 1 ? controls[0]
                                      : FitControl(per_arm[static_cast<size_t>(history.control)], all_segments, all_combinations,
                                                   per_combination);
      out.control_segments = anyway.segments;
      out.control_combinations = anyway.combinations;
    }
  }
  for (size_t a = 0; a < arms; ++a) {
    if (history.arms[a].control || per_arm[a].customers == 0) continue;
    ArmFit& fit = out.arms.emplace_back();
    fit.arm = static_cast<int32_t>(a);
    fit.funnel = FunnelOf(per_arm[a]);
    fit.campaign_customers = per_arm[a].campaign_customers;
    fit.campaign_customers.resize(campaigns);
    if (out.control) {
      fit.control_converted = Matched(per_arm[a].campaign_customers, [&](size_t c) { return controls[c].funnel.converted; });
      fit.lift = Difference(fit.funnel.converted, *fit.control_converted);
      if (pooled) CompareCampaignLifts(per_arm[a], controls, fit);
      if (history.has_amount) {
        const Estimate control_spend =
            Matched(per_arm[a].campaign_customers, [&](size_t c) { return controls[c].funnel.spend_per_customer; });
        fit.basket = AddedBasket(per_arm[a], per_arm[static_cast<size_t>(history.control)], control_spend, *fit.lift);
        fit.basket_is_ratio = fit.basket.has_value();
        // Over one campaign's control (pooled campaigns' controls differ: their lift is matched instead).
        const Counts& control = per_arm[static_cast<size_t>(history.control)];
        if (!pooled) SpendUplifts(per_arm[a], control, history.has_spend_before, out.winsor_cap, fit);
      }
    }
    if (history.has_amount && !fit.basket && per_arm[a].conversions >= 2) fit.basket = BasketOf(per_arm[a]);
    for (size_t b = 0; b < history.by.size(); ++b) {
      const auto& values = per_segment[a][b];
      // One prior per rate and attribute: how much this arm's segments really differ.
      auto prior = [&](double Counts::*successes, const Estimate& parent) {
        std::vector<std::pair<double, double>> counts;
        for (const Counts& c : values) counts.emplace_back(c.*successes, c.customers);
        return FitPrior(counts, parent.value, Half(parent));
      };
      BetaPrior opened = prior(&Counts::opens, fit.funnel.opened);
      BetaPrior clicked = prior(&Counts::clicks, fit.funnel.clicked);
      BetaPrior unsubscribed = prior(&Counts::unsubscribes, fit.funnel.unsubscribed);
      BetaPrior converted = prior(&Counts::conversions, fit.funnel.converted);
      for (size_t v = 0; v < values.size(); ++v) {
        const Counts& c = values[v];
        if (c.customers == 0) continue;
        SegmentFit segment;
        segment.column = b;
        segment.value = static_cast<int32_t>(v);
        segment.raw = FunnelOf(c);
        segment.opened = Shrunk(c.opens, c.customers, opened);
        segment.clicked = Shrunk(c.clicks, c.customers, clicked);
        segment.unsubscribed = Shrunk(c.unsubscribes, c.customers, unsubscribed);
        segment.converted = Shrunk(c.conversions, c.customers, converted);
        segment.small = c.customers < min_segment_rows;
        if (out.control) {
          segment.control_converted = Matched(c.campaign_customers, [&](size_t k) { return controls[k].segments[b][v]; });
        }
        fit.segments.push_back(segment);
      }
    }
    if (combine) FitCombinations(per_combination[a], out.control ? &controls : nullptr, min_segment_rows, fit);
  }
  return out;
}

}  // namespace relc::calibrate
