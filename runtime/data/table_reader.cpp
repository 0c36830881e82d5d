#include "data/table_reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/csv.h"
#include "data/database.h"

namespace relc::data {
namespace {

bool IsPostgres(const std::string& source) {
  return source.starts_with("postgresql://") || source.starts_with("postgres://");
}

// CSV text, whole in memory: a file, or a PostgreSQL table copied out as CSV.
class CsvTableReader final : public TableReader {
 public:
  CsvTableReader(std::string location, std::string text) : text_(std::move(text)), reader_(text_) {
    location_ = std::move(location);
  }

  // Reads the header; false, with `error`, when there is none.
  bool Start(std::string& error) {
    std::vector<std::string_view> fields;
    if (!reader_.Next(fields, error)) {
      error = fmt::format("{}: {}", location_, error.empty() ? "the table is empty: it needs a header line" : error);
      return false;
    }
    header_.assign(fields.begin(), fields.end());
    return true;
  }

  std::string_view row_kind() const override { return "line"; }
  bool Next(std::vector<std::string_view>& fields, std::string& error) override {
    while (reader_.Next(fields, error)) {
      if (fields.size() != 1 || !fields[0].empty()) return true;  // a blank line is no row
    }
    return false;
  }
  int64_t row() const override { return static_cast<int64_t>(reader_.line()); }
  size_t error_field() const override { return reader_.error_field(); }

 private:
  std::string text_;
  CsvReader reader_;
};

// Fields separated by runs of blanks, one record per line (CRLF or LF); a blank line is no row.
class WhitespaceTableReader final : public TableReader {
 public:
  WhitespaceTableReader(std::string location, std::string text) : text_(std::move(text)) {
    location_ = std::move(location);
    if (text_.starts_with("\xEF\xBB\xBF")) position_ = 3;
  }

  bool Start(std::string& error) {
    std::vector<std::string_view> fields;
    if (!Next(fields, error)) {
      error = fmt::format("{}: the table is empty: it needs a header line", location_);
      return false;
    }
    header_.assign(fields.begin(), fields.end());
    return true;
  }

  std::string_view row_kind() const override { return "line"; }
  bool Next(std::vector<std::string_view>& fields, std::string&) override {
    while (position_ < text_.size()) {
      size_t end = text_.find('\n', position_);
      if (end == std::string::npos) end = text_.size();
      std::string_view line(text_.data() + position_, end - position_);
      position_ = end + 1;
      row_ = ++line_;
      fields.clear();
      size_t at = 0;
      while (true) {
        at = line.find_first_not_of(" \t\r", at);
        if (at == std::string_view::npos) break;
        size_t stop = std::min(line.find_first_of(" \t\r", at), line.size());
        fields.push_back(line.substr(at, stop - at));
        at = stop;
      }
      if (!fields.empty()) return true;
    }
    return false;
  }
  int64_t row() const override { return row_; }

 private:
  std::string text_;
  size_t position_ = 0;
  int64_t line_ = 0, row_ = 0;
};

// A SQLite table in rowid order, its rows named by rowid; a view, or a table without rowids,
// in the order SQLite gives, its rows numbered from 1.
class SqliteTableReader final : public TableReader {
 public:
  // `rowid_column`: the statement's first column is the rowid (NULL throughout for a view).
  SqliteTableReader(std::string location, SqliteConnection db, SqliteStatement rows, bool rowid_column)
      : db_(std::move(db)), rows_(std::move(rows)), first_(rowid_column ? 1 : 0), by_rowid_(rowid_column) {
    location_ = std::move(location);
    for (int i = first_; i < sqlite3_column_count(rows_.get()); ++i) header_.emplace_back(sqlite3_column_name(rows_.get(), i));
  }

  std::string_view row_kind() const override { return by_rowid_ ? "rowid" : "row"; }
  bool Next(std::vector<std::string_view>& fields, std::string& error) override {
    sqlite3_stmt* rows = rows_.get();
    int step = sqlite3_step(rows);
    if (step != SQLITE_ROW) {
      if (step != SQLITE_DONE) error = sqlite3_errmsg(db_.get());
      return false;
    }
    if (by_rowid_ && row_ == 0 && sqlite3_column_type(rows, 0) == SQLITE_NULL) by_rowid_ = false;
    row_ = by_rowid_ ? sqlite3_column_int64(rows, 0) : row_ + 1;
    fields.resize(header_.size());
    for (size_t i = 0; i < header_.size(); ++i) {
      const int at = static_cast<int>(i) + first_;
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(rows, at));
      fields[i] = text ? std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(rows, at))) : "";
    }
    return true;
  }
  int64_t row() const override { return row_; }

 private:
  SqliteConnection db_;
  SqliteStatement rows_;
  int first_;
  bool by_rowid_;
  int64_t row_ = 0;
};

std::unique_ptr<TableReader> OpenTextFile(const std::string& path, std::string& error, bool& io_error, bool whitespace) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    error = fmt::format("cannot read `{}`: {}", path, std::filesystem::is_directory(path) ? "it is a folder" : std::strerror(errno));
    io_error = true;
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (whitespace) {
    auto reader = std::make_unique<WhitespaceTableReader>(path, text.str());
    if (!reader->Start(error)) return nullptr;
    return reader;
  }
  auto reader = std::make_unique<CsvTableReader>(path, text.str());
  if (!reader->Start(error)) return nullptr;
  return reader;
}

// The names of the database's tables and views, for a message.
std::string SqliteTables(sqlite3* db) {
  SqliteStatement names = PrepareSqlite(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name");
  std::string list;
  while (names && sqlite3_step(names.get()) == SQLITE_ROW) {
    list += fmt::format("{}`{}`", list.empty() ? "" : ", ", reinterpret_cast<const char*>(sqlite3_column_text(names.get(), 0)));
  }
  return list.empty() ? "none" : list;
}

std::unique_ptr<TableReader> OpenSqliteTable(const std::string& path, const std::string& table, std::string& error,
                                             bool& io_error) {
  if (!std::filesystem::exists(path)) {
    error = fmt::format("cannot read `{}`: No such file or directory", path);
    io_error = true;
    return nullptr;
  }
  SqliteConnection db = OpenSqlite(path, error);
  if (!db) {
    io_error = true;
    return nullptr;
  }
  std::string quoted = QuoteIdentifier(table);
  bool by_rowid = true;
  SqliteStatement rows = PrepareSqlite(db.get(), fmt::format("SELECT rowid, * FROM {} ORDER BY rowid", quoted));
  if (!rows) {
    by_rowid = false;
    rows = PrepareSqlite(db.get(), fmt::format("SELECT * FROM {}", quoted));
  }
  if (!rows) {
    std::string reason = sqlite3_errmsg(db.get());
    error = reason.starts_with("no such table")
                ? fmt::format("`{}` has no table `{}`; its tables and views are: {}", path, table, SqliteTables(db.get()))
                : fmt::format("{}: cannot read the `{}` table: {}", path, table, reason);
    return nullptr;
  }
  return std::make_unique<SqliteTableReader>(fmt::format("{}:{}", path, table), std::move(db), std::move(rows), by_rowid);
}

std::unique_ptr<TableReader> OpenPostgresTable(const std::string& uri, const std::string& table, std::string& error,
                                               bool& io_error) {
  PostgresConnection connection = ConnectPostgres(uri, error);
  if (!connection) {
    io_error = true;
    return nullptr;
  }
  std::string text;
  if (!CopyPostgresTable(connection.get(), table, text, error)) return nullptr;
  auto reader = std::make_unique<CsvTableReader>("postgresql:" + table, std::move(text));
  if (!reader->Start(error)) return nullptr;
  return reader;
}

}  // namespace

std::unique_ptr<TableReader> TableReader::Open(const std::string& source, const std::string& table, std::string& error,
                                               bool& io_error, bool whitespace) {
  io_error = false;
  if (source.starts_with("sqlite:")) return OpenSqliteTable(source.substr(7), table, error, io_error);
  if (IsPostgres(source)) return OpenPostgresTable(source, table, error, io_error);
  return OpenTextFile(source, error, io_error, whitespace);
}

bool IsDatabaseSource(const std::string& source) { return source.starts_with("sqlite:") || IsPostgres(source); }

std::string TableForDisplay(const std::string& source, const std::string& table) {
  return SourceForDisplay(source) + (IsDatabaseSource(source) ? ", table " + table : "");
}

std::string SourceForDisplay(const std::string& source) {
  if (!IsPostgres(source)) return source;
  // postgresql://user:secret@host/db?password=secret&sslmode=require
  const size_t authority = source.find("://") + 3;
  std::string shown = source;
  size_t authority_end = shown.find_first_of("/?", authority);
  size_t at = shown.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
  if (at != std::string::npos && at >= authority) {
    size_t colon = shown.find(':', authority);
    if (colon < at) shown.erase(colon, at - colon);
  }
  size_t query = shown.find('?');
  if (query == std::string::npos) return shown;
  std::string kept;
  size_t begin = query + 1;
  while (begin <= shown.size()) {
    size_t end = std::min(shown.find('&', begin), shown.size());
    std::string parameter = shown.substr(begin, end - begin);
    if (!parameter.starts_with("password=") && !parameter.empty()) kept += (kept.empty() ? "" : "&") + parameter;
    begin = end + 1;
  }
  return shown.substr(0, query) + (kept.empty() ? "" : "?" + kept);
}

}  // namespace relc::data
