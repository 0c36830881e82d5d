// The figures the HTML report charts (JSON `timeline`, `pressure`, `panels_by_week` and each
// scenario's `journey`), recomputed independently: from the action log (--log), and from
// `relc panels`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <numeric>

#include "cli_test.h"

namespace {

constexpr int64_t kDay = 86400;

struct Run {
  nlohmann::json report;
  std::vector<std::vector<std::string>> log;  // without its header
  int64_t start = 0;
};

Run RunWithLog(const std::string& program, const std::string& data, const std::string& name) {
  const std::string log = WriteTemp(name, "");
  Result json = Relc("run " + program + " --data " + data + " --as-of 2026-01-01 --format json --log " + log);
  REQUIRE(json.exit_code == 0);
  Run run{nlohmann::json::parse(json.out)[0], ReadCsv(log), Seconds("2026-01-01T00:00:00")};
  REQUIRE(run.log.size() > 1);
  run.log.erase(run.log.begin());
  return run;
}

int64_t DayOf(const Run& run, const std::string& time) { return (Seconds(time) - run.start) / kDay; }

}  // namespace

TEST_CASE("the charts' day-by-day sends, conversions and purchases equal the action log's", "[charts]") {
  const Run run = RunWithLog("examples/winback/winback.rel", GeneratedData(20000, 5), "charts_winback_log.csv");
  const nlohmann::json& timeline = run.report["timeline"];
  const size_t days = timeline["dates"].size();
  REQUIRE(days == 90);
  CHECK(timeline["dates"][0] == "2026-01-01");
  // customer,time,scenario,step,channel,offer,outcome,opened,clicked,converted,unsubscribed,program,entry,amount
  std::map<std::string, std::vector<int64_t>> sent;
  std::vector<int64_t> converted(days), entered_purchases(days), entered_cents(days), held_purchases(days), held_cents(days);
  std::map<std::string, std::string> entered_at, held_out_at;
  for (const auto& row : run.log) {
    if (row[6] == "entered") entered_at.emplace(row[0], row[1]);
    if (row[6] == "held out") held_out_at.emplace(row[0], row[1]);
  }
  for (const auto& row : run.log) {
    const int64_t day = DayOf(run, row[1]);
    REQUIRE(day >= 0);
    REQUIRE(day < static_cast<int64_t>(days));
    if (row[6] == "sent") {
      auto& series = sent[row[4]];
      series.resize(days);
      ++series[static_cast<size_t>(day)];
    }
    if (row[6] != "purchase") continue;
    const int64_t cents = std::llround(std::stod(row[13]) * 100);
    converted[static_cast<size_t>(day)] += row[9] == "true";
    if (auto at = entered_at.find(row[0]); at != entered_at.end() && row[1] >= at->second) {
      ++entered_purchases[static_cast<size_t>(day)];
      entered_cents[static_cast<size_t>(day)] += cents;
    }
    if (auto at = held_out_at.find(row[0]); at != held_out_at.end() && row[1] >= at->second) {
      ++held_purchases[static_cast<size_t>(day)];
      held_cents[static_cast<size_t>(day)] += cents;
    }
  }
  REQUIRE(sent.size() == 3);
  for (const auto& [channel, series] : sent) {
    INFO(channel);
    CHECK(timeline["sent_per_day"][channel].get<std::vector<int64_t>>() == series);
  }
  CHECK(timeline["sent_per_day"].size() == sent.size());
  CHECK(timeline["converted_per_day"].get<std::vector<int64_t>>() == converted);
  CHECK(timeline["entered"]["purchases_per_day"].get<std::vector<int64_t>>() == entered_purchases);
  CHECK(timeline["entered"]["revenue_cents_per_day"].get<std::vector<int64_t>>() == entered_cents);
  CHECK(timeline["held_out"]["purchases_per_day"].get<std::vector<int64_t>>() == held_purchases);
  CHECK(timeline["held_out"]["revenue_cents_per_day"].get<std::vector<int64_t>>() == held_cents);
  CHECK(std::accumulate(held_cents.begin(), held_cents.end(), int64_t{0}) > 0);
}

TEST_CASE("the charts' pressure figures equal the action log's", "[charts]") {
  const Run run = RunWithLog("examples/winback/winback.rel", GeneratedData(20000, 5), "charts_pressure_log.csv");
  const nlohmann::json& pressure = run.report["pressure"];
  std::map<std::string, int64_t> outcomes;
  std::map<std::pair<std::string, int64_t>, int64_t> per_customer_week;
  for (const auto& row : run.log) {
    ++outcomes[row[6]];
    if (row[6] == "sent") ++per_customer_week[{row[0], DayOf(run, row[1]) / 7}];
  }
  CHECK(pressure["suppressed"]["no_consent"] == outcomes["suppressed: no consent"]);
  CHECK(pressure["suppressed"]["pressure"] == outcomes["suppressed: pressure"]);
  CHECK(pressure["suppressed"]["quiet_hours"] == outcomes["dropped: quiet hours"]);
  CHECK(pressure["suppressed"]["no_consent"].get<int64_t>() > 0);
  std::map<int64_t, int64_t> histogram;
  for (const auto& [customer_week, messages] : per_customer_week) ++histogram[messages];
  std::map<int64_t, int64_t> reported;
  for (const auto& bar : pressure["messages_per_customer_week"]) reported[bar["messages"]] = bar["customer_weeks"];
  CHECK(reported == histogram);
  // The caps the histogram is drawn against: the program's.
  REQUIRE(pressure["caps"].size() == 2);
  CHECK(pressure["caps"][0]["count"] == 2);
  CHECK(pressure["caps"][0]["days"] == 7);
  CHECK(pressure["caps"][1]["channel"] == "sms");
}

TEST_CASE("a journey's flows: every journey enters from the trigger, leaves by an exit or waits, and no step sends more than reach it", "[charts]") {
  const Run run = RunWithLog("examples/winback/winback.rel", GeneratedData(20000, 5), "charts_flows_log.csv");
  const nlohmann::json& scenario = run.report["scenarios"][0];
  std::map<std::string, int64_t> in, out;
  int64_t from_trigger = 0, to_exit = 0;
  for (const auto& flow : scenario["journey"]["flows"]) {
    const std::string from = flow["from"].dump(), to = flow["to"].dump();
    const int64_t journeys = flow["journeys"];
    out[from] += journeys;
    in[to] += journeys;
    from_trigger += from == "\"trigger\"" ? journeys : 0;
    to_exit += to == "\"exit\"" ? journeys : 0;
  }
  int64_t entered = 0, exited = 0;
  for (const auto& row : run.log) entered += row[6] == "entered", exited += row[6] == "exited";
  CHECK(from_trigger == entered);
  CHECK(to_exit == exited);
  CHECK(entered == scenario["entered"]);
  int64_t waiting = 0;
  for (const auto& [step, arrived] : in) {
    if (step == "\"exit\"") continue;
    INFO(step);
    CHECK(arrived >= out[step]);
    waiting += arrived - out[step];
  }
  CHECK(waiting == entered - exited);  // still in a journey when the run ends
  // A send step's journeys are those that reached it.
  for (const auto& step : scenario["journey"]["steps"]) {
    if (step["kind"] != "send") continue;
    const nlohmann::json& counts = step["counts"];
    CHECK(in[step["index"].dump()] == counts["sent"].get<int64_t>() + counts["suppressed"].get<int64_t>());
  }
}

TEST_CASE("the charts' panel sizes at the start equal relc panels' counts", "[charts]") {
  const std::string data = GeneratedData(20000, 5);
  Result run = Relc("run examples/winback/winback.rel --data " + data + " --as-of 2026-01-01 --format json");
  Result panels = Relc("panels examples/winback/winback.rel --data " + data + " --as-of 2026-01-01 --format json");
  REQUIRE(run.exit_code == 0);
  REQUIRE(panels.exit_code == 0);
  const nlohmann::json weeks = nlohmann::json::parse(run.out)[0]["panels_by_week"];
  const nlohmann::json counted = nlohmann::json::parse(panels.out);
  REQUIRE(weeks.size() == 2);
  for (const auto& panel : weeks) {
    REQUIRE(panel["customers"].size() == 13);  // the start, then each week of the 90 days
    bool found = false;
    for (const auto& program : counted) {
      for (const auto& p : program["panels"]) {
        if (p["panel"] != panel["panel"]) continue;
        found = true;
        CHECK(panel["customers"][0] == p["customers"]);
      }
    }
    CHECK(found);
  }
}
