#include "calibrate/model_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace relc::calibrate {
namespace {

// A rate as the model states it: a lift below zero is stated as none (a message takes no
// purchase away in the simulator), though the comments keep its sign.
std::string Percent(double share) { return fmt::format("{:.2f}%", std::max(0.0, share) * 100); }
std::string SignedPercent(double share) { return fmt::format("{:.2f}%", share * 100); }

// `3.27-3.78 %`; `-6.03 to 10.53 %` when a bound is negative, where a dash would read as a sign.
std::string Interval(const Estimate& e) {
  return fmt::format("{:.2f}{}{:.2f} %", e.low * 100, e.low < 0 ? " to " : "-", e.high * 100);
}

std::string Count(double value) { return fmt::format("{:.0f}", value); }

// A rate and its 95 % interval as the simulator draws from it: `20.07% within 19.20%..20.95%`.
std::string Figure(const Estimate& e) {
  return fmt::format("{} within {}..{}", Percent(e.value), Percent(e.low), Percent(e.high));
}

// A lift: its interval may reach below zero (the message may add nothing); a lift below zero
// beyond doubt is stated as none, without an interval.
std::string LiftFigure(const Estimate& e) {
  if (e.high < 0) return Percent(0);
  return fmt::format("{} within {}..{}", Percent(e.value), SignedPercent(e.low), Percent(e.high));
}

std::string AmountFigure(const Estimate& e, const std::string& currency) {
  return fmt::format("{:.2f} {} within {:.2f} {}..{:.2f} {}", e.value, currency, std::max(0.0, e.low), currency, e.high, currency);
}

// A segment's condition on a customer: `loyalty_member == true`, `country == "FR"`; for a
// panel's segments, membership of the panel (declared in the file) or not.
std::string Condition(const std::string& column, const std::string& value, bool panel) {
  if (panel) return value == "true" ? fmt::format("customer in {}", column) : fmt::format("not (customer in {})", column);
  if (value.empty()) return fmt::format("{} is null", column);
  if (value == "true" || value == "false") return fmt::format("{} == {}", column, value);
  bool number = std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }) &&
                std::isdigit(static_cast<unsigned char>(value.front()));
  if (number) return fmt::format("{} == {}", column, value);
  std::string quoted;
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return fmt::format("{} == \"{}\"", column, quoted);
}

// The segment as a panel the simulator evaluates: a panel itself, or `customers where ...`.
std::string SegmentPanel(const std::string& column, const std::string& value, bool panel) {
  if (panel && value == "true") return column;
  return "customers where " + Condition(column, value, panel);
}

std::string Target(const Arm& arm) {
  return arm.message.empty() ? arm.channel : fmt::format("{} \"{}\"", arm.channel, arm.message);
}

// The spend uplift per customer over the control: plain; adjusted by spend before (CUPED); and,
// when spend is heavy-tailed, winsorised, saying where it is cut.
std::string SpendUpliftText(const ArmFit& fit, const Calibration& calibration, const std::string& currency) {
  if (!fit.spend_uplift) return "";
  auto amount = [&](const Estimate& e) { return fmt::format("{:.2f} {} ({:.2f} to {:.2f})", e.value, currency, e.low, e.high); };
  std::string out = fmt::format(";\n  // spend over the control's, per customer: {}", amount(*fit.spend_uplift));
  if (fit.spend_uplift_adjusted) {
    out += fmt::format(";\n  //   adjusted by spend_before (CUPED, {:.4f} per unit spent before): {}, its variance {:.0f} % smaller",
                       fit.adjustment, amount(*fit.spend_uplift_adjusted), fit.variance_reduction * 100);
  }
  if (fit.spend_uplift_winsorised) {
    out += fmt::format(";\n  //   winsorised at {:.2f} {} (the top 1 % of those who spent made {:.1f} % of spend): {}", calibration.winsor_cap,
                       currency, calibration.top_share * 100, amount(*fit.spend_uplift_winsorised));
  }
  return out;
}

// What customers buy anyway, as the control measured it: for everyone, then per segment and
// combination (the last that holds a customer is theirs, as for responses).
std::string Baselines(const History& history, const Calibration& calibration, const ModelFileOptions& options) {
  const Funnel& control = *calibration.control;
  std::string out = fmt::format(
      "  // What customers buy anyway, as the control measured it: {} of {} customers bought within {:g} days.\n"
      "  // A simulation with this model draws the purchases customers make anyway from it, in place of each\n"
      "  // customer's rate from their history: remove the baselines to forecast other customers than the campaign's.\n",
      Count(control.conversions), Count(control.customers), options.window_days);
  const std::string window = fmt::format("    window = {:g} days\n", options.window_days);
  std::string basket;
  if (calibration.control_basket) basket = "    basket = " + AmountFigure(*calibration.control_basket, options.currency) + "\n";
  out += "  baseline {\n    converted = " + Figure(control.converted) + "\n" + basket + window + "  }\n";
  for (size_t b = 0; b < calibration.control_segments.size(); ++b) {
    for (size_t v = 0; v < calibration.control_segments[b].size(); ++v) {
      const std::string& value = history.segment_values[b][v];
      out += fmt::format("  baseline for {} {{\n    converted = {}\n{}  }}\n", SegmentPanel(history.by[b], value, history.by_panel[b]),
                         Figure(calibration.control_segments[b][v]), window);
    }
  }
  for (const auto& [values, converted] : calibration.control_combinations) {
    std::vector<std::string> conditions;
    for (size_t b = 0; b < values.size(); ++b) {
      conditions.push_back(Condition(history.by[b], history.segment_values[b][static_cast<size_t>(values[b])], history.by_panel[b]));
    }
    out += fmt::format("  baseline for customers where {} {{\n    converted = {}\n{}  }}\n", fmt::join(conditions, " and "),
                       Figure(converted), window);
  }
  return out;
}

}  // namespace

std::string WriteModelFile(const History& history, const Calibration& calibration, const ModelFileOptions& options) {
  const bool lift = calibration.control.has_value();
  double customers = 0;
  for (const ArmFit& arm : calibration.arms) customers += arm.funnel.customers;
  if (calibration.control) customers += calibration.control->customers;

  std::string out;
  out += fmt::format("// Written by `relc calibrate` from {}: {} customers in {} arm{}{}, over a {:g}-day window.\n",
                     history.source, Count(customers), calibration.arms.size(), calibration.arms.size() == 1 ? "" : "s",
                     lift ? fmt::format(" and a control of {}", Count(calibration.control->customers)) : ", no control",
                     options.window_days);
  out += "// Every figure is a share of the customers sent the arm (bounces included, hence delivered = 100%),\n"
         "// with its counts and 95 % interval. Segments are shrunk toward their arm's rate (empirical Bayes).\n";
  out += fmt::format("// Each figure states its 95 % interval (`within`): `relc run --runs N` draws it from there in every run\n"
                     "// after the first, so that the runs spread as launches would. Amounts are in {}, the data's currency.\n",
                     options.currency);
  if (history.has_unsubscribed) {
    out += "// Unsubscribes are shrunk per segment like the other rates: a few in a thousand, so a segment keeps\n"
           "// close to its arm's rate unless its counts say it really differs.\n";
  }
  const size_t campaigns = history.campaigns.size();
  if (campaigns > 1) {
    out += fmt::format("// Pooled from {} campaigns{}:\n", campaigns,
                       lift ? ", each arm's lift measured against its own campaign's control" : "");
    std::vector<double> sent(campaigns);
    for (const ArmFit& arm : calibration.arms) {
      for (size_t c = 0; c < campaigns; ++c) sent[c] += arm.campaign_customers[c];
    }
    for (size_t c = 0; c < campaigns; ++c) {
      std::string control;
      if (lift) {
        const Funnel& f = calibration.campaign_controls[c];
        control = fmt::format(", control {} (converted {}, {}, {})", Count(f.customers), Count(f.conversions),
                              Percent(f.converted.value), Interval(f.converted));
      }
      out += fmt::format("//   {}: {} customers sent a message{}\n", history.campaigns[c], Count(sent[c]), control);
    }
  }
  if (lift && campaigns > 1) {
    out += "// `converted` is the lift over the control of the arm's campaigns (weighed by its customers in each): what\n"
           "// the message adds to the purchases customers make anyway, which the simulator draws on its own.\n";
  } else if (lift) {
    out += fmt::format("// `converted` is the lift over the control ({} converted without any message: {}, {}): what the\n"
                       "// message adds to the purchases customers make anyway, which the simulator draws on its own.\n",
                       Percent(calibration.control->converted.value), Count(calibration.control->conversions),
                       Interval(calibration.control->converted));
  } else {
    out += "// No control group: uplift could not be learned. `converted` is the arms' whole conversion, so a\n"
           "// forecast with this model counts the purchases customers would have made anyway as the message's.\n";
  }
  if (lift) {
    out += "// It is stated over those who would not have bought anyway (lift / (1 - control)): the simulator draws a\n"
           "// message's conversions apart from the purchases made anyway, so that the share who buy rises by the lift.\n"
           "// `bought` is the share who bought, anyway or not: for a customer a baseline holds, the simulator takes the\n"
           "// message's conversions from it and the baseline's, whose intervals are apart, as the arm's and the control's\n"
           "// customers were.\n";
  }
  if (!options.declarations.empty()) {
    out += "// The panels the segments name, declared as in the program they come from; membership was\n"
           "// taken as of the campaign.\n";
    for (const std::string& declaration : options.declarations) out += declaration + "\n";
    out += "\n";
  }
  out += fmt::format("/// Response rates calibrated on {}.\n", history.source);
  out += fmt::format("model {} {{\n", options.name);
  if (calibration.control) out += Baselines(history, calibration, options);
  bool first = !calibration.control;
  for (const ArmFit& fit : calibration.arms) {
    const Arm& arm = history.arms[static_cast<size_t>(fit.arm)];
    const Funnel& f = fit.funnel;
    if (!first) out += "\n";
    first = false;
    out += fmt::format("  // arm `{}`: {} customers", arm.name, Count(f.customers));
    if (campaigns > 1) {
      std::vector<std::string> shares;
      for (size_t c = 0; c < campaigns; ++c) {
        if (fit.campaign_customers[c] > 0) shares.push_back(fmt::format("{} in {}", Count(fit.campaign_customers[c]), history.campaigns[c]));
      }
      out += fmt::format(" ({})", fmt::join(shares, ", "));
    }
    out += "; ";
    if (history.has_opened) out += fmt::format("opened {} ({}, {}); ", Count(f.opens), Percent(f.opened.value), Interval(f.opened));
    if (history.has_clicked) out += fmt::format("clicked {} ({}, {}); ", Count(f.clicks), Percent(f.clicked.value), Interval(f.clicked));
    if (history.has_unsubscribed) {
      out += fmt::format("unsubscribed {} ({}, {}); ", Count(f.unsubscribes), Percent(f.unsubscribed.value), Interval(f.unsubscribed));
    }
    out += fmt::format("converted {} ({}, {})", Count(f.conversions), Percent(f.converted.value), Interval(f.converted));
    if (fit.lift) out += fmt::format("; lift {} ({})", SignedPercent(fit.lift->value), Interval(*fit.lift));
    if (fit.lift && campaigns > 1) out += fmt::format(" over a control of {}", Percent(fit.control_converted->value));
    if (fit.campaign_lifts.size() > 1) {
      std::vector<std::string> lifts;
      for (const ArmFit::CampaignLift& campaign : fit.campaign_lifts) {
        lifts.push_back(fmt::format("{} in {}", SignedPercent(campaign.lift.value), history.campaigns[campaign.campaign]));
      }
      out += fmt::format(";\n  // lift per campaign: {}{}", fmt::join(lifts, ", "),
                         fit.lifts_differ ? ": they differ beyond chance (99 %), and the figure below is their average" : "");
    }
    if (history.has_amount) {
      // A normal interval on a few customers may reach below zero, which no spend can.
      out += fmt::format(";\n  // spend per customer {:.2f} {} ({:.2f}-{:.2f})", f.spend_per_customer.value, options.currency,
                         std::max(0.0, f.spend_per_customer.low), f.spend_per_customer.high);
      out += SpendUpliftText(fit, calibration, options.currency);
    }
    out += "\n";
    // A response block, a figure a line, each with the interval a run with --runs draws it from.
    auto figures = [&](const Estimate& opened, const Estimate& clicked, const Estimate& converted, const Estimate* control,
                       const Estimate& unsubscribed, const Estimate* basket) {
      std::string text = "{\n    delivered = 100%\n";
      if (history.has_opened) text += "    opened = " + Figure(opened) + "\n";
      if (history.has_clicked) text += "    clicked = " + Figure(clicked) + "\n";
      text += "    converted = " +
              (control != nullptr ? LiftFigure(MessageConversion(Difference(converted, *control), control->value)) : Figure(converted)) +
              "\n";
      if (control != nullptr) text += "    bought = " + Figure(converted) + "\n";
      if (history.has_unsubscribed) text += "    unsubscribed = " + Figure(unsubscribed) + "\n";
      if (basket != nullptr) text += "    basket = " + AmountFigure(*basket, options.currency) + "\n";
      return text + "  }";
    };
    // `unsubscribed 12 (0.30% raw, 0.31% shrunk, 0.22-0.41 %)`, in a segment's comment.
    auto unsubscribes = [&](const Funnel& raw, const Estimate& shrunk) {
      if (!history.has_unsubscribed) return std::string();
      return fmt::format("; unsubscribed {} ({} raw, {} shrunk, {})", Count(raw.unsubscribes), Percent(raw.unsubscribed.value),
                         Percent(shrunk.value), Interval(shrunk));
    };
    const Estimate* control = fit.control_converted ? &*fit.control_converted : nullptr;
    if (fit.basket) {
      out += fit.basket_is_ratio
                 ? fmt::format("  // basket: the spend it adds per customer over the control's, per conversion it adds, {:.2f} {} ({:.2f}-{:.2f})\n",
                               fit.basket->value, options.currency, std::max(0.0, fit.basket->low), fit.basket->high)
                 : fmt::format("  // basket: its converted customers' spend, {:.2f} {} ({:.2f}-{:.2f}){}\n", fit.basket->value, options.currency,
                               std::max(0.0, fit.basket->low), fit.basket->high,
                               lift ? ": its lift is not clearly above zero, so the spend it adds per conversion cannot be told" : "");
    }
    const Estimate* basket = fit.basket ? &*fit.basket : nullptr;
    out += fmt::format("  response {} {}\n", Target(arm), figures(f.opened, f.clicked, f.converted, control, f.unsubscribed, basket));
    for (const SegmentFit& segment : fit.segments) {
      const std::string& column = history.by[segment.column];
      const std::string& value = history.segment_values[segment.column][static_cast<size_t>(segment.value)];
      std::string control_text = segment.control_converted
                                     ? fmt::format("; control {}", Percent(segment.control_converted->value))
                                     : "";
      out += fmt::format("  // {} = {}: {} customers, converted {} ({} raw, {} shrunk, {}){}{}{}\n", column,
                         value.empty() ? "(empty)" : value, Count(segment.raw.customers), Count(segment.raw.conversions),
                         Percent(segment.raw.converted.value), Percent(segment.converted.value), Interval(segment.converted),
                         control_text, unsubscribes(segment.raw, segment.unsubscribed),
                         segment.small ? "; few rows: close to the arm's rate" : "");
      const Estimate* segment_control = segment.control_converted ? &*segment.control_converted : nullptr;
      out += fmt::format("  response {} for {} {}\n", Target(arm), SegmentPanel(column, value, history.by_panel[segment.column]),
                         figures(segment.opened, segment.clicked, segment.converted, segment_control, segment.unsubscribed, nullptr));
    }
    if (!fit.combinations.empty()) {
      out += fmt::format("  // Per combination of {}, written last so that it is what a customer takes: shrunk toward what\n"
                         "  // its attributes' segments above predict together.\n",
                         fmt::join(history.by, ", "));
    }
    for (const CombinationFit& combination : fit.combinations) {
      std::vector<std::string> names, conditions;
      for (size_t b = 0; b < combination.values.size(); ++b) {
        const std::string& value = history.segment_values[b][static_cast<size_t>(combination.values[b])];
        names.push_back(fmt::format("{} = {}", history.by[b], value.empty() ? "(empty)" : value));
        conditions.push_back(Condition(history.by[b], value, history.by_panel[b]));
      }
      std::string control_text = combination.control_converted
                                     ? fmt::format("; control {}", Percent(combination.control_converted->value))
                                     : "";
      out += fmt::format("  // {}: {} customers, converted {} ({} raw, {} expected, {} shrunk, {}){}{}{}\n", fmt::join(names, ", "),
                         Count(combination.raw.customers), Count(combination.raw.conversions),
                         Percent(combination.raw.converted.value), Percent(combination.expected_converted),
                         Percent(combination.converted.value), Interval(combination.converted), control_text,
                         unsubscribes(combination.raw, combination.unsubscribed),
                         combination.small ? "; few rows: close to what its attributes predict" : "");
      const Estimate* combination_control = combination.control_converted ? &*combination.control_converted : nullptr;
      out += fmt::format("  response {} for customers where {} {}\n", Target(arm), fmt::join(conditions, " and "),
                         figures(combination.opened, combination.clicked, combination.converted, combination_control,
                                 combination.unsubscribed, nullptr));
    }
  }
  out += "}\n";
  return out;
}

}  // namespace relc::calibrate
