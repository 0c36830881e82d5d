// End-to-end tests of `relc data`: generated data, bad rows skipped to a rejects file, and
// every source kind.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("relc_data_test_" + name);
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("the generator gives the same bytes for the same seed and others for another", "[cli][data]") {
  fs::path a = TempDir("gen_a"), b = TempDir("gen_b"), c = TempDir("gen_c");
  REQUIRE(Relc("data generate --customers 2000 --seed 42 --out " + a.string()).exit_code == 0);
  REQUIRE(Relc("data generate --customers 2000 --seed 42 --out " + b.string()).exit_code == 0);
  REQUIRE(Relc("data generate --customers 2000 --seed 43 --out " + c.string()).exit_code == 0);
  CHECK(ReadFile(a / "customers.csv") == ReadFile(b / "customers.csv"));
  CHECK(ReadFile(a / "events.csv") == ReadFile(b / "events.csv"));
  CHECK(ReadFile(a / "events.csv") != ReadFile(c / "events.csv"));
}

TEST_CASE("generated data is realistic: prospects and a Pareto-like revenue", "[cli][data]") {
  fs::path dir = TempDir("gen_realistic");
  REQUIRE(Relc("data generate --customers 20000 --seed 5 --out " + dir.string()).exit_code == 0);
  Result inspect = Relc("data inspect --data " + dir.string());
  REQUIRE(inspect.exit_code == 0);
  INFO(inspect.out);
  std::smatch match;
  REQUIRE(std::regex_search(inspect.out, match, std::regex("make ([0-9.]+) % of it")));
  double share = std::stod(match[1]);
  CHECK(share > 60);
  CHECK(share < 90);
  REQUIRE(std::regex_search(inspect.out, match, std::regex("prospects: ([0-9]+)")));
  double prospects = std::stod(match[1]) / 20000;
  CHECK(prospects > 0.2);
  CHECK(prospects < 0.6);
  CHECK(inspect.out.find("BG/NBD (days): r=") != std::string::npos);
}

TEST_CASE("bad rows can be skipped into a rejects file", "[cli][data]") {
  fs::path rejects = fs::temp_directory_path() / "relc_data_test_rejects.csv";
  fs::remove(rejects);
  Result result = Relc("data inspect --on-bad-row=skip --rejects " + rejects.string() +
                           " --data tests/golden/data/inputs/bad_amount --as-of 2025-06-01",
                       true);
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("skipped 1 bad row (written to " + rejects.string() + ")") != std::string::npos);
  CHECK(result.out.find("data: 12 rows read, 11 loaded (4 customers, 7 events), 0 of unknown customers, 1 rejected") !=
        std::string::npos);
  CHECK(result.out.find("events: 7") != std::string::npos);
  std::string written = ReadFile(rejects);
  CHECK(written.rfind("file,line,column,column_name,reason,record\n", 0) == 0);
  CHECK(written.find("\"tests/golden/data/inputs/bad_amount/events.csv\",3,4,\"amount\"") != std::string::npos);
  CHECK(written.find("25.555") != std::string::npos);
}

TEST_CASE("a SQLite source loads like the same data in CSV", "[cli][data]") {
  fs::path db = fs::temp_directory_path() / "relc_data_test.db";
  fs::remove(db);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &handle) == SQLITE_OK);
  const char* script = R"(
    CREATE TABLE customers (id TEXT, email TEXT, phone TEXT, first_name TEXT, birth_date TEXT, signup_date TEXT,
      city TEXT, country TEXT, timezone TEXT, email_optin INTEGER, sms_optin INTEGER, phone_optin INTEGER,
      postal_optin INTEGER, push_optin INTEGER, loyalty_member INTEGER);
    INSERT INTO customers VALUES ('C1','a@x.fr',NULL,'Hélène','1980-05-02','2024-01-10','Lyon','FR','Europe/Paris',1,1,0,1,NULL,1);
    INSERT INTO customers VALUES ('C2','b@x.fr',NULL,'Jean','1990-03-02','2024-02-01','Brest','FR','Europe/Paris',1,0,0,1,NULL,NULL);
    CREATE TABLE events (customer_id TEXT, event TEXT, time TEXT, amount TEXT, cart_id TEXT, items INTEGER, value TEXT,
      page TEXT, referred_id TEXT, reason TEXT, from_channel TEXT);
    INSERT INTO events VALUES ('C1','purchase','2024-02-01T10:00','50.00',NULL,1,NULL,NULL,NULL,NULL,NULL);
    INSERT INTO events VALUES ('C2','purchase','2024-12-24T08:00','120.00',NULL,1,NULL,NULL,NULL,NULL,NULL);
    INSERT INTO events VALUES ('C2','visit','2025-03-01',NULL,NULL,NULL,NULL,'/',NULL,NULL,NULL);
  )";
  REQUIRE(sqlite3_exec(handle, script, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  Result result = Relc("data inspect --data sqlite:" + db.string() + " --as-of 2025-06-01");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("customers: 2") != std::string::npos);
  CHECK(result.out.find("events: 3") != std::string::npos);
  CHECK(result.out.find("revenue: 170.00") != std::string::npos);

  // A bad value in a database names the table and the row.
  REQUIRE(sqlite3_open(db.string().c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "UPDATE events SET amount = 'lots' WHERE customer_id = 'C2' AND event = 'purchase'",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  Result bad = Relc("data inspect --data sqlite:" + db.string(), true);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find(":events:2:4: column `amount`: not an amount: `lots`") != std::string::npos);
}

TEST_CASE("an unsubscribe written `Email` revokes the email consent", "[cli][data]") {
  fs::path dir = fs::temp_directory_path() / ("relc_data_test_case_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "customers.csv") << "id,email_optin,sms_optin,phone_optin,postal_optin\nC1,true,false,false,false\n"
                                          "C2,true,false,false,false\n";
  std::ofstream(dir / "events.csv") << "customer_id,event,time,from_channel\nC1,unsubscribe,2025-05-01 10:00, Email\n";
  const std::string program = WriteTemp("case_unsubscribe.rel", R"(program "Hello" {
  consent email if email_optin
  panel everyone = customers where email_optin
  scenario hello {
    trigger enter everyone
    send email "hello"
  }
})");
  const fs::path log = dir / "log.csv";
  Result run = Relc("run " + program + " --data " + dir.string() + " --as-of 2025-06-01 --log " + log.string());
  REQUIRE(run.exit_code == 0);
  size_t sent = 0;
  for (const auto& row : ReadCsv(log.string())) {
    if (row[0] == "customer" || row.size() < 7 || row[6] != "sent") continue;
    CHECK(row[0] == "C2");
    ++sent;
  }
  CHECK(sent == 1);
  fs::remove_all(dir);
}

TEST_CASE("SQLite views load like the tables they show", "[cli][data]") {
  fs::path db = fs::temp_directory_path() / ("relc_data_test_views_" + std::to_string(getpid()) + ".db");
  fs::remove(db);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &handle) == SQLITE_OK);
  const char* script =
      "CREATE TABLE crm_customers (id TEXT, email_optin TEXT, sms_optin TEXT, phone_optin TEXT, postal_optin TEXT);"
      "INSERT INTO crm_customers VALUES ('C1','true','false','false','true'), ('C2','false','true','false','false');"
      "CREATE TABLE crm_events (customer_id TEXT, event TEXT, time TEXT, amount TEXT);"
      "INSERT INTO crm_events VALUES ('C1','purchase','2025-03-01 10:00','40.00'), ('C2','purchase','2025-04-01','12.50');"
      "CREATE VIEW customers AS SELECT * FROM crm_customers; CREATE VIEW events AS SELECT * FROM crm_events;";
  REQUIRE(sqlite3_exec(handle, script, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  Result inspect = Relc("data inspect --data sqlite:" + db.string() + " --as-of 2025-06-01", true);
  INFO(inspect.out);
  CHECK(inspect.exit_code == 0);
  CHECK(inspect.out.find("customers: 2") != std::string::npos);
  CHECK(inspect.out.find("events: 2") != std::string::npos);
  CHECK(inspect.out.find("revenue: 52.50") != std::string::npos);
  fs::remove(db);
}

TEST_CASE("a bad value in a column no program reads is checked only with --validate-all", "[cli][data]") {
  // A copy of generated data whose first abandoned cart has a `value` that is no amount.
  const fs::path dir = TempDir("validate_all");
  fs::create_directories(dir);
  const fs::path source = GeneratedData(2000, 3);
  fs::copy_file(fs::path(source) / "customers.csv", dir / "customers.csv");
  std::istringstream events(ReadFile(fs::path(source) / "events.csv"));
  std::ofstream damaged(dir / "events.csv");
  std::string row;
  int line = 0, bad_line = 0;
  while (std::getline(events, row)) {
    ++line;
    if (bad_line == 0 && row.find(",cart_abandoned,") != std::string::npos) {
      std::vector<std::string> fields;
      std::stringstream split(row);
      for (std::string field; std::getline(split, field, ',');) fields.push_back(field);
      fields.resize(11);
      fields[6] = "about 20";  // `value`
      row.clear();
      for (size_t i = 0; i < fields.size(); ++i) row += (i ? "," : "") + fields[i];
      bad_line = line;
    }
    damaged << row << '\n';
  }
  damaged.close();
  REQUIRE(bad_line > 0);
  const std::string winback = "panels examples/winback/winback.rel --as-of 2026-01-01 --no-cache --data ";
  Result clean = Relc(winback + source.string());
  Result unread = Relc(winback + dir.string());
  REQUIRE(unread.exit_code == 0);  // the win-back reads no cart's value
  CHECK(unread.out == clean.out);
  Result all = Relc(winback + dir.string() + " --validate-all", true);
  CHECK(all.exit_code == 1);
  CHECK(all.out.find("events.csv:" + std::to_string(bad_line) + ":7") != std::string::npos);
  CHECK(all.out.find("`about 20`") != std::string::npos);
  // A program that reads the column checks it without being asked.
  Result read = Relc("panels examples/cart_abandonment/cart_abandonment.rel --as-of 2026-01-01 --no-cache --data " + dir.string(), true);
  CHECK(read.exit_code == 1);
  CHECK(read.out.find("events.csv:" + std::to_string(bad_line) + ":7") != std::string::npos);
  fs::remove_all(dir);
}
