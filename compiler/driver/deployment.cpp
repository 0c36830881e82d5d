#include "driver/deployment.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <tuple>

#include "data/values.h"
#include "distribute/distribute.h"
#include "driver/program_runs.h"

namespace relc::driver {
namespace {

constexpr int64_t kDay = 86400;

}  // namespace

std::vector<outbox::SourceText> SourceTexts(const std::deque<CompiledFile>& compiled) {
  std::vector<outbox::SourceText> texts;
  for (const CompiledFile& file : compiled) {
    const SourceFile& source = *file.checked.model.modules.front().file;
    texts.push_back({source.path(), std::string(source.text())});
  }
  return texts;
}

namespace {

void PackVersion(distribute::Packer& out, const outbox::Version& version) {
  out.Int(version.number), out.Int(version.deployed_at), out.Int(version.starts), out.Int(static_cast<int64_t>(version.seed));
  out.Int(static_cast<int64_t>(version.sources.size()));
  for (const outbox::SourceText& source : version.sources) out.Text(source.path), out.Text(source.text);
}

outbox::Version UnpackVersion(distribute::Unpacker& in) {
  outbox::Version version;
  version.number = in.Int(), version.deployed_at = in.Int(), version.starts = in.Int();
  version.seed = static_cast<uint64_t>(in.Int());
  version.sources.resize(static_cast<size_t>(in.Int()));
  for (outbox::SourceText& source : version.sources) source.path = in.Text(), source.text = in.Text();
  return version;
}

void PackMessage(distribute::Packer& out, const outbox::Message& m) {
  for (const std::string* text : {&m.key, &m.customer, &m.channel, &m.message, &m.offer, &m.program, &m.scenario, &m.step}) {
    out.Text(*text);
  }
  out.Int(m.entry), out.Int(m.due_at);
}

outbox::Message UnpackMessage(distribute::Unpacker& in) {
  outbox::Message m;
  for (std::string* text : {&m.key, &m.customer, &m.channel, &m.message, &m.offer, &m.program, &m.scenario, &m.step}) *text = in.Text();
  m.entry = in.Int(), m.due_at = in.Int();
  return m;
}

std::optional<Deployment> OpenHere(const ParsedOptions& options, const std::deque<CompiledFile>& compiled, bool create,
                                   Context& context, int& exit_code);

}  // namespace

// Spread over processes, the first opens the outbox (and holds it, for apply) and the others get
// what it read: the versions, the last apply and the keys already written.
std::optional<Deployment> OpenDeployment(const ParsedOptions& options, const std::deque<CompiledFile>& compiled, bool create,
                                         Context& context, int& exit_code) {
  if (!distribute::Distributed()) return OpenHere(options, compiled, create, context, exit_code);
  std::optional<Deployment> opened;
  distribute::Packer out;
  if (distribute::IsRoot()) {
    opened = OpenHere(options, compiled, create, context, exit_code);
    out.Int(exit_code);
    out.Int(opened.has_value());
    if (opened) {
      out.Int(opened->deployed.has_value());
      if (opened->deployed) PackVersion(out, *opened->deployed);
      out.Int(opened->last_applied.has_value());
      out.Int(opened->last_applied.value_or(0));
      out.Int(opened->as_of);
      PackVersion(out, opened->version);
      out.Int(opened->new_version);
      out.Int(static_cast<int64_t>(opened->emitted.size()));
      for (const simulate::MessageKey& key : opened->emitted) out.Int(static_cast<int64_t>(key.high)), out.Int(static_cast<int64_t>(key.low));
      out.Int(static_cast<int64_t>(opened->others.size()));
      for (const outbox::Message& m : opened->others) PackMessage(out, m);
    }
  }
  const std::string shared = distribute::FromRoot(out.bytes());
  if (distribute::IsRoot()) return opened;
  distribute::Unpacker in(shared);
  exit_code = static_cast<int>(in.Int());
  if (in.Int() == 0) return std::nullopt;
  Deployment deployment;
  if (in.Int() != 0) deployment.deployed = UnpackVersion(in);
  const bool applied = in.Int() != 0;
  const int64_t last = in.Int();
  if (applied) deployment.last_applied = last;
  deployment.as_of = in.Int();
  deployment.version = UnpackVersion(in);
  deployment.new_version = in.Int() != 0;
  deployment.emitted.resize(static_cast<size_t>(in.Int()));
  for (simulate::MessageKey& key : deployment.emitted) key.high = static_cast<uint64_t>(in.Int()), key.low = static_cast<uint64_t>(in.Int());
  deployment.others.resize(static_cast<size_t>(in.Int()));
  for (outbox::Message& m : deployment.others) m = UnpackMessage(in);
  return deployment;
}

namespace {

std::optional<Deployment> OpenHere(const ParsedOptions& options, const std::deque<CompiledFile>& compiled, bool create,
                                   Context& context, int& exit_code) {
  exit_code = kExitUsageOrIo;
  if (!options.Has("--outbox")) {
    PrintUsageError(context.err, "this command needs `--outbox DEST`", "a SQLite file such as outbox.db, or postgresql://...");
    return std::nullopt;
  }
  Deployment out;
  if (options.Has("--as-of")) {
    std::optional<int64_t> as_of = outbox::ParseTime(options.Get("--as-of", ""));
    if (!as_of) {
      PrintUsageError(context.err, fmt::format("`--as-of` takes a date or a time such as 2026-01-05T09:30:00Z, not `{}`", options.Get("--as-of", "")));
      return std::nullopt;
    }
    out.as_of = *as_of;
  } else {
    out.as_of = static_cast<int64_t>(std::time(nullptr));
  }
  std::optional<uint64_t> seed = ParseWholeNumber(options.Get("--seed", "1"), UINT64_MAX);
  int32_t start_day = static_cast<int32_t>(out.as_of / kDay - (out.as_of % kDay < 0));
  if (!seed || (options.Has("--start") && !data::ParseDate(options.Get("--start", ""), start_day))) {
    PrintUsageError(context.err, !seed ? fmt::format("`--seed` takes a whole number, not `{}`", options.Get("--seed", ""))
                                       : fmt::format("`--start` takes a date such as 2026-01-01, not `{}`", options.Get("--start", "")));
    return std::nullopt;
  }
  const std::string destination = options.Get("--outbox", "");
  std::string error;
  out.store = outbox::Store::Open(destination, create, error);
  if (!out.store && !error.empty()) {
    context.err << "error: " << error << '\n';
    return std::nullopt;
  }
  if (out.store) {
    if (create && !out.store->Lock(0, error)) {
      context.err << "error: " << error << '\n'
                  << "  = help: applies of one outbox run one at a time; wait for the other to finish\n";
      return std::nullopt;
    }
    out.deployed = out.store->Latest(error);
    if (error.empty()) out.last_applied = out.store->LastApplied(error);
    std::vector<std::string> keys, titles;
    for (const CompiledFile& file : compiled) {
      for (const ir::Program& program : file.programs) titles.push_back(program.title);
    }
    if (error.empty()) out.store->Keys(keys, error);
    if (error.empty()) out.store->MessagesOfOthers(titles, out.others, error);
    if (!error.empty()) {
      context.err << "error: " << error << '\n';
      return std::nullopt;
    }
    for (const std::string& key : keys) {
      if (std::optional<simulate::MessageKey> parsed = simulate::MessageKey::Parse(key)) out.emitted.push_back(*parsed);
    }
    std::sort(out.emitted.begin(), out.emitted.end());
  }
  if (out.last_applied && out.as_of < *out.last_applied) {
    PrintUsageError(context.err, fmt::format("the outbox was applied as of {}, after `--as-of` {}", outbox::FormatTime(*out.last_applied),
                                             outbox::FormatTime(out.as_of)),
                    "an apply goes forward in time: pass a later `--as-of`");
    return std::nullopt;
  }
  std::vector<outbox::SourceText> texts = SourceTexts(compiled);
  auto same = [&](const outbox::Version& version) {
    return version.sources.size() == texts.size() &&
           std::equal(texts.begin(), texts.end(), version.sources.begin(),
                      [](const outbox::SourceText& a, const outbox::SourceText& b) { return a.path == b.path && a.text == b.text; });
  };
  if (out.deployed) {
    // The journeys started with the first version, and their draws keep its seed.
    const int64_t start = out.deployed->starts;
    if (options.Has("--start") && int64_t{start_day} * kDay != start) {
      PrintUsageError(context.err, fmt::format("the deployed journeys started on {}: `--start` cannot move them", data::FormatDate(static_cast<int32_t>(start / kDay))));
      return std::nullopt;
    }
    if (options.Has("--seed") && *seed != out.deployed->seed) {
      PrintUsageError(context.err, fmt::format("the deployed journeys draw with seed {}: `--seed` cannot change it", out.deployed->seed));
      return std::nullopt;
    }
  }
  if (out.deployed && same(*out.deployed)) {
    out.version = *out.deployed;
  } else {
    out.new_version = true;
    out.version = {.number = out.deployed ? out.deployed->number + 1 : 1,
                   .deployed_at = out.as_of,
                   .starts = out.deployed ? out.deployed->starts : int64_t{start_day} * kDay,
                   .seed = out.deployed ? out.deployed->seed : *seed,
                   .sources = std::move(texts)};
  }
  if (out.as_of < out.version.starts) {
    PrintUsageError(context.err, fmt::format("`--as-of` {} is before the journeys' start, {}", outbox::FormatTime(out.as_of),
                                             data::FormatDate(static_cast<int32_t>(out.version.starts / kDay))));
    return std::nullopt;
  }
  exit_code = kExitSuccess;
  return out;
}

}  // namespace

std::optional<Dataset> LoadDeploymentData(const ParsedOptions& options, const std::vector<const CompiledFile*>& files,
                                          const Deployment& deployment, Context& context, int& exit_code) {
  // The panels and measures are those of the start, as a simulation's from its as-of date; the
  // events since are the replay's.
  ParsedOptions as_of_start = options;
  as_of_start.values["--as-of"] = {data::FormatDate(static_cast<int32_t>(deployment.version.starts / kDay))};
  // What a replay reads of the recorded events: checkouts' carts, unsubscribes' channels, and
  // the keys of the messages outcomes are about.
  static const std::vector<std::string> kRecorded = {"amount", "cart_id", "from_channel", "message_key"};
  return LoadDataset(files, as_of_start, context, exit_code, nullptr, MeasuresNeeded::kReadByPrograms, kRecorded);
}

std::optional<std::vector<outbox::Message>> ReplayMessages(const std::deque<CompiledFile>& compiled, const Dataset& dataset,
                                                           const Deployment& deployment, int64_t until,
                                                           const ParsedOptions& options, Context& context, int& exit_code) {
  std::optional<uint64_t> threads = ParseWholeNumber(options.Get("--threads", "0"), 1024);
  if (!threads) {
    PrintUsageError(context.err, fmt::format("`--threads` takes a whole number, not `{}`", options.Get("--threads", "")));
    exit_code = kExitUsageOrIo;
    return std::nullopt;
  }
  std::optional<EngineChoice> choice = ParseEngineChoice(options, context);
  if (!choice) {
    exit_code = kExitUsageOrIo;
    return std::nullopt;
  }
  simulate::Options run;
  run.days = static_cast<int>(std::max<int64_t>(1, (until - dataset.now + kDay - 1) / kDay));
  run.seed = deployment.version.seed;
  run.threads = static_cast<unsigned>(*threads);
  std::optional<ProgramRuns> prepared = PreparePrograms(compiled, dataset, *choice, run.days, run.seed, context, exit_code);
  if (!prepared) return std::nullopt;
  const std::vector<uint64_t> customer_keys = simulate::CustomerKeys(dataset.store);
  run.customer_keys = &customer_keys;
  run.store = &dataset.store;
  simulate::Recorded recorded{.store = &dataset.store,
                                    .until = until,
                                    .decided_before = deployment.last_applied.value_or(INT64_MIN),
                                    .emitted = &deployment.emitted};
  // The messages of programs no longer deployed count toward caps across programs.
  std::vector<simulate::Recorded::Contact> others;
  for (const outbox::Message& m : deployment.others) {
    if (std::optional<uint32_t> row = dataset.store.RowOfId(m.customer)) others.push_back({*row, m.due_at, m.channel});
  }
  std::sort(others.begin(), others.end(), [](const auto& a, const auto& b) { return std::tie(a.customer, a.time) < std::tie(b.customer, b.time); });
  recorded.others = &others;
  run.recorded = &recorded;
  std::vector<simulate::Result> results = simulate::Simulate(prepared->runs, dataset.measures, run);
  if (!ReportRunaway(results, prepared->runs, dataset.store, context)) {
    exit_code = kExitProgramErrors;
    return std::nullopt;
  }
  const data::Column& ids = dataset.store.customers.columns[dataset.store.key_column];
  struct Ordered {
    outbox::Message message;
    int64_t customer;  // in the source's order
    size_t program;
  };
  std::vector<Ordered> ordered;
  for (size_t p = 0; p < results.size(); ++p) {
    const ir::Program& program = *prepared->runs[p].program;
    for (const simulate::Emitted& e : results[p].emitted) {
      const ir::Scenario& scenario = program.scenarios[static_cast<size_t>(e.scenario)];
      const ir::Step& step = scenario.steps[static_cast<size_t>(e.step)];
      ordered.push_back({{.key = e.key.Text(),
                          .customer = std::string(ids.String(e.customer)),
                          .channel = step.channel,
                          .message = step.message,
                          .offer = step.offer,
                          .program = program.title,
                          .scenario = scenario.name,
                          .step = simulate::StepName(scenario, static_cast<size_t>(e.step)),
                          .entry = e.entry,
                          .due_at = e.time},
                         dataset.store.SourceOrder(e.customer), p});
    }
  }
  // Spread over processes: every process's messages, on the first, which alone writes them.
  if (distribute::Distributed()) {
    distribute::Packer mine;
    for (const Ordered& o : ordered) PackMessage(mine, o.message), mine.Int(o.customer), mine.Int(static_cast<int64_t>(o.program));
    ordered.clear();
    for (const std::string& part : distribute::GatherRoot(mine.bytes())) {
      distribute::Unpacker in(part);
      while (!in.done()) {
        outbox::Message message = UnpackMessage(in);
        const int64_t customer = in.Int();
        ordered.push_back({std::move(message), customer, static_cast<size_t>(in.Int())});
      }
    }
  }
  std::sort(ordered.begin(), ordered.end(), [](const Ordered& a, const Ordered& b) {
    return std::tie(a.message.due_at, a.customer, a.program, a.message.key) < std::tie(b.message.due_at, b.customer, b.program, b.message.key);
  });
  std::vector<outbox::Message> messages;
  messages.reserve(ordered.size());
  for (Ordered& o : ordered) messages.push_back(std::move(o.message));
  exit_code = kExitSuccess;
  return messages;
}

}  // namespace relc::driver
