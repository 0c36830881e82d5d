#include "driver/driver.h"

#include <fmt/format.h>

#include <array>

#include "diagnostics/suggest.h"
#include "driver/build_info.h"
#include "driver/commands.h"
#include "driver/man_page.h"

namespace relc::driver {
namespace {

constexpr std::array<const Command*, 17> kCommands = {
    &kCheckCommand,       &kFmtCommand,     &kRunCommand,      &kTestCommand, &kPlanCommand, &kApplyCommand, &kGraphCommand, &kPanelsCommand,
    &kDataGenerateCommand, &kDataInspectCommand, &kDataDescribeCommand, &kExplainCommand, &kEmitLlvmCommand, &kAstCommand, &kLspCommand,
    &kCalibrateCommand, &kCompletionCommand};

const Command* FindCommand(std::string_view name) {
  for (const Command* command : kCommands) {
    if (command->name == name) return command;
  }
  return nullptr;
}

void PrintVersion(std::ostream& out) { out << VersionLine() << '\n'; }

void PrintMainHelp(std::ostream& out) {
  out << "relc " << RELC_VERSION << ": relationship-marketing programs, compiled\n\n"
      << "Usage: relc <command> [options]\n\nCommands:\n";
  for (const Command* command : kCommands) out << fmt::format("  {:<10} {}\n", command->name, command->summary);
  out << fmt::format("  {:<10} {}\n", "help", "Show help for relc or for one command");
  out << fmt::format("  {:<10} {}\n", "version", "Print relc's version");
  out << "\nRun `relc help <command>` for a command's options, `relc help --man` for the manual page.\n";
  PrintExitCodes(out);
}

// `relc data` is a group of commands (`data generate`, `data inspect`): its help lists them.
bool IsGroup(std::string_view name) { return name == "data"; }

void PrintGroupHelp(std::string_view group, std::ostream& out) {
  out << fmt::format("Usage: relc {} <command> [options]\n\nCommands:\n", group);
  for (const Command* command : kCommands) {
    if (command->name.starts_with(std::string(group) + " ")) out << fmt::format("  {:<16} {}\n", command->name, command->summary);
  }
  out << fmt::format("\nRun `relc help {} <command>` for a command's options.\n", group);
}

int UnknownCommand(std::string_view name, std::ostream& err) {
  std::vector<std::string> names = {"help", "version"};
  for (const Command* command : kCommands) names.emplace_back(command->name);
  auto closest = ClosestMatch(name, names);
  PrintUsageError(err, fmt::format("unknown command `{}`", name),
                  closest ? fmt::format("did you mean `relc {}`?", *closest) : "`relc help` lists the commands");
  return kExitUsageOrIo;
}

}  // namespace

std::span<const Command* const> AllCommands() { return kCommands; }

std::vector<std::string> NoOperands() { return {}; }

int RunDriver(std::span<const std::string> args, std::ostream& out, std::ostream& err, const Environment& env) {
  if (args.empty()) {
    PrintMainHelp(err);
    return kExitUsageOrIo;
  }
  // Two-word commands (`relc data inspect`) are looked up as one name.
  std::vector<std::string> joined;
  if (args.size() >= 2 && args[0] == "data" && FindCommand("data " + args[1]) != nullptr) {
    joined.push_back("data " + args[1]);
    joined.insert(joined.end(), args.begin() + 2, args.end());
    args = joined;
  }
  std::string_view name = args[0];
  if (name == "--version" || name == "-V" || name == "version") {
    PrintVersion(out);
    return kExitSuccess;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    if (args.size() < 2) {
      PrintMainHelp(out);
      return kExitSuccess;
    }
    if (args[1] == "--man") {
      WriteManPage(kCommands, out);
      return kExitSuccess;
    }
    std::string topic = args[1];
    if (args.size() >= 3 && IsGroup(topic)) topic += " " + args[2];
    if (IsGroup(topic)) {
      PrintGroupHelp(topic, out);
      return kExitSuccess;
    }
    const Command* command = FindCommand(topic);
    if (command == nullptr) return UnknownCommand(topic, err);
    PrintCommandHelp(*command, out);
    return kExitSuccess;
  }
  if (IsGroup(name)) {  // `relc data`, `relc data --help`, or a subcommand misspelt
    const bool help = args.size() == 2 && (args[1] == "--help" || args[1] == "-h");
    if (args.size() >= 2 && !help) return UnknownCommand(fmt::format("{} {}", name, args[1]), err);
    PrintGroupHelp(name, help ? out : err);
    return help ? kExitSuccess : kExitUsageOrIo;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) return UnknownCommand(name, err);
  std::span<const std::string> rest = args.subspan(1);
  for (const auto& arg : rest) {
    if (arg == "--help" || arg == "-h") {
      PrintCommandHelp(*command, out);
      return kExitSuccess;
    }
    if (arg == "--") break;
  }
  auto options = ParseOptions(rest, *command, err);
  if (!options) return kExitUsageOrIo;
  Context context{out, err, env};
  return command->run(*options, context);
}

bool SpreadsOverProcesses(std::span<const std::string> args) {
  const Command* command = args.empty() ? nullptr : FindCommand(args[0]);
  return command != nullptr && command->spreads;
}

}  // namespace relc::driver
