#include "simulate/behaviour.h"

namespace relc::simulate {

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
      double value = rates[i];
      if (rate.property == "delivered") out.delivered = value;
      if (rate.property == "opened") out.opened = value;
      if (rate.property == "clicked") out.clicked = value;
      if (rate.property == "converted") out.converted = value;
      if (rate.property == "unsubscribed") out.unsubscribed = value;
    }
  }
  return out;
}

}  // namespace relc::simulate
