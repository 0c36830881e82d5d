// How customers respond to a message, per channel: the channel's figures (std.channels, as the
// program restates them), then the `model` blocks' per channel and per message. Every rate is a
// share of the messages delivered (opened, clicked, converted, unsubscribed) or sent (delivered).
#pragma once

#include <cstdint>
#include <string_view>

#include "ir/ir.h"

namespace relc::simulate {

struct ChannelRates {
  double delivered = 0, opened = 0, clicked = 0, converted = 0, unsubscribed = 0;
  int64_t cost_cents = 0;
  int64_t delay_seconds = 0;  // from sending to delivery
  // `converted` is the message's own figure (`response email "x" { converted = ... }`): what
  // the message did as sent, its offer included, so the offer's uplift is not added again.
  bool converted_as_sent = false;
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

}  // namespace relc::simulate
