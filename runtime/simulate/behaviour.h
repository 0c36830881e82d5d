// How customers respond to a message, per channel: the channel's figures (std.channels, as the
// program restates them), then the `model` blocks' per channel and per message. Every rate is a
// share of the messages delivered (opened, clicked, converted, unsubscribed) or sent (delivered);
// the basket is what a conversion the message brings spends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/random.h"
#include "ir/ir.h"

namespace relc::simulate {

struct ChannelRates {
  double delivered = 0, opened = 0, clicked = 0, converted = 0, unsubscribed = 0;
  int64_t cost_cents = 0;
  int64_t delay_seconds = 0;  // from sending to delivery
  // `converted` is the message's own figure (`response email "x" { converted = ... }`): what
  // the message did as sent, its offer included, so the offer's uplift is not added again.
  bool converted_as_sent = false;
  int64_t basket_cents = 0;  // the model's basket; 0: the customer's own average basket
  // The share of those sent the message who bought within the window, anyway or because of it
  // (`bought`; -1: not stated). For a customer a model's baseline holds (share b), the message
  // converts (bought - b) / (1 - b) of them, in place of `converted`: the arm's and the control's
  // figures come from separate customers, so drawn apart they spread as their samples did.
  double bought = -1;
};

// The channel's rates with the program's `model` figures for this channel and message applied
// (a figure for the message wins over one for the whole channel). `rates` are the values of
// Program::response_rates, in order; segment figures (`for <panel>`) are in SegmentRatesFor.
ChannelRates RatesFor(const ir::Program& program, const std::vector<double>& rates, std::string_view channel,
                      std::string_view message);

// The rates for the members of a segment: `response email "x" for <panel> { ... }`.
struct SegmentRates {
  int32_t panel = -1;
  ChannelRates rates;
};

// Per segment named by a `for` figure of this channel (and message), in declaration order,
// `base` with that segment's figures applied. A customer in several takes the last one's.
std::vector<SegmentRates> SegmentRatesFor(const ir::Program& program, const std::vector<double>& rates,
                                          std::string_view channel, std::string_view message, const ChannelRates& base);

// What customers buy anyway, from a model's `baseline` (for a segment): a Poisson process whose
// rate makes `converted` of them buy within the window, each purchase at the basket (0: the
// customer's own average basket). In declaration order; a customer takes the last that holds
// them, and a segment's baseline takes what it does not state from the one for everyone.
struct Baseline {
  int32_t panel = -1;
  double per_day = 0;
  int64_t basket_cents = 0;
  double share = 0;  // its `converted`: the share who buy within its window
};
std::vector<Baseline> BaselinesFor(const ir::Program& program, const std::vector<double>& values);

// Where a message's figures come from, for the report: per figure (delivered, opened, clicked,
// converted, unsubscribed, basket), a model's name and whether the figure is the message's own
// or the channel's; a channel's figure otherwise ("channel email"), and for the basket, the
// customer's average basket ("" then).
struct FigureSource {
  std::string figure;
  std::string source;  // "model calibrated", "model calibrated, for the channel", "channel email", ""
  int32_t segments = 0;  // segments of the model with their own value of it
};
std::vector<FigureSource> SourcesFor(const ir::Program& program, std::string_view channel, std::string_view message);

// A model's figure drawn from its 95 % interval: one of the values the model allows, so that a
// run drawing every figure is one possible launch (`relc run --runs`). A rate comes from the Beta
// distribution, an amount (`basket`, in cents) from the Gamma distribution, whose mean is the
// figure and whose interval's width is 2 x 1.96 standard deviations; a figure whose interval
// reaches zero (a lift that may be none) from the normal distribution, a draw below zero taken
// as zero. A rate is at most 1.
double DrawFigure(double value, double low, double high, bool amount, data::Random& random);

}  // namespace relc::simulate
