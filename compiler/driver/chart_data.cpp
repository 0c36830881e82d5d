#include "driver/chart_data.h"

#include <fmt/format.h>

#include "data/values.h"

namespace relc::driver {
namespace {

constexpr int64_t kDay = 86400;

std::string_view StepKind(ir::StepOp op) {
  switch (op) {
    case ir::StepOp::Trigger: return "trigger";
    case ir::StepOp::Send: return "send";
    case ir::StepOp::Wait: return "wait";
    case ir::StepOp::Branch: return "branch";
    case ir::StepOp::Split: return "split";
    case ir::StepOp::Set: return "set";
    case ir::StepOp::Tag: return "tag";
    case ir::StepOp::Untag: return "untag";
    case ir::StepOp::Goto: return "goto";
    case ir::StepOp::Enter: return "enter";
    case ir::StepOp::Exit: return "exit";
    case ir::StepOp::End: return "end";
  }
  return "step";
}

nlohmann::ordered_json FlowEnd(int32_t step, int32_t special, std::string_view name) {
  return step == special ? nlohmann::ordered_json(name) : nlohmann::ordered_json(step);
}

}  // namespace

nlohmann::ordered_json InputsJson(const RunInputs& inputs) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const RunInputs::File& file : inputs.files) files.push_back({{"path", file.path}, {"hash", file.hash}});
  auto optional = [](const std::string& text) { return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text); };
  return {{"programs", std::move(files)}, {"data", inputs.data},         {"as_of", inputs.as_of},
          {"days", inputs.days},          {"seed", inputs.seed},         {"runs", inputs.runs},
          {"model", optional(inputs.model)}, {"pressure", optional(inputs.pressure)}, {"engine", inputs.engine}};
}

nlohmann::ordered_json JourneyJson(const ir::Scenario& scenario, const simulate::Result& r, size_t s) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  std::vector<bool> reached(scenario.steps.size(), false);
  for (const simulate::Flow& flow : r.flows[s]) {
    if (flow.to >= 0) reached[static_cast<size_t>(flow.to)] = true;
  }
  for (size_t k = 0; k < scenario.steps.size(); ++k) {
    const ir::Step& step = scenario.steps[k];
    const bool acts = step.op == ir::StepOp::Send || step.op == ir::StepOp::Wait || step.op == ir::StepOp::Set ||
                      step.op == ir::StepOp::Tag || step.op == ir::StepOp::Untag || step.op == ir::StepOp::Enter;
    if (!acts && !reached[k]) continue;
    nlohmann::ordered_json entry = {{"index", k}, {"kind", StepKind(step.op)}, {"text", step.text}};
    if (!step.label.empty()) entry["label"] = step.label;
    if (step.op == ir::StepOp::Send) {
      entry["channel"] = step.channel;
      entry["counts"] = CountersJson(r.steps[s][k]);
    }
    steps.push_back(std::move(entry));
  }
  nlohmann::ordered_json flows = nlohmann::ordered_json::array();
  for (const simulate::Flow& flow : r.flows[s]) {
    flows.push_back({{"from", FlowEnd(flow.from, simulate::Flow::kFromTrigger, "trigger")},
                     {"to", FlowEnd(flow.to, simulate::Flow::kToExit, "exit")},
                     {"journeys", flow.journeys}});
  }
  return {{"steps", std::move(steps)}, {"flows", std::move(flows)}};
}

nlohmann::ordered_json TimelineJson(const Report& report) {
  const simulate::Timeline& t = report.result.timeline;
  const size_t days = t.converted.size();
  nlohmann::ordered_json dates = nlohmann::ordered_json::array();
  for (size_t day = 0; day < days; ++day) {
    dates.push_back(data::FormatDate(static_cast<int32_t>((report.start + static_cast<int64_t>(day) * kDay) / kDay)));
  }
  nlohmann::ordered_json sent = nlohmann::ordered_json::object();
  for (size_t c = 0; c < t.channels.size(); ++c) {
    std::vector<int64_t> series(days);
    int64_t total = 0;
    for (size_t day = 0; day < days; ++day) total += series[day] = t.sent[day * t.channels.size() + c];
    if (total > 0) sent[t.channels[c]] = std::move(series);
  }
  return {{"dates", std::move(dates)},
          {"sent_per_day", std::move(sent)},
          {"converted_per_day", t.converted},
          {"entered", {{"purchases_per_day", t.entered_purchases}, {"revenue_cents_per_day", t.entered_revenue_cents}}},
          {"held_out", {{"purchases_per_day", t.held_out_purchases}, {"revenue_cents_per_day", t.held_out_revenue_cents}}}};
}

nlohmann::ordered_json PressureJson(const Report& report) {
  const simulate::Timeline& t = report.result.timeline;
  nlohmann::ordered_json histogram = nlohmann::ordered_json::array();
  for (size_t n = 1; n < t.messages_per_week.size(); ++n) {
    histogram.push_back({{"messages", n}, {"customer_weeks", t.messages_per_week[n]}});
  }
  nlohmann::ordered_json caps = nlohmann::ordered_json::array();
  for (const ir::PressureCap& cap : report.program->pressure.caps) {
    caps.push_back({{"count", cap.count},
                    {"days", cap.window_seconds / kDay},
                    {"channel", cap.channel.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(cap.channel)},
                    {"across_programs", cap.across_programs}});
  }
  return {{"messages_per_customer_week", std::move(histogram)},
          {"caps", std::move(caps)},
          {"suppressed", {{"no_consent", t.suppressed_consent}, {"pressure", t.suppressed_pressure}, {"quiet_hours", t.dropped_quiet_hours}}},
          {"deferred_by_quiet_hours", t.deferred_quiet_hours}};
}

nlohmann::ordered_json PanelWeeksJson(const Report& report) {
  nlohmann::ordered_json panels = nlohmann::ordered_json::array();
  for (const auto& [name, weeks] : report.panel_weeks) panels.push_back({{"panel", name}, {"customers", weeks}});
  return panels;
}

}  // namespace relc::driver
