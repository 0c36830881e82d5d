#include "driver/command_line.h"

#include <charconv>

#include <fmt/format.h>

#include <algorithm>

#include "diagnostics/suggest.h"
#include "driver/command_reference.h"

namespace relc::driver {

void PrintUsageError(std::ostream& err, std::string_view message, std::string_view hint) {
  err << "error: " << message << '\n';
  if (!hint.empty()) err << "  = help: " << hint << '\n';
}

std::optional<uint64_t> ParseWholeNumber(std::string_view text, uint64_t maximum) {
  uint64_t value = 0;
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > maximum) return std::nullopt;
  return value;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = std::min(text.find(',', begin), text.size());
    if (end > begin) out.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

std::optional<ParsedOptions> ParseOptions(std::span<const std::string> args, const Command& command,
                                          std::ostream& err) {
  ParsedOptions parsed;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      parsed.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    std::string_view name = arg;
    std::optional<std::string> inline_value;
    if (auto equals = arg.find('='); arg.starts_with("--") && equals != std::string_view::npos) {
      name = arg.substr(0, equals);
      inline_value = std::string(arg.substr(equals + 1));
    }
    const OptionSpec* spec = nullptr;
    for (const auto& option : command.options) {
      if (option.name == name || (!option.short_name.empty() && option.short_name == name)) spec = &option;
    }
    if (spec == nullptr) {
      std::vector<std::string> names;
      for (const auto& option : command.options) names.emplace_back(option.name);
      auto closest = ClosestMatch(name, names);
      PrintUsageError(err, fmt::format("unknown option `{}` for `relc {}`", name, command.name),
                      closest ? fmt::format("did you mean `{}`?", *closest)
                              : fmt::format("`relc help {}` lists its options", command.name));
      return std::nullopt;
    }
    // A second value would silently replace the first: only a repeatable option takes several.
    std::vector<std::string>& values = parsed.values[std::string(spec->name)];
    if (!values.empty() && !spec->repeatable) {
      PrintUsageError(err, fmt::format("option `{}` is given twice", spec->name), "give it once");
      return std::nullopt;
    }
    if (spec->value_name.empty()) {
      if (inline_value) {
        PrintUsageError(err, fmt::format("option `{}` takes no value", spec->name));
        return std::nullopt;
      }
      values.emplace_back();
      continue;
    }
    if (!inline_value) {
      if (i + 1 == args.size()) {
        PrintUsageError(err, fmt::format("option `{}` needs a value ({})", spec->name, spec->value_name));
        return std::nullopt;
      }
      inline_value = args[++i];
    }
    values.push_back(*inline_value);
  }
  return parsed;
}

void PrintCommandHelp(const Command& command, std::ostream& out) {
  out << "Usage: relc " << command.name << ' ' << command.usage << "\n\n" << command.description << '\n';
  if (!command.options.empty()) {
    out << "\nOptions:\n";
    std::vector<std::string> lefts;
    size_t width = 30;
    for (const auto& option : command.options) {
      std::string left = option.short_name.empty() ? std::string(option.name)
                                                   : fmt::format("{}, {}", option.short_name, option.name);
      if (!option.value_name.empty()) left += fmt::format(" <{}>", option.value_name);
      width = std::max(width, left.size());
      lefts.push_back(std::move(left));
    }
    for (size_t i = 0; i < lefts.size(); ++i) out << fmt::format("  {:<{}} {}\n", lefts[i], width, command.options[i].help);
  }
  out << '\n';
  PrintExitCodes(out);
}

void PrintExitCodes(std::ostream& out) {
  out << "Exit codes:";
  for (const ExitCodeMeaning& exit : kExitCodeMeanings) {
    out << fmt::format("{} {} {}", &exit == kExitCodeMeanings ? "" : ",", static_cast<int>(exit.code), exit.brief);
  }
  out << ".\n";
}

}  // namespace relc::driver
