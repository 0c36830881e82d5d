// End-to-end tests of `relc run` and `relc test`: determinism whatever the thread count, the
// consent and pressure audits of every example's action log, and the holdout.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <unistd.h>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

std::string Data() { return GeneratedData(4000, 5); }

}  // namespace

TEST_CASE("the same seed gives the same report and log with 1 and 2 threads, another seed another", "[cli][run]") {
  // Enough customers for several of the chunks the threads share out.
  std::string common = "run examples/winback/winback.rel --data " + GeneratedData(70000, 5) + " --as-of 2026-01-01 --format json";
  fs::path log_one = fs::temp_directory_path() / ("relc_threads_1_" + std::to_string(getpid()) + ".csv");
  fs::path log_two = fs::temp_directory_path() / ("relc_threads_2_" + std::to_string(getpid()) + ".csv");
  Result one = Relc(common + " --threads 1 --seed 7 --log " + log_one.string());
  Result two = Relc(common + " --threads 2 --seed 7 --log " + log_two.string());
  Result other = Relc(common + " --threads 2 --seed 8");
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  CHECK(one.out == two.out);
  CHECK(one.out != other.out);
  CHECK(one.out.find("\"sent\"") != std::string::npos);
  std::string first = ReadFile(log_one), second = ReadFile(log_two);
  CHECK(first.size() > 100000);
  CHECK(first == second);
  fs::remove(log_one);
  fs::remove(log_two);
}

TEST_CASE("no example ever sends without consent or over a pressure cap", "[cli][run]") {
  // Independent of relc's own evaluation: the consents come from the data file, the caps are
  // read from the program's text.
  std::map<std::string, std::map<std::string, std::map<std::string, bool>>> optin;  // data -> customer -> column -> consent
  // An export described by a `source` without consent columns: the consents its text assumes
  // for every customer (`email_optin = true`).
  std::map<std::string, std::map<std::string, bool>> assumed;  // data -> column -> consent
  auto read_optins = [&](const std::string& dir, const std::string& program) {
    if (!fs::exists(fs::path(dir) / "customers.csv")) {
      std::ifstream source(program);
      std::string text((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
      std::regex assumption(R"((\w+_optin) = true)");
      for (auto it = std::sregex_iterator(text.begin(), text.end(), assumption); it != std::sregex_iterator(); ++it) {
        assumed[dir][(*it)[1]] = true;
      }
      optin[dir];
      return;
    }
    auto customers = ReadCsv((fs::path(dir) / "customers.csv").string());
    std::map<std::string, size_t> column;
    for (size_t c = 0; c < customers[0].size(); ++c) column[customers[0][c]] = c;
    for (size_t r = 1; r < customers.size(); ++r) {
      for (const auto& [name, c] : column) {
        if (name.ends_with("_optin")) optin[dir][customers[r][0]][name] = customers[r][c] == "true";
      }
    }
  };
  size_t audited = 0;
  for (const std::string& program : ExamplePrograms()) {
    INFO(program);
    ExampleData data = DataFor(program, Data());
    if (!optin.contains(data.dir)) read_optins(data.dir, program);
    fs::path log = fs::temp_directory_path() / ("relc_run_test_log_" + std::to_string(getpid()) + ".csv");
    Result run = Relc("run " + program + " --data " + data.dir + " --as-of " + data.as_of + " --log " + log.string());
    REQUIRE(run.exit_code == 0);
    std::ifstream source(program);
    std::string text((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
    struct Cap { int count; std::string channel; int64_t window; };
    std::vector<Cap> caps;
    std::regex cap_rule(R"(at most (\d+) (\w+) per (\d+) days)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), cap_rule); it != std::sregex_iterator(); ++it) {
      std::string unit = (*it)[2];
      bool every_channel = unit == "messages" || unit == "message";
      caps.push_back({std::stoi((*it)[1]), every_channel ? "" : unit, std::stoll((*it)[3]) * 86400});
    }
    // Each channel's opt-in column, from the consent rules: `mms if sms_optin`.
    std::map<std::string, std::string> column_of;
    std::regex consent_rule(R"((\w+) if (\w+_optin))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), consent_rule); it != std::sregex_iterator(); ++it) {
      column_of[(*it)[1]] = (*it)[2];
    }
    std::map<std::string, std::vector<std::pair<int64_t, std::string>>> sends;  // customer -> (time, channel)
    // When each customer unsubscribed from each channel: the log goes program by program, and
    // two programs' sends in the same second may come in either order.
    std::map<std::pair<std::string, std::string>, int64_t> unsubscribed;
    for (const auto& row : ReadCsv(log.string())) {
      if (row[0] == "customer" || row[6] != "sent" || row[10] != "true") continue;
      auto [at, added] = unsubscribed.emplace(std::make_pair(row[0], row[4]), Seconds(row[1]));
      if (!added) at->second = std::min(at->second, Seconds(row[1]));
    }
    for (const auto& row : ReadCsv(log.string())) {
      if (row[0] == "customer" || row[6] != "sent") continue;
      const std::string& customer = row[0];
      const std::string& channel = row[4];
      REQUIRE(column_of.contains(channel));
      CHECK((optin[data.dir][customer][column_of[channel]] || assumed[data.dir][column_of[channel]]));
      auto revoked = unsubscribed.find({customer, channel});
      CHECK((revoked == unsubscribed.end() || Seconds(row[1]) <= revoked->second));
      sends[customer].emplace_back(Seconds(row[1]), channel);
      ++audited;
    }
    for (const auto& [customer, list] : sends) {
      for (const Cap& cap : caps) {
        for (const auto& [time, channel] : list) {
          int in_window = 0;
          for (const auto& [other, other_channel] : list) {
            in_window += other <= time && other > time - cap.window && (cap.channel.empty() || cap.channel == other_channel);
          }
          CHECK(in_window <= cap.count);
        }
      }
    }
    fs::remove(log);
  }
  CHECK(audited > 1000);
}

TEST_CASE("the holdout receives nothing and the uplift is measured against it", "[cli][run]") {
  fs::path log = fs::temp_directory_path() / ("relc_run_test_holdout_" + std::to_string(getpid()) + ".csv");
  Result run = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --format json --log " + log.string());
  REQUIRE(run.exit_code == 0);
  std::smatch match;
  REQUIRE(std::regex_search(run.out, match, std::regex(R"("holdout_customers": (\d+))")));
  int holdout = std::stoi(match[1]);
  CHECK(holdout > 300);  // 10 % of 4,000, give or take the draw
  CHECK(holdout < 500);
  CHECK(run.out.find("\"incremental_revenue_cents\"") != std::string::npos);
  // The winback text report names the holdout who would have entered, and the uplift's interval.
  Result text = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01");
  CHECK(text.out.find("holdout who would have entered:") != std::string::npos);
  CHECK(text.out.find("uplift per entered customer: ") != std::string::npos);
  // Customers of the holdout are never contacted: those the log says were held out have no
  // entry or send, and as many distinct customers entered as the report says.
  std::set<std::string> entered, held_out, contacted;
  for (const auto& row : ReadCsv(log.string())) {
    if (row[6] == "entered") entered.insert(row[0]);
    if (row[6] == "held out") held_out.insert(row[0]);
    if (row[6] == "sent" || row[6].starts_with("suppressed")) contacted.insert(row[0]);
  }
  auto report = nlohmann::json::parse(run.out)[0];
  CHECK(entered.size() == report["population"]["entered"]["customers"].get<size_t>());
  CHECK(held_out.size() == report["population"]["holdout_would_have_entered"]["customers"].get<size_t>());
  CHECK(held_out.size() > 10);
  for (const std::string& customer : held_out) CHECK_FALSE((entered.contains(customer) || contacted.contains(customer)));
  fs::remove(log);
}

TEST_CASE("relc test exits 1 listing each failed expectation, 0 when all hold", "[cli][run]") {
  Result holds = Relc("test examples/cart_abandonment/cart_abandonment.rel --data " + Data() + " --as-of 2026-01-01");
  CHECK(holds.exit_code == 0);
  CHECK(holds.out.find("ok     Relance panier abandonné — expect recovery_rate >= 8%") != std::string::npos);
  // An expectation that fails says its `else` message, in every format.
  std::string failing = WriteTemp("relc_failing_expect_" + std::to_string(getpid()) + ".rel", R"(program "Failing" {
  consent email if email_optin
  panel all = customers where consent(email)
  scenario hello { trigger enter all; send email "hello" }
  expect sent >= 1000000 else "the campaign reaches too few customers"
}
)");
  Result fails = Relc("test " + failing + " --data " + Data() + " --as-of 2026-01-01 --format github");
  CHECK(fails.exit_code == 1);
  CHECK(fails.out.find("::error file=" + failing + ",title=relc test::expectation failed") != std::string::npos);
  CHECK(fails.out.find("the campaign reaches too few customers") != std::string::npos);
  for (std::string format : {"text", "json"}) {
    Result other = Relc("test " + failing + " --data " + Data() + " --as-of 2026-01-01 --format " + format);
    CHECK(other.exit_code == 1);
    CHECK(other.out.find("the campaign reaches too few customers") != std::string::npos);
  }
  fs::remove(failing);
}

TEST_CASE("runs with derived seeds give each KPI and count a mean and a 95 percent interval", "[cli][run]") {
  Result run = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --format json --runs 4 --threads 2");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("\"runs\": 4") != std::string::npos);
  std::regex spread(R"re("over_runs": \{\s*"runs": (\d+),\s*"mean": ([-0-9.e+]+),\s*"mean_low": ([-0-9.e+]+),\s*"mean_high": ([-0-9.e+]+))re");
  size_t kpis = 0;
  for (auto it = std::sregex_iterator(run.out.begin(), run.out.end(), spread); it != std::sregex_iterator(); ++it, ++kpis) {
    double mean = std::stod((*it)[2]), low = std::stod((*it)[3]), high = std::stod((*it)[4]);
    CHECK(std::stoi((*it)[1]) == 4);
    CHECK(low <= mean);
    CHECK(mean <= high);
  }
  CHECK(kpis == 2);  // conversion and roi
  // The built-in counts too: converted varies from run to run, its interval holds its mean.
  std::smatch converted;
  REQUIRE(std::regex_search(run.out, converted,
                            std::regex(R"re("totals_over_runs": \{[\s\S]*?"converted": \{\s*"mean": ([-0-9.e+]+),\s*"mean_low": ([-0-9.e+]+),\s*"mean_high": ([-0-9.e+]+))re")));
  CHECK(std::stod(converted[2]) < std::stod(converted[1]));
  CHECK(std::stod(converted[1]) < std::stod(converted[3]));
  Result again = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --format json --runs 4 --threads 1");
  CHECK(again.out == run.out);
}

TEST_CASE("a loop whose waits end at once stops the run with an error naming its step, in both engines", "[cli][run]") {
  // Both passed `relc check` and `relc run` never returned.
  for (const char* wait : {"wait until signup_date or until purchase -> exit", "wait 0.0001 min or until purchase -> exit"}) {
    std::string program = WriteTemp("relc_runaway_" + std::to_string(getpid()) + ".rel", std::string(R"(program "Loop" {
  consent email if email_optin
  panel all = customers where consent(email)
  scenario s {
    trigger enter all
    first: send email "x"
    )") + wait + R"(
    goto first
  }
}
)");
    for (const char* engine : {"jit", "interp"}) {
      INFO(wait << ", " << engine);
      Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --engine " + engine, true);
      CHECK(run.exit_code == 1);
      CHECK(run.out.find("error: in program \"Loop\", a journey of scenario `s` went through 20000 steps") != std::string::npos);
      CHECK(run.out.find(std::string("at `") + std::string(wait).substr(0, std::string(wait).find(" or"))) != std::string::npos);
    }
    fs::remove(program);
  }
}

TEST_CASE("relc run --timings prints each phase wall time and the same report", "[cli][run]") {
  const std::string common = "run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --format json";
  Result timed = Relc(common + " --timings", true);
  REQUIRE(timed.exit_code == 0);
  std::regex line(R"(\ntimings: loading data [0-9.]+ s, computing measures [0-9.]+ s, compiling and binding [0-9.]+ s, simulating [0-9.]+ s\n)");
  CHECK(std::regex_search(timed.out, line));
  Result plain = Relc(common);
  REQUIRE(plain.exit_code == 0);
  CHECK(timed.out.find(plain.out) != std::string::npos);
  Result panels = Relc("panels examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --timings", true);
  REQUIRE(panels.exit_code == 0);
  CHECK(std::regex_search(panels.out, std::regex(R"(\ntimings: loading data [0-9.]+ s, computing measures [0-9.]+ s, compiling and binding [0-9.]+ s, evaluating panels [0-9.]+ s\n)")));
}
