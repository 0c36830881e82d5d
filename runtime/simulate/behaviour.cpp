#include "simulate/behaviour.h"

namespace relc::simulate {

ChannelRates DefaultRates(std::string_view channel) {
  // delivered | opened | clicked | converted | unsubscribed (shares of delivered), cost per message
  if (channel == "email") return {0.98, 0.213, 0.026, 0.010, 0.0026, 1};
  if (channel == "sms") return {0.97, 0.90, 0.060, 0.020, 0.010, 7};
  if (channel == "mms") return {0.95, 0.90, 0.080, 0.025, 0.010, 25};
  if (channel == "phone") return {0.35, 1.00, 0.100, 0.050, 0.005, 500};  // a call that reaches is heard
  if (channel == "voice") return {0.90, 0.50, 0.020, 0.008, 0.005, 15};
  if (channel == "postal") return {0.95, 0.60, 0.040, 0.015, 0.000, 120};
  if (channel == "push") return {0.90, 0.050, 0.015, 0.004, 0.002, 0};
  return {0.95, 0.20, 0.02, 0.01, 0.002, 1};
}

ChannelRates RatesFor(const ir::Program& program, const std::vector<double>& rates, std::string_view channel,
                      std::string_view message) {
  ChannelRates out = DefaultRates(channel);
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
