// `relc plan`: what `relc apply` would do, written nowhere. The messages due now and over the
// horizon, per program and step, and when the files changed since the deployed version, the
// customers whose coming messages change, appear or disappear, as `terraform plan` shows.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <tuple>

#include "driver/commands.h"
#include "driver/deployment.h"
#include "driver/session.h"

namespace relc::driver {
namespace {

constexpr auto kPlanOptions = DeploymentOptions({"--horizon", "", "DURATION", "also the messages due this long after now: 7d (default), 48h"});

std::optional<int64_t> ParseHorizon(const std::string& text) {
  if (text.size() < 2 || (text.back() != 'd' && text.back() != 'h')) return std::nullopt;
  std::optional<uint64_t> count = ParseWholeNumber(std::string_view(text).substr(0, text.size() - 1), 3660 * 24);
  if (!count) return std::nullopt;
  return static_cast<int64_t>(*count) * (text.back() == 'd' ? 86400 : 3600);
}

// A message as a customer would get it: what a change of version is judged on.
auto Seen(const outbox::Message& m) { return std::tie(m.due_at, m.program, m.scenario, m.step, m.channel, m.message, m.offer); }

std::string Describe(const outbox::Message& m) {
  return fmt::format("{} \"{}\" at {} ({} / {})", m.channel, m.message, outbox::FormatTime(m.due_at), m.scenario, m.step);
}

nlohmann::ordered_json MessageJson(const outbox::Message& m) {
  return {{"due_at", outbox::FormatTime(m.due_at)}, {"program", m.program}, {"scenario", m.scenario}, {"step", m.step},
          {"channel", m.channel},                    {"message", m.message}, {"offer", m.offer},      {"key", m.key}};
}

// Per program, scenario and step: how many messages.
std::vector<std::pair<const outbox::Message*, int64_t>> CountBySteps(const std::vector<const outbox::Message*>& messages) {
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<const outbox::Message*, int64_t>> counts;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  for (const outbox::Message* m : messages) {
    auto key = std::tuple(m->program, m->scenario, m->step);
    auto [it, added] = counts.try_emplace(key, m, 0);
    if (added) order.push_back(key);
    ++it->second.second;
  }
  std::sort(order.begin(), order.end());
  std::vector<std::pair<const outbox::Message*, int64_t>> out;
  for (const auto& key : order) out.push_back(counts[key]);
  return out;
}

struct Change {
  std::string customer;
  std::vector<const outbox::Message*> before, after;
};

// Per customer whose coming messages differ between the two versions: both lists.
std::vector<Change> Compare(const std::vector<outbox::Message>& before, const std::vector<outbox::Message>& after) {
  std::map<std::string, Change> by_customer;
  for (const outbox::Message& m : before) by_customer[m.customer].before.push_back(&m);
  for (const outbox::Message& m : after) by_customer[m.customer].after.push_back(&m);
  std::vector<Change> changes;
  for (auto& [customer, change] : by_customer) {
    const bool same = std::equal(change.before.begin(), change.before.end(), change.after.begin(), change.after.end(),
                                 [](const outbox::Message* a, const outbox::Message* b) { return Seen(*a) == Seen(*b); });
    if (same) continue;
    change.customer = customer;
    changes.push_back(std::move(change));
  }
  return changes;
}

int RunPlan(const ParsedOptions& options, Context& context) {
  int exit_code = kExitUsageOrIo;
  const std::string format = options.Get("--format", "text");
  std::optional<int64_t> horizon = ParseHorizon(options.Get("--horizon", "7d"));
  if ((format != "text" && format != "json") || !horizon) {
    PrintUsageError(context.err, horizon ? fmt::format("unknown format `{}`", format)
                                         : fmt::format("`--horizon` takes days or hours such as 7d or 48h, not `{}`", options.Get("--horizon", "")));
    return kExitUsageOrIo;
  }
  auto compiled = CompileFilesForEngines(options, context, exit_code);
  if (!compiled) return exit_code;
  std::optional<Deployment> deployment = OpenDeployment(options, *compiled, false, context, exit_code);
  if (!deployment) return exit_code;
  // The deployed version's files, when the new ones differ: the plan shows the difference.
  std::deque<CompiledFile> deployed;
  if (deployment->new_version && deployment->deployed) {
    for (const outbox::SourceText& text : deployment->deployed->sources) {
      deployed.push_back(CompileAndRender(std::make_shared<const SourceFile>(text.path, text.text), context));
      if (deployed.back().has_errors) {
        context.err << "error: the deployed version's " << text.path << " no longer compiles with this relc\n";
        return kExitProgramErrors;
      }
    }
  }
  std::vector<const CompiledFile*> files;
  for (const CompiledFile& file : *compiled) files.push_back(&file);
  for (const CompiledFile& file : deployed) files.push_back(&file);
  std::optional<Dataset> dataset = LoadDeploymentData(options, files, *deployment, context, exit_code);
  if (!dataset) return exit_code;
  const int64_t until = deployment->as_of + *horizon;
  auto messages = ReplayMessages(*compiled, *dataset, *deployment, until, options, context, exit_code);
  if (!messages) return exit_code;
  std::optional<std::vector<outbox::Message>> before;
  if (!deployed.empty()) {
    before = ReplayMessages(deployed, *dataset, *deployment, until, options, context, exit_code);
    if (!before) return exit_code;
  }
  std::vector<const outbox::Message*> due, coming;
  for (const outbox::Message& m : *messages) (m.due_at < deployment->as_of ? due : coming).push_back(&m);
  const std::vector<Change> changes = before ? Compare(*before, *messages) : std::vector<Change>{};

  const std::string deployed_text = deployment->deployed ? fmt::format("version {}", deployment->deployed->number) : "nothing deployed";
  if (format == "json") {
    auto by_step = [](const std::vector<const outbox::Message*>& list) {
      nlohmann::ordered_json json = nlohmann::ordered_json::array();
      for (const auto& [m, count] : CountBySteps(list)) {
        json.push_back({{"program", m->program}, {"scenario", m->scenario}, {"step", m->step}, {"channel", m->channel},
                        {"message", m->message}, {"messages", count}});
      }
      return json;
    };
    nlohmann::ordered_json json = {
        {"as_of", outbox::FormatTime(deployment->as_of)},
        {"until", outbox::FormatTime(until)},
        {"deployed", deployment->deployed ? nlohmann::ordered_json(deployment->deployed->number) : nlohmann::ordered_json()},
        {"version", deployment->version.number},
        {"new_version", deployment->new_version},
        {"due", due.size()},
        {"due_by_step", by_step(due)},
        {"coming", coming.size()},
        {"coming_by_step", by_step(coming)},
    };
    nlohmann::ordered_json changed = nlohmann::ordered_json::array();
    for (const Change& change : changes) {
      nlohmann::ordered_json was = nlohmann::ordered_json::array(), will = nlohmann::ordered_json::array();
      for (const outbox::Message* m : change.before) was.push_back(MessageJson(*m));
      for (const outbox::Message* m : change.after) will.push_back(MessageJson(*m));
      // The next message: the first not sent yet, due now or to come.
      const bool next = change.before.empty() || change.after.empty() || Seen(*change.before[0]) != Seen(*change.after[0]);
      changed.push_back({{"customer", change.customer},
                         {"change", change.before.empty() ? "appears" : change.after.empty() ? "disappears" : "changes"},
                         {"next_changes", next},
                         {"before", was},
                         {"after", will}});
    }
    json["changes"] = changed;
    context.out << json.dump(2) << '\n';
    return kExitSuccess;
  }
  std::ostream& out = context.out;
  out << fmt::format("plan: as of {}, {}{}\n", outbox::FormatTime(deployment->as_of), deployed_text,
                     deployment->new_version ? fmt::format("; apply deploys version {}", deployment->version.number) : "");
  auto print = [&](std::string_view title, const std::vector<const outbox::Message*>& list) {
    out << fmt::format("\n{}: {} message{}\n", title, list.size(), list.size() == 1 ? "" : "s");
    for (const auto& [m, count] : CountBySteps(list)) {
      out << fmt::format("  {:>8}  {} / {} / {}: {} \"{}\"\n", count, m->program, m->scenario, m->step, m->channel, m->message);
    }
  };
  print(fmt::format("Due now (apply writes these, due from {})",
                    deployment->last_applied ? outbox::FormatTime(*deployment->last_applied) : "the start"),
        due);
  print(fmt::format("Coming, until {}", outbox::FormatTime(until)), coming);
  if (before) {
    out << fmt::format("\nChanges against version {}: {} customer{}\n", deployment->deployed->number, changes.size(),
                       changes.size() == 1 ? "" : "s");
    constexpr size_t kListed = 50;  // in text; `--format json` lists them all
    for (size_t c = 0; c < changes.size() && c < kListed; ++c) {
      const Change& change = changes[c];
      const char* sign = change.before.empty() ? "+" : change.after.empty() ? "-" : "~";
      out << fmt::format("  {} {}\n", sign, change.customer);
      for (const outbox::Message* m : change.before) out << "      was   " << Describe(*m) << '\n';
      for (const outbox::Message* m : change.after) out << "      will  " << Describe(*m) << '\n';
    }
    if (changes.size() > kListed) out << fmt::format("  ... and {} more (`--format json` lists them all)\n", changes.size() - kListed);
  }
  return kExitSuccess;
}

}  // namespace

const Command kPlanCommand{
    .name = "plan",
    .summary = "Show what `relc apply` would send, and what a change to the programs changes",
    .usage = "[options] <file>... --data <source> --outbox <dest>",
    .description = "Replays every journey as `relc apply` would, and writes nothing: the messages due now,\n"
                   "those due within `--horizon` if customers do nothing meanwhile, per program and step,\n"
                   "and, when the files differ from the outbox's deployed version, every customer whose\n"
                   "coming messages change, appear or disappear. `--format json` for CI.",
    .options = kPlanOptions,
    .run = RunPlan,
    .spreads = true,
};

}  // namespace relc::driver
