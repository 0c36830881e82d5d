// Benchmark: loading customers and events from CSV, the way `relc run --data DIR` will, on
// every core and on one, beside `wc -l` over the same files (the floor for reading them) and
// SQLite's own CSV import (`sqlite3 .import`, what a user might load them with instead); then
// relc loading the SQLite database that import made (`--data sqlite:PATH`). Each relc load runs
// in a fresh child process, which also gives its peak memory.
//
//   relc_bench_load DIR [--runs R] [--min-mb-per-s X] [--max-peak-mb Y] [--sqlite-runs S]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "data/load.h"
#include "data/parallel.h"
#include "driver/data_schema.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: relc_bench_load DIR [--runs R] [--min-mb-per-s X] [--max-peak-mb Y]\n");
    return 2;
  }
  std::string dir = argv[1];
  int runs = 5;
  double min_rate = 0, max_peak_mb = 0;
  int sqlite_runs = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--runs") runs = std::atoi(argv[i + 1]);
    if (arg == "--min-mb-per-s") min_rate = std::atof(argv[i + 1]);
    if (arg == "--max-peak-mb") max_peak_mb = std::atof(argv[i + 1]);
    if (arg == "--sqlite-runs") sqlite_runs = std::atoi(argv[i + 1]);
  }
  relc::DiagnosticCollector diagnostics;
  auto schema = relc::driver::LoadDataSchema("", diagnostics);
  if (!schema) return 1;

  size_t bytes = 0, customers = 0, events = 0;
  std::vector<double> load_ms, one_core_ms;
  auto load_in_child = [&](unsigned threads, const std::string& source) {
    return relc::bench::InChild([&] {
      auto start = relc::bench::Clock::now();
      relc::data::LoadResult result = relc::data::LoadData(source, *schema, {.threads = threads});
      double elapsed = relc::bench::MillisecondsSince(start);
      return result.store ? elapsed : -1;
    });
  };
  for (int run = 0; run < runs; ++run) {  // interleaved, so that both see the same machine
    load_ms.push_back(load_in_child(0, dir));
    one_core_ms.push_back(load_in_child(1, dir));
  }
  // The counts, once, in this process (after the timed children).
  relc::data::LoadResult result = relc::data::LoadData(dir, *schema, {});
  if (!result.store) {
    std::fprintf(stderr, "load bench: %s\n", result.error.c_str());
    return 1;
  }
  bytes = result.bytes;
  customers = result.store->customers.rows;
  events = result.store->event_type.size();
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  double peak_mb = usage.ru_maxrss / 1024.0;

  std::vector<double> wc_ms;
  std::string command = "wc -l '" + dir + "/customers.csv' '" + dir + "/events.csv' > /dev/null";
  for (int run = 0; run < runs; ++run) {
    auto start = relc::bench::Clock::now();
    if (std::system(command.c_str()) != 0) return 1;
    wc_ms.push_back(relc::bench::MillisecondsSince(start));
  }
  // SQLite's CSV import of the same files into a database file, then relc reading it.
  std::vector<double> import_ms, from_sqlite_ms;
  const std::string db = dir + "/bench.sqlite";
  for (int run = 0; run < sqlite_runs; ++run) {
    std::remove(db.c_str());
    std::string import = "sqlite3 '" + db + "' '.mode csv' '.import " + dir + "/customers.csv customers' '.import " + dir +
                         "/events.csv events'";
    auto start = relc::bench::Clock::now();
    if (std::system(import.c_str()) != 0) return 1;
    import_ms.push_back(relc::bench::MillisecondsSince(start));
  }
  for (int run = 0; run < sqlite_runs; ++run) from_sqlite_ms.push_back(load_in_child(0, "sqlite:" + db));
  std::remove(db.c_str());
  relc::bench::Summary load = relc::bench::Summarize(load_ms), wc = relc::bench::Summarize(wc_ms);
  relc::bench::Summary one_core = relc::bench::Summarize(one_core_ms);
  if (load.failed || one_core.failed) return 1;
  const unsigned cores = relc::data::ThreadCount(0);
  double mb = bytes / 1e6;
  std::printf("| CSV load, %zu customers, %zu events (%.0f MB) | median ms | min ms | max ms | MB/s (median) |\n", customers,
              events, mb);
  std::printf("|---|---|---|---|---|\n");
  std::printf("| relc: parse, check, columnar store, index (%u cores) | %.0f | %.0f | %.0f | %.0f |\n", cores, load.median,
              load.min, load.max, mb / (load.median / 1000));
  std::printf("| relc, one core | %.0f | %.0f | %.0f | %.0f |\n", one_core.median, one_core.min, one_core.max,
              mb / (one_core.median / 1000));
  std::printf("| baseline: `wc -l` on the same files | %.0f | %.0f | %.0f | %.0f |\n", wc.median, wc.min, wc.max,
              mb / (wc.median / 1000));
  if (sqlite_runs > 0) {
    relc::bench::Summary import = relc::bench::Summarize(import_ms), from_sqlite = relc::bench::Summarize(from_sqlite_ms);
    if (from_sqlite.failed) return 1;
    std::printf("| baseline: SQLite's CSV import (`sqlite3 .import`), same files | %.0f | %.0f | %.0f | %.0f |\n", import.median,
                import.min, import.max, mb / (import.median / 1000));
    std::printf("| relc from that SQLite database (`--data sqlite:PATH`) | %.0f | %.0f | %.0f | %.0f |\n", from_sqlite.median,
                from_sqlite.min, from_sqlite.max, mb / (from_sqlite.median / 1000));
    std::printf("\nrelc loads the CSV files %.1fx faster than SQLite imports them (%d runs of the SQLite rows)", import.median / load.median,
                sqlite_runs);
  }
  std::printf("\npeak memory of a load: %.0f MB; relc takes %.1fx the time of `wc -l`; %u cores load %.2fx faster than one; "
              "%d runs each\n",
              peak_mb, load.median / wc.median, cores, one_core.median / load.median, runs);
  bool fail = false;
  if (min_rate > 0 && mb / (load.median / 1000) < min_rate) {
    std::printf("FAIL: %.0f MB/s is under the %.0f MB/s target\n", mb / (load.median / 1000), min_rate);
    fail = true;
  }
  if (max_peak_mb > 0 && peak_mb > max_peak_mb) {
    std::printf("FAIL: peak memory %.0f MB is over the %.0f MB target\n", peak_mb, max_peak_mb);
    fail = true;
  }
  return fail ? 1 : 0;
}
