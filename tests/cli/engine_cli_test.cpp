// End-to-end tests of the engines from the command line: every example's panels agree between
// the JIT and the interpreter, the object cache is used and survives damage, and the JIT's
// figures and IR are printed.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <unistd.h>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

std::string Dataset() { return GeneratedData(3000, 11); }

// The JSON report of a run whose statistics went to the same output before it.
std::string Report(const std::string& out) { return out.substr(out.find("\n[") + 1); }

}  // namespace

TEST_CASE("every example's panels are the same with the JIT and the interpreter", "[cli][engine]") {
  for (const std::string& program : ExamplePrograms()) {
    INFO(program);
    ExampleData data = DataFor(program, Dataset());
    std::string common = "panels " + program + " --data " + data.dir + " --as-of " + data.as_of + " --format json";
    Result jit = Relc(common + " --engine jit");
    Result interp = Relc(common + " --engine interp");
    REQUIRE(jit.exit_code == 0);
    REQUIRE(interp.exit_code == 0);
    CHECK(jit.out == interp.out);
    const std::string customers = data.dir == Dataset() ? "3000" : program.find("/cdnow/") != std::string::npos ? "23570" : "2000";
    CHECK(jit.out.find("\"customers\": " + customers) != std::string::npos);
  }
}

TEST_CASE("the JIT cache is reused, and a damaged entry is rebuilt", "[cli][engine]") {
  fs::path cache = fs::temp_directory_path() / ("relc_engine_test_cache_" + std::to_string(getpid()));
  fs::remove_all(cache);
  std::string command = "panels examples/winback/winback.rel --data " + Dataset() + " --jit-stats --jit-cache " + cache.string();
  Result first = Relc(command, true);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("from the cache") == std::string::npos);
  size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(cache)) entries += entry.path().extension() == ".o";
  CHECK(entries >= 1);

  Result second = Relc(command, true);
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("from the cache") != std::string::npos);

  // Damage every entry: relc compiles afresh and gives the same panels.
  for (const auto& entry : fs::directory_iterator(cache)) {
    std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << "not an object file";
  }
  Result third = Relc(command, true);
  REQUIRE(third.exit_code == 0);
  CHECK(third.out.find("from the cache") == std::string::npos);
  auto panels = [](const std::string& out) { return out.substr(out.find("\n  dormant")); };
  CHECK(panels(third.out) == panels(first.out));
  fs::remove_all(cache);
}

TEST_CASE("the JIT cache is on by default under XDG_CACHE_HOME, and --no-jit-cache keeps nothing", "[cli][engine]") {
  const fs::path home = fs::temp_directory_path() / ("relc_engine_test_xdg_" + std::to_string(getpid()));
  fs::remove_all(home);
  const std::string env = "XDG_CACHE_HOME=" + home.string();
  const std::string command = "panels examples/winback/winback.rel --data " + Dataset() + " --jit-stats";
  Result first = Relc(command, true, env);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("from the cache") == std::string::npos);
  CHECK(fs::exists(home / "relc" / "jit"));
  Result second = Relc(command, true, env);
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("0 IR instructions") != std::string::npos);  // nothing compiled
  CHECK(second.out.find("from the cache") != std::string::npos);
  fs::remove_all(home);
  Result uncached = Relc(command + " --no-jit-cache", true, env);
  REQUIRE(uncached.exit_code == 0);
  CHECK(uncached.out.find("from the cache") == std::string::npos);
  CHECK_FALSE(fs::exists(home));
}

TEST_CASE("a second relc test of an unchanged program compiles nothing and judges the same", "[cli][engine]") {
  const fs::path cache = fs::temp_directory_path() / ("relc_engine_test_relc_test_" + std::to_string(getpid()));
  fs::remove_all(cache);
  const std::string command = "test examples/winback/winback.rel --data " + Dataset() +
                              " --as-of 2026-01-01 --format json --jit-stats --jit-cache " + cache.string();
  Result first = Relc(command, true);
  Result second = Relc(command, true);
  CHECK(first.exit_code == second.exit_code);
  CHECK(first.out.find("from the cache") == std::string::npos);
  CHECK(second.out.find("0 IR instructions") != std::string::npos);
  CHECK(second.out.find("from the cache") != std::string::npos);
  CHECK(Report(first.out).size() > 100);
  CHECK(Report(first.out) == Report(second.out));
  fs::remove_all(cache);
}

TEST_CASE("a compile trims the JIT cache to 256 MB, its least recently used entries first", "[cli][engine]") {
  const fs::path cache = fs::temp_directory_path() / ("relc_engine_test_trim_" + std::to_string(getpid()));
  fs::remove_all(cache);
  fs::create_directories(cache);
  // Two stale entries of 200 MB each (sparse files: no disk used), the older one far older.
  const auto now = fs::file_time_type::clock::now();
  for (const auto& [name, age] : {std::pair{"older.o", std::chrono::hours(48)}, std::pair{"newer.o", std::chrono::hours(24)}}) {
    std::ofstream(cache / name) << "stale";
    fs::resize_file(cache / name, uintmax_t{200} << 20);
    fs::last_write_time(cache / name, now - age);
  }
  Result run = Relc("panels examples/winback/winback.rel --data " + Dataset() + " --jit-cache " + cache.string());
  REQUIRE(run.exit_code == 0);
  CHECK_FALSE(fs::exists(cache / "older.o"));
  CHECK(fs::exists(cache / "newer.o"));
  size_t fresh = 0;
  for (const auto& entry : fs::directory_iterator(cache)) fresh += entry.path().extension() == ".o" && entry.path().filename() != "newer.o";
  CHECK(fresh >= 1);
  fs::remove_all(cache);
}

TEST_CASE("the JIT statistics report kernels, code size and compile time", "[cli][engine]") {
  Result result = Relc("panels examples/vip_pareto/vip_pareto.rel --data " + Dataset() + " --jit-stats", true);
  REQUIRE(result.exit_code == 0);
  std::regex stats(R"(jit: "Avant-première VIP": \d+ kernels of \d+ shapes, \d+ IR instructions, \d+ bytes of machine code, compiled in [0-9.]+ ms)");
  CHECK(std::regex_search(result.out, stats));
}

namespace {

// Three panels, two of one shape, and a journey per panel: `recency` and `frequency` give
// thresholds of their own to each copy.
std::string ThresholdProgram(int recency_a, int frequency_a, int recency_b, int frequency_b) {
  return fmt::format(R"(program "Seuils" {{
  consent email if email_optin
  panel a = customers where recency > {} days and frequency >= {}
  panel b = customers where recency > {} days and frequency >= {}
  panel c = customers where monetary > 100 EUR
  scenario sa {{ trigger enter a; send email "a" }}
  scenario sb {{ trigger enter b; send email "b" }}
  scenario sc {{ trigger enter c; send email "c" }}
}}
)", recency_a, frequency_a, recency_b, frequency_b);
}

std::smatch JitLine(const std::string& err) {
  std::smatch match;
  std::regex line(R"(jit: "Seuils": (\d+) kernels of (\d+) shapes, (\d+) IR instructions)");
  std::regex_search(err, match, line);
  return match;
}

}  // namespace

TEST_CASE("kernels of the same shape share one compiled body, each with its own constants", "[cli][engine]") {
  std::string program = WriteTemp(std::to_string(getpid()) + "_shapes.rel", ThresholdProgram(60, 1, 400, 3));
  std::string common = "panels " + program + " --data " + Dataset() + " --as-of 2026-01-01 --format json --no-jit-cache";
  Result jit = Relc(common + " --engine jit --jit-stats", true);
  Result interp = Relc(common + " --engine interp");
  REQUIRE(jit.exit_code == 0);
  REQUIRE(interp.exit_code == 0);
  std::smatch line = JitLine(jit.out);
  REQUIRE(line.size() == 4);
  CHECK(std::stoi(line[2]) < std::stoi(line[1]));  // a and b share their filter and journeys
  // The same counts as the interpreter, and a and b differ: each copy reads its own thresholds.
  CHECK(Report(jit.out) == interp.out);
  auto json = nlohmann::json::parse(Report(jit.out));
  std::map<std::string, int64_t> counts;
  for (const auto& panel : json[0]["panels"]) counts[panel["panel"]] = panel["customers"];
  CHECK(counts["a"] > counts["b"]);
  CHECK(counts["b"] > 0);

  Result emitted = Relc("emit-llvm " + program);
  REQUIRE(emitted.exit_code == 0);
  std::regex shared(R"(; relc\.filter\.2 runs relc\.filter\.1 with the constants \[34560000, 3\])");
  CHECK(std::regex_search(emitted.out, shared));
}

TEST_CASE("a program whose thresholds alone changed runs the cached code", "[cli][engine]") {
  const fs::path cache = fs::temp_directory_path() / ("relc_engine_test_thresholds_" + std::to_string(getpid()));
  fs::remove_all(cache);
  std::string before = WriteTemp(std::to_string(getpid()) + "_before.rel", ThresholdProgram(60, 1, 400, 3));
  std::string after = WriteTemp(std::to_string(getpid()) + "_after.rel", ThresholdProgram(30, 2, 200, 1));
  std::string options = " --data " + Dataset() + " --as-of 2026-01-01 --format json --jit-stats --jit-cache " + cache.string();
  Result first = Relc("panels " + before + options, true);
  REQUIRE(first.exit_code == 0);
  Result second = Relc("panels " + after + options, true);
  REQUIRE(second.exit_code == 0);
  std::smatch line = JitLine(second.out);
  REQUIRE(line.size() == 4);
  CHECK(line[3] == "0");  // nothing compiled
  CHECK(second.out.find("from the cache") != std::string::npos);
  Result interp = Relc("panels " + after + " --data " + Dataset() + " --as-of 2026-01-01 --format json --engine interp");
  REQUIRE(interp.exit_code == 0);
  CHECK(Report(second.out) == interp.out);
  CHECK(Report(first.out) != interp.out);
  fs::remove_all(cache);
}

TEST_CASE("emit-llvm prints one function per kernel, optimised or not", "[cli][engine]") {
  Result optimised = Relc("emit-llvm examples/winback/winback.rel");
  REQUIRE(optimised.exit_code == 0);
  CHECK(optimised.out.find("define void @relc.filter.") != std::string::npos);
  CHECK(optimised.out.find("define void @relc.transition.0") != std::string::npos);
  CHECK(optimised.out.find("; relc.filter.1 runs relc.filter.1 with the constants [15552000, 2]") != std::string::npos);
  Result raw = Relc("emit-llvm --unoptimized examples/winback/winback.rel");
  REQUIRE(raw.exit_code == 0);
  CHECK(raw.out.find("alloca") != std::string::npos);  // before mem2reg
  CHECK(optimised.out != raw.out);
}

TEST_CASE("panels of a program with errors, or without data, fail with the documented codes", "[cli][engine]") {
  std::string broken = WriteTemp("broken.rel", "program \"p\" { panel a = customers where nosuch > 1 }\n");
  CHECK(Relc("panels " + broken + " --data " + Dataset()).exit_code == 1);
  CHECK(Relc("panels examples/winback/winback.rel").exit_code == 2);
  CHECK(Relc("panels examples/winback/winback.rel --data /nonexistent/relc").exit_code == 2);
  CHECK(Relc("panels examples/winback/winback.rel --data " + Dataset() + " --engine llvm").exit_code == 2);
}

TEST_CASE("a ranking over more customers than one thread's share takes exactly its share", "[cli][engine]") {
  // 150,000 customers: panels are evaluated in chunks of 65,536 rows on every core.
  std::string program = WriteTemp(std::to_string(getpid()) + "_ranking.rel", R"(program "Ranking" {
  consent email if email_optin
  panel best = customers where monetary in top 20%
  scenario s { trigger enter best; send email "x" }
}
)");
  for (const char* engine : {"jit", "interp"}) {
    INFO(engine);
    Result panels = Relc("panels " + program + " --data " + GeneratedData(150000, 4) + " --as-of 2026-01-01 --format json --engine " + engine);
    REQUIRE(panels.exit_code == 0);
    auto json = nlohmann::json::parse(panels.out);
    int64_t customers = json[0]["customers"].get<int64_t>();
    int64_t best = json[0]["panels"][0]["customers"].get<int64_t>();
    REQUIRE(customers == 150000);
    // ceil(20 % of the customers) (prospects rank with a monetary value of 0), and no more than
    // a few ties at the threshold.
    int64_t share = (customers * 20 + 99) / 100;
    CHECK(best >= share);
    CHECK(best <= share + 20);
  }
}

TEST_CASE("two CLV horizons in one program each get their own values, in both engines", "[cli][engine]") {
  auto count = [](const std::string& panels, const std::string& engine, const std::string& name) {
    std::string program = WriteTemp("relc_horizons_" + std::to_string(getpid()) + ".rel", "program \"Horizons\" {\n" + panels + "}\n");
    Result run = Relc("panels " + program + " --data " + Dataset() + " --as-of 2026-01-01 --format json --engine " + engine);
    fs::remove(program);
    REQUIRE(run.exit_code == 0);
    const auto report = nlohmann::json::parse(run.out);
    for (const auto& panel : report[0]["panels"]) {
      if (panel["panel"] == name) return panel["customers"].get<int64_t>();
    }
    return int64_t{-1};
  };
  const std::string short_panel = "  panel short = customers where clv(30 days) > 20 EUR\n";
  const std::string long_panel = "  panel long = customers where clv(1000 days) > 300 EUR\n";
  for (const std::string engine : {"jit", "interp"}) {
    INFO(engine);
    const int64_t alone = count(long_panel, engine, "long");
    CHECK(alone > 10);
    CHECK(count(short_panel + long_panel, engine, "long") == alone);  // was the 30-day values
    CHECK(count(short_panel + long_panel, engine, "short") == count(short_panel, engine, "short"));
  }
}
