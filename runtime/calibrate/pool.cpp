#include "calibrate/pool.h"

#include <fmt/format.h>

#include <array>
#include <map>

namespace relc::calibrate {
namespace {

// Arms sent the same message on the same channel are one arm to the simulator, which knows a
// message by them: fitted apart, the model would state two figures for one message, and the
// last would win. They are fitted as one, named after all of them.
void UniteSameMessages(History& history, std::vector<std::string>& warnings) {
  std::map<std::pair<std::string, std::string>, int32_t> first;
  std::vector<int32_t> united(history.arms.size());
  std::vector<Arm> arms;
  std::vector<std::vector<std::string>> names;
  for (size_t a = 0; a < history.arms.size(); ++a) {
    const Arm& arm = history.arms[a];
    if (!arm.control) {
      auto [it, inserted] = first.emplace(std::pair{arm.channel, arm.message}, static_cast<int32_t>(arms.size()));
      if (!inserted) {
        united[a] = it->second;
        names[static_cast<size_t>(it->second)].push_back(arm.name);
        continue;
      }
    }
    united[a] = static_cast<int32_t>(arms.size());
    arms.push_back(arm);
    names.push_back({arm.name});
  }
  if (arms.size() == history.arms.size()) return;
  for (size_t a = 0; a < arms.size(); ++a) {
    if (names[a].size() == 1) continue;
    std::vector<std::string> quoted;
    for (const std::string& name : names[a]) quoted.push_back(fmt::format("`{}`", name));
    arms[a].name = fmt::format("{}", fmt::join(names[a], " + "));
    warnings.push_back(fmt::format("arms {} send the same message ({} \"{}\"), which the simulator cannot tell apart: they are "
                                   "fitted as one arm, `{}`",
                                   fmt::join(quoted, ", "), arms[a].channel, arms[a].message, arms[a].name));
  }
  for (HistoryRow& row : history.rows) row.arm = united[static_cast<size_t>(row.arm)];
  if (history.control >= 0) history.control = united[static_cast<size_t>(history.control)];
  history.arms = std::move(arms);
}

HistoryLoad Pool(std::vector<History> campaigns, const std::string& control) {
  HistoryLoad load;
  if (campaigns.size() == 1) {
    load.history = std::move(campaigns.front());
    return load;
  }
  History pooled;
  std::vector<std::string> sources;
  for (const History& campaign : campaigns) sources.push_back(campaign.source);
  pooled.source = fmt::format("{}", fmt::join(sources, " + "));
  pooled.campaigns = sources;
  pooled.by = campaigns.front().by;
  pooled.by_panel.assign(pooled.by.size(), false);  // a panel in any campaign (which the caller may refuse)
  for (const History& campaign : campaigns) {
    for (size_t b = 0; b < pooled.by.size(); ++b) pooled.by_panel[b] = pooled.by_panel[b] || campaign.by_panel[b];
  }
  pooled.segment_values.resize(pooled.by.size());
  pooled.has_opened = pooled.has_clicked = pooled.has_unsubscribed = pooled.has_amount = pooled.has_spend_before = true;

  // Those with a control, those without: a lift needs the control of the arm's own campaign.
  std::vector<std::string> with_control, without_control;
  for (const History& campaign : campaigns) (campaign.control >= 0 ? with_control : without_control).push_back(campaign.source);
  if (!with_control.empty() && !without_control.empty()) {
    load.errors.push_back(fmt::format(
        "{} {} no control arm `{}`, and {} {} one: the lift of {} arms over doing nothing cannot be measured; "
        "pool only campaigns with a control, and calibrate the others apart",
        fmt::join(without_control, ", "), without_control.size() == 1 ? "has" : "have", control, fmt::join(with_control, ", "),
        with_control.size() == 1 ? "has" : "have", without_control.size() == 1 ? "its" : "their"));
    return load;
  }
  struct Untracked {
    const char* column;
    bool History::*has;
    std::vector<std::string> missing_in;
  };
  std::array<Untracked, 5> untracked = {{{"opened", &History::has_opened, {}},
                                         {"clicked", &History::has_clicked, {}},
                                         {"unsubscribed", &History::has_unsubscribed, {}},
                                         {"amount", &History::has_amount, {}},
                                         {"spend_before", &History::has_spend_before, {}}}};
  std::map<std::string, int32_t, std::less<>> arm_index;
  std::vector<size_t> arm_campaign;  // the campaign each pooled arm was first seen in
  std::vector<std::map<std::string, int32_t, std::less<>>> value_index(pooled.by.size());
  for (size_t c = 0; c < campaigns.size(); ++c) {
    History& campaign = campaigns[c];
    for (Untracked& column : untracked) {
      if (!(campaign.*column.has)) column.missing_in.push_back(campaign.source);
    }
    std::vector<int32_t> arm_of;
    for (const Arm& arm : campaign.arms) {
      auto [it, inserted] = arm_index.emplace(arm.name, static_cast<int32_t>(pooled.arms.size()));
      if (inserted) {
        pooled.arms.push_back(arm);
        arm_campaign.push_back(c);
        if (arm.control) pooled.control = it->second;
      } else if (const Arm& first = pooled.arms[static_cast<size_t>(it->second)];
                 first.channel != arm.channel || first.message != arm.message) {
        load.errors.push_back(fmt::format("arm `{}` was sent on {} \"{}\" in {}, and on {} \"{}\" in {}: an arm is one channel "
                                          "and message; give one of them another name",
                                          arm.name, first.channel, first.message,
                                          campaigns[arm_campaign[static_cast<size_t>(it->second)]].source, arm.channel,
                                          arm.message, campaign.source));
      }
      arm_of.push_back(it->second);
    }
    std::vector<std::vector<int32_t>> value_of(pooled.by.size());
    for (size_t b = 0; b < pooled.by.size(); ++b) {
      for (const std::string& value : campaign.segment_values[b]) {
        auto [slot, added] = value_index[b].emplace(value, static_cast<int32_t>(pooled.segment_values[b].size()));
        if (added) pooled.segment_values[b].push_back(value);
        value_of[b].push_back(slot->second);
      }
    }
    for (HistoryRow& row : campaign.rows) {
      row.arm = arm_of[static_cast<size_t>(row.arm)];
      for (size_t b = 0; b < row.segment.size(); ++b) row.segment[b] = value_of[b][static_cast<size_t>(row.segment[b])];
      row.campaign = static_cast<int32_t>(c);
      pooled.rows.push_back(std::move(row));
    }
  }
  if (!load.errors.empty()) return load;
  for (const Untracked& column : untracked) {
    if (column.missing_in.empty()) continue;
    pooled.*column.has = false;
    if (column.missing_in.size() < campaigns.size()) {
      load.warnings.push_back(fmt::format("{} did not record `{}`: the pooled model leaves it out (calibrate the campaigns "
                                          "that recorded it apart to learn it)",
                                          fmt::join(column.missing_in, ", "), column.column));
    }
  }
  load.history = std::move(pooled);
  return load;
}

}  // namespace

HistoryLoad PoolHistories(std::vector<History> campaigns, const std::string& control) {
  HistoryLoad load = Pool(std::move(campaigns), control);
  if (load.history) UniteSameMessages(*load.history, load.warnings);
  return load;
}

}  // namespace relc::calibrate
