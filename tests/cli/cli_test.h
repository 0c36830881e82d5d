// Helpers shared by the end-to-end tests: run the real `relc` binary, write temporary files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct Result {
  int exit_code;
  std::string out;  // stdout, or stdout and stderr together when merged
};

// Runs `relc ARGS` from the source directory through the shell.
Result Relc(const std::string& args, bool merge_stderr = false, const std::string& env = "");

// Runs a shell command from the source directory; its stdout.
Result Shell(const std::string& command);

// A file's bytes (empty when it cannot be read).
std::string ReadFile(const std::string& path);

// Writes a file in the temporary directory; returns its path.
std::string WriteTemp(const std::string& name, const std::string& text);

// A folder of data from `relc data generate`, made once per test process (CTest runs test
// cases in parallel processes) and removed at its exit.
std::string GeneratedData(int customers, int seed);

// A CSV file's rows (quotes removed; no line breaks inside fields).
std::vector<std::vector<std::string>> ReadCsv(const std::string& path);

// Every example program, examples/*/*.rel, in name order.
std::vector<std::string> ExamplePrograms();

// The data an example runs over, and as of when: the real CDNOW purchases converted by
// examples/cdnow/convert for the CDNOW example, else `generated` as of 2026-01-01.
struct ExampleData {
  std::string dir, as_of;
};
ExampleData DataFor(const std::string& program, const std::string& generated);

// `2026-01-06T09:00:00` as seconds since the epoch (UTC).
int64_t Seconds(const std::string& datetime);
