// One table read row by row as text, from any source relc reads: a CSV file, a table of a
// SQLite database (`sqlite:PATH`) or of a PostgreSQL one (`postgresql://...`). For tables
// whose columns are not the data contract's, such as a past campaign's results; rows are
// located as bad rows are everywhere: `FILE:LINE`, `DB:TABLE:ROWID`, `postgresql:TABLE:LINE`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace relc::data {

class TableReader {
 public:
  // `table` is the table's name in a database; a CSV file is the table itself. Null, with
  // `error`, when the table cannot be read; `io_error` then says whether the source itself
  // could not be reached (a missing file, a server down) rather than its content being wrong.
  // With `whitespace`, a file's fields are separated by runs of spaces or tabs rather than
  // commas (fixed-width exports; no quoting).
  static std::unique_ptr<TableReader> Open(const std::string& source, const std::string& table, std::string& error,
                                           bool& io_error, bool whitespace = false);
  virtual ~TableReader() = default;

  // Where rows are, before their number: `history.csv`, `past.db:history`, `postgresql:history`.
  const std::string& location() const { return location_; }
  const std::vector<std::string>& header() const { return header_; }
  // How a row is numbered, for messages: "line" or "rowid".
  virtual std::string_view row_kind() const = 0;
  // The next row's fields, valid until the next call; false at the end, or with `error` set
  // for a row that cannot be read (row() and error_field() then locate it).
  virtual bool Next(std::vector<std::string_view>& fields, std::string& error) = 0;
  // The last row's number: its line in a file, its rowid in SQLite.
  virtual int64_t row() const = 0;
  // 1-based field of the last error; 0 for the whole row.
  virtual size_t error_field() const { return 0; }

 protected:
  std::string location_;
  std::vector<std::string> header_;
};

// Whether `source` names a database (`sqlite:PATH`, `postgresql://...`), whose tables have names.
bool IsDatabaseSource(const std::string& source);

// `source` fit to print or to write down: a PostgreSQL URI without its password.
std::string SourceForDisplay(const std::string& source);
// The same for one table of it: `past/history.csv`, `sqlite:crm.db, table spring`.
std::string TableForDisplay(const std::string& source, const std::string& table);

}  // namespace relc::data
