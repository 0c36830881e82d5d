// Benchmark: compile latency, phase by phase, for every example program and for a generated
// program of 10,000 lines: parse, check (parse of the file and its imports, names, types, domain
// checks), scenario graphs, lowering, and the JIT (every program of the file). The generated
// program is hundreds of copies of a win-back with other thresholds, as long plans are; a second
// one, whose panels are all of different shapes, is the JIT's worst case. Each sample runs
// in a fresh process, as a command-line user pays it; the JIT's one-time LLVM start-up is left
// out, since the commands run it while the data loads.
//
//   relc_bench_compile EXAMPLES_DIR [--runs R] [--lines N] [--max-ms MS] [--max-generated-ms MS]
//     --max-ms: the slowest example, check to JIT; --max-generated-ms: the generated program's
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_harness.h"
#include "codegen/jit.h"
#include "driver/compile.h"
#include "program_generator.h"
#include "syntax/parse.h"

namespace {

enum Phase { kParse, kCheck, kGraph, kLower, kJit, kPhases };
using PhaseTimes = std::array<double, kPhases>;
constexpr PhaseTimes kFailed = {-1, -1, -1, -1, -1};

// One cold compile of `file`: each phase's milliseconds; all -1 if it does not compile.
PhaseTimes CompileOnce(const std::shared_ptr<const relc::SourceFile>& file) {
  PhaseTimes ms = kFailed;
  relc::DiagnosticCollector diagnostics;
  auto start = relc::bench::Clock::now();
  relc::syntax::ParseResult parsed = relc::syntax::Parse(file, diagnostics);
  ms[kParse] = relc::bench::MillisecondsSince(start);
  relc::driver::CompiledFile compiled = relc::driver::CompileFile(file, diagnostics);
  if (parsed.has_errors || compiled.has_errors || compiled.programs.empty()) return kFailed;
  ms[kCheck] = compiled.times.check_ms;
  ms[kGraph] = compiled.times.graph_ms;
  ms[kLower] = compiled.times.lower_ms;
  relc::codegen::WarmUpJit();
  ms[kJit] = 0;
  for (const relc::ir::Program& program : compiled.programs) {
    relc::codegen::JitResult result = relc::codegen::CompileWithJit(program, {});
    if (!result.engine) return kFailed;
    ms[kJit] += result.stats.compile_ms;
  }
  return ms;
}

std::shared_ptr<const relc::SourceFile> Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return std::make_shared<const relc::SourceFile>(path.string(), text.str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: relc_bench_compile EXAMPLES_DIR [--runs R] [--lines N] [--max-ms MS] [--max-generated-ms MS]\n");
    return 2;
  }
  int runs = 7, lines = 10000;
  double max_ms = 0, max_generated_ms = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--runs") runs = std::atoi(argv[i + 1]);
    if (arg == "--lines") lines = std::atoi(argv[i + 1]);
    if (arg == "--max-ms") max_ms = std::atof(argv[i + 1]);
    if (arg == "--max-generated-ms") max_generated_ms = std::atof(argv[i + 1]);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (entry.path().extension() == ".rel") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no .rel file under %s\n", argv[1]);
    return 2;
  }

  std::printf("| program | lines | parse | check | graphs | lowering | JIT | total (check to JIT) |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  double worst = 0, generated_ms = 0;
  std::string worst_name;
  // The median from check to JIT, or -1 if the file does not compile.
  auto measure = [&](const std::string& name, const std::shared_ptr<const relc::SourceFile>& file, bool is_example,
                     int fresh_runs) -> double {
    std::vector<std::vector<double>> phases(kPhases + 1);
    for (int run = 0; run < fresh_runs; ++run) {
      PhaseTimes ms = relc::bench::InChildValue([&] { return CompileOnce(file); }, kFailed);
      for (int p = 0; p < kPhases; ++p) phases[p].push_back(ms[p]);
      bool failed = std::any_of(ms.begin(), ms.end(), [](double v) { return v < 0; });
      phases[kPhases].push_back(failed ? -1 : ms[kCheck] + ms[kGraph] + ms[kLower] + ms[kJit]);
    }
    std::vector<relc::bench::Summary> s;
    for (auto& samples : phases) s.push_back(relc::bench::Summarize(samples));
    if (s[kPhases].failed) {
      std::fprintf(stderr, "%s does not compile\n", name.c_str());
      return -1.0;
    }
    std::printf("| %s | %u | %.1f | %.1f | %.1f | %.1f | %.1f | **%.1f** (%.1f-%.1f) |\n", name.c_str(), file->LineCount(),
                s[kParse].median, s[kCheck].median, s[kGraph].median, s[kLower].median, s[kJit].median,
                s[kPhases].median, s[kPhases].min, s[kPhases].max);
    if (is_example && s[kPhases].median > worst) {
      worst = s[kPhases].median;
      worst_name = name;
    }
    return s[kPhases].median;
  };
  for (const auto& path : files) {
    if (measure(std::filesystem::relative(path, argv[1]).string(), Read(path), true, runs) < 0) return 1;
  }
  auto generated = std::make_shared<const relc::SourceFile>("generated.rel", relc::bench::GenerateOneProgram(lines));
  generated_ms = measure(fmt::format("generated: one program of {} lines", lines), generated, false, runs);
  if (generated_ms < 0) return 1;
  // The worst case takes about 10 s a run: three are enough for its median.
  auto varied = std::make_shared<const relc::SourceFile>("varied.rel", relc::bench::GenerateVariedProgram(lines));
  if (measure(fmt::format("generated: {} lines, every panel of its own shape", lines), varied, false, std::min(runs, 3)) < 0) return 1;

  std::printf("\nMedians in ms over %d fresh processes each; check includes parsing the file again and its imports "
              "(the standard library's prelude).\nSlowest example: %s, %.1f ms from check to JIT",
              runs, worst_name.c_str(), worst);
  if (max_ms > 0) std::printf(" (target: under %.0f ms)", max_ms);
  std::printf(".\nThe generated program of %d lines: %.0f ms from check to JIT", lines, generated_ms);
  if (max_generated_ms > 0) std::printf(" (target: under %.0f ms)", max_generated_ms);
  std::printf(".\n");
  bool failed = false;
  if (max_ms > 0 && worst > max_ms) {
    std::printf("FAIL: an example over the %.0f ms target\n", max_ms);
    failed = true;
  }
  if (max_generated_ms > 0 && generated_ms > max_generated_ms) {
    std::printf("FAIL: the generated program over the %.0f ms target\n", max_generated_ms);
    failed = true;
  }
  return failed ? 1 : 0;
}
