// An audit of what `relc run` reports, independent of the simulator's code: this file reads the
// generated customers.csv and events.csv and the action log (`--log`) itself, and recomputes
// entries, journeys, attribution windows, holdouts and revenue from them. Each case also holds a
// behaviour that was once wrong (issue 22), from its reproduction.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

std::string Data() { return GeneratedData(6000, 7); }

std::string Temp(const std::string& name, const std::string& text) {
  return WriteTemp(std::to_string(getpid()) + "_audit_" + name, text);
}

std::string LogPath(const std::string& name) {
  return (fs::temp_directory_path() / ("relc_audit_" + std::to_string(getpid()) + "_" + name + ".csv")).string();
}

// The log's rows as maps by column name.
std::vector<std::map<std::string, std::string>> ReadLog(const std::string& path) {
  std::vector<std::vector<std::string>> rows = ReadCsv(path);
  std::vector<std::map<std::string, std::string>> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    std::map<std::string, std::string>& row = out.emplace_back();
    for (size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c) row[rows[0][c]] = rows[r][c];
  }
  return out;
}

// Every past purchase of every customer, from events.csv.
std::map<std::string, std::vector<int64_t>> PastPurchases() {
  std::map<std::string, std::vector<int64_t>> purchases;
  for (const auto& row : ReadCsv((fs::path(Data()) / "events.csv").string())) {
    if (row.size() > 2 && row[1] == "purchase") purchases[row[0]].push_back(Seconds(row[2]));
  }
  return purchases;
}

}  // namespace

TEST_CASE("audit: an inactivity trigger never enters a customer who bought within its duration", "[cli][audit]") {
  std::string program = Temp("inactive.rel", R"(program "Inactive" {
  consent email if email_optin
  panel buyers = customers where frequency >= 1
  scenario lapse {
    trigger after 30 days without purchase
    audience buyers
    reentry always
    send email "miss-you"
  }
}
)");
  std::string log = LogPath("inactive");
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --log " + log);
  REQUIRE(run.exit_code == 0);
  auto purchases = PastPurchases();
  auto rows = ReadLog(log);
  for (const auto& row : rows) {
    if (row.at("outcome") == "purchase") purchases[row.at("customer")].push_back(Seconds(row.at("time")));
  }
  size_t entries = 0, late = 0;
  for (const auto& row : rows) {
    if (row.at("outcome") != "entered") continue;
    ++entries;
    const int64_t at = Seconds(row.at("time"));
    int64_t last = INT64_MIN;
    for (int64_t time : purchases[row.at("customer")]) {
      if (time < at) last = std::max(last, time);
    }
    late += last != INT64_MIN && at - last < 30 * 86400;
  }
  CHECK(entries > 1000);
  CHECK(late == 0);  // was about 8 % of entries: a purchase during the run did not cancel the pending one
  fs::remove(log);
  fs::remove(program);
}

TEST_CASE("audit: a send deferred by quiet hours is never lost: every journey has its send", "[cli][audit]") {
  std::string program = Temp("quiet.rel", R"(program "Quiet" {
  consent email if email_optin
  pressure { quiet hours 21:00..10:00 then defer }
  panel all = customers where consent(email)
  scenario after_visit {
    trigger enter all
    wait 2 days or until visit -> {
      send email "after-visit"
      exit
    }
    send email "timeout-path"
  }
}
)");
  std::string log = LogPath("quiet");
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json --log " + log);
  REQUIRE(run.exit_code == 0);
  std::set<std::pair<std::string, std::string>> entered, sent;
  for (const auto& row : ReadLog(log)) {
    if (row.at("outcome") == "entered") entered.insert({row.at("customer"), row.at("entry")});
    if (row.at("outcome") == "sent" || row.at("outcome").starts_with("suppressed")) sent.insert({row.at("customer"), row.at("entry")});
  }
  CHECK(entered.size() > 1000);
  CHECK(entered == sent);  // 270 of 30,000 journeys ended with no send before the fix
  auto totals = nlohmann::json::parse(run.out)[0]["totals"];
  CHECK(totals["sent"].get<int64_t>() + totals["suppressed"].get<int64_t>() == totals["entered"].get<int64_t>());
  fs::remove(log);
  fs::remove(program);
}

TEST_CASE("audit: conversions fall within the goal's window after the message, last touch", "[cli][audit]") {
  std::string program = Temp("window.rel", R"(program "Flash sale" {
  objective flash { goal purchase within 2 hours }
  consent email if email_optin
  panel all = customers where consent(email)
  scenario flash {
    trigger enter all
    send email "flash-sale"
    wait 7 days
    send email "last-chance"
  }
}
)");
  std::string log = LogPath("window");
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json --log " + log);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("within 2 hours of the delivery of the message that caused it (last touch)") != std::string::npos);
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> sends;  // customer, entry, message -> time
  size_t conversions = 0, outside = 0;
  for (const auto& row : ReadLog(log)) {
    const auto key = std::make_tuple(row.at("customer"), row.at("entry"), row.at("step"));
    if (row.at("outcome") == "sent") sends[key] = Seconds(row.at("time"));
    if (row.at("outcome") != "purchase" || row.at("converted") != "true") continue;
    ++conversions;
    REQUIRE(sends.contains(key));
    const int64_t after = Seconds(row.at("time")) - sends[key];
    outside += after < 0 || after > 2 * 3600;
  }
  CHECK(conversions > 20);
  CHECK(outside == 0);  // 1,143 of 1,159 came later than 2 hours before the fix
  auto report = nlohmann::json::parse(run.out)[0];
  CHECK(report["totals"]["converted"].get<size_t>() == conversions);
  fs::remove(log);
  fs::remove(program);
}

TEST_CASE("audit: the program's revenue is what its entered customers bought, its holdout the size drawn", "[cli][audit]") {
  std::string log = LogPath("winback");
  Result run = Relc("run examples/winback/winback.rel --data " + Data() + " --as-of 2026-01-01 --format json --log " + log);
  REQUIRE(run.exit_code == 0);
  auto report = nlohmann::json::parse(run.out)[0];
  auto rows = ReadLog(log);
  std::map<std::string, int64_t> first_entry, would_enter;  // customer -> time
  for (const auto& row : rows) {
    if (row.at("outcome") == "entered") first_entry.emplace(row.at("customer"), Seconds(row.at("time")));
    if (row.at("outcome") == "held out") would_enter.emplace(row.at("customer"), Seconds(row.at("time")));
  }
  // Revenue and purchases from each customer's first entry on, summed from the log in cents.
  auto sum = [&](const std::map<std::string, int64_t>& since, int64_t& purchases) {
    int64_t cents = 0;
    for (const auto& row : rows) {
      if (row.at("outcome") != "purchase") continue;
      auto it = since.find(row.at("customer"));
      if (it == since.end() || Seconds(row.at("time")) < it->second) continue;
      cents += std::llround(std::stod(row.at("amount")) * 100);
      ++purchases;
    }
    return cents;
  };
  int64_t purchases = 0, held_purchases = 0;
  CHECK(sum(first_entry, purchases) == report["totals"]["revenue_cents"].get<int64_t>());
  CHECK(purchases == report["totals"]["purchases"].get<int64_t>());
  const auto& population = report["population"];
  CHECK(first_entry.size() == population["entered"]["customers"].get<size_t>());
  CHECK(sum(would_enter, held_purchases) == population["holdout_would_have_entered"]["revenue_cents"].get<int64_t>());
  CHECK(would_enter.size() == population["holdout_would_have_entered"]["customers"].get<size_t>());
  // The holdout is 10 % of the customers, within sampling error (3 standard deviations).
  const double n = report["customers"].get<double>() + report["holdout_customers"].get<double>();
  CHECK(std::abs(report["holdout_customers"].get<double>() - 0.1 * n) < 3 * std::sqrt(n * 0.1 * 0.9));
  // The would-be entrants are held out at the same rate as the customers.
  const double entrants = static_cast<double>(first_entry.size() + would_enter.size());
  CHECK(std::abs(static_cast<double>(would_enter.size()) - 0.1 * entrants) < 3 * std::sqrt(entrants * 0.1 * 0.9));
  // The uplift per entered customer has an interval around it, in cents.
  const auto& uplift = population["uplift"]["revenue_per_entered_customer_cents"];
  CHECK(uplift["low"].get<int64_t>() <= uplift["value"].get<int64_t>());
  CHECK(uplift["value"].get<int64_t>() <= uplift["high"].get<int64_t>());
  CHECK(uplift["high"].get<int64_t>() - uplift["low"].get<int64_t>() > 0);
  // One ROI: the report's is std.kpis' and the example's own KPI.
  const double roi = report["rates"]["roi"].get<double>();
  CHECK(roi == Approx((report["totals"]["attributed_revenue_cents"].get<double>() - report["totals"]["cost_cents"].get<double>()) /
                      report["totals"]["cost_cents"].get<double>()));
  for (const auto& kpi : report["kpis"]) {
    if (kpi["name"] == "roi") CHECK(kpi["value"].get<double>() == Approx(roi));
  }
  fs::remove(log);
}

TEST_CASE("audit: a program that sends nothing earns nothing", "[cli][audit]") {
  std::string program = Temp("silent.rel", R"(program "Silent" {
  consent email if email_optin
  panel nobody = customers where frequency > 1000000
  scenario never { trigger enter nobody; send email "never" }
  expect revenue >= 1 EUR
}
)");
  Result run = Relc("test " + program + " --data " + Data() + " --as-of 2026-01-01");
  CHECK(run.exit_code == 1);  // before, every customer's purchases made it "meet" any revenue target
  Result json = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json");
  CHECK(nlohmann::json::parse(json.out)[0]["totals"]["revenue_cents"] == 0);
  fs::remove(program);
}

TEST_CASE("audit: another program, silent or not, and the rows' order change no figure of a program", "[cli][audit]") {
  std::string silent = Temp("quiet_neighbour.rel", R"(program "Neighbour" {
  consent email if email_optin
  panel nobody = customers where frequency > 1000000
  scenario never { trigger enter nobody; send email "never" }
}
)");
  const std::string common = " --data " + Data() + " --as-of 2026-01-01 --format json --seed 3";
  Result alone = Relc("run examples/winback/winback.rel" + common);
  Result together = Relc("run " + silent + " examples/winback/winback.rel" + common);
  REQUIRE(alone.exit_code == 0);
  REQUIRE(together.exit_code == 0);
  // Every figure: `inputs` names the run's files, the other program among them, and is no figure.
  auto figures = [](const std::string& out, size_t program) {
    nlohmann::json report = nlohmann::json::parse(out)[program];
    report.erase("inputs");
    return report.dump();
  };
  CHECK(figures(together.out, 1) == figures(alone.out, 0));
  // The same customers in reverse order: draws are keyed by the customer's id, not the row.
  fs::path reversed = fs::temp_directory_path() / ("relc_audit_reversed_" + std::to_string(getpid()));
  fs::create_directories(reversed);
  fs::copy_file(fs::path(Data()) / "events.csv", reversed / "events.csv", fs::copy_options::overwrite_existing);
  std::ifstream in(fs::path(Data()) / "customers.csv");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::reverse(lines.begin() + 1, lines.end());
  std::ofstream out(reversed / "customers.csv");
  for (const std::string& line : lines) out << line << '\n';
  out.close();
  Result shuffled = Relc("run examples/winback/winback.rel --data " + reversed.string() + " --as-of 2026-01-01 --format json --seed 3");
  REQUIRE(shuffled.exit_code == 0);
  CHECK(figures(shuffled.out, 0) == figures(alone.out, 0));
  fs::remove_all(reversed);
  fs::remove(silent);
}

TEST_CASE("audit: a scenario's own holdout keeps its share out and is reported", "[cli][audit]") {
  std::string program = Temp("scenario_holdout.rel", R"(program "Half" {
  consent email if email_optin
  panel all = customers where consent(email)
  scenario hello {
    trigger enter all
    holdout 50%
    send email "hello"
  }
}
)");
  std::string log = LogPath("half");
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json --log " + log);
  REQUIRE(run.exit_code == 0);
  size_t entered = 0, held = 0;
  for (const auto& row : ReadLog(log)) {
    entered += row.at("outcome") == "entered";
    held += row.at("outcome") == "held out";
  }
  const double n = static_cast<double>(entered + held);
  CHECK(n > 1000);
  CHECK(std::abs(static_cast<double>(held) - n / 2) < 3 * std::sqrt(n / 4));  // every member entered before the fix
  auto population = nlohmann::json::parse(run.out)[0]["scenarios"][0]["population"];
  CHECK(population["holdout_would_have_entered"]["customers"].get<size_t>() == held);
  CHECK(population["uplift"]["revenue_per_entered_customer_cents"].is_object());
  fs::remove(log);
  fs::remove(program);
}

TEST_CASE("audit: `when capped then exit` parses and ends the journey at the capped send", "[cli][audit]") {
  std::string program = Temp("capped_exit.rel", R"(program "Capped exit" {
  consent email if email_optin
  panel all = customers where consent(email)
  pressure {
    at most 2 messages per 7 days
    when capped then exit
  }
  scenario carts {
    trigger on cart_abandoned
    reentry always
    send email "one"
    wait 2 days
    send email "two"
  }
}
)");
  std::string log = LogPath("capped");
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --log " + log);
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  // Per journey (customer, entry), the outcomes of its sends, in order.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> steps;
  for (const auto& row : ReadLog(log)) {
    if (row.at("outcome") == "sent" || row.at("outcome").starts_with("suppressed")) {
      steps[{row.at("customer"), row.at("entry")}].push_back(row.at("outcome"));
    }
  }
  size_t capped = 0;
  for (const auto& [journey, outcomes] : steps) {
    auto it = std::find(outcomes.begin(), outcomes.end(), "suppressed: pressure");
    if (it == outcomes.end()) continue;
    ++capped;
    CHECK(it + 1 == outcomes.end());  // nothing after the capped send: the journey ended there
  }
  CHECK(capped > 20);
  fs::remove(log);
  fs::remove(program);
}

TEST_CASE("audit: a yearly trigger moved by days is the anniversary moved, local times follow the time zone", "[cli][audit]") {
  // Born in a leap year after February, on 29 February, and in summer: each trigger falls a
  // week before the 2026 birthday, at 10:00 in Paris (summer time in June).
  fs::path dir = fs::temp_directory_path() / ("relc_audit_birthdays_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "customers.csv") << "id,email,birth_date,timezone,email_optin,sms_optin,phone_optin,postal_optin\n"
                                          "A,a@example.com,1992-03-04,Europe/Paris,true,false,false,false\n"
                                          "B,b@example.com,2000-02-29,Europe/Paris,true,false,false,false\n"
                                          "C,c@example.com,1990-06-15,Europe/Paris,true,false,false,false\n";
  std::ofstream(dir / "events.csv") << "customer_id,event,time,amount,value,from_channel\n"
                                       "A,purchase,2025-05-01T10:00:00,10.00,,\n";
  std::string program = Temp("birthday.rel", R"(program "Birthday" {
  consent email if email_optin
  scenario birthday {
    trigger every year on birth_date - 7 days at 10:00
    send email "happy-birthday"
  }
}
)");
  std::string log = LogPath("birthday");
  Result run = Relc("run " + program + " --data " + dir.string() + " --as-of 2026-01-01 --days 365 --log " + log, true);
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  std::map<std::string, std::string> entered;
  for (const auto& row : ReadLog(log)) {
    if (row.at("outcome") == "entered") entered[row.at("customer")] = row.at("time");
  }
  CHECK(entered["A"] == "2026-02-25T09:00:00");  // was 02-26: 1992-03-04 - 7 days is 02-26 of a leap year
  CHECK(entered["B"] == "2026-02-21T09:00:00");  // 29 February is 28 February in 2026
  CHECK(entered["C"] == "2026-06-08T08:00:00");  // summer time followed
  // `trigger at` a date and time is the customer's local time too.
  std::string fixed = Temp("fixed.rel", R"(program "Fixed" {
  consent email if email_optin
  scenario summer { trigger at 2026-06-10T10:00; send email "summer" }
}
)");
  Result at = Relc("run " + fixed + " --data " + dir.string() + " --as-of 2026-01-01 --days 365 --log " + log, true);
  REQUIRE(at.exit_code == 0);
  for (const auto& row : ReadLog(log)) {
    if (row.at("outcome") == "entered") CHECK(row.at("time") == "2026-06-10T08:00:00");
  }
  // An unknown zone is a bad row, not UTC in silence.
  std::ofstream(dir / "customers.csv", std::ios::app) << "D,d@example.com,1990-06-15,Europe/Pariss,true,false,false,false\n";
  Result unknown = Relc("run " + program + " --data " + dir.string() + " --as-of 2026-01-01", true);
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.out.find("customers.csv:5:4: column `timezone`: unknown time zone `Europe/Pariss`") != std::string::npos);
  fs::remove_all(dir);
  fs::remove(log);
  fs::remove(program);
  fs::remove(fixed);
}

TEST_CASE("audit: relc check finds a minimum gap that always suppresses a send", "[cli][audit]") {
  std::string program = Temp("gap.rel", R"(program "Gap" {
  consent email if email_optin
  panel all = customers where consent(email)
  pressure { at least 2 days between messages }
  scenario twice {
    trigger enter all
    send email "one"
    wait 1 day
    send email "two"
  }
}
)");
  Result check = Relc("check " + program, true);
  CHECK(check.exit_code == 1);  // "no problems found" before
  CHECK(check.out.find("error[REL0306]") != std::string::npos);
  CHECK(check.out.find("at least 2 days between messages") != std::string::npos);
  fs::remove(program);
}

TEST_CASE("audit: a split names a winner only when its lead is significant", "[cli][audit]") {
  std::string program = Temp("even_split.rel", R"(program "Even" {
  consent email if email_optin
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
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json");
  REQUIRE(run.exit_code == 0);
  auto winner = nlohmann::json::parse(run.out)[0]["scenarios"][0]["split_winners"][0];
  INFO(winner.dump());
  // The same message twice: a lead beyond 1.96 standard errors happens 5 % of the time at most.
  CHECK(winner["test"]["z"].get<double>() < 1.96);
  CHECK(winner["arm"].is_null());
  fs::remove(program);
}

TEST_CASE("audit: relc test --runs judges each expectation on the runs: ok, FAILED or undecided", "[cli][audit]") {
  // Three expectations about one program: far above its conversion, far below, and right at it.
  std::string program = Temp("runs.rel", R"(program "Runs" {
  consent email if email_optin
  panel all = customers where consent(email)
  scenario hello { trigger enter all; send email "hello" }
  kpi delivery = delivered / sent
  expect delivery >= 50%
  expect delivery >= 99.9% else "nearly every message must arrive"
  expect sent > 0 and delivery < 100%
}
)");
  const std::string common = "test " + program + " --data " + Data() + " --as-of 2026-01-01 --runs 8";
  Result run = Relc(common + " --format json");
  REQUIRE(run.exit_code == 1);  // the second fails on every run's mean
  auto verdicts = nlohmann::json::parse(run.out);
  REQUIRE(verdicts.size() == 3);
  CHECK(verdicts[0]["verdict"] == "ok");
  CHECK(verdicts[1]["verdict"] == "FAILED");
  CHECK(verdicts[1]["message"] == "nearly every message must arrive");
  CHECK(verdicts[2]["verdict"] == "ok");  // held in every run
  CHECK(verdicts[0]["over_runs"].get<std::string>().find("over 8 runs") != std::string::npos);
  // A threshold inside the interval of the mean is undecided: it fails only with --strict.
  std::string close = Temp("close.rel", R"(program "Close" {
  consent email if email_optin
  panel all = customers where consent(email)
  scenario hello { trigger enter all; send email "hello" }
  kpi delivery = delivered / sent
  expect delivery >= DELIVERY
}
)");
  // The threshold: the mean delivery over the same 8 runs, so the interval straddles it.
  Result probe = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --runs 8 --format json");
  REQUIRE(probe.exit_code == 0);
  double mean = 0;
  const auto probed = nlohmann::json::parse(probe.out);
  for (const auto& kpi : probed[0]["kpis"]) {
    if (kpi["name"] == "delivery") mean = kpi["over_runs"]["mean"].get<double>();
  }
  REQUIRE(mean > 90);
  std::ifstream in(close);
  std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  source.replace(source.find("DELIVERY"), 8, fmt::format("{:.4f}%", mean));
  std::ofstream(close) << source;
  Result undecided = Relc("test " + close + " --data " + Data() + " --as-of 2026-01-01 --runs 8");
  INFO(undecided.out);
  CHECK(undecided.exit_code == 0);
  CHECK(undecided.out.find("undecided Close") != std::string::npos);
  CHECK(undecided.out.find("1 undecided") != std::string::npos);
  Result strict = Relc("test " + close + " --data " + Data() + " --as-of 2026-01-01 --runs 8 --strict");
  CHECK(strict.exit_code == 1);
  fs::remove(program);
  fs::remove(close);
}

TEST_CASE("audit: carts recovered are counted net of those the holdout bought anyway", "[cli][audit]") {
  std::ifstream in(fs::path(RELC_SOURCE_DIR) / "examples/cart_abandonment/cart_abandonment.rel");
  std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  source.insert(source.find("  scenario"), "  holdout 30%\n\n");
  std::string program = Temp("carts.rel", source);
  Result run = Relc("run " + program + " --data " + Data() + " --as-of 2026-01-01 --format json");
  INFO(run.out.substr(0, 2000));
  REQUIRE(run.exit_code == 0);
  auto carts = nlohmann::json::parse(run.out)[0]["carts"];
  const double journeys = carts["holdout_journeys"].get<double>(), bought = carts["holdout_bought"].get<double>();
  REQUIRE(journeys > 100);
  // Without a reminder, 15 % of carts are bought within two days (std.model): the holdout's rate.
  const double rate = bought / journeys;
  CHECK(std::abs(rate - 0.15) < 3 * std::sqrt(0.15 * 0.85 / journeys) + 0.02);
  CHECK(carts["bought_anyway_expected"].get<double>() == Approx(rate * carts["journeys"].get<double>()));
  CHECK(carts["recovered_net"].get<double>() ==
        Approx(carts["recovered"].get<double>() - carts["bought_anyway_expected"].get<double>()));
  CHECK(carts["recovered_net"].get<double>() < carts["recovered"].get<double>());
  fs::remove(program);
}
