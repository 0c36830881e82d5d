// Loading CSV in parts on several cores must give exactly what one reader gives: the same
// store, the same rejected rows, the same first error.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "data/load.h"

namespace {

namespace fs = std::filesystem;
using relc::data::ColumnType;

relc::data::DataSchema TestSchema() {
  relc::data::DataSchema schema;
  schema.customer = {"customer",
                     {{"id", ColumnType::String, true, true},
                      {"city", ColumnType::String},
                      {"signup_date", ColumnType::Date},
                      {"email_optin", ColumnType::Bool},
                      {"score", ColumnType::Decimal}}};
  schema.events = {{"purchase", {{"amount", ColumnType::Money, true}, {"cart_id", ColumnType::String}}},
                   {"visit", {{"page", ColumnType::String}}}};
  return schema;
}

// A folder with `customers` customers and a few events each; `edit` may change any line.
fs::path WriteData(const std::string& name, int customers, const std::function<void(std::string&, int, bool)>& edit = {}) {
  fs::path dir = fs::temp_directory_path() / ("relc_load_test_" + std::to_string(getpid()) + "_" + name);
  fs::create_directories(dir);
  std::ofstream people(dir / "customers.csv"), events(dir / "events.csv");
  people << "id,city,signup_date,email_optin,score\n";
  events << "customer_id,event,time,amount,cart_id,page\n";
  const char* cities[] = {"Lyon", "Paris", "", "Nantes", "Lille"};
  for (int c = 0; c < customers; ++c) {
    std::string line = "C" + std::to_string(c) + "," + cities[c % 5] + ",2025-0" + std::to_string(1 + c % 9) + "-1" +
                       std::to_string(c % 10) + "," + (c % 3 ? "true" : "") + "," + (c % 7 ? std::to_string(c % 100) + ".5" : "");
    if (edit) edit(line, c + 2, true);
    people << line << "\n";
    for (int e = 0; e < c % 6; ++e) {
      std::string event = "C" + std::to_string(c) + (e % 2 ? ",visit,2025-11-0" : ",purchase,2025-10-0") + std::to_string(1 + e) +
                          "T10:00:00," + (e % 2 ? ",," : std::to_string(10 + c % 50) + ".25,K" + std::to_string(c * 7 + e) + ",") +
                          (e % 2 ? "/p" + std::to_string(c % 13) : "");
      events << event << "\n";
    }
  }
  return dir;
}

relc::data::LoadResult Load(const std::string& source, unsigned threads, size_t part_bytes,
                            relc::data::OnBadRow on_bad_row = relc::data::OnBadRow::Fail) {
  relc::data::LoadOptions options;
  options.threads = threads;
  options.part_bytes = part_bytes;
  options.on_bad_row = on_bad_row;
  static const relc::data::DataSchema schema = TestSchema();
  return relc::data::LoadData(source, schema, options);
}

void RequireSameColumn(const relc::data::Column& a, const relc::data::Column& b, size_t rows) {
  INFO("column " << a.name());
  REQUIRE(a.size() == b.size());
  REQUIRE(a.null_count() == b.null_count());
  REQUIRE(a.dictionary_size() == b.dictionary_size());
  for (size_t row = 0; row < rows; ++row) {
    REQUIRE(a.IsValid(row) == b.IsValid(row));
    if (!a.IsValid(row)) continue;
    switch (a.type()) {
      case ColumnType::String: REQUIRE(a.Code(row) == b.Code(row)); break;
      case ColumnType::Decimal:
      case ColumnType::Percentage: REQUIRE(a.Double(row) == b.Double(row)); break;
      default: REQUIRE(a.Int(row) == b.Int(row)); break;
    }
  }
  for (uint32_t code = 0; code < a.dictionary_size(); ++code) REQUIRE(a.DictionaryString(code) == b.DictionaryString(code));
}

void RequireSameStore(const relc::data::CustomerStore& a, const relc::data::CustomerStore& b) {
  REQUIRE(a.customers.rows == b.customers.rows);
  for (size_t c = 0; c < a.customers.columns.size(); ++c) {
    RequireSameColumn(a.customers.columns[c], b.customers.columns[c], a.customers.rows);
  }
  REQUIRE(a.event_type == b.event_type);
  REQUIRE(a.event_time == b.event_time);
  REQUIRE(a.event_offsets == b.event_offsets);
  for (size_t c = 0; c < a.event_fields.columns.size(); ++c) {
    RequireSameColumn(a.event_fields.columns[c], b.event_fields.columns[c], a.event_fields.rows);
  }
}

void RequireSameRejects(const relc::data::LoadResult& a, const relc::data::LoadResult& b) {
  REQUIRE(a.rejected.size() == b.rejected.size());
  for (size_t i = 0; i < a.rejected.size(); ++i) {
    REQUIRE(relc::data::FormatBadRow(a.rejected[i]) == relc::data::FormatBadRow(b.rejected[i]));
    REQUIRE(a.rejected[i].record == b.rejected[i].record);
  }
}

constexpr size_t kOneReader = size_t{1} << 40;

}  // namespace

TEST_CASE("a load in parts on several cores equals a load by one reader", "[load]") {
  fs::path dir = WriteData("parts", 5000);
  relc::data::LoadResult one = Load(dir, 1, kOneReader);
  REQUIRE(one.store);
  REQUIRE(one.store->customers.rows == 5000);
  for (auto [threads, part_bytes] : {std::pair{2u, size_t{4096}}, {3u, size_t{777}}, {1u, size_t{5000}}}) {
    INFO(threads << " threads, parts of " << part_bytes << " bytes");
    relc::data::LoadResult parts = Load(dir, threads, part_bytes);
    REQUIRE(parts.store);
    RequireSameStore(*one.store, *parts.store);
  }
  fs::remove_all(dir);
}

TEST_CASE("bad rows in parts are rejected or stop the load exactly as with one reader", "[load]") {
  fs::path dir = WriteData("bad", 3000, [](std::string& line, int number, bool) {
    if (number % 997 == 0) line = line.substr(0, line.rfind(',')) + ",abc";  // a bad score
    if (number == 2500) line += ",extra,fields";
  });
  relc::data::LoadResult one = Load(dir, 1, kOneReader, relc::data::OnBadRow::Skip);
  relc::data::LoadResult parts = Load(dir, 2, 2048, relc::data::OnBadRow::Skip);
  REQUIRE(one.store);
  REQUIRE(parts.store);
  REQUIRE(one.rejected.size() == 4);  // three bad scores, and the row with fields beyond its header
  RequireSameRejects(one, parts);
  RequireSameStore(*one.store, *parts.store);

  relc::data::LoadResult one_fails = Load(dir, 1, kOneReader);
  relc::data::LoadResult parts_fail = Load(dir, 2, 2048);
  REQUIRE_FALSE(parts_fail.store);
  REQUIRE(parts_fail.bad_row);
  REQUIRE(parts_fail.error == one_fails.error);
  REQUIRE(parts_fail.error.find("customers.csv:997:5") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a customer id repeated in a later part is reported with both lines", "[load]") {
  fs::path dir = WriteData("duplicate", 2000, [](std::string& line, int number, bool) {
    if (number == 1800) line.replace(0, line.find(','), "C10");
  });
  relc::data::LoadResult one = Load(dir, 1, kOneReader);
  relc::data::LoadResult parts = Load(dir, 2, 1024);
  REQUIRE_FALSE(parts.store);
  REQUIRE(parts.error == one.error);
  REQUIRE(parts.error.find("customers.csv:1800: customer id `C10` is already used at line 12") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a file with line breaks inside quotes is read by one reader, correctly", "[load]") {
  fs::path dir = WriteData("quotes", 2000, [](std::string& line, int number, bool) {
    if (number % 50 == 0) line.replace(line.find(','), 1, ",\"Saint-\nÉtienne\"\n,");
  });
  // The replacement above leaves the record one field longer: rejected, the same way.
  relc::data::LoadResult one = Load(dir, 1, kOneReader, relc::data::OnBadRow::Skip);
  relc::data::LoadResult parts = Load(dir, 2, 1024, relc::data::OnBadRow::Skip);
  REQUIRE(one.store);
  REQUIRE(parts.store);
  RequireSameRejects(one, parts);
  RequireSameStore(*one.store, *parts.store);
  fs::remove_all(dir);
}

TEST_CASE("a quote inside a field's text does not fool the cuts between parts", "[load]") {
  // Found by tests/fuzz's data harness: parts were cut where the quotes before were even in
  // number, but a quote inside a field's text (`x"y`) is text. Here it pairs with the quote that
  // opens a field and never closes (`"a""b`, a doubled quote inside), which swallows the rest of
  // the file: the parts read records one reader never did.
  fs::path dir = WriteData("quote_parity", 2000, [](std::string& line, int number, bool) {
    if (number == 1500) line.replace(line.find(','), 1, ",x\"y,\"a\"\"b,");
  });
  relc::data::LoadResult one = Load(dir, 1, kOneReader, relc::data::OnBadRow::Skip);
  relc::data::LoadResult parts = Load(dir, 2, 1024, relc::data::OnBadRow::Skip);
  REQUIRE(one.store);
  REQUIRE(parts.store);
  REQUIRE(one.rejected.size() == 1);  // line 1500, its quote never closed: the rest of the file is in it
  CHECK(one.store->customers.rows == 1498);
  RequireSameRejects(one, parts);
  RequireSameStore(*one.store, *parts.store);
  fs::remove_all(dir);
}

// The folder's CSV files copied into an SQLite database, every field as text (an empty one as
// NULL), each table's rows given rowids `rowid(i)` in file order.
fs::path CopyToSqlite(const fs::path& dir, const std::function<int64_t(int64_t)>& rowid) {
  fs::path db = dir / "data.db";
  fs::remove(db);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &handle) == SQLITE_OK);
  sqlite3_exec(handle, "BEGIN", nullptr, nullptr, nullptr);
  for (const char* table : {"customers", "events"}) {
    std::ifstream in(dir / (std::string(table) + ".csv"));
    std::string line;
    std::getline(in, line);
    std::string columns = line, marks;
    for (char c : line) marks += c == ',' ? ", ?" : "";
    REQUIRE(sqlite3_exec(handle, ("CREATE TABLE " + std::string(table) + " (" + columns + ")").c_str(), nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    REQUIRE(sqlite3_prepare_v2(handle, ("INSERT INTO " + std::string(table) + " (rowid, " + columns + ") VALUES (?, ?" + marks + ")").c_str(), -1, &insert,
                               nullptr) == SQLITE_OK);
    for (int64_t row = 0; std::getline(in, line); ++row) {
      sqlite3_bind_int64(insert, 1, rowid(row));
      int field = 2;
      for (size_t start = 0;; ++field) {
        size_t comma = std::min(line.find(',', start), line.size());
        if (comma > start) sqlite3_bind_text(insert, field, line.data() + start, static_cast<int>(comma - start), SQLITE_TRANSIENT);
        else sqlite3_bind_null(insert, field);
        if (comma == line.size()) break;
        start = comma + 1;
      }
      REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
      sqlite3_reset(insert);
      sqlite3_clear_bindings(insert);
    }
    sqlite3_finalize(insert);
  }
  sqlite3_exec(handle, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(handle);
  return db;
}

TEST_CASE("an SQLite database read by ranges of rowids on several cores equals the same data in CSV", "[load]") {
  fs::path dir = WriteData("sqlite", 4000);
  relc::data::LoadResult csv = Load(dir, 1, kOneReader);
  REQUIRE(csv.store);
  // Rowids as SQLite gives them, and with gaps and negative ones (rows inserted with their own).
  for (auto rowid : std::vector<std::function<int64_t(int64_t)>>{[](int64_t i) { return i + 1; },
                                                                 [](int64_t i) { return i * 3 - 1000; }}) {
    fs::path db = CopyToSqlite(dir, rowid);
    for (unsigned threads : {1u, 2u, 3u}) {
      INFO(threads << " threads");
      relc::data::LoadResult sqlite = Load("sqlite:" + db.string(), threads, kOneReader);
      INFO(sqlite.error);
      REQUIRE(sqlite.store);
      RequireSameStore(*csv.store, *sqlite.store);
    }
  }
  // A bad value is reported at its table and rowid, whichever part it is in.
  fs::path bad = WriteData("sqlite_bad", 4000, [](std::string& line, int number, bool) {
    if (number == 3001) line = line.substr(0, line.rfind(',')) + ",abc";
  });
  fs::path db = CopyToSqlite(bad, [](int64_t i) { return i + 1; });
  for (unsigned threads : {1u, 2u}) {
    relc::data::LoadResult failed = Load("sqlite:" + db.string(), threads, kOneReader);
    REQUIRE_FALSE(failed.store);
    REQUIRE(failed.error.find("data.db:customers:3000:5: column `score`") != std::string::npos);
  }
  // Rows inserted with their own negative rowids: the bad one is named by its rowid as it is.
  fs::path negative = CopyToSqlite(bad, [](int64_t i) { return i - 4000; });
  relc::data::LoadResult failed = Load("sqlite:" + negative.string(), 2, kOneReader);
  REQUIRE_FALSE(failed.store);
  INFO(failed.error);
  REQUIRE(failed.error.find("data.db:customers:-1001:5: column `score`") != std::string::npos);
  fs::remove_all(dir);
  fs::remove_all(bad);
}

TEST_CASE("columns left out of the store are checked with validate_all, and cost nothing without", "[load]") {
  fs::path dir = WriteData("kept", 500, [](std::string& line, int number, bool) {
    if (number == 300) line.replace(line.find("2025-"), 10, "2025-13-45");
  });
  relc::data::LoadOptions options;
  options.kept_columns = {"score"};
  relc::data::LoadResult loaded = relc::data::LoadData(dir.string(), TestSchema(), options);
  REQUIRE(loaded.store);  // nothing reads signup_date
  REQUIRE(loaded.store->customers.rows == 500);
  options.validate_all = true;
  loaded = relc::data::LoadData(dir.string(), TestSchema(), options);
  REQUIRE_FALSE(loaded.store);
  REQUIRE(loaded.error.find("customers.csv:300:3: column `signup_date`") != std::string::npos);
  options.validate_all = false;

  fs::path good = WriteData("kept_good", 500);
  loaded = relc::data::LoadData(good.string(), TestSchema(), options);
  REQUIRE(loaded.store);
  REQUIRE(loaded.store->customers.Find("score") != nullptr);
  REQUIRE(loaded.store->customers.Find("city") == nullptr);
  REQUIRE(loaded.store->event_fields.Find("page") == nullptr);
  REQUIRE(loaded.store->RowOfId("C499") == 499u);
  fs::remove_all(dir);
  fs::remove_all(good);
}

TEST_CASE("events out of customer or time order are sorted, however far into the file they start", "[load][store]") {
  // Events grouped by customer in time order, then, from line `from`, customers listed again.
  for (int from : {2, 40, 1500}) {
    INFO("out of order from line " << from);
    fs::path dir = WriteData("order_" + std::to_string(from), 1000);
    std::ifstream in(dir / "events.csv");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    in.close();
    // The tail of the file moved to just after the header: its customers come first, out of order.
    std::rotate(lines.begin() + 1, lines.begin() + from, lines.end());
    std::ofstream out(dir / "events.csv");
    for (const std::string& line : lines) out << line << "\n";
    out.close();
    relc::data::LoadResult one = Load(dir, 1, kOneReader);
    REQUIRE(one.store);
    const relc::data::CustomerStore& store = *one.store;
    REQUIRE(store.event_offsets.size() == 1001);
    REQUIRE(store.event_offsets.back() == store.event_time.size());
    for (size_t c = 0; c < 1000; ++c) {
      REQUIRE(store.event_offsets[c + 1] - store.event_offsets[c] == c % 6);
      REQUIRE(std::is_sorted(store.event_time.begin() + static_cast<ptrdiff_t>(store.event_offsets[c]),
                             store.event_time.begin() + static_cast<ptrdiff_t>(store.event_offsets[c + 1])));
    }
    // The same events as from the file in order (string codes aside: they follow the file's
    // order), and the same store from parts on several cores.
    relc::data::LoadResult ordered = Load(WriteData("ordered_" + std::to_string(from), 1000), 1, kOneReader);
    REQUIRE(ordered.store);
    REQUIRE(store.event_time == ordered.store->event_time);
    REQUIRE(store.event_type == ordered.store->event_type);
    REQUIRE(store.event_offsets == ordered.store->event_offsets);
    const relc::data::Column& carts = *store.event_fields.Find("cart_id");
    const relc::data::Column& ordered_carts = *ordered.store->event_fields.Find("cart_id");
    for (size_t e = 0; e < store.event_time.size(); ++e) {
      REQUIRE(carts.IsValid(e) == ordered_carts.IsValid(e));
      if (carts.IsValid(e)) REQUIRE(carts.String(e) == ordered_carts.String(e));
    }
    relc::data::LoadResult parts = Load(dir, 2, 777);
    REQUIRE(parts.store);
    RequireSameStore(store, *parts.store);
    fs::remove_all(dir);
  }
}

TEST_CASE("appending columns keeps validity bits and dictionary order", "[load][store]") {
  relc::data::Column whole("c", ColumnType::String), first("c", ColumnType::String), second("c", ColumnType::String);
  for (int i = 0; i < 200; ++i) {
    relc::data::Column& part = i < 70 ? first : second;
    if (i % 3 == 0) {
      whole.AppendNull();
      part.AppendNull();
    } else {
      std::string value = "v" + std::to_string((i * 7) % 23);
      whole.AppendString(value);
      part.AppendString(value);
    }
  }
  first.Append(second);
  RequireSameColumn(whole, first, 200);
}

TEST_CASE("a purchase of a negative amount is a bad row, with its place and reason", "[load]") {
  fs::path dir = fs::temp_directory_path() / ("relc_load_test_" + std::to_string(getpid()) + "_negative");
  fs::create_directories(dir);
  std::ofstream(dir / "customers.csv") << "id,city,signup_date,email_optin,score\nC1,Lyon,2025-01-01,true,1.5\n";
  std::ofstream(dir / "events.csv") << "customer_id,event,time,amount,cart_id,page\n"
                                       "C1,purchase,2025-10-01T10:00:00,30.00,,\n"
                                       "C1,purchase,2025-10-02T10:00:00,-25.00,,\n";
  relc::data::LoadResult strict = Load(dir, 1, kOneReader);
  REQUIRE_FALSE(strict.store);  // was loaded, and lowered the customer's spend in silence
  CHECK(strict.error.find("events.csv:3:4: column `amount`: a purchase of a negative amount (`-25.00`)") != std::string::npos);
  relc::data::LoadResult skipped = Load(dir, 1, kOneReader, relc::data::OnBadRow::Skip);
  REQUIRE(skipped.store);
  CHECK(skipped.rejected.size() == 1);
  CHECK(skipped.store->event_time.size() == 1);
  fs::remove_all(dir);
}

TEST_CASE("line ends of every kind: LF, CRLF and the lone CR of old Mac exports", "[load]") {
  for (std::string end : {"\n", "\r\n", "\r"}) {
    INFO("line end of " << end.size() << " characters, first " << static_cast<int>(end[0]));
    fs::path dir = fs::temp_directory_path() / ("relc_load_test_" + std::to_string(getpid()) + "_line_ends");
    fs::create_directories(dir);
    std::ofstream(dir / "customers.csv") << "id,city,signup_date,email_optin,score" << end << "C1,Lyon,2025-01-01,true,1.5" << end
                                         << "C2,Paris,2025-01-02,false," << end;
    std::ofstream(dir / "events.csv") << "customer_id,event,time,amount,cart_id,page" << end
                                      << "C2,purchase,2025-10-01T10:00:00,30.00,," << end;
    relc::data::LoadResult result = Load(dir, 1, kOneReader);
    REQUIRE(result.store);  // a lone CR read the file as one line: 0 customers, exit 0
    CHECK(result.store->customers.rows == 2);
    CHECK(result.store->event_time.size() == 1);
    fs::remove_all(dir);
  }
}

TEST_CASE("a string repeated from the row before gets its code, also after a clear", "[load][store]") {
  relc::data::Column column("c", ColumnType::String);
  for (const char* value : {"a", "a", "b", "a", "b", "b", "ab", "a"}) column.AppendString(value);
  CHECK(column.codes() == std::vector<uint32_t>{0, 0, 1, 0, 1, 1, 2, 0});
  CHECK(column.dictionary_size() == 3);
  column.Clear();
  for (const char* value : {"b", "b", "a"}) column.AppendString(value);
  CHECK(column.codes() == std::vector<uint32_t>{0, 0, 1});
  CHECK(column.DictionaryString(0) == "b");
  CHECK(column.String(2) == "a");
}

TEST_CASE("ids appended unchecked are indexed on every core, and the first repeat in order is found", "[load][store]") {
  for (unsigned threads : {1u, 2u, 4u}) {
    INFO(threads << " threads");
    relc::data::Column whole("id", ColumnType::String), part("id", ColumnType::String);
    for (int i = 0; i < 200000; ++i) part.AppendUnchecked("C" + std::to_string(i));
    whole.AppendUncheckedFrom(part);
    REQUIRE_FALSE(whole.IndexDistinct(threads));
    for (int i = 0; i < 200000; i += 997) REQUIRE(whole.FindString("C" + std::to_string(i)) == static_cast<uint32_t>(i));
    REQUIRE_FALSE(whole.FindString("C200000"));
    // Repeats at 200001 (of 7) and 230000 (of 3), in a second part: the first in order wins.
    relc::data::Column later("id", ColumnType::String);
    for (int i = 0; i < 100000; ++i) later.AppendUnchecked(i == 30000 ? "C3" : i == 1 ? "C7" : "D" + std::to_string(i));
    whole.AppendUncheckedFrom(later);
    REQUIRE(whole.IndexDistinct(threads) == 200001u);
    REQUIRE(whole.FindString("C7") == 7u);
    REQUIRE(whole.codes().size() == 300000);
  }
}
