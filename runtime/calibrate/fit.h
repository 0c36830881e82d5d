// Fitting a response model to a campaign's history: per arm, the funnel (opened, clicked,
// converted), the unsubscribe rate and spend per customer with their 95 % intervals, the lift
// of conversion over the control, and the funnel and unsubscribe rate per segment of each
// `--by` attribute, shrunk toward the arm's rate.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/history.h"
#include "calibrate/statistics.h"

namespace relc::calibrate {

struct Funnel {
  double customers = 0;
  double opens = 0, clicks = 0, conversions = 0, unsubscribes = 0, spend = 0;
  Estimate opened, clicked, converted, unsubscribed;  // shares of the customers
  Estimate spend_per_customer;          // in the history's currency
};

struct SegmentFit {
  size_t column = 0;  // index into History::by
  int32_t value = 0;  // index into History::segment_values[column]
  Funnel raw;         // the segment's own counts and rates
  Estimate opened, clicked, converted, unsubscribed;  // shrunk toward the arm's rates
  std::optional<Estimate> control_converted;  // the control's conversion in this segment, shrunk
  bool small = false;                   // fewer rows than the minimum: mostly the arm's rate
};

// With two or more `by` attributes, a segment per combination of their values the history has
// (members in Switzerland), so that a customer's rates reflect all of their attributes, not only
// the last one's. Its rates are shrunk toward what its attributes' segments predict together
// (their effects added on the log-odds scale): a small combination is what its attributes say,
// a large one says what it does.
struct CombinationFit {
  std::vector<int32_t> values;  // per `by` column, an index into History::segment_values
  Funnel raw;
  Estimate opened, clicked, converted, unsubscribed;  // shrunk toward `expected_converted` (and the like)
  double expected_converted = 0;        // what the attributes' segments predict together
  std::optional<Estimate> control_converted;
  bool small = false;
};

struct ArmFit {
  int32_t arm = 0;
  Funnel funnel;
  // The control's conversion the arm is measured against: its own campaign's, or over pooled
  // campaigns each campaign's, weighed by the arm's customers in it (as are its segments' and
  // combinations' `control_converted`). A campaign that bought more anyway thus never passes
  // for a better message.
  std::optional<Estimate> control_converted;
  std::optional<Estimate> lift;  // converted minus control_converted, when there is a control
  // What a conversion the message adds spends (with an `amount` column): the spend per customer
  // it adds over the control's, per customer it converts in a simulation (MessageConversion; a
  // ratio, with a delta-method interval), so that a simulation converting them at this basket
  // adds the spend the arm did.
  // When the lift is not clearly above zero, or without a control, the arm's spend per
  // converted customer (`basket_is_ratio` false).
  std::optional<Estimate> basket;
  bool basket_is_ratio = false;
  // Spend per customer over the control's (with `amount` and one campaign), and the same adjusted
  // by what each customer spent before (CUPED, with `spend_before`): less the pre-period's
  // difference between arm and control times `adjustment`, the slope of spend on spend before
  // within the groups, which keeps the estimate unbiased and narrows it by the variance that past
  // spend explains (`variance_reduction`: 1 - adjusted variance / plain). With heavy-tailed spend,
  // winsorised: every customer's spend capped at Calibration::winsor_cap.
  std::optional<Estimate> spend_uplift, spend_uplift_adjusted, spend_uplift_winsorised;
  double adjustment = 0, variance_reduction = 0;
  std::vector<double> campaign_customers;  // per campaign of the history
  // Pooled campaigns with a control: the arm's lift in each campaign it was sent in, over that
  // campaign's control; and whether they differ beyond chance (chi-square, 99 %), in which case
  // the pooled lift is an average of campaigns that did not respond alike.
  struct CampaignLift {
    size_t campaign = 0;
    Estimate lift;
  };
  std::vector<CampaignLift> campaign_lifts;
  bool lifts_differ = false;
  std::vector<SegmentFit> segments;
  std::vector<CombinationFit> combinations;  // ordered by values; empty under two `by` columns

  // The conversion the simulator gives a customer with these `by` values (-1: a value the fit
  // never saw): their combination's, else that of the last segment that holds them (segments
  // are written in order, and the last `for` that holds a customer is the one it takes), else
  // the arm's.
  const Estimate& ConversionFor(const std::vector<int32_t>& values) const;
};

struct Calibration {
  std::vector<ArmFit> arms;       // the arms that were sent something, in history order
  std::optional<Funnel> control;  // all campaigns' controls together; absent: uplift cannot be learned
  std::optional<Estimate> control_basket;  // the control's spend per converted customer (with amounts)
  // Spend is heavy-tailed when the top 1 % of those who spent make 5 % of it or more
  // (`top_share`); the winsorised uplifts cap every customer's spend at the 99th percentile of
  // those who spent (`winsor_cap`; 0: not heavy-tailed).
  double winsor_cap = 0, top_share = 0;
  // The control's conversion per `by` column and value, and per combination, shrunk like an
  // arm's: what each segment buys anyway (all campaigns' controls together).
  std::vector<std::vector<Estimate>> control_segments;
  std::map<std::vector<int32_t>, Estimate> control_combinations;
  std::vector<Funnel> campaign_controls;  // per campaign, when there is a control
};

// The share of customers a message converts in a simulation, from its lift over a control that
// converted `control`: the simulator draws a message's conversions independently of the purchases
// customers make anyway, so that lift / (1 - control) of them make the share who buy rise by the
// lift (those who would have bought anyway buy once more, and are no new buyers).
Estimate MessageConversion(const Estimate& lift, double control);

// Fits the rows `rows` of `history` (all of them when empty). Segments with fewer than
// `min_segment_rows` rows are marked small.
Calibration Fit(const History& history, const std::vector<size_t>& rows, double min_segment_rows);

}  // namespace relc::calibrate
