#include "simulate/behaviour.h"

#include <algorithm>

namespace relc::simulate {

namespace {

void Apply(ChannelRates& out, const std::string& property, double value) {
  if (property == "delivered") out.delivered = value;
  if (property == "opened") out.opened = value;
  if (property == "clicked") out.clicked = value;
  if (property == "converted") out.converted = value;
  if (property == "unsubscribed") out.unsubscribed = value;
}

}  // namespace

ChannelRates RatesFor(const ir::Program& program, const std::vector<double>& rates, std::string_view channel,
                      std::string_view message) {
  ChannelRates out;
  for (const ir::Channel& declared : program.channels) {
    if (declared.name != channel) continue;
    out = {declared.delivered, declared.opened, declared.clicked, declared.converted, declared.unsubscribed,
           declared.cost_cents, static_cast<int64_t>(declared.delay_seconds)};
  }
  // Whole-channel figures first, then the message's own.
  for (bool specific : {false, true}) {
    for (size_t i = 0; i < program.response_rates.size(); ++i) {
      const ir::ResponseRate& rate = program.response_rates[i];
      if (rate.channel != channel || rate.panel >= 0 || rate.message.empty() == specific) continue;
      if (specific && rate.message != message) continue;
      Apply(out, rate.property, rates[i]);
      out.converted_as_sent = out.converted_as_sent || (specific && rate.property == "converted");
    }
  }
  return out;
}

std::vector<SegmentRates> SegmentRatesFor(const ir::Program& program, const std::vector<double>& rates,
                                          std::string_view channel, std::string_view message, const ChannelRates& base) {
  std::vector<SegmentRates> out;
  for (bool specific : {false, true}) {
    for (size_t i = 0; i < program.response_rates.size(); ++i) {
      const ir::ResponseRate& rate = program.response_rates[i];
      if (rate.channel != channel || rate.panel < 0 || rate.message.empty() == specific) continue;
      if (specific && rate.message != message) continue;
      auto it = std::find_if(out.begin(), out.end(), [&](const SegmentRates& s) { return s.panel == rate.panel; });
      if (it == out.end()) it = out.insert(out.end(), SegmentRates{rate.panel, base});
      Apply(it->rates, rate.property, rates[i]);
      it->rates.converted_as_sent = it->rates.converted_as_sent || (specific && rate.property == "converted");
    }
  }
  return out;
}

}  // namespace relc::simulate
