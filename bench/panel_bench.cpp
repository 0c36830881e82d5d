// Benchmark: one panel of four conditions, one of them on event history, over millions of
// customers, by the JIT, by the reference interpreter, by SQLite (the same predicate as SQL over
// the same data, in memory, timed inside SQLite), and by a hand-written C++ loop over the same
// columns (the floor), in the same process; each evaluated several times, medians. Also the
// memory-bandwidth bound: the bytes the panel must read over the bandwidth measured here.
//
//   relc_bench_panel [--customers N] [--runs R] [--quick] [--min-interp-ratio X]
//                    [--max-baseline-ratio Y] [--min-sqlite-ratio Z]
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "codegen/jit.h"
#include "driver/compile.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "interp/interpreter.h"

namespace {

// The win-back example's dormant panel, with "no purchase in the last year" from the history.
constexpr const char* kProgram = R"(program "bench" {
  consent email if email_optin
  panel target = customers where recency > 180 days and frequency >= 2 and consent(email)
                                 and count(purchase within last 365 days) == 0
  scenario s { trigger enter target
    send email "x" }
}
)";

constexpr int64_t kNow = int64_t{20454} * 86400;  // 2026-01-01

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Synthetic {
  relc::data::CustomerStore store;
  relc::measures::CustomerMeasures measures;
};

// Customers with a consent, a country, a total spend and 0-6 purchases over two years.
Synthetic MakeCustomers(size_t customers) {
  Synthetic s;
  auto& store = s.store;
  store.schema.customer = {"customer", {{"email_optin", relc::data::ColumnType::Bool}, {"country", relc::data::ColumnType::String}}};
  store.schema.events = {{"purchase", {}}};
  store.customers.columns.emplace_back("email_optin", relc::data::ColumnType::Bool);
  store.customers.columns.emplace_back("country", relc::data::ColumnType::String);
  for (auto& column : store.customers.columns) column.Reserve(customers);
  // Laid out as relc's loader and measures lay them out: large arrays in huge pages.
  relc::data::AssignLarge(s.measures.frequency, customers, 0);
  relc::data::AssignLarge(s.measures.recency_days, customers, 0);
  relc::data::ReserveLarge(store.event_offsets, customers + 1);
  relc::data::ReserveLarge(store.event_type, customers * 6);  // at most 6 purchases each
  relc::data::ReserveLarge(store.event_time, customers * 6);
  store.event_offsets.push_back(0);
  const char* countries[] = {"FR", "BE", "CH", "FR", "FR", "DE"};
  for (size_t c = 0; c < customers; ++c) {
    uint64_t r = Mix(c);
    if ((r & 63) == 0) store.customers.columns[0].AppendNull();
    else store.customers.columns[0].AppendInt((r >> 6) % 10 < 7);
    store.customers.columns[1].AppendString(countries[(r >> 12) % 6]);
    int purchases = static_cast<int>((r >> 20) % 7);
    for (int p = 0; p < purchases; ++p) {
      uint64_t q = Mix(r + static_cast<uint64_t>(p));
      store.event_type.push_back(0);
      store.event_time.push_back(kNow - 86400 - static_cast<int64_t>(q % (730 * 86400)));
    }
    std::sort(store.event_time.end() - purchases, store.event_time.end());
    store.event_offsets.push_back(store.event_time.size());
    s.measures.frequency[c] = purchases;
    double last = purchases ? static_cast<double>(store.event_time.back()) : static_cast<double>(kNow - 800 * 86400);
    s.measures.recency_days[c] = (static_cast<double>(kNow) - last) / 86400;
  }
  store.customers.rows = customers;
  return s;
}

// The floor: the same panel, written by hand against the same arrays, as a performance-minded
// programmer would: branch-free, 64 customers to a word, with the consent revocations as a
// bitmap (all clear here) and the latest purchase of each customer that relc keeps beside the
// histories, rather than a year of history read per customer.
[[gnu::noinline]] void HandWritten(const Synthetic& s, const std::vector<uint64_t>& revoked, const int64_t* latest_purchase,
                 std::vector<uint64_t>& out) {
  const double* recency_days = s.measures.recency_days.data();
  const int32_t* frequency = s.measures.frequency.data();
  const int64_t* optin = s.store.customers.columns[0].ints().data();
  const uint64_t* optin_valid = s.store.customers.columns[0].validity().data();
  const size_t rows = s.store.customers.rows;
  // Every purchase is before now here: none within the year when the latest is not.
  const int64_t year_ago = kNow - 365 * 86400;
  for (size_t word = 0; word * 64 < rows; ++word) {
    const size_t begin = word * 64, end = std::min(rows, begin + 64);
    uint64_t bits = 0;
    for (size_t c = begin; c < end; ++c) {
      bool selected = (recency_days[c] * 86400.0 > 180 * 86400.0) & (frequency[c] >= 2) & (optin[c] != 0) &
                      (latest_purchase[c] < year_ago);
      bits |= uint64_t{selected} << (c - begin);
    }
    out[word] = bits & optin_valid[word] & ~revoked[word];
  }
}

// The same customers and purchases in an in-memory SQLite database, indexed as a user would.
struct SqliteCopy {
  sqlite3* db = nullptr;
  sqlite3_stmt* query = nullptr;
  ~SqliteCopy() {
    sqlite3_finalize(query);
    sqlite3_close(db);
  }
};

bool Exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

bool CopyToSqlite(const Synthetic& s, SqliteCopy& copy) {
  if (sqlite3_open(":memory:", &copy.db) != SQLITE_OK) return false;
  Exec(copy.db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
  if (!Exec(copy.db, "CREATE TABLE customers (id INTEGER PRIMARY KEY, recency_days REAL, frequency INTEGER, "
                     "email_optin INTEGER, revoked INTEGER);"
                     "CREATE TABLE purchases (customer INTEGER, time INTEGER); BEGIN;")) {
    return false;
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(copy.db, "INSERT INTO customers VALUES (?, ?, ?, ?, 0)", -1, &insert, nullptr);
  const auto& optin = s.store.customers.columns[0];
  for (size_t c = 0; c < s.store.customers.rows; ++c) {
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(c));
    sqlite3_bind_double(insert, 2, s.measures.recency_days[c]);
    sqlite3_bind_int(insert, 3, s.measures.frequency[c]);
    if (optin.IsValid(c)) sqlite3_bind_int64(insert, 4, optin.Int(c));
    else sqlite3_bind_null(insert, 4);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_prepare_v2(copy.db, "INSERT INTO purchases VALUES (?, ?)", -1, &insert, nullptr);
  for (size_t c = 0; c < s.store.customers.rows; ++c) {
    for (uint64_t e = s.store.event_offsets[c]; e < s.store.event_offsets[c + 1]; ++e) {
      sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(c));
      sqlite3_bind_int64(insert, 2, s.store.event_time[e]);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
  }
  sqlite3_finalize(insert);
  if (!Exec(copy.db, "COMMIT; CREATE INDEX purchases_by_customer ON purchases (customer, time);")) return false;
  std::string sql = fmt::format(
      "SELECT count(*) FROM customers c WHERE c.recency_days * 86400.0 > 180 * 86400.0 AND c.frequency >= 2 "
      "AND c.email_optin = 1 AND c.revoked = 0 AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.customer = c.id "
      "AND p.time < {0} AND {0} - p.time <= 365 * 86400)",
      kNow);
  return sqlite3_prepare_v2(copy.db, sql.c_str(), -1, &copy.query, nullptr) == SQLITE_OK;
}

// One evaluation of the query: its milliseconds, and the count it selects.
double TimeSqlite(SqliteCopy& copy, int64_t& selected) {
  auto start = relc::bench::Clock::now();
  if (sqlite3_step(copy.query) != SQLITE_ROW) return -1;
  selected = sqlite3_column_int64(copy.query, 0);
  double elapsed = relc::bench::MillisecondsSince(start);
  sqlite3_reset(copy.query);
  return elapsed;
}

// Sequential read bandwidth, in bytes per second: the best of a few sums over 512 MB.
double ReadBandwidth() {
  std::vector<uint64_t> block((512u << 20) / sizeof(uint64_t), 1);
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    auto start = relc::bench::Clock::now();
    uint64_t sum = 0;
    for (uint64_t v : block) sum += v;
    double seconds = relc::bench::MillisecondsSince(start) / 1000;
    if (sum != block.size()) return 0;
    best = std::max(best, static_cast<double>(block.size() * sizeof(uint64_t)) / seconds);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  size_t customers = 10'000'000;
  int runs = 5;
  double min_interp_ratio = 0, max_baseline_ratio = 0, min_sqlite_ratio = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      customers = 100'000;
      runs = 3;
    } else if (arg == "--customers" && i + 1 < argc) {
      customers = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--min-interp-ratio" && i + 1 < argc) {
      min_interp_ratio = std::atof(argv[++i]);
    } else if (arg == "--max-baseline-ratio" && i + 1 < argc) {
      max_baseline_ratio = std::atof(argv[++i]);
    } else if (arg == "--min-sqlite-ratio" && i + 1 < argc) {
      min_sqlite_ratio = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: relc_bench_panel [--customers N] [--runs R] [--quick] [--min-interp-ratio X] "
                           "[--max-baseline-ratio Y] [--min-sqlite-ratio Z]\n");
      return 2;
    }
  }
  relc::DiagnosticCollector diagnostics;
  auto compiled = relc::driver::CompileFile(std::make_shared<const relc::SourceFile>("bench.rel", kProgram), diagnostics);
  if (compiled.has_errors) {
    std::fprintf(stderr, "the benchmark's program does not check\n");
    return 1;
  }
  const relc::ir::Program& program = compiled.programs[0];
  int32_t panel = program.FindPanel("target");
  Synthetic s = MakeCustomers(customers);

  relc::codegen::JitResult jit = relc::codegen::CompileWithJit(program, {});
  if (!jit.engine) {
    std::fprintf(stderr, "JIT: %s\n", jit.error.c_str());
    return 1;
  }
  std::unique_ptr<relc::ir::Engine> interp = relc::interp::MakeInterpreter(program);
  std::string error;
  auto bind_start = relc::bench::Clock::now();
  auto bound = relc::evaluate::BoundData::Bind(program, s.store, s.measures, {}, kNow, 1, error);
  double bind_ms = relc::bench::MillisecondsSince(bind_start);
  if (!bound) {
    std::fprintf(stderr, "bind: %s\n", error.c_str());
    return 1;
  }
  size_t words = (customers + 63) / 64 + 1;
  std::vector<uint64_t> revoked(words, 0);
  const int64_t* latest_purchase = bound->frame().latest_event_times[0];
  std::vector<uint64_t> by_jit(words), by_interp(words), by_hand(words);

  SqliteCopy sqlite;
  auto copy_start = relc::bench::Clock::now();
  if (!CopyToSqlite(s, sqlite)) {
    std::fprintf(stderr, "SQLite: %s\n", sqlite3_errmsg(sqlite.db));
    return 1;
  }
  double copy_ms = relc::bench::MillisecondsSince(copy_start);
  int64_t sqlite_selected = -1;

  std::vector<double> jit_ms, interp_ms, hand_ms, sqlite_ms;
  for (int run = 0; run < runs; ++run) {
    sqlite_ms.push_back(TimeSqlite(sqlite, sqlite_selected));
    auto start = relc::bench::Clock::now();
    jit.engine->Filter(panel, bound->frame(), nullptr, by_jit.data(), 0, customers);
    jit_ms.push_back(relc::bench::MillisecondsSince(start));
    start = relc::bench::Clock::now();
    HandWritten(s, revoked, latest_purchase, by_hand);
    hand_ms.push_back(relc::bench::MillisecondsSince(start));
    start = relc::bench::Clock::now();
    interp->Filter(panel, bound->frame(), nullptr, by_interp.data(), 0, customers);
    interp_ms.push_back(relc::bench::MillisecondsSince(start));
  }
  if (by_jit != by_interp || by_jit != by_hand || sqlite_selected != static_cast<int64_t>(relc::evaluate::CountSelected(by_jit))) {
    std::fprintf(stderr, "FAIL: the selections differ\n");
    return 1;
  }
  auto j = relc::bench::Summarize(jit_ms), i = relc::bench::Summarize(interp_ms), h = relc::bench::Summarize(hand_ms);
  auto q = relc::bench::Summarize(sqlite_ms);
  // What the panel must read at the least: recency, frequency, the consent (bits and validity)
  // and the revocations, the latest purchase, per customer.
  const double bytes = static_cast<double>(customers) * (8 + 4 + 1 + 8);
  const double bandwidth = ReadBandwidth();
  const double bound_ms = bandwidth > 0 ? bytes / bandwidth * 1000 : 0;
  double per = 1e6 / static_cast<double>(customers);
  std::printf("| win-back panel: 4 conditions, 1 on event history, %zu customers, %zu events | median ms | min ms | max ms | ns per customer |\n",
              customers, s.store.event_time.size());
  std::printf("|---|---|---|---|---|\n");
  std::printf("| JIT (LLVM O2) | %.1f | %.1f | %.1f | %.1f |\n", j.median, j.min, j.max, j.median * per);
  std::printf("| reference interpreter | %.1f | %.1f | %.1f | %.1f |\n", i.median, i.min, i.max, i.median * per);
  std::printf("| baseline: hand-written C++ loop | %.1f | %.1f | %.1f | %.1f |\n", h.median, h.min, h.max, h.median * per);
  std::printf("| baseline: SQLite %s, in memory, indexed | %.1f | %.1f | %.1f | %.1f |\n", sqlite3_libversion(), q.median, q.min,
              q.max, q.median * per);
  std::printf("| limit: memory bandwidth (%.0f MB read at %.1f GB/s) | %.1f | | | %.1f |\n", bytes / 1e6, bandwidth / 1e9,
              bound_ms, bound_ms * per);
  std::printf("\n%zu customers selected; the JIT is **%.1fx faster than the interpreter**, **%.0fx faster than SQLite** and takes "
              "**%.2fx the hand-written loop's time**, %.1fx the memory-bandwidth bound;\n"
              "compiled in %.1f ms (LLVM start-up included: the first compilation in the process); not timed above: "
              "binding the data, which builds each customer's latest purchase that the JIT and the hand-written loop read, "
              "%.0f ms, and copying the data into SQLite with its index on (customer, time), %.0f ms; %d runs each, interleaved\n",
              relc::evaluate::CountSelected(by_jit), i.median / j.median, q.median / j.median, j.median / h.median,
              bound_ms > 0 ? j.median / bound_ms : 0, jit.stats.compile_ms, bind_ms, copy_ms, runs);
  bool fail = false;
  if (min_interp_ratio > 0 && i.median / j.median < min_interp_ratio) {
    std::printf("FAIL: the JIT is not %.0fx faster than the interpreter\n", min_interp_ratio);
    fail = true;
  }
  if (min_sqlite_ratio > 0 && q.median / j.median < min_sqlite_ratio) {
    std::printf("FAIL: the JIT is not %.0fx faster than SQLite\n", min_sqlite_ratio);
    fail = true;
  }
  if (max_baseline_ratio > 0 && j.median / h.median > max_baseline_ratio) {
    std::printf("FAIL: the JIT takes more than %.0fx the hand-written loop's time\n", max_baseline_ratio);
    fail = true;
  }
  return fail ? 1 : 0;
}
