// Runs one golden test: the `.rel` file's `// RUN:` line (default `relc check FILE`) through the
// driver, in-process, and compares what it prints with the `.expected` file beside it.
//
// The expected file holds the command, the exit code, then stdout and stderr under markers.
// Files named `fail_*` must exit non-zero and no others may (Carbon's convention), so a
// test's name says what it expects. RELC_GOLDEN_UPDATE=1 rewrites the expected file instead.
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "data/generate.h"
#include "driver/driver.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// `%crm(N,SEED)`: a folder of N customers generated with SEED (as of 2026-01-01), written once
// per process in the temporary directory. Outputs show the placeholder, not the folder.
std::map<std::string, std::string> placeholder_of;  // generated folder -> `%crm(...)`

std::string GeneratedCrm(const std::string& placeholder) {
  unsigned long long customers = 0, seed = 0;
  if (std::sscanf(placeholder.c_str(), "%%crm(%llu,%llu)", &customers, &seed) != 2) return placeholder;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("relc_golden_crm_{}_{}_{}", customers, seed, getpid());
  if (!fs::exists(dir / "events.csv")) {
    fs::create_directories(dir);
    relc::data::GeneratedFiles files = relc::data::GenerateCrm({.customers = customers, .seed = seed, .as_of_day = 20454});
    std::ofstream(dir / "customers.csv", std::ios::binary) << files.customers_csv;
    std::ofstream(dir / "events.csv", std::ios::binary) << files.events_csv;
  }
  placeholder_of[dir.string()] = placeholder;
  return dir.string();
}

// Words of the first `// RUN:` line, with %s standing for the input's path, `%crm(N,SEED)` for
// generated data. The line may set variables of relc's environment first:
// `// RUN: RELC_JIT_FAULT=injected relc panels %s`.
std::vector<std::string> CommandFor(const std::string& input, const std::string& source, relc::driver::Environment& env,
                                    std::string& shown) {
  std::vector<std::string> args = {"check", input};
  std::istringstream lines(source);
  for (std::string line; std::getline(lines, line);) {
    auto at = line.find("// RUN: ");
    auto relc = line.find(" relc ", at == std::string::npos ? 0 : at + 7);
    if (at == std::string::npos || relc == std::string::npos) continue;
    std::istringstream variables(line.substr(at + 8, relc - at - 8 + 1));
    for (std::string assignment; variables >> assignment;) {
      if (assignment.starts_with("RELC_JIT_FAULT=")) env.jit_fault = assignment.substr(15);
      shown += assignment + " ";
    }
    args.clear();
    std::istringstream words(line.substr(relc + 6));
    for (std::string word; words >> word;) {
      args.push_back(word == "%s"                ? input
                     : word.starts_with("%crm(") ? GeneratedCrm(word)
                                                 : word);
    }
    break;
  }
  return args;
}

void PrintFirstDifference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string expected_line, actual_line;
  for (int line = 1;; ++line) {
    bool more_expected = static_cast<bool>(std::getline(e, expected_line));
    bool more_actual = static_cast<bool>(std::getline(a, actual_line));
    if (!more_expected && !more_actual) return;
    if (!more_expected || !more_actual || expected_line != actual_line) {
      std::cerr << fmt::format("first difference at line {}:\n  expected: {}\n  actual:   {}\n", line,
                               more_expected ? expected_line : "<end of file>",
                               more_actual ? actual_line : "<end of file>");
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: relc_golden_runner TEST.rel (run from tests/golden)\n";
    return 2;
  }
  std::string input = argv[1];
  std::string stem = input.substr(0, input.size() - 4);
  std::string expected_path = stem + ".expected";
  relc::driver::Environment env;
  std::string shown_variables;
  std::vector<std::string> args = CommandFor(input, ReadFile(input), env, shown_variables);

  // The standard library as a relative path, so that expected outputs do not depend on where
  // the repository is checked out.
  setenv("RELC_STDLIB", "../../stdlib", 1);
  std::ostringstream out, err;
  int exit_code = relc::driver::RunDriver(args, out, err, env);
  for (const auto& [dir, placeholder] : placeholder_of) std::filesystem::remove_all(dir);

  std::string actual = "$ " + shown_variables + "relc";
  for (const auto& arg : args) actual += " " + (placeholder_of.contains(arg) ? placeholder_of[arg] : arg);
  actual += fmt::format("\nexit: {}\n", exit_code);
  if (!out.str().empty()) actual += "--- stdout\n" + out.str();
  if (!err.str().empty()) actual += "--- stderr\n" + err.str();

  std::string name = input.substr(input.find_last_of('/') + 1);
  bool expects_failure = name.starts_with("fail_");
  if (expects_failure != (exit_code != 0)) {
    std::cerr << fmt::format("{}: exit code {} but the name {} with `fail_`\n{}", input, exit_code,
                             expects_failure ? "starts" : "does not start", actual);
    return 1;
  }

  const char* update = std::getenv("RELC_GOLDEN_UPDATE");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return 0;
  }
  std::string expected = ReadFile(expected_path);
  if (expected == actual) return 0;
  std::cerr << fmt::format("{}: output differs from {} (scripts/update-goldens rewrites it)\n", input, expected_path);
  PrintFirstDifference(expected, actual);
  std::cerr << "--- actual output:\n" << actual;
  return 1;
}
