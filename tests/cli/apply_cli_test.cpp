// End-to-end tests of `relc apply` and `relc plan`: production replays what the simulation did,
// an outbox holds each message once whatever kills an apply, consent revoked between applies
// stops that channel, and one apply at a time holds an outbox.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

constexpr const char* kWinback = RELC_SOURCE_DIR "/examples/winback/winback.rel";
constexpr int kCustomers = RELC_APPLY_CUSTOMERS;

// A weekly letter to every consenting customer, under a cap across programs that the win-back
// program's sends count toward.
constexpr const char* kLetters = R"(program "Lettre hebdomadaire" {
  objective loyalty {
    goal purchase within 7 days
  }
  consent {
    email if email_optin
  }
  panel readers = customers where consent(email)
  pressure {
    at most 2 messages per 7 days across programs
  }
  scenario letters {
    trigger enter readers
    exit on purchase
    first: send email "letter-1"
    wait 3 days or until opened(first) -> send email "letter-thanks"
    wait 7 days
    send email "letter-2"
    wait 7 days
    send email "letter-3"
  }
}
)";

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("relc_apply_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// `2026-01-01` plus `days`, as a date.
std::string Day(int days) {
  using namespace std::chrono;
  const year_month_day date{sys_days{year{2026} / January / 1} + std::chrono::days{days}};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return text;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    if (fields[i].find_first_of(",\"") == std::string::npos) {
      line += fields[i];
    } else {
      line += '"';
      for (char c : fields[i]) line += c == '"' ? std::string("\"\"") : std::string(1, c);
      line += '"';
    }
  }
  return line + '\n';
}

// A CRM export after the simulation: the data's customers, its events and the simulated ones,
// under the simulated events' header (the contract's every field).
fs::path CrmAfter(const std::string& data, const std::string& simulated, const fs::path& dir) {
  fs::path out = dir / "crm";
  fs::create_directories(out);
  fs::copy_file(fs::path(data) / "customers.csv", out / "customers.csv", fs::copy_options::overwrite_existing);
  auto extra = ReadCsv(simulated);
  auto past = ReadCsv((fs::path(data) / "events.csv").string());
  REQUIRE(!extra.empty());
  REQUIRE(!past.empty());
  const std::vector<std::string> header = extra[0];
  std::ofstream events(out / "events.csv");
  events << CsvLine(header);
  std::vector<int> column_of(header.size(), -1);
  for (size_t h = 0; h < header.size(); ++h) {
    for (size_t p = 0; p < past[0].size(); ++p) {
      if (past[0][p] == header[h]) column_of[h] = static_cast<int>(p);
    }
  }
  for (size_t r = 1; r < past.size(); ++r) {
    std::vector<std::string> row(header.size());
    for (size_t h = 0; h < header.size(); ++h) {
      if (column_of[h] >= 0) row[h] = past[r][static_cast<size_t>(column_of[h])];
    }
    events << CsvLine(row);
  }
  for (size_t r = 1; r < extra.size(); ++r) events << CsvLine(extra[r]);
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

Rows Query(const fs::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  Rows rows;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK) {
      while (sqlite3_step(statement) == SQLITE_ROW) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < sqlite3_column_count(statement); ++c) {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
          row.emplace_back(text ? text : "NULL");
        }
      }
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return rows;
}

// The simulation's sends: (customer, time, program, scenario, channel, message), sorted.
std::vector<std::vector<std::string>> SentInLog(const std::string& log) {
  std::vector<std::vector<std::string>> sent;
  for (const auto& row : ReadCsv(log)) {
    // customer,time,scenario,step,channel,offer,outcome,...,program,entry,amount
    if (row.size() > 11 && row[6] == "sent") sent.push_back({row[0], row[1] + "Z", row[11], row[2], row[4], row[3]});
  }
  std::sort(sent.begin(), sent.end());
  return sent;
}

Rows SentInOutbox(const fs::path& outbox) {
  return Query(outbox, "SELECT customer, due_at, program, scenario, channel, message FROM relc_outbox ORDER BY 1, 2, 3, 4, 5, 6");
}

std::string ApplyArgs(const std::string& programs, const fs::path& data, const fs::path& outbox, const std::string& as_of) {
  return "apply " + programs + " --data " + data.string() + " --outbox " + outbox.string() + " --as-of " + as_of +
         " --start 2026-01-01 --no-cache";
}

}  // namespace

TEST_CASE("daily applies over the customers' recorded events send what the simulation sent", "[cli][apply]") {
  const std::string data = GeneratedData(kCustomers, 11);
  const fs::path dir = TempDir("replay");
  const std::string letters = WriteTemp(std::to_string(getpid()) + "_letters.rel", kLetters);
  // One program, then two under a cap across programs (each suppresses sends of the other).
  for (const std::string& programs : {std::string(kWinback), std::string(kWinback) + " " + letters}) {
    INFO(programs);
    const fs::path log = dir / "log.csv", events = dir / "events.csv", outbox = dir / "outbox.db";
    fs::remove(outbox);
    Result run = Relc("run " + programs + " --data " + data + " --as-of 2026-01-01 --days 60 --log " + log.string() + " --events " +
                      events.string() + " --no-cache");
    REQUIRE(run.exit_code == 0);
    const auto simulated = SentInLog(log.string());
    REQUIRE(simulated.size() > kCustomers / 10);
    const fs::path crm = CrmAfter(data, events.string(), dir);
    // Once a day for 60 days, the data as it stood (events after --as-of are the future).
    for (int day = 1; day <= 60; ++day) {
      Result apply = Relc(ApplyArgs(programs, crm, outbox, Day(day)), true);
      INFO(apply.out);
      REQUIRE(apply.exit_code == 0);
    }
    CHECK(SentInOutbox(outbox) == simulated);
    CHECK(Query(outbox, "SELECT COUNT(*) FROM relc_applies")[0][0] == "60");
    // Every key once, and the sequence dense from 1.
    CHECK(Query(outbox, "SELECT COUNT(DISTINCT idempotency_key), MIN(sequence), MAX(sequence) FROM relc_outbox")[0] ==
          std::vector<std::string>{std::to_string(simulated.size()), "1", std::to_string(simulated.size())});
    // A rerun as of the last day writes nothing.
    Result again = Relc(ApplyArgs(programs, crm, outbox, Day(60)));
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("0 messages due") != std::string::npos);
    CHECK(SentInOutbox(outbox) == simulated);
  }
  fs::remove_all(dir);
}

TEST_CASE("opens recorded by key drive branches, and consent withdrawn between applies stops that channel", "[cli][apply]") {
  const std::string data = GeneratedData(kCustomers, 11);
  const fs::path dir = TempDir("consent"), outbox = dir / "outbox.db";
  const fs::path crm = dir / "crm";
  fs::create_directories(crm);
  fs::copy_file(fs::path(data) / "customers.csv", crm / "customers.csv");
  auto events = ReadCsv((fs::path(data) / "events.csv").string());
  events[0].push_back("message_key");
  for (size_t r = 1; r < events.size(); ++r) events[r].emplace_back();
  auto write_events = [&] {
    std::ofstream out(crm / "events.csv");
    for (const auto& row : events) out << CsvLine(row);
  };
  write_events();
  REQUIRE(Relc(ApplyArgs(kWinback, crm, outbox, Day(1))).exit_code == 0);
  const Rows first = Query(outbox, "SELECT customer, idempotency_key FROM relc_outbox WHERE channel = 'email' ORDER BY customer");
  REQUIRE(first.size() > kCustomers / 20);
  // Every one of them opens the first e-mail on day 2 (the sending system reports it by the
  // message's key); then a third withdraw e-mail consent in the CRM's opt-in column, a third
  // unsubscribe by an event, and a third do nothing more.
  std::set<std::string> withdrawn, unsubscribed, kept;
  const auto& header = events[0];
  const size_t channel = std::find(header.begin(), header.end(), "from_channel") - header.begin();
  for (size_t i = 0; i < first.size(); ++i) {
    const std::string& customer = first[i][0];
    std::vector<std::string> opened(header.size());
    opened[0] = customer, opened[1] = "message_opened", opened[2] = Day(1) + "T23:00:00", opened.back() = first[i][1];
    events.push_back(opened);
    (i % 3 == 0 ? withdrawn : i % 3 == 1 ? unsubscribed : kept).insert(customer);
    if (i % 3 == 1) {
      std::vector<std::string> unsubscribe(header.size());
      unsubscribe[0] = customer, unsubscribe[1] = "unsubscribe", unsubscribe[2] = Day(2) + "T12:00:00", unsubscribe[channel] = "email";
      events.push_back(unsubscribe);
    }
  }
  write_events();
  auto customers = ReadCsv((crm / "customers.csv").string());
  const size_t optin = std::find(customers[0].begin(), customers[0].end(), "email_optin") - customers[0].begin();
  REQUIRE(optin < customers[0].size());
  {
    std::ofstream out(crm / "customers.csv");
    for (size_t r = 0; r < customers.size(); ++r) {
      if (r > 0 && withdrawn.contains(customers[r][0])) customers[r][optin] = "false";
      out << CsvLine(customers[r]);
    }
  }
  for (int day = 2; day <= 30; ++day) REQUIRE(Relc(ApplyArgs(kWinback, crm, outbox, Day(day))).exit_code == 0);
  // The opened first e-mail leads to the second one, for those who kept their consent only.
  size_t second_kept = 0, second_other = 0;
  for (const auto& row : Query(outbox, "SELECT customer FROM relc_outbox WHERE message = 'winback-2'")) {
    second_kept += kept.contains(row[0]);
    second_other += !kept.contains(row[0]);
  }
  CHECK(second_kept == kept.size());
  CHECK(second_other == 0);
  // No e-mail at all to the others after they withdrew (other customers join the panel later).
  size_t to_withdrawn = 0;
  for (const auto& row : Query(outbox, "SELECT customer FROM relc_outbox WHERE channel = 'email' AND due_at >= '" + Day(1) + "'")) {
    to_withdrawn += withdrawn.contains(row[0]) || unsubscribed.contains(row[0]);
  }
  CHECK(to_withdrawn == 0);
  fs::remove_all(dir);
}

TEST_CASE("one apply at a time holds an outbox", "[cli][apply]") {
  const std::string data = GeneratedData(kCustomers, 11);
  const fs::path dir = TempDir("lock"), outbox = dir / "outbox.db";
  REQUIRE(Relc(ApplyArgs(kWinback, data, outbox, Day(1))).exit_code == 0);
  // Another process holds the outbox (as an apply does, flock on the file) while this one starts.
  Result held = Shell("flock -x " + outbox.string() + " " RELC_BINARY " " + ApplyArgs(kWinback, data, outbox, Day(2)) + " 2>&1; echo \"exit $?\"");
  INFO(held.out);
  CHECK(held.out.find("another `relc apply` holds the outbox") != std::string::npos);
  CHECK(held.out.find("exit 2") != std::string::npos);
  CHECK(Query(outbox, "SELECT COUNT(*) FROM relc_applies")[0][0] == "1");
  fs::remove_all(dir);
}

namespace {

// The win-back program with customers who never respond to a message: what they do then (their
// purchases, carts) is the same whichever version runs, so two simulations are comparable.
std::string Unresponsive(std::string program) {
  const std::string model =
      "  model unresponsive {\n"
      "    response email { opened = 0%; clicked = 0%; converted = 0%; unsubscribed = 0% }\n"
      "    response sms { opened = 0%; clicked = 0%; converted = 0%; unsubscribed = 0% }\n"
      "    response phone { opened = 0%; clicked = 0%; converted = 0%; unsubscribed = 0% }\n"
      "  }\n";
  program.insert(program.find("  holdout 10%"), model);
  return program;
}

// Per customer, the messages a simulation's log sends from `from` to `to`: (time, channel, message).
std::map<std::string, std::vector<std::tuple<std::string, std::string, std::string>>> SendsBetween(const std::string& log,
                                                                                                  const std::string& from,
                                                                                                  const std::string& to) {
  std::map<std::string, std::vector<std::tuple<std::string, std::string, std::string>>> sends;
  for (const auto& row : ReadCsv(log)) {
    if (row.size() > 11 && row[6] == "sent" && row[1] >= from && row[1] < to) sends[row[0]].emplace_back(row[1], row[4], row[3]);
  }
  return sends;
}

}  // namespace

TEST_CASE("a new version: plan lists the customers whose coming messages change, then apply follows it", "[cli][apply][plan]") {
  const std::string data = GeneratedData(kCustomers, 11);
  const fs::path dir = TempDir("version"), outbox = dir / "outbox.db", program = dir / "winback.rel";
  const std::string v1 = Unresponsive(ReadFile(kWinback));
  // Version 2 removes the phone call and waits 3 days where version 1 waits 5.
  std::string v2 = v1;
  const std::string call = "      when customer in vip -> send phone \"call-vip\"\n";
  REQUIRE(v2.find(call) != std::string::npos);
  v2.erase(v2.find(call), call.size());
  REQUIRE(v2.find("wait 5 days") != std::string::npos);
  v2.replace(v2.find("wait 5 days"), 11, "wait 3 days");
  auto write = [&](const std::string& text) { std::ofstream(program) << text; };
  auto simulate = [&](const std::string& log, const std::string& events) {
    REQUIRE(Relc("run " + program.string() + " --data " + data + " --as-of 2026-01-01 --days 60 --log " + log +
                 (events.empty() ? "" : " --events " + events) + " --no-cache")
                .exit_code == 0);
  };
  write(v2);
  simulate((dir / "v2.csv").string(), "");
  write(v1);
  simulate((dir / "v1.csv").string(), (dir / "events.csv").string());
  const fs::path crm = CrmAfter(data, (dir / "events.csv").string(), dir);
  for (int day = 1; day <= 2; ++day) REQUIRE(Relc(ApplyArgs(program.string(), crm, outbox, Day(day))).exit_code == 0);

  // The plan of version 2 as of day 2, for 30 days: against both simulations over those days.
  write(v2);
  const std::string from = Day(2) + "T00:00:00", to = Day(32) + "T00:00:00";
  Result plan = Relc("plan " + program.string() + " --data " + crm.string() + " --outbox " + outbox.string() + " --as-of " + Day(2) +
                     " --horizon 30d --format json --no-cache");
  REQUIRE(plan.exit_code == 0);
  const nlohmann::json planned = nlohmann::json::parse(plan.out);
  CHECK(planned["deployed"] == 1);
  CHECK(planned["new_version"] == true);
  const auto before = SendsBetween((dir / "v1.csv").string(), from, to), after = SendsBetween((dir / "v2.csv").string(), from, to);
  std::set<std::string> expected, listed, next_expected, next_listed;
  for (const auto& [customer, sends] : before) {
    if (!after.contains(customer) || after.at(customer) != sends) expected.insert(customer);
    if (!after.contains(customer) || after.at(customer).front() != sends.front()) next_expected.insert(customer);
  }
  for (const auto& [customer, sends] : after) {
    if (!before.contains(customer)) expected.insert(customer), next_expected.insert(customer);
  }
  for (const auto& change : planned["changes"]) {
    const std::string customer = change["customer"];
    listed.insert(customer);
    if (change["next_changes"] == true) next_listed.insert(customer);
    // What the plan says each customer will get is what the simulation of version 2 sent.
    std::vector<std::tuple<std::string, std::string, std::string>> will;
    for (const auto& m : change["after"]) {
      std::string due = m["due_at"];
      will.emplace_back(due.substr(0, due.size() - 1), m["channel"], m["message"]);
    }
    CHECK(will == (after.contains(customer) ? after.at(customer) : decltype(will){}));
  }
  CHECK(expected.size() > kCustomers / 60);  // the vip customers' calls, and every second message three days earlier
  CHECK(listed == expected);
  // Exactly the customers whose next message changes, among them.
  CHECK(next_expected.size() > kCustomers / 60);
  CHECK(next_listed == next_expected);

  // Applied daily from then on, version 2 sends what its simulation sent.
  for (int day = 3; day <= 32; ++day) REQUIRE(Relc(ApplyArgs(program.string(), crm, outbox, Day(day))).exit_code == 0);
  std::map<std::string, std::vector<std::tuple<std::string, std::string, std::string>>> applied;
  for (const auto& row : Query(outbox, "SELECT customer, due_at, channel, message, version FROM relc_outbox WHERE due_at >= '" + from +
                                           "' ORDER BY customer, due_at, sequence")) {
    applied[row[0]].emplace_back(row[1].substr(0, row[1].size() - 1), row[2], row[3]);
    CHECK(row[4] == "2");
  }
  CHECK(applied == after);
  CHECK(Query(outbox, "SELECT COUNT(*) FROM relc_outbox WHERE message = 'call-vip' AND due_at >= '" + from + "'")[0][0] == "0");
  CHECK(Query(outbox, "SELECT MAX(version) FROM relc_versions")[0][0] == "2");
  fs::remove_all(dir);
}

TEST_CASE("a program dropped by a new version: its messages sent still count toward caps across programs", "[cli][apply]") {
  const std::string data = GeneratedData(kCustomers, 11);
  const fs::path dir = TempDir("dropped"), outbox = dir / "outbox.db";
  // The first e-mails everyone on the first morning; the second e-mails them two days later,
  // under a cap of one message a week across programs.
  const std::string first = WriteTemp(std::to_string(getpid()) + "_first.rel", R"(program "First" {
  consent { email if email_optin }
  panel readers = customers where consent(email)
  scenario hello {
    trigger enter readers
    send email "hello"
  }
}
)");
  const std::string second = WriteTemp(std::to_string(getpid()) + "_second.rel", R"(program "Second" {
  consent { email if email_optin }
  panel readers = customers where consent(email)
  pressure { at most 1 messages per 7 days across programs }
  scenario later {
    trigger enter readers
    wait 2 days
    send email "later"
  }
}
)");
  REQUIRE(Relc(ApplyArgs(first + " " + second, data, outbox, Day(1))).exit_code == 0);
  const std::string hellos = Query(outbox, "SELECT COUNT(*) FROM relc_outbox WHERE message = 'hello'")[0][0];
  REQUIRE(std::stoi(hellos) > kCustomers / 3);
  // Version 2 drops the first program: the second still sees its e-mails of the first morning.
  REQUIRE(Relc(ApplyArgs(second, data, outbox, Day(5))).exit_code == 0);
  CHECK(Query(outbox, "SELECT COUNT(*) FROM relc_outbox WHERE message = 'later'")[0][0] == "0");
  CHECK(Query(outbox, "SELECT MAX(version) FROM relc_versions")[0][0] == "2");
  // Alone from the start, it would have sent them.
  const fs::path alone = dir / "alone.db";
  REQUIRE(Relc(ApplyArgs(second, data, alone, Day(5))).exit_code == 0);
  CHECK(Query(alone, "SELECT COUNT(*) FROM relc_outbox WHERE message = 'later'")[0][0] == hellos);
  fs::remove_all(dir);
}
