// Options of one command, declared as data so that parsing and `relc help` agree.
#pragma once

#include <map>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "driver/driver.h"

namespace relc::driver {

struct OptionSpec {
  std::string_view name;        // "--format"
  std::string_view short_name;  // "-q", or empty
  std::string_view value_name;  // "FORMAT" when the option takes a value, else empty
  std::string_view help;
  bool repeatable = false;  // may be given several times (`--history a.csv --history b.csv`)
};

struct ParsedOptions {
  // Keyed by long name: each value given, in order (one, unless the option is repeatable).
  std::map<std::string, std::vector<std::string>, std::less<>> values;
  std::vector<std::string> positional;

  bool Has(std::string_view name) const { return values.contains(name); }
  std::string Get(std::string_view name, std::string_view fallback) const {
    auto it = values.find(name);
    return it != values.end() ? it->second.back() : std::string(fallback);
  }
  std::vector<std::string> GetAll(std::string_view name) const {
    auto it = values.find(name);
    return it != values.end() ? it->second : std::vector<std::string>{};
  }
};

struct Context {
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
};

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;        // after "relc <name> "
  std::string_view description;  // a paragraph for `relc help <name>`
  std::span<const OptionSpec> options;
  int (*run)(const ParsedOptions& options, Context& context);
  // For shell completion: the words an operand may be (`relc completion bash`); null when the
  // operands are file names.
  std::vector<std::string> (*operand_words)() = nullptr;
  // Under `mpirun -n N`, runs on every process, the customers split between them
  // (docs/scaling.md); other commands run on the first process alone.
  bool spreads = false;
};

// Parses `args` (after the command name); on a usage error prints it and returns nullopt.
std::optional<ParsedOptions> ParseOptions(std::span<const std::string> args, const Command& command,
                                          std::ostream& err);

void PrintCommandHelp(const Command& command, std::ostream& out);

// "Exit codes: 0 success, 1 ..., 2 ...", the line every help ends with.
void PrintExitCodes(std::ostream& out);

// The items of a comma-separated option value (`--by loyalty_member,country`), empty ones dropped.
std::vector<std::string> SplitList(std::string_view text);

// An option's whole number: digits only, at most `maximum` (`1e3`, `10x`, `-1` and ` 7` are
// not numbers, where a prefix parse would read 1, 10, a wrapped 2^64 - 1 and 7).
std::optional<uint64_t> ParseWholeNumber(std::string_view text, uint64_t maximum);

// "error: ..." for the command line, in the same voice as diagnostics.
void PrintUsageError(std::ostream& err, std::string_view message, std::string_view hint = {});

}  // namespace relc::driver
