// A past campaign's results from each source relc reads: a SQLite table (or view) reads as the
// same history in CSV does, a bad row is named by its rowid, a `by` column's values are read
// as its contract type writes them, and a database's password never reaches a model file.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "calibrate/campaign_generator.h"
#include "calibrate/history.h"
#include "data/table_reader.h"

using namespace relc::calibrate;
namespace fs = std::filesystem;
using relc::data::ColumnType;

namespace {

fs::path TempPath(const std::string& name) {
  return fs::temp_directory_path() / ("relc-history-" + std::to_string(::getpid()) + "-" + name);
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// A database at `path` made by `script`, run whole.
void MakeDatabase(const fs::path& path, const std::string& script) {
  fs::remove(path);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(path.string().c_str(), &handle) == SQLITE_OK);
  char* error = nullptr;
  int status = sqlite3_exec(handle, script.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(handle);
  REQUIRE(status == SQLITE_OK);
}

// The generated history as a typed table, the way a CRM keeps it: flags and amounts as numbers,
// the loyalty flag as 1/0, a field the CSV leaves empty as NULL.
std::string HistoryTable(const std::string& csv) {
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  REQUIRE(line == "customer_id,arm,channel,message,opened,clicked,converted,amount,unsubscribed,loyalty_member,country");
  std::string script =
      "BEGIN; CREATE TABLE history (customer_id TEXT, arm TEXT, channel TEXT, message TEXT, opened INTEGER, "
      "clicked INTEGER, converted INTEGER, amount REAL, unsubscribed INTEGER, loyalty_member INTEGER, country TEXT);\n";
  while (std::getline(lines, line)) {
    std::vector<std::string> f = Split(line);
    REQUIRE(f.size() == 11);
    f[9] = f[9] == "true" ? "1" : "0";
    std::string values;
    for (size_t i = 0; i < f.size(); ++i) {
      bool number = i >= 4 && i <= 9;
      values += (i ? ", " : "") + (f[i].empty() ? std::string("NULL") : number ? f[i] : "'" + f[i] + "'");
    }
    script += "INSERT INTO history VALUES (" + values + ");\n";
  }
  return script + "COMMIT;";
}

HistoryOptions ByMemberAndCountry() {
  HistoryOptions options;
  options.known_channels = {"email", "sms", "phone"};
  options.by = {"loyalty_member", "country"};
  options.attributes = {{"loyalty_member", ColumnType::Bool}, {"country", ColumnType::String}};
  return options;
}

const std::string kHeader = "customer_id,arm,channel,message,opened,clicked,converted,amount";

}  // namespace

TEST_CASE("a history in a SQLite table reads as the same history in CSV", "[history]") {
  GeneratedCampaign campaign = GenerateCampaign({.customers = 3000, .seed = 4});
  fs::path csv_path = TempPath("history.csv"), db_path = TempPath("past.db");
  std::ofstream(csv_path, std::ios::binary) << campaign.history_csv;
  MakeDatabase(db_path, HistoryTable(campaign.history_csv));

  HistoryLoad from_csv = LoadHistory(csv_path.string(), ByMemberAndCountry());
  HistoryLoad from_db = LoadHistory("sqlite:" + db_path.string(), ByMemberAndCountry());
  INFO((from_db.errors.empty() ? "" : from_db.errors.front()));
  REQUIRE(from_csv.history);
  REQUIRE(from_db.history);
  const History &a = *from_csv.history, &b = *from_db.history;
  CHECK(b.source == "sqlite:" + db_path.string() + ", table history");
  REQUIRE(a.arms.size() == b.arms.size());
  for (size_t i = 0; i < a.arms.size(); ++i) {
    CHECK(a.arms[i].name == b.arms[i].name);
    CHECK(a.arms[i].channel == b.arms[i].channel);
    CHECK(a.arms[i].message == b.arms[i].message);
  }
  CHECK(a.control == b.control);
  CHECK(a.segment_values == b.segment_values);
  CHECK(b.segment_values[0] == std::vector<std::string>{"false", "true"});  // 1/0 in the table
  REQUIRE(a.rows.size() == 3000);
  REQUIRE(b.rows.size() == a.rows.size());
  size_t differ = 0;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const HistoryRow &x = a.rows[i], &y = b.rows[i];
    differ += x.arm != y.arm || x.opened != y.opened || x.clicked != y.clicked || x.converted != y.converted ||
              x.unsubscribed != y.unsubscribed || x.amount != y.amount || x.segment != y.segment ||
              x.customer_hash != y.customer_hash;
  }
  CHECK(differ == 0);
  fs::remove(csv_path);
  fs::remove(db_path);
}

TEST_CASE("a bad history row in SQLite is named by its table and rowid", "[history]") {
  fs::path db_path = TempPath("bad.db");
  MakeDatabase(db_path,
               "CREATE TABLE history (customer_id, arm, channel, message, opened, clicked, converted, amount);"
               "INSERT INTO history (rowid, customer_id, arm, channel, message, opened, clicked, converted, amount) VALUES "
               "(-7, 'C1', 'a', 'email', 'm', 1, 0, 0, 0), (1001, 'C2', 'a', 'email', 'm', 1, 0, 2, 0),"
               "(1002, 'C3', 'a', 'sms', 'm', 1, 0, 0, 0);"
               "CREATE VIEW email AS SELECT * FROM history WHERE channel = 'email';");
  HistoryOptions options;
  options.known_channels = {"email", "sms"};
  const std::string source = "sqlite:" + db_path.string(), where = db_path.string() + ":history";
  HistoryLoad load = LoadHistory(source, options);
  CHECK_FALSE(load.history);
  CHECK_FALSE(load.io_error);
  REQUIRE(load.errors.size() == 2);
  CHECK(load.errors[0] == where + ":1001:7: `converted` must be 0 or 1 (or true/false), not `2`");
  CHECK_THAT(load.errors[1], Catch::StartsWith(where + ":1002:2: arm `a` was sent on email \"m\" at rowid -7"));

  // A view has no rowids: its rows are numbered from 1.
  options.table = "email";
  load = LoadHistory(source, options);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0] == db_path.string() + ":email:2:7: `converted` must be 0 or 1 (or true/false), not `2`");

  options.table = "campaign";
  load = LoadHistory(source, options);
  CHECK_FALSE(load.io_error);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0] == "`" + db_path.string() + "` has no table `campaign`; its tables and views are: `email`, `history`");

  // Columns, not rows, are missing: the message names the table, with no row.
  MakeDatabase(db_path, "CREATE TABLE history (customer_id, arm); INSERT INTO history VALUES ('C1', 'a');");
  options.table = "history";
  load = LoadHistory(source, options);
  REQUIRE(load.errors.size() == 1);
  CHECK_THAT(load.errors[0], Catch::StartsWith(where + ": the history has no column `converted`; its columns are: arm, customer_id"));
  fs::remove(db_path);

  // A source that is not there is an I/O error (exit 2), whatever its kind.
  for (const std::string& missing : {"sqlite:" + db_path.string(), db_path.string() + ".csv"}) {
    load = LoadHistory(missing, options);
    CHECK(load.io_error);
    REQUIRE(load.errors.size() == 1);
    CHECK_THAT(load.errors[0], Catch::Contains("No such file or directory"));
  }
}

TEST_CASE("a `by` column of the contract is read as its type writes it", "[history]") {
  HistoryOptions options = ByMemberAndCountry();
  options.by = {"loyalty_member"};
  fs::path path = TempPath("flags.csv");
  std::ofstream(path, std::ios::binary) << kHeader << ",loyalty_member\n"
                                        << "C1,a,email,m,1,0,0,0,oui\nC2,a,email,m,1,0,0,0,f\nC3,a,email,m,1,0,0,0,TRUE\n"
                                        << "C4,a,email,m,1,0,0,0,\n";
  HistoryLoad load = LoadHistory(path.string(), options);
  REQUIRE(load.history);
  CHECK(load.history->segment_values[0] == std::vector<std::string>{"true", "false", ""});
  CHECK(load.history->rows[2].segment == load.history->rows[0].segment);

  std::ofstream(path, std::ios::binary) << kHeader << ",loyalty_member\nC1,a,email,m,1,0,0,0,maybe\n";
  load = LoadHistory(path.string(), options);
  REQUIRE(load.errors.size() == 1);
  CHECK_THAT(load.errors[0], Catch::EndsWith(":2:9: `loyalty_member` is a bool in the data contract: `maybe` is not a boolean "
                                             "(true/false, 1/0, yes/no, oui/non)"));
  fs::remove(path);
}

TEST_CASE("a database's password is left out wherever its source is shown", "[history]") {
  using relc::data::SourceForDisplay;
  CHECK(SourceForDisplay("postgresql://relc:s3cret@db.example.com:5432/crm?sslmode=require&password=s3cret") ==
        "postgresql://relc@db.example.com:5432/crm?sslmode=require");
  CHECK(SourceForDisplay("postgres://relc@127.0.0.1:5432/crm") == "postgres://relc@127.0.0.1:5432/crm");
  CHECK(SourceForDisplay("postgresql://db.example.com/crm?password=s3cret") == "postgresql://db.example.com/crm");
  CHECK(SourceForDisplay("sqlite:past.db") == "sqlite:past.db");
  CHECK(SourceForDisplay("past/history.csv") == "past/history.csv");
}

TEST_CASE("a history whose header names a column twice is refused, not read past its rows' ends", "[history]") {
  // Found by tests/fuzz's history harness: the rows were counted against the distinct names
  // (3 here), so a row of 3 fields passed and `converted`, the 4th column, was read beyond it.
  const fs::path path = TempPath("duplicate-header.csv");
  std::ofstream(path) << "customer_id,arm,arm,converted\nC1,control,1\nC2,control,control,0\n";
  HistoryLoad load = LoadHistory(path.string(), {});
  CHECK_FALSE(load.history.has_value());
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0] == path.string() + ":1:3: column `arm` appears twice in the header (columns 2 and 3)");
  fs::remove(path);
}
