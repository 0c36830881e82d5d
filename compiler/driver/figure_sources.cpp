#include "driver/figure_sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "simulate/behaviour.h"

namespace relc::driver {
namespace {

struct Message {
  std::string channel, message;
  std::vector<simulate::FigureSource> sources;
};

// Every message the program sends, once, in the order its scenarios send them.
std::vector<Message> Messages(const ir::Program& program) {
  std::vector<Message> out;
  for (const ir::Scenario& scenario : program.scenarios) {
    for (const ir::Step& step : scenario.steps) {
      if (step.op != ir::StepOp::Send) continue;
      bool seen = false;
      for (const Message& m : out) seen = seen || (m.channel == step.channel && m.message == step.message);
      if (!seen) out.push_back({step.channel, step.message, simulate::SourcesFor(program, step.channel, step.message)});
    }
  }
  return out;
}

std::string SourceName(const simulate::FigureSource& source, const std::string& basket) {
  std::string name = source.source.empty() ? basket : source.source;
  if (source.segments > 0) name += fmt::format(" ({} segment{} of their own)", source.segments, source.segments == 1 ? "" : "s");
  return name;
}

std::string Basket(const simulate::Result& result, const std::string& currency) {
  return fmt::format("each customer's average basket (else the buyers' average, {:.2f} {})",
                     static_cast<double>(result.fallback_basket_cents) / 100, currency);
}

// What customers buy anyway: the first model baseline, with its segments, or their history.
std::string BaselineSource(const ir::Program& program) {
  if (program.baseline_rates.empty()) return "each customer's rate from their history (BG/NBD)";
  std::vector<int32_t> panels;
  for (const ir::ResponseRate& rate : program.baseline_rates) {
    if (rate.panel >= 0 && std::find(panels.begin(), panels.end(), rate.panel) == panels.end()) panels.push_back(rate.panel);
  }
  std::string text = fmt::format("model {}'s baseline", program.baseline_rates.front().model);
  if (!panels.empty()) text += fmt::format(" ({} segment{} of their own)", panels.size(), panels.size() == 1 ? "" : "s");
  return text;
}

}  // namespace

std::string FigureSourcesText(const ir::Program& program, const simulate::Result& result) {
  if (program.models.empty()) return "";
  const std::string basket = Basket(result, program.currency);
  std::string out;
  for (const Message& m : Messages(program)) {
    // The figures of one source together: "opened, clicked, converted from model calibrated".
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (const simulate::FigureSource& source : m.sources) {
      std::string name = SourceName(source, basket);
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
      if (it == groups.end()) it = groups.insert(groups.end(), {name, {}});
      it->second.push_back(source.figure);
    }
    std::vector<std::string> parts;
    for (const auto& [name, figures] : groups) parts.push_back(fmt::format("{} from {}", fmt::join(figures, ", "), name));
    out += fmt::format("    {} \"{}\": {}\n", m.channel, m.message, fmt::join(parts, "; "));
  }
  out += fmt::format("    purchases made anyway: {}\n", BaselineSource(program));
  return out;
}

nlohmann::ordered_json FigureSourcesJson(const ir::Program& program, const simulate::Result& result) {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  for (const Message& m : Messages(program)) {
    nlohmann::ordered_json figures = nlohmann::ordered_json::object();
    for (const simulate::FigureSource& source : m.sources) {
      figures[source.figure] = {{"source", source.source.empty() ? "customer's average basket" : source.source},
                                {"segments", source.segments}};
    }
    messages.push_back({{"channel", m.channel}, {"message", m.message}, {"figures", std::move(figures)}});
  }
  return {{"messages", std::move(messages)},
          {"purchases_made_anyway", BaselineSource(program)},
          {"basket_without_purchases", static_cast<double>(result.fallback_basket_cents) / 100}};
}

}  // namespace relc::driver
