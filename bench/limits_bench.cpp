// Benchmark: inputs at and past relc's limits, as a fuzzer or a careless generator writes them.
// Each must get its diagnostic quickly, from `relc check` (the whole command, in a fresh
// process) and from `relc lsp` (didOpen -> publishDiagnostics). The baseline is `relc check`
// over an ordinary generated program of the same size in bytes, so the ratio says what the
// pathology costs beyond the size.
//
//   relc_bench_limits RELC_BINARY [--runs R] [--quick] [--max-cold-ms MS]
//   (--max-cold-ms: the target for each median, command and editor alike)
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "../tests/cli/lsp_client.h"
#include "bench_harness.h"
#include "program_generator.h"

namespace {

using nlohmann::json;
using relc::bench::Clock;
using relc::bench::MillisecondsSince;

struct Input {
  std::string name;
  std::string text;
  std::string code;  // the diagnostic it must get
};

std::vector<Input> Inputs(int scale) {
  std::string declarations;  // one line of `scale` tokens: the same panel declared again and again
  for (int i = 0; i < scale / 4; ++i) declarations += "panel p = customers ";
  std::string chain = "program \"P\" {\n  kpi k = revenue";
  for (int i = 1; i < scale / 2; ++i) chain += " + revenue";
  std::string and_chain = "program \"P\" {\n  panel p = customers where frequency >= 1";
  for (int i = 1; i < scale / 2; ++i) and_chain += " and frequency >= 1";
  return {
      {fmt::format("a {}-token line", scale), declarations + "\n", "REL0101"},
      {fmt::format("{} nested parentheses", scale),
       "program \"P\" {\n  kpi k = " + std::string(scale, '(') + "revenue" + std::string(scale, ')') + "\n}\n", "REL0022"},
      {fmt::format("a {}-term `+` chain", scale / 2), chain + "\n}\n", "REL0023"},
      {fmt::format("a {}-term `and` chain", scale / 2), and_chain + "\n}\n", "REL0023"},
  };
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/relc-bench-limits-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Wall time of the whole `relc check FILE` command, or -1 if its report lacks `code`.
double TimeCheck(const std::string& relc_binary, const std::string& path, const std::string& code) {
  const std::string command = relc_binary + " check --format json " + path + " 2>&1";
  auto start = Clock::now();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string out;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = pclose(pipe);
  const double ms = MillisecondsSince(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) return -1;  // a crash or an I/O error
  return code.empty() || out.find("\"" + code + "\"") != std::string::npos ? ms : -1;
}

// didOpen -> publishDiagnostics, on a fresh server; -1 if the diagnostic is not there.
double TimeEditor(const std::string& relc_binary, const std::string& text, const std::string& code) {
  LspClient client(relc_binary);
  client.Call("initialize", {{"capabilities", json::object()}});
  client.Notify("initialized", json::object());
  auto start = Clock::now();
  client.Notify("textDocument/didOpen",
                {{"textDocument", {{"uri", "file:///tmp/relc-bench-limits.rel"}, {"languageId", "rel"}, {"version", 1}, {"text", text}}}});
  auto published = client.WaitForNotification("textDocument/publishDiagnostics", 60000);
  const double ms = MillisecondsSince(start);
  client.Call("shutdown", nullptr);
  client.Notify("exit", nullptr);
  if (!published || (*published)["params"]["diagnostics"].empty()) return -1;
  return (*published)["params"]["diagnostics"][0]["code"] == code ? ms : -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: relc_bench_limits RELC_BINARY [--runs R] [--quick] [--max-cold-ms MS]\n");
    return 2;
  }
  const std::string relc_binary = argv[1];
  auto parsed = relc::bench::ParseOptions(argc - 1, argv + 1, "relc_bench_limits", 0);
  if (!parsed) return 2;
  const int runs = parsed->runs;
  const int scale = parsed->quick ? 10000 : 100000;

  std::printf("| input (%d runs each) | bytes | `relc check` median ms | ordinary program of about that size: bytes, ms | ratio | `relc lsp` median ms |\n", runs);
  std::printf("|---|---|---|---|---|---|\n");
  bool failed = false, met = true;
  for (const Input& input : Inputs(scale)) {
    const std::string path = WriteTemp("input.rel", input.text);
    const std::string ordinary = relc::bench::GenerateProgram(static_cast<int>(input.text.size() / 40) + 1);
    const std::string ordinary_path = WriteTemp("ordinary.rel", ordinary);
    std::vector<double> check, baseline, editor;
    for (int run = 0; run < runs; ++run) {
      check.push_back(TimeCheck(relc_binary, path, input.code));
      baseline.push_back(TimeCheck(relc_binary, ordinary_path, ""));
      editor.push_back(TimeEditor(relc_binary, input.text, input.code));
    }
    std::remove(path.c_str());
    std::remove(ordinary_path.c_str());
    const auto c = relc::bench::Summarize(check), b = relc::bench::Summarize(baseline), e = relc::bench::Summarize(editor);
    if (c.failed || b.failed || e.failed) {
      std::fprintf(stderr, "limits bench: %s did not get %s from relc check or relc lsp\n", input.name.c_str(), input.code.c_str());
      failed = true;
      continue;
    }
    std::printf("| %s (%s) | %zu | %.0f | %zu, %.0f | %.2f | %.0f |\n", input.name.c_str(), input.code.c_str(), input.text.size(),
                c.median, ordinary.size(), b.median, c.median / b.median, e.median);
    met = met && c.median <= parsed->max_cold_ms && e.median <= parsed->max_cold_ms;
  }
  if (failed) return 1;
  if (parsed->max_cold_ms > 0) {
    std::printf("\nTarget: each diagnostic within %.0f ms, from the command and from the editor (median): **%s**.\n",
                parsed->max_cold_ms, met ? "met" : "missed");
    return met ? 0 : 1;
  }
  return 0;
}
