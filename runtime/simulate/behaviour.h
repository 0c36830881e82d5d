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
};

// The channel's rates with the program's `model` figures for this channel and message applied
// (a figure for the message wins over one for the whole channel). `rates` are the values of
// Program::response_rates, in order; panel-specific figures are left to the caller.
ChannelRates RatesFor(const ir::Program& program, const std::vector<double>& rates, std::string_view channel,
                      std::string_view message);

}  // namespace relc::simulate
