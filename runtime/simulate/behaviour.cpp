#include "simulate/behaviour.h"

#include <algorithm>
#include <cmath>

namespace relc::simulate {

namespace {

void Apply(ChannelRates& out, const std::string& property, double value) {
  if (property == "delivered") out.delivered = value;
  if (property == "opened") out.opened = value;
  if (property == "clicked") out.clicked = value;
  if (property == "converted") out.converted = value;
  if (property == "unsubscribed") out.unsubscribed = value;
  if (property == "basket") out.basket_cents = std::llround(value);
  if (property == "bought") out.bought = value;
}

constexpr const char* kFigures[] = {"delivered", "opened", "clicked", "converted", "bought", "unsubscribed", "basket"};

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
      out.converted_as_sent = out.converted_as_sent || (specific && (rate.property == "converted" || rate.property == "bought"));
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
      it->rates.converted_as_sent = it->rates.converted_as_sent || (specific && (rate.property == "converted" || rate.property == "bought"));
    }
  }
  return out;
}

std::vector<FigureSource> SourcesFor(const ir::Program& program, std::string_view channel, std::string_view message) {
  std::vector<FigureSource> out;
  for (const char* figure : kFigures) {
    FigureSource& source = out.emplace_back(FigureSource{figure, std::string(figure) == "basket" ? "" : "channel " + std::string(channel)});
    std::vector<int32_t> panels;
    // The same precedence as RatesFor: the message's own figure wins over the channel's.
    for (bool specific : {false, true}) {
      for (const ir::ResponseRate& rate : program.response_rates) {
        if (rate.channel != channel || rate.property != figure || rate.message.empty() == specific) continue;
        if (specific && rate.message != message) continue;
        if (rate.panel >= 0) {
          if (std::find(panels.begin(), panels.end(), rate.panel) == panels.end()) panels.push_back(rate.panel);
          continue;
        }
        source.source = specific ? "model " + rate.model : "model " + rate.model + ", for the channel";
      }
    }
    source.segments = static_cast<int32_t>(panels.size());
  }
  return out;
}

std::vector<Baseline> BaselinesFor(const ir::Program& program, const std::vector<double>& values) {
  struct Stated {
    int32_t panel;
    double converted = -1, basket = -1, window_days = -1;  // -1: not stated
  };
  std::vector<Stated> stated;
  for (size_t i = 0; i < program.baseline_rates.size(); ++i) {
    const ir::ResponseRate& rate = program.baseline_rates[i];
    auto it = std::find_if(stated.begin(), stated.end(), [&](const Stated& s) { return s.panel == rate.panel; });
    if (it == stated.end()) it = stated.insert(stated.end(), Stated{rate.panel});
    if (rate.property == "converted") it->converted = values[i];
    if (rate.property == "basket") it->basket = values[i];
    if (rate.property == "window") it->window_days = values[i] / 86400;
  }
  Stated everyone{-1};
  for (const Stated& s : stated) {
    if (s.panel < 0) everyone = s;
  }
  std::vector<Baseline> out;
  for (Stated s : stated) {
    if (s.converted < 0) s.converted = everyone.converted;
    if (s.basket < 0) s.basket = everyone.basket;
    if (s.window_days <= 0) s.window_days = everyone.window_days;
    if (s.converted < 0 || s.window_days <= 0) continue;
    // `basket` is what a customer who buys within the window spends over it: spread over the
    // purchases expected of a buyer, which a Poisson process makes more than one.
    const double per_window = -std::log1p(-std::min(s.converted, 0.999999));
    const double per_purchase = s.basket > 0 && per_window > 0 ? s.basket * s.converted / per_window : s.basket;
    out.push_back({s.panel, per_window / s.window_days, per_purchase > 0 ? std::llround(per_purchase) : 0, s.converted});
  }
  return out;
}

double DrawFigure(double value, double low, double high, bool amount, data::Random& random) {
  const double sd = (high - low) / (2 * 1.959963984540054);
  if (!(sd > 0) || !std::isfinite(sd) || !std::isfinite(value)) return value;
  const double ceiling = amount ? INFINITY : 1;
  if (low > 0 && value > 0) {
    if (amount) return random.Gamma(value * value / (sd * sd), sd * sd / value);
    const double strength = value * (1 - value) / (sd * sd) - 1;
    if (strength > 0 && value < 1) return random.Beta(value * strength, (1 - value) * strength);
  }
  return std::clamp(value + sd * random.Normal(), 0.0, ceiling);
}

}  // namespace relc::simulate
