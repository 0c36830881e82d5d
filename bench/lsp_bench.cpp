// Benchmark: how long after a change an editor shows its diagnostics. A client drives the real
// `relc lsp` process over a generated program: each sample is one `didChange` (alternately
// making and fixing a typo, so half the checks report an error) until the matching
// `publishDiagnostics` arrives. The baseline, measured in this process on the same text, is
// `relc check`'s own work (parse, sema, graphs): the latency minus it is the debounce and IPC.
//
//   relc_bench_lsp RELC_BINARY [--lines N] [--runs R] [--quick] [--max-cold-ms MS]
//   (--max-cold-ms: the target for the median latency)
#include <cstdio>
#include <string>
#include <vector>

#include "../tests/cli/lsp_client.h"
#include "bench_harness.h"
#include "driver/compile.h"
#include "program_generator.h"

namespace {

using nlohmann::json;
using relc::bench::Clock;
using relc::bench::MillisecondsSince;

json PositionAt(const std::string& text, size_t offset) {
  int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  return {{"line", line}, {"character", offset - line_start}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: relc_bench_lsp RELC_BINARY [--lines N] [--runs R] [--quick] [--max-cold-ms MS]\n");
    return 2;
  }
  std::string relc_binary = argv[1];
  auto parsed = relc::bench::ParseOptions(argc - 1, argv + 1, "relc_bench_lsp", 0);
  if (!parsed) return 2;
  auto [lines, runs, max_median_ms, quick] = *parsed;
  if (quick) lines = 300;
  std::string text = relc::bench::GenerateOneProgram(lines);
  const std::string uri = "file:///tmp/relc-bench-lsp/generated.rel";

  LspClient client(relc_binary);
  client.Call("initialize", {{"capabilities", json::object()}});
  client.Notify("initialized", json::object());
  client.Notify("textDocument/didOpen", {{"textDocument", {{"uri", uri}, {"languageId", "rel"}, {"version", 1}, {"text", text}}}});
  auto first = client.WaitForNotification("textDocument/publishDiagnostics");
  if (!first || !(*first)["params"]["diagnostics"].empty()) {
    std::fprintf(stderr, "lsp bench: the generated program did not check cleanly\n");
    return 1;
  }

  // The typo sits in the middle of the file: `frequency` loses its `e` and gets it back.
  size_t middle = text.find("frequency", text.size() / 2) + 5;
  std::vector<double> latencies;
  int errors_seen = 0;
  for (int run = 0; run < runs; ++run) {
    bool breaking = run % 2 == 0;
    json at = PositionAt(text, middle);
    json end = breaking ? PositionAt(text, middle + 1) : at;
    json change = {{"range", {{"start", at}, {"end", end}}}, {"text", breaking ? "" : "e"}};
    if (breaking) {
      text.erase(middle, 1);
    } else {
      text.insert(middle, 1, 'e');
    }
    int version = run + 2;
    auto start = Clock::now();
    client.Notify("textDocument/didChange", {{"textDocument", {{"uri", uri}, {"version", version}}}, {"contentChanges", {change}}});
    std::optional<json> published;
    do {
      published = client.WaitForNotification("textDocument/publishDiagnostics", 10000);
    } while (published && (*published)["params"]["version"] != version);
    if (!published) {
      std::fprintf(stderr, "lsp bench: no diagnostics for version %d\n", version);
      return 1;
    }
    latencies.push_back(MillisecondsSince(start));
    errors_seen += !(*published)["params"]["diagnostics"].empty();
  }
  client.Call("shutdown", nullptr);
  client.Notify("exit", nullptr);
  if (errors_seen != (runs + 1) / 2) {
    std::fprintf(stderr, "lsp bench: %d of %d checks reported the typo, expected %d\n", errors_seen, runs, (runs + 1) / 2);
    return 1;
  }

  // The baseline: relc check's work on the same text, in this process.
  auto file = std::make_shared<const relc::SourceFile>("generated.rel", text);
  std::vector<double> checks;
  for (int run = 0; run < runs; ++run) {
    relc::DiagnosticCollector diagnostics;
    auto start = Clock::now();
    relc::driver::CompileFile(file, diagnostics);
    checks.push_back(MillisecondsSince(start));
  }

  relc::bench::Summary latency = relc::bench::Summarize(latencies);
  relc::bench::Summary check = relc::bench::Summarize(checks);
  std::printf("| `relc lsp`, %u-line file, %d changes | median ms | min ms | max ms |\n", file->LineCount() - 1, runs);
  std::printf("|---|---|---|---|\n");
  std::printf("| change -> diagnostics published (30 ms debounce included) | %.1f | %.1f | %.1f |\n", latency.median,
              latency.min, latency.max);
  std::printf("| baseline: `relc check`'s work on the same text, in process | %.1f | %.1f | %.1f |\n", check.median,
              check.min, check.max);
  std::printf("\nDebounce and IPC: %.1f ms of the median.", latency.median - check.median);
  if (max_median_ms > 0) {
    bool met = latency.median <= max_median_ms;
    std::printf(" Target: diagnostics within %.0f ms of a change (median): **%s**.\n", max_median_ms, met ? "met" : "missed");
    return met ? 0 : 1;
  }
  std::printf("\n");
  return 0;
}
