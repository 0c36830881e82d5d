// Benchmark: the JIT's compile time for every example program, as `relc ... --jit-stats`
// reports it: each sample in a fresh process, after LLVM's one-time start-up (which the
// commands run while the data loads).
//
//   relc_bench_jit EXAMPLES_DIR [--runs R] [--max-ms MS]
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "codegen/jit.h"
#include "driver/compile.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: relc_bench_jit EXAMPLES_DIR [--runs R] [--max-ms MS]\n");
    return 2;
  }
  int runs = 7;
  double max_ms = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--runs") runs = std::atoi(argv[i + 1]);
    if (arg == "--max-ms") max_ms = std::atof(argv[i + 1]);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (entry.path().extension() == ".rel") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  std::printf("| example | kernels | IR instructions | machine code bytes | compile median ms | min ms | max ms |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  double worst = 0;
  std::string worst_name;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    relc::DiagnosticCollector diagnostics;
    auto compiled = relc::driver::CompileFile(std::make_shared<const relc::SourceFile>(path.string(), text.str()), diagnostics);
    if (compiled.has_errors || compiled.programs.empty()) {
      std::fprintf(stderr, "%s does not compile\n", path.c_str());
      return 1;
    }
    const relc::ir::Program& program = compiled.programs[0];
    relc::codegen::JitStats stats;
    std::vector<double> samples;
    for (int run = 0; run < runs; ++run) {
      samples.push_back(relc::bench::InChild([&] {
        relc::codegen::WarmUpJit();
        relc::codegen::JitResult result = relc::codegen::CompileWithJit(program, {});
        return result.engine ? result.stats.compile_ms : -1.0;
      }));
    }
    relc::codegen::JitResult once = relc::codegen::CompileWithJit(program, {});  // for the sizes
    auto summary = relc::bench::Summarize(samples);
    if (summary.failed || !once.engine) return 1;
    std::printf("| %s | %zu | %zu | %zu | %.1f | %.1f | %.1f |\n", path.filename().c_str(), once.stats.functions,
                once.stats.instructions, once.stats.code_bytes, summary.median, summary.min, summary.max);
    if (once.stats.instructions > 0 && summary.median > worst) {
      worst = summary.median;
      worst_name = path.filename().string();
    }
  }
  std::printf("\nslowest: %s, %.1f ms median; %d runs each, each in a fresh process\n", worst_name.c_str(), worst, runs);
  if (max_ms > 0 && worst > max_ms) {
    std::printf("FAIL: over the %.0f ms target\n", max_ms);
    return 1;
  }
  return 0;
}
