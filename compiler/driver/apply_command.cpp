// `relc apply`: runs the programs for real. Deploys the files as a version of the outbox (a new
// one when their texts changed), replays every journey from the start over the recorded events
// up to `--as-of`, and writes the messages due since the last apply to the outbox, a transaction
// per batch, each idempotency key once (docs/operations.md).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "distribute/distribute.h"
#include "driver/commands.h"
#include "driver/deployment.h"
#include "driver/session.h"

namespace relc::driver {
namespace {

constexpr auto kApplyOptions = DeploymentOptions({"--batch", "", "N", "messages written per transaction (default 1000)"});

// Writes the messages to the outbox, a transaction per `batch`, and says what was written.
int WriteMessages(Deployment& deployment, const std::vector<outbox::Message>& messages, uint64_t batch, const ParsedOptions& options,
                  Context& context) {
  const std::string format = options.Get("--format", "text");
  outbox::Store& store = *deployment.store;
  std::string error;
  // The version first: a rerun after a crash finds it deployed, with the same texts.
  if (deployment.new_version && !store.AddVersion(deployment.version, error)) {
    context.err << "error: " << error << '\n';
    return kExitUsageOrIo;
  }
  size_t written = 0;
  for (size_t begin = 0; begin < messages.size(); begin += batch) {
    const size_t end = std::min(messages.size(), begin + static_cast<size_t>(batch));
    std::vector<outbox::Message> part(messages.begin() + static_cast<std::ptrdiff_t>(begin), messages.begin() + static_cast<std::ptrdiff_t>(end));
    size_t new_rows = 0;
    if (!store.Write(part, deployment.version.number, deployment.as_of, new_rows, error)) {
      context.err << "error: " << error << '\n'
                  << fmt::format("  = note: {} of the {} messages were written; rerun the same apply to write the rest, each once\n",
                                 written, messages.size());
      return kExitUsageOrIo;
    }
    written += new_rows;
  }
  if (!store.Finish(deployment.version.number, deployment.as_of, static_cast<int64_t>(messages.size()), error)) {
    context.err << "error: " << error << '\n';
    return kExitUsageOrIo;
  }
  const std::string since = deployment.last_applied ? outbox::FormatTime(*deployment.last_applied) : "the start";
  if (format == "json") {
    nlohmann::ordered_json json = {{"version", deployment.version.number},
                                   {"new_version", deployment.new_version},
                                   {"starts", outbox::FormatTime(deployment.version.starts)},
                                   {"as_of", outbox::FormatTime(deployment.as_of)},
                                   {"since", deployment.last_applied ? nlohmann::ordered_json(outbox::FormatTime(*deployment.last_applied)) : nlohmann::ordered_json()},
                                   {"messages", messages.size()},
                                   {"written", written}};
    context.out << json.dump(2) << '\n';
  } else {
    context.out << fmt::format("apply: version {}{}, journeys from {}\n", deployment.version.number,
                               deployment.new_version ? " (new)" : "", outbox::FormatTime(deployment.version.starts));
    context.out << fmt::format("apply: {} message{} due from {} to {} written to {} ({} already there)\n", messages.size(),
                               messages.size() == 1 ? "" : "s", since, outbox::FormatTime(deployment.as_of), options.Get("--outbox", ""),
                               messages.size() - written);
  }
  return kExitSuccess;
}

int RunApply(const ParsedOptions& options, Context& context) {
  int exit_code = kExitUsageOrIo;
  const std::string format = options.Get("--format", "text");
  std::optional<uint64_t> batch = ParseWholeNumber(options.Get("--batch", "1000"), 1'000'000);
  if ((format != "text" && format != "json") || !batch || *batch == 0) {
    PrintUsageError(context.err, batch && *batch > 0 ? fmt::format("unknown format `{}`", format)
                                                     : fmt::format("`--batch` takes a whole number from 1, not `{}`", options.Get("--batch", "")));
    return kExitUsageOrIo;
  }
  auto compiled = CompileFilesForEngines(options, context, exit_code);
  if (!compiled) return exit_code;
  std::optional<Deployment> deployment = OpenDeployment(options, *compiled, true, context, exit_code);
  if (!deployment) return exit_code;
  std::vector<const CompiledFile*> files;
  for (const CompiledFile& file : *compiled) files.push_back(&file);
  std::optional<Dataset> dataset = LoadDeploymentData(options, files, *deployment, context, exit_code);
  if (!dataset) return exit_code;
  auto messages = ReplayMessages(*compiled, *dataset, *deployment, deployment->as_of, options, context, exit_code);
  if (!messages) return exit_code;
  // Spread over processes, the first holds the outbox and every message: it alone writes, and
  // every process exits as it does.
  if (!distribute::Distributed()) return WriteMessages(*deployment, *messages, *batch, options, context);
  const int code = distribute::IsRoot() ? WriteMessages(*deployment, *messages, *batch, options, context) : 0;
  return std::stoi(distribute::FromRoot(std::to_string(code)));
}

}  // namespace

const Command kApplyCommand{
    .name = "apply",
    .summary = "Run programs for real: write the messages due now to an outbox",
    .usage = "[options] <file>... --data <source> --outbox <dest>",
    .description = "Deploys the files as a version of the outbox (a new one when their texts changed), replays\n"
                   "every journey from the start over the data's recorded events up to `--as-of` (purchases,\n"
                   "carts, opens, clicks, unsubscribes), and writes the messages due since the last apply:\n"
                   "one row each, with an idempotency key no rerun writes twice. Consent and caps are those\n"
                   "of the data as of now. One apply at a time holds the outbox (docs/operations.md).",
    .options = kApplyOptions,
    .run = RunApply,
    .spreads = true,
};

}  // namespace relc::driver
