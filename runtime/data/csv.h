// A strict CSV reader (RFC 4180): quoted fields with doubled quotes and line breaks, a UTF-8
// byte-order mark, `,` or `;` separators (French spreadsheet exports use `;` with decimal
// commas). Fields are views into the text, or into the reader's own storage when unquoting
// changed them; they live until the next call.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "data/byte_scan.h"

namespace relc::data {

class CsvReader {
 public:
  // `text` must outlive the reader. The separator is the header's commonest of `,` and `;`.
  explicit CsvReader(std::string_view text);
  // A later part of a file, starting at a record boundary on line `first_line`, whose
  // separator the header gave.
  CsvReader(std::string_view text, char separator, size_t first_line)
      : text_(text), line_(first_line), separator_(separator), structure_(text, separator, '\n', '\r', '"') {}

  char separator() const { return separator_; }
  // The next record's fields; false at the end of the text. `error` is set (and false
  // returned) for a quote that never closes or text after a closing quote.
  bool Next(std::vector<std::string_view>& fields, std::string& error);
  // The line the last record started on, and its raw text (for rejects files).
  size_t line() const { return record_line_; }
  std::string_view raw_record() const { return raw_; }
  // Where the next record starts, in bytes from the start of the text.
  size_t position() const { return position_; }
  // 1-based number of the field where the last error was found.
  size_t error_field() const { return error_field_; }

 private:
  // A record without quotes or carriage returns, split by jumping between separators; false
  // (nothing consumed) for any other, which the byte-by-byte reader then reads.
  bool NextPlain(std::vector<std::string_view>& fields);

  std::string_view text_;
  size_t position_ = 0;
  size_t line_ = 1;
  size_t record_line_ = 0;
  size_t error_field_ = 0;
  char separator_ = ',';
  std::string_view raw_;
  // The separators, line breaks and quotes of the text.
  ByteFinder structure_;
  // Storage for fields whose quotes were removed. A deque: growing it never moves the strings
  // that earlier fields of the record still view (a short string keeps its text inside itself).
  std::deque<std::string> unquoted_;
};

// Whether CsvReader, reading `text` from a record's start (or from inside a quoted field, when
// `starts_quoted`), ends inside a quoted field: where a text may be cut between records.
bool EndsInsideQuotes(std::string_view text, bool starts_quoted, char separator);

}  // namespace relc::data
