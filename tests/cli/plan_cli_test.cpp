// End-to-end tests of programs run together (`relc run A.rel B.rel --pressure POLICY`): caps
// across programs, priorities, and A/B splits whose winner takes the rest of the panel.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

std::string Data() { return GeneratedData(3000, 11); }

// A program that e-mails every consenting customer on the first morning.
std::string Greeting(const std::string& title, int priority, const std::string& message) {
  return "program \"" + title + "\" {\n  priority " + std::to_string(priority) +
         "\n  consent email if email_optin\n  panel everyone = customers where consent(email)\n"
         "  scenario hello {\n    trigger enter everyone\n    send email \"" + message + "\"\n  }\n}\n";
}

std::string Temp(const std::string& name, const std::string& text) {
  return WriteTemp(std::to_string(getpid()) + "_" + name, text);
}

int64_t Sent(const nlohmann::json& report) { return report["totals"]["sent"].get<int64_t>(); }

}  // namespace

TEST_CASE("a shared policy caps contacts across programs and priorities decide who gets the slot", "[cli][run][plan]") {
  std::string policy = Temp("policy.rel", "pressure {\n  at most 1 messages per 7 days\n}\n");
  std::string first = Temp("first.rel", Greeting("First", 1, "first"));
  std::string second = Temp("second.rel", Greeting("Second", 2, "second"));
  std::string common = " --data " + Data() + " --as-of 2026-01-01 --days 5 --format json";

  Result alone = Relc("run " + second + common);
  REQUIRE(alone.exit_code == 0);
  int64_t consenting = Sent(nlohmann::json::parse(alone.out)[0]);
  REQUIRE(consenting > 500);

  // Without a policy each program keeps to its own rules: both send. "First" goes first; a
  // customer who unsubscribed from its e-mail gets none from "Second".
  Result together = Relc("run " + second + " " + first + common);
  REQUIRE(together.exit_code == 0);
  auto both = nlohmann::json::parse(together.out);
  CHECK(Sent(both[1]) == consenting);
  int64_t unsubscribed = both[1]["totals"]["unsubscribed"];
  CHECK(Sent(both[0]) == consenting - unsubscribed);
  CHECK(both[0]["totals"]["suppressed"] == unsubscribed);

  // With it, one message a week in all: the program with priority 1 goes first, whatever the
  // order of the files, and the other is suppressed.
  for (std::string files : {first + " " + second, second + " " + first}) {
    Result capped = Relc("run " + files + common + " --pressure " + policy);
    REQUIRE(capped.exit_code == 0);
    auto reports = nlohmann::json::parse(capped.out);
    for (const auto& report : reports) {
      INFO(report["program"]);
      bool wins = report["program"] == "First";
      CHECK(Sent(report) == (wins ? consenting : 0));
      CHECK(report["totals"]["suppressed"].get<int64_t>() == (wins ? 0 : consenting));
    }
  }

  // Swapping the priorities swaps the outcome.
  std::string first_late = Temp("first_late.rel", Greeting("First", 3, "first"));
  Result swapped = Relc("run " + first_late + " " + second + common + " --pressure " + policy);
  REQUIRE(swapped.exit_code == 0);
  auto reports = nlohmann::json::parse(swapped.out);
  CHECK(Sent(reports[0]) == 0);
  CHECK(Sent(reports[1]) == consenting);
  for (const std::string& path : {policy, first, second, first_late}) fs::remove(path);
}

TEST_CASE("caps across programs count every program's sends in the action log", "[cli][run][plan]") {
  std::string policy = Temp("weekly.rel", "pressure {\n  at most 2 messages per 7 days\n}\n");
  std::string log = (fs::temp_directory_path() / ("relc_plan_log_" + std::to_string(getpid()) + ".csv")).string();
  Result run = Relc("run examples/winback/winback.rel examples/vip_pareto/vip_pareto.rel examples/birthday/birthday.rel examples/cart_abandonment/cart_abandonment.rel --data " +
                    Data() + " --as-of 2026-01-01 --pressure " + policy + " --log " + log);
  REQUIRE(run.exit_code == 0);
  std::map<std::string, std::vector<int64_t>> sends;  // customer -> times, every program
  std::map<std::string, int> per_program;
  for (const auto& row : ReadCsv(log)) {
    if (row[0] == "customer" || row[6] != "sent") continue;
    sends[row[0]].push_back(Seconds(row[1]));
    ++per_program[row[11]];
  }
  CHECK(per_program.size() >= 3);  // several programs did send
  size_t checked = 0;
  for (const auto& [customer, times] : sends) {
    for (int64_t time : times) {
      int in_week = 0;
      for (int64_t other : times) in_week += other <= time && other > time - 7 * 86400;
      CHECK(in_week <= 2);
      ++checked;
    }
  }
  CHECK(checked > 500);
  fs::remove(log);
  fs::remove(policy);
}

TEST_CASE("a policy file without a pressure block, with an error or missing is reported", "[cli][run][plan]") {
  std::string empty = Temp("no_policy.rel", "// nothing here\n");
  Result run = Relc("run examples/winback/winback.rel --data " + Data() + " --pressure " + empty, true);
  CHECK(run.exit_code == 2);
  CHECK(run.out.find("has no `pressure` block at its top level") != std::string::npos);
  fs::remove(empty);
  // A policy with an error is reported where it stands; a missing one is an I/O error.
  std::string broken = Temp("broken_policy.rel", "pressure {\n  at most 2 messages per 7 lightyears\n}\n");
  Result bad = Relc("run examples/winback/winback.rel --data " + Data() + " --pressure " + broken, true);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("broken_policy.rel:2:") != std::string::npos);
  fs::remove(broken);
  Result missing = Relc("run examples/winback/winback.rel --data " + Data() + " --pressure /nonexistent/policy.rel", true);
  CHECK(missing.exit_code == 2);
}

TEST_CASE("after the test window the leading arm of a split takes every later journey", "[cli][run][plan]") {
  // Journeys start all along the run (each abandoned cart); arm "a" clicks far more often.
  std::string program = Temp("winner.rel", R"(program "Winner" {
  consent email if email_optin
  model rates {
    response email "a" { clicked = 30% }
    response email "b" { clicked = 1% }
  }
  scenario carts {
    trigger on cart_abandoned
    reentry always
    split {
      50% -> send email "a"
      50% -> send email "b"
      winner by clicked after 20 days
    }
  }
}
)");
  std::string log = (fs::temp_directory_path() / ("relc_winner_log_" + std::to_string(getpid()) + ".csv")).string();
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --days 60 --format json --log " + log);
  REQUIRE(run.exit_code == 0);
  auto report = nlohmann::json::parse(run.out)[0];
  const auto& scenario = report["scenarios"][0];
  REQUIRE(scenario["split_winners"].size() == 1);
  CHECK(scenario["split_winners"][0]["arm"] == 1);
  CHECK(scenario["split_winners"][0]["decided_at"] == "2026-01-21T00:00:00");
  REQUIRE(scenario["split_arms"].size() == 2);
  int64_t a = scenario["split_arms"][0]["entered"], b = scenario["split_arms"][1]["entered"];
  CHECK(a > 2 * b);  // arm 1 kept the first 20 days' half and took all 40 days after
  int64_t decided = Seconds("2026-01-21T00:00:00");
  int before = 0, after_b = 0, after_a = 0;
  for (const auto& row : ReadCsv(log)) {
    if (row[0] == "customer") continue;
    int64_t time = Seconds(row[1]);
    if (time < decided) ++before;
    else (row[3] == "b" ? after_b : after_a)++;
  }
  CHECK(before > 50);
  CHECK(after_a > 50);
  CHECK(after_b == 0);
  fs::remove(log);
  fs::remove(program);
}

TEST_CASE("relc run --format csv has a row per program, scenario, send step and split arm", "[cli][run]") {
  Result run = Relc("run examples/vip_pareto/vip_pareto.rel --data " + Data() + " --as-of 2026-01-01 --format csv");
  REQUIRE(run.exit_code == 0);
  std::string path = Temp("report.csv", run.out);
  auto rows = ReadCsv(path);
  REQUIRE(rows.size() == 1 + 1 + 1 + 3 + 2);  // header, program, scenario, 3 sends, 2 arms
  CHECK(rows[0][0] == "program");
  CHECK(rows[0].size() == 22);
  CHECK(rows[6][3].starts_with("arm 1: send email"));
  // The program's and scenario's rows carry their entered customers and uplift; a step's do not.
  const size_t customers = std::find(rows[0].begin(), rows[0].end(), "entered_customers") - rows[0].begin();
  REQUIRE(customers < rows[0].size());
  CHECK_FALSE(rows[1][customers].empty());
  CHECK_FALSE(rows[2][customers].empty());
  CHECK(rows[3][customers].empty());
  fs::remove(path);
}

TEST_CASE("quiet hours hold in each customer's own time zone", "[cli][run]") {
  std::map<std::string, int64_t> offset_of;  // customer -> UTC offset in January
  const std::map<std::string, int64_t> kJanuary = {{"Europe/Paris", 3600}, {"America/Martinique", -4 * 3600}, {"Indian/Reunion", 4 * 3600}};
  auto customers = ReadCsv((fs::path(Data()) / "customers.csv").string());
  size_t zone = std::find(customers[0].begin(), customers[0].end(), "timezone") - customers[0].begin();
  REQUIRE(zone < customers[0].size());
  for (size_t r = 1; r < customers.size(); ++r) offset_of[customers[r][0]] = kJanuary.at(customers[r][zone]);
  std::string log = (fs::temp_directory_path() / ("relc_quiet_log_" + std::to_string(getpid()) + ".csv")).string();
  // Carts are abandoned at any hour; the program defers what falls in 21:00-08:00.
  Result run = Relc("run examples/cart_abandonment/cart_abandonment.rel --data " + Data() + " --as-of 2026-01-01 --days 60 --log " + log);
  REQUIRE(run.exit_code == 0);
  std::map<int64_t, int> deferred_to_eight;  // by offset: sends at 08:00:00 local, as deferred ones are
  size_t sent = 0;
  for (const auto& row : ReadCsv(log)) {
    if (row[0] == "customer" || row[6] != "sent") continue;
    int64_t offset = offset_of.at(row[0]);
    int64_t local = Seconds(row[1]) + offset;
    int64_t minute = (local % 86400) / 60;
    CHECK((minute >= 8 * 60 && minute < 21 * 60));
    deferred_to_eight[offset] += minute == 8 * 60 && local % 60 == 0;
    ++sent;
  }
  CHECK(sent > 100);
  CHECK(deferred_to_eight[3600] > 0);
  CHECK(deferred_to_eight[-4 * 3600] + deferred_to_eight[4 * 3600] > 0);
  fs::remove(log);
}

TEST_CASE("a program whose goal is a referral converts into referrals, which other programs see", "[cli][run]") {
  std::string referral = Temp("referral.rel", R"(program "Parrainage" {
  objective referral_growth { goal referral within 14 days }
  consent email if email_optin
  panel fans = customers where frequency >= 2 and consent(email)
  model rates { response email "invite" { clicked = 20%; converted = 10% } }
  scenario invite { trigger enter fans; send email "invite" }
}
)");
  std::string thanks = Temp("thanks.rel", R"(program "Merci" {
  consent email if email_optin
  scenario thank { trigger on referral; send email "thank-you" }
}
)");
  Result run = Relc("run " + referral + " " + thanks + " --data " + Data() + " --as-of 2026-01-01 --format json");
  REQUIRE(run.exit_code == 0);
  auto reports = nlohmann::json::parse(run.out);
  const auto& totals = reports[0]["totals"];
  CHECK(totals["converted"].get<int64_t>() > 20);
  CHECK(totals["referrals"] == totals["converted"]);
  CHECK(totals["attributed_revenue_cents"] == 0);  // a referral is no purchase
  // "Merci" thanks referrals: the ones customers make anyway (replayed from their history), and
  // those the invitations brought (a customer thanked once at most).
  Result alone = Relc("run " + thanks + " --data " + Data() + " --as-of 2026-01-01 --format json");
  REQUIRE(alone.exit_code == 0);
  int64_t anyway = nlohmann::json::parse(alone.out)[0]["totals"]["entered"];
  int64_t thanked = reports[1]["totals"]["entered"];
  CHECK(thanked > anyway);
  CHECK(thanked <= anyway + totals["referrals"].get<int64_t>());
  fs::remove(referral);
  fs::remove(thanks);
}

TEST_CASE("messages close together tire customers: later ones are opened less", "[cli][run]") {
  std::string daily = Temp("daily.rel", R"(program "Quotidien" {
  consent email if email_optin
  panel everyone = customers where consent(email)
  scenario daily {
    trigger enter everyone
    send email "d1"
    wait 1 day
    send email "d2"
    wait 1 day
    send email "d3"
    wait 1 day
    send email "d4"
    wait 1 day
    send email "d5"
    wait 1 day
    send email "d6"
  }
}
)");
  Result run = Relc("run " + daily + " --data " + Data() + " --as-of 2026-01-01 --days 10 --format json");
  REQUIRE(run.exit_code == 0);
  auto report = nlohmann::json::parse(run.out);
  const auto& steps = report[0]["scenarios"][0]["steps"];
  auto open_rate = [&](size_t k) {
    return steps[k]["opened"].get<double>() / steps[k]["delivered"].get<double>();
  };
  // 21 % at first; after five messages in the week, 21 % / 1.5.
  CHECK(open_rate(0) > 0.17);
  CHECK(open_rate(5) < 0.8 * open_rate(0));
  CHECK(open_rate(5) > 0.09);
  fs::remove(daily);
}

TEST_CASE("a long run on a terminal draws a progress line on stderr, and nothing elsewhere", "[cli][run]") {
  std::string args = "run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --runs 30";
  // `script` gives relc a terminal; its output is the terminal's. The line shows after
  // RELC_PROGRESS_AFTER_MS (a second by default: a test run is shorter).
  Result terminal = Shell("RELC_PROGRESS_AFTER_MS=0 script -qec '" RELC_BINARY " " + args + "' /dev/null");
  CHECK(terminal.out.find("simulating 30 runs") != std::string::npos);
  CHECK(terminal.out.find("%") != std::string::npos);
  CHECK(terminal.out.find("simulated 90 days") != std::string::npos);  // the report, after it
  // Piped, stderr has the data's summary line and no progress line.
  Result piped = Shell("RELC_PROGRESS_AFTER_MS=0 " RELC_BINARY " " + args + " 2>&1 >/dev/null");
  CHECK(piped.out.starts_with("data: "));
  CHECK(piped.out.find('\r') == std::string::npos);
  CHECK(std::count(piped.out.begin(), piped.out.end(), '\n') == 1);
}

TEST_CASE("customers who join a panel during the run enter on that week's morning", "[cli][run]") {
  std::string log = (fs::temp_directory_path() / ("relc_weekly_log_" + std::to_string(getpid()) + ".csv")).string();
  Result run = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --log " + log);
  REQUIRE(run.exit_code == 0);
  const int64_t start = Seconds("2026-01-01T00:00:00");
  std::map<int64_t, int> first_mails_by_day;
  for (const auto& row : ReadCsv(log)) {
    if (row[0] == "customer" || row[3] != "winback-1" || row[6] != "sent") continue;
    first_mails_by_day[(Seconds(row[1]) - start) / 86400]++;
  }
  REQUIRE(first_mails_by_day.count(0) == 1);  // the panel at the start
  int later = 0;
  for (const auto& [day, count] : first_mails_by_day) {
    if (day == 0) continue;
    CHECK(day % 7 == 0);  // a week's re-evaluation
    later += count;
  }
  CHECK(later > 10);  // customers turning dormant during the quarter
  fs::remove(log);
}

TEST_CASE("a set step changes what the customer's later conditions read, in both engines", "[cli][run]") {
  std::string program = Temp("set.rel", R"(program "Adhésion" {
  consent email if email_optin
  panel outsiders = customers where not loyalty_member and consent(email)
  scenario enrol {
    trigger enter outsiders
    set loyalty_member = true
    branch {
      when loyalty_member -> send email "welcome-member"
      otherwise -> send email "not-yet"
    }
  }
}
)");
  for (const char* engine : {"jit", "interp"}) {
    INFO(engine);
    Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json --engine " + engine);
    REQUIRE(run.exit_code == 0);
    auto report = nlohmann::json::parse(run.out);
    const auto& steps = report[0]["scenarios"][0]["steps"];
    CHECK(steps[0]["sent"].get<int64_t>() > 100);  // welcome-member: every outsider, now a member
    CHECK(steps[1]["sent"] == 0);                  // not-yet
  }
  fs::remove(program);
}

TEST_CASE("every report gives conversion and response rates, average basket and ROI", "[cli][run]") {
  Result run = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --format json");
  REQUIRE(run.exit_code == 0);
  auto report = nlohmann::json::parse(run.out)[0];
  const auto& totals = report["totals"];
  const auto& rates = report["rates"];
  CHECK(rates["conversion_rate_percent"].get<double>() == Approx(100 * totals["converted"].get<double>() / totals["sent"].get<double>()));
  CHECK(rates["response_rate_percent"].get<double>() == Approx(100 * totals["clicked"].get<double>() / totals["delivered"].get<double>()));
  double attributed = 0;
  for (const auto& scenario : report["scenarios"]) attributed += scenario["attributed_revenue_cents"].get<double>();
  CHECK(attributed == totals["attributed_revenue_cents"].get<double>());
  double cost = totals["cost_cents"].get<double>();
  CHECK(rates["roi"].get<double>() == Approx((attributed - cost) / cost));
  CHECK(rates["average_basket_cents"].get<double>() == Approx(attributed / totals["converted"].get<double>()).margin(0.5));
  Result text = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01");
  CHECK(text.out.find("average basket") != std::string::npos);
}

TEST_CASE("events customers did in the past happen again at their own rate, with their fields", "[cli][run]") {
  // A service-recovery program: complaints about a late delivery get an e-mail (the generator's
  // only reason), any other would get a call.
  std::string program = Temp("complaints.rel", R"(program "Réclamations" {
  consent { email if email_optin; phone if phone_optin }
  scenario late {
    trigger on complaint where reason == "late delivery"
    reentry always
    send email "sorry"
  }
  scenario other {
    trigger on complaint where reason != "late delivery"
    reentry always
    send phone "sorry-call"
  }
}
)");
  std::string log = (fs::temp_directory_path() / ("relc_complaint_log_" + std::to_string(getpid()) + ".csv")).string();
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json --log " + log);
  REQUIRE(run.exit_code == 0);
  auto report = nlohmann::json::parse(run.out)[0];
  // Only customers with past complaints complain again: about their share of the base.
  auto customers = ReadCsv((fs::path(Data()) / "events.csv").string());
  std::set<std::string> complainers;
  for (const auto& row : customers) {
    if (row.size() > 1 && row[1] == "complaint") complainers.insert(row[0]);
  }
  int64_t late = report["scenarios"][0]["entered"], other = report["scenarios"][1]["entered"];
  CHECK(late > 0);
  CHECK(other == 0);  // replayed complaints keep their reason
  std::set<std::string> contacted;
  for (const auto& row : ReadCsv(log)) {
    if (row[6] == "entered") contacted.insert(row[0]);
  }
  for (const std::string& customer : contacted) CHECK(complainers.contains(customer));
  fs::remove(log);
  fs::remove(program);
}
