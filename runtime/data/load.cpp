#include "data/load.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "data/byte_scan.h"
#include "data/csv.h"
#include "data/csv_split.h"
#include "data/database.h"
#include "data/described_load.h"
#include "data/ingest.h"
#include "data/parallel.h"
#include "data/snapshot.h"
#include "data/table_reader.h"

namespace relc::data {
namespace {

namespace fs = std::filesystem;

// A read-only view of a whole file, mapped rather than copied.
class MappedFile {
 public:
  static std::unique_ptr<MappedFile> Open(const std::string& path, std::string& error) {
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) {
      error = std::strerror(errno);
      return nullptr;
    }
    struct stat info {};
    fstat(fd, &info);
    auto file = std::unique_ptr<MappedFile>(new MappedFile);
    file->size_ = static_cast<size_t>(info.st_size);
    if (file->size_ > 0) {
      file->data_ = mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (file->data_ == MAP_FAILED) {
        error = std::strerror(errno);
        close(fd);
        return nullptr;
      }
      madvise(file->data_, file->size_, MADV_SEQUENTIAL);
    }
    close(fd);
    return file;
  }
  ~MappedFile() {
    if (data_ != nullptr && data_ != MAP_FAILED) munmap(data_, size_);
  }
  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
};

// A part of a mapped file is mapped in one call before it is read, and given back once read: a
// large file would otherwise stay whole in memory beside the store.
void MapPart(std::string_view text, size_t begin, size_t end) { AdvisePages(text, begin, end, MADV_POPULATE_READ); }
void ReleasePart(std::string_view text, size_t begin, size_t end) { AdvisePages(text, begin, end, MADV_DONTNEED); }

enum class TableKind { Customers, Events };

bool IngestRecord(Ingester& ingester, TableKind kind, const CsvReader& reader, const std::vector<std::string_view>& fields,
                  bool decimal_comma) {
  return kind == TableKind::Customers ? ingester.CustomerRecord(fields, reader.line(), reader.raw_record(), decimal_comma)
                                      : ingester.EventRecord(fields, reader.line(), reader.raw_record(), decimal_comma);
}

// Reads records to the end of the reader's text. False when the load must stop.
bool IngestRecords(CsvReader& reader, const std::string& name, TableKind kind, bool decimal_comma, Ingester& ingester) {
  std::vector<std::string_view> fields;
  std::string error;
  while (true) {
    error.clear();
    if (!reader.Next(fields, error)) {
      if (error.empty()) return true;
      if (!ingester.ReadError(name, reader.line(), reader.error_field(), error, reader.raw_record())) return false;
      continue;
    }
    if (!IngestRecord(ingester, kind, reader, fields, decimal_comma)) return false;
  }
}

ReservedArrays Expect(Ingester& ingester, TableKind kind, size_t rows) {
  return kind == TableKind::Customers ? ingester.ExpectCustomers(rows) : ingester.ExpectEvents(rows);
}

// A run of whole records: [begin, end) of the text, starting on line `first_line`.
struct Part {
  size_t begin = 0, end = 0;
  size_t first_line = 0, lines = 0;
};

// Cuts the records from `begin` on into parts of about `part_bytes`, each at a line break where
// a record starts: a line break inside a quoted field is no cut, so the parts it would have
// split are one. Empty when the text is too small to be worth it: then one reader reads it all.
// A `mapped` text's pages are given back as they are scanned: else the whole file would stay in
// memory beside the store.
std::vector<Part> CutIntoParts(std::string_view text, bool mapped, size_t begin, size_t first_line, size_t part_bytes,
                               char separator, unsigned threads) {
  const size_t body = text.size() - begin;
  if (body < 2 * part_bytes) return {};
  std::vector<Part> cuts;
  size_t at = begin;
  while (at < text.size()) {
    size_t cut = std::min(text.size(), at + part_bytes);
    if (cut < text.size()) {
      const void* line_break = std::memchr(text.data() + cut, '\n', text.size() - cut);
      cut = line_break ? static_cast<size_t>(static_cast<const char*>(line_break) - text.data()) + 1 : text.size();
    }
    cuts.push_back({at, cut, 0, 0});
    at = cut;
  }
  // Each part read as if a record started it: most do, and those after a part that ends inside
  // quotes are read again from inside them, in order.
  std::vector<char> ends_quoted(cuts.size());
  ParallelFor(cuts.size(), threads, [&](size_t i, unsigned) {
    std::string_view part = text.substr(cuts[i].begin, cuts[i].end - cuts[i].begin);
    if (mapped) MapPart(text, cuts[i].begin, cuts[i].end);
    cuts[i].lines = CountByte(part, '\n');
    ends_quoted[i] = EndsInsideQuotes(part, false, separator);
    if (mapped) ReleasePart(text, cuts[i].begin, cuts[i].end);
  });
  std::vector<Part> parts;
  size_t line = first_line;
  bool inside_quotes = false;
  for (size_t i = 0; i < cuts.size(); ++i) {
    if (inside_quotes) {
      parts.back().end = cuts[i].end;
      parts.back().lines += cuts[i].lines;
      inside_quotes = EndsInsideQuotes(text.substr(cuts[i].begin, cuts[i].end - cuts[i].begin), true, separator);
    } else {
      parts.push_back(cuts[i]);
      parts.back().first_line = line;
      inside_quotes = ends_quoted[i];
    }
    line += cuts[i].lines;
  }
  return parts;
}

// Reads `count` parts on several cores, each into an ingester of its own (`read(i, part)`), and
// absorbs them in order as they finish, so that at most one part per core waits in memory.
// `read` returns false, with `failure` set, when the source itself fails (not for a bad row).
template <typename ReadPart>
bool IngestInOrder(size_t count, unsigned threads, TableKind kind, Ingester& ingester, std::string& failure,
                   ReadPart&& read) {
  std::mutex mutex;
  std::condition_variable turn;
  size_t absorbed = 0;
  bool stopped = false;
  // One part ingester per worker, reused from part to part.
  threads = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(threads, count)));
  std::vector<LoadResult> part_results(threads);
  std::vector<std::unique_ptr<Ingester>> part_ingesters(threads);
  for (unsigned w = 0; w < threads; ++w) part_ingesters[w] = ingester.Part(part_results[w]);
  ParallelFor(count, threads, [&](size_t i, unsigned worker) {
    {
      std::lock_guard lock(mutex);
      if (stopped) return;
    }
    Ingester& part = *part_ingesters[worker];
    part.ClearPart();
    std::string part_failure;
    bool read_ok = read(i, part, part_failure);
    std::unique_lock lock(mutex);
    turn.wait(lock, [&] { return absorbed == i || stopped; });
    if (stopped) return;
    if (!read_ok) failure = part_failure;
    bool ok = read_ok && (kind == TableKind::Customers ? ingester.AbsorbCustomers(part) : ingester.AbsorbEvents(part));
    stopped = !ok;
    ++absorbed;
    turn.notify_all();
  });
  return !stopped && (kind != TableKind::Customers || ingester.IndexCustomerIds(threads));
}

// Reads the CSV parts on several cores. A part's text is given back to the kernel once read.
bool IngestParts(std::string_view text, bool mapped, const std::vector<Part>& parts, const std::string& name,
                 TableKind kind, char separator, unsigned threads, std::atomic<size_t>* progress, Ingester& ingester) {
  // Where each part's rows will go, at most (a row per line).
  std::vector<size_t> first_row(parts.size() + 1, 0);
  for (size_t i = 0; i < parts.size(); ++i) first_row[i + 1] = first_row[i] + parts[i].lines + 1;
  const ReservedArrays store_arrays = Expect(ingester, kind, first_row.back());
  std::string unused;
  return IngestInOrder(parts.size(), threads, kind, ingester, unused, [&](size_t i, Ingester& part_ingester, std::string&) {
    const Part& part = parts[i];
    Expect(part_ingester, kind, part.lines + 1);
    if (mapped) MapPart(text, part.begin, part.end);
    CsvReader reader(text.substr(part.begin, part.end - part.begin), separator, part.first_line);
    IngestRecords(reader, name, kind, separator == ';', part_ingester);
    if (mapped) ReleasePart(text, part.begin, part.end);
    store_arrays.Prefault(ingester.ExpectedKept(first_row[i]), ingester.ExpectedKept(part.lines + 1));
    if (progress != nullptr) *progress += part.end - part.begin;
    return true;
  });
}

// Feeds one CSV text (`mapped` from a file) to the ingester. False when the load must stop.
bool IngestCsv(std::string_view text, bool mapped, const std::string& name, TableKind kind, const LoadOptions& options,
               Ingester& ingester, bool split = true) {
  // Line ends of old Mac exports, a lone carriage return: read as line feeds (a copy), else the
  // whole file would be one record.
  std::string line_feeds;
  if (size_t first_break = text.find_first_of("\r\n");
      first_break != std::string_view::npos && text[first_break] == '\r' &&
      (first_break + 1 == text.size() || text[first_break + 1] != '\n')) {
    line_feeds.assign(text);
    std::replace(line_feeds.begin(), line_feeds.end(), '\r', '\n');
    text = line_feeds;
    mapped = false;
  }
  CsvReader reader(text);
  std::vector<std::string_view> fields;
  std::string error;
  if (!reader.Next(fields, error)) {
    // No header: the file is not a table at all, skipping bad rows or not.
    return ingester.Fail(fmt::format("{}: {}", name, error.empty() ? "the file is empty: it needs a header line" : error));
  }
  // Spread over processes, each reads 1/N of the file and gets its customers' records from the
  // others (csv_split.h); else (or when it cannot) it reads the whole file and keeps its own.
  if (split && mapped && options.ranks > 1 && options.split_csv) {
    const std::string_view id_column = kind == TableKind::Events ? "customer_id" : ingester.CustomerIdColumn();
    const auto id_field = std::find(fields.begin(), fields.end(), id_column) - fields.begin();
    std::optional<std::string> path;
    if (id_field < std::ssize(fields)) path = OwnRecordsOfCsv(text, reader, static_cast<int>(id_field), options.rank, options.ranks);
    if (path) {
      std::unique_ptr<MappedFile> own = MappedFile::Open(*path, error);
      unlink(path->c_str());
      if (own != nullptr) return IngestCsv(own->text(), true, name, kind, options, ingester, false);
    }
  }
  std::vector<std::string> header(fields.begin(), fields.end());
  std::vector<std::string_view> names(header.begin(), header.end());
  bool ok = kind == TableKind::Customers ? ingester.CustomerHeader(names, name) : ingester.EventHeader(names, name);
  if (!ok) return false;
  unsigned threads = ThreadCount(options.threads);
  std::vector<Part> parts =
      CutIntoParts(text, mapped, reader.position(), reader.line() + 1, std::max<size_t>(options.part_bytes, 1), reader.separator(), threads);
  if (!parts.empty()) return IngestParts(text, mapped, parts, name, kind, reader.separator(), threads, options.bytes_read, ingester);
  // One fast pass counts the lines: an upper bound on the rows, to reserve the columns.
  Expect(ingester, kind, CountByte(text, '\n') + 1);
  ok = IngestRecords(reader, name, kind, reader.separator() == ';', ingester);
  if (options.bytes_read != nullptr) *options.bytes_read += text.size();
  return ok;
}

LoadResult LoadCsvFolder(const std::string& source, const DataSchema& schema, const LoadOptions& options) {
  LoadResult result;
  Ingester ingester(schema, options, result);
  if (ingester.failed()) return result;
  bool folder = fs::is_directory(source);
  std::string customers = folder ? (fs::path(source) / "customers.csv").string() : source;
  std::string events = folder ? (fs::path(source) / "events.csv").string() : "";
  std::string error;
  auto customer_file = MappedFile::Open(customers, error);
  if (customer_file == nullptr) {
    result.error = fmt::format("cannot read `{}`: {}", customers, error);
    result.io_error = true;
    return result;
  }
  result.bytes += customer_file->text().size();
  if (!IngestCsv(customer_file->text(), true, customers, TableKind::Customers, options, ingester)) return result;
  if (folder) {
    if (!fs::exists(events)) {
      result.error = fmt::format("`{}` has no events.csv (a folder source holds customers.csv and events.csv)", source);
      result.io_error = true;
      return result;
    }
    auto event_file = MappedFile::Open(events, error);
    if (event_file == nullptr) {
      result.error = fmt::format("cannot read `{}`: {}", events, error);
      result.io_error = true;
      return result;
    }
    result.bytes += event_file->text().size();
    if (!IngestCsv(event_file->text(), true, events, TableKind::Events, options, ingester)) return result;
  }
  result.store = ingester.Finish();
  return result;
}

// Spread over processes, SQLite gives each only the rows of its customers, which it picks by
// the same hash of the id (`relc_owner`, a function of the process's connection).
struct SqliteSplit {
  std::string id_column;  // the table's customer id column
  int rank = 0, ranks = 1;
};

// A table's rows with rowid in [first, last], in rowid order, those of this process's customers
// only (`split`); a bad row is reported at its rowid. False, with `failure`, when SQLite itself
// fails.

bool IngestRowids(const std::string& path, const std::string& table, const std::string& name, TableKind kind, int64_t first,
                  int64_t last, Ingester& ingester, std::atomic<size_t>& bytes, std::string& failure, const SqliteSplit& split,
                  bool by_rowid = true) {
  SqliteConnection db = OpenSqlite(path, failure);
  if (!db) return false;
  std::string owned;
  if (split.ranks > 1) {
    sqlite3_create_function(
        db.get(), "relc_owner", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, reinterpret_cast<void*>(static_cast<intptr_t>(split.ranks)),
        [](sqlite3_context* context, int, sqlite3_value** values) {
          const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(values[0]));
          const std::string_view id = text != nullptr ? std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(values[0]))) : "";
          sqlite3_result_int(context, OwnerOf(id, static_cast<int>(reinterpret_cast<intptr_t>(sqlite3_user_data(context)))));
        },
        nullptr, nullptr);
    owned = fmt::format("relc_owner(\"{}\") = {}", split.id_column, split.rank);
  }
  SqliteStatement statement = PrepareSqlite(
      db.get(), by_rowid ? fmt::format("SELECT rowid, * FROM \"{}\" WHERE rowid BETWEEN ?1 AND ?2{} ORDER BY rowid", table,
                                       owned.empty() ? "" : " AND " + owned)
                         : fmt::format("SELECT NULL, * FROM \"{}\"{}", table, owned.empty() ? "" : " WHERE " + owned));
  if (!statement) {
    failure = fmt::format("{}: cannot read the `{}` table: {}", path, table, sqlite3_errmsg(db.get()));
    return false;
  }
  sqlite3_stmt* rows = statement.get();
  sqlite3_bind_int64(rows, 1, first);
  sqlite3_bind_int64(rows, 2, last);
  const int columns = sqlite3_column_count(rows) - 1;
  std::vector<std::string_view> fields(static_cast<size_t>(columns));
  std::string raw_row;
  size_t read = 0;
  int step;
  int64_t row_number = 0;
  while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
    const int64_t rowid = by_rowid ? sqlite3_column_int64(rows, 0) : ++row_number;
    raw_row.clear();
    for (int i = 0; i < columns; ++i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(rows, i + 1));
      std::string_view field = text ? std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(rows, i + 1))) : "";
      fields[static_cast<size_t>(i)] = field;
      if (i > 0) raw_row += ',';
      raw_row += field;
      read += field.size();
    }
    bool ok = kind == TableKind::Customers ? ingester.CustomerRecord(fields, rowid, raw_row, false)
                                           : ingester.EventRecord(fields, rowid, raw_row, false);
    if (!ok) break;  // the ingester has stopped the load: absorbing the part says so
  }
  bytes += read;
  if (step != SQLITE_ROW && step != SQLITE_DONE) {
    failure = fmt::format("{}: {}", name, sqlite3_errmsg(db.get()));
    return false;
  }
  return true;
}

// The tables `customers` and `events`, each read by ranges of rowids on every core.
LoadResult LoadSqlite(const std::string& path, const DataSchema& schema, const LoadOptions& options) {
  LoadResult result;
  Ingester ingester(schema, options, result);
  if (ingester.failed()) return result;
  if (!fs::exists(path)) {
    result.error = fmt::format("cannot read `{}`: No such file or directory", path);
    result.io_error = true;
    return result;
  }
  SqliteConnection db = OpenSqlite(path, result.error);
  if (!db) {
    result.io_error = true;
    return result;
  }
  const unsigned threads = ThreadCount(options.threads);
  std::atomic<size_t> bytes{0};
  for (TableKind kind : {TableKind::Customers, TableKind::Events}) {
    std::string table = kind == TableKind::Customers ? "customers" : "events";
    std::string name = fmt::format("{}:{}", path, table);
    SqliteStatement columns = PrepareSqlite(db.get(), fmt::format("SELECT * FROM \"{}\" LIMIT 0", table));
    SqliteStatement range = PrepareSqlite(db.get(), fmt::format("SELECT min(rowid), max(rowid), count(*) FROM \"{}\"", table));
    if (!columns || !range) {
      result.error = fmt::format("{}: cannot read the `{}` table: {}", path, table, sqlite3_errmsg(db.get()));
      return result;
    }
    std::vector<std::string> header;
    for (int i = 0; i < sqlite3_column_count(columns.get()); ++i) header.emplace_back(sqlite3_column_name(columns.get(), i));
    SqliteSplit split{"customer_id", options.rank, options.ranks};
    if (kind == TableKind::Customers) {
      for (const ColumnSpec& column : schema.customer.columns) {
        if (column.key) split.id_column = column.name;
      }
    }
    // A table without the id column gets no filter: the ingester says what is missing.
    if (std::find(header.begin(), header.end(), split.id_column) == header.end()) split.ranks = 1;
    std::vector<std::string_view> names(header.begin(), header.end());
    bool ok = kind == TableKind::Customers ? ingester.CustomerHeader(names, name) : ingester.EventHeader(names, name);
    if (!ok) return result;
    if (sqlite3_step(range.get()) != SQLITE_ROW) {
      result.error = fmt::format("{}: {}", name, sqlite3_errmsg(db.get()));
      return result;
    }
    const int64_t first = sqlite3_column_int64(range.get(), 0), last = sqlite3_column_int64(range.get(), 1);
    const auto rows = static_cast<size_t>(sqlite3_column_int64(range.get(), 2));
    if (rows == 0) continue;
    Expect(ingester, kind, rows);
    if (sqlite3_column_type(range.get(), 0) == SQLITE_NULL) {
      // A view has no rowids: its rows in the order SQLite gives, numbered from 1, on one core
      // (every row, for the numbers: the ingester keeps this process's).
      std::string failure;
      const bool ok_read = IngestRowids(path, table, name, kind, 0, 0, ingester, bytes, failure, SqliteSplit{}, /*by_rowid=*/false);
      if (!failure.empty()) result.error = failure;
      if (!ok_read || ingester.failed()) return result;
      continue;
    }
    // Parts of about a million rows, as even ranges of rowids (dense unless rows were deleted):
    // enough to keep every core busy, few enough to open a connection for each.
    uint64_t span = static_cast<uint64_t>(last) - static_cast<uint64_t>(first) + 1;
    if (span == 0) span = UINT64_MAX;  // every rowid there is: one short of 2^64 does
    const uint64_t parts = std::min<uint64_t>(span, std::max<uint64_t>(threads, (rows + (size_t{1} << 20) - 1) >> 20));
    const uint64_t part_rowids = span / parts + (span % parts != 0);
    std::string failure;
    ok = IngestInOrder(parts, threads, kind, ingester, failure, [&](size_t i, Ingester& part, std::string& part_failure) {
      // In unsigned arithmetic, which wraps where rowids are negative; the last part ends at the last rowid.
      const auto begin = static_cast<int64_t>(static_cast<uint64_t>(first) + i * part_rowids);
      const int64_t end = i + 1 == parts ? last : static_cast<int64_t>(static_cast<uint64_t>(begin) + part_rowids - 1);
      Expect(part, kind, std::min<uint64_t>(rows, static_cast<uint64_t>(end) - static_cast<uint64_t>(begin) + 1));
      return IngestRowids(path, table, name, kind, begin, end, part, bytes, part_failure, split);
    });
    if (!failure.empty()) result.error = failure;
    if (!ok) return result;
  }
  result.bytes = bytes;
  if (options.bytes_read != nullptr) *options.bytes_read += result.bytes;
  result.store = ingester.Finish();
  return result;
}

// PostgreSQL: each table streamed as CSV, then read by the same strict reader as CSV files.
LoadResult LoadPostgres(const std::string& uri, const DataSchema& schema, const LoadOptions& options) {
  LoadResult result;
  Ingester ingester(schema, options, result);
  if (ingester.failed()) return result;
  PostgresConnection connection = ConnectPostgres(uri, result.error);
  if (!connection) {
    result.io_error = true;
    return result;
  }
  for (TableKind kind : {TableKind::Customers, TableKind::Events}) {
    std::string table = kind == TableKind::Customers ? "customers" : "events";
    std::string text;
    if (!CopyPostgresTable(connection.get(), table, text, result.error)) return result;
    result.bytes += text.size();
    if (!IngestCsv(text, false, "postgresql:" + table, kind, options, ingester)) return result;
  }
  result.store = ingester.Finish();
  return result;
}

}  // namespace

namespace {

LoadResult LoadSource(const std::string& source, const DataSchema& schema, const LoadOptions& options) {
  if (schema.source) return LoadDescribed(source, schema, options);
  LoadResult result = source.starts_with("sqlite:") ? LoadSqlite(source.substr(7), schema, options)
                      : IsDatabaseSource(source)   ? LoadPostgres(source, schema, options)
                                                   : LoadCsvFolder(source, schema, options);
  if (result.store) {
    // The contract's own tables: each row is a customer or an event, or it was not loaded.
    result.rows.loaded = result.store->customers.rows + result.store->event_type.size();
    result.rows.unknown_customer = result.events_for_unknown_customers;
    result.rows.rejected = result.rejected.size();
    result.rows.read = result.rows.loaded + result.rows.unknown_customer + result.rows.rejected;
  }
  return result;
}

}  // namespace

LoadResult LoadData(const std::string& source, const DataSchema& schema, const LoadOptions& options) {
  if (!IsDatabaseSource(source) && !fs::exists(source)) {
    LoadResult result;
    result.error = fmt::format("cannot read `{}`: No such file or directory", source);
    result.io_error = true;
    return result;
  }
  // A process's part of the customers is not snapshotted: a snapshot holds a whole store.
  const std::string key = options.snapshot_folder.empty() || options.ranks > 1 ? "" : SnapshotKey(source, schema, options);
  if (key.empty()) return LoadSource(source, schema, options);
  const std::string path = SnapshotPath(options.snapshot_folder, key);
  if (std::optional<LoadResult> stored = ReadSnapshot(path, key, schema)) {
    stored->from_snapshot = true;
    stored->snapshot_path = path;
    stored->snapshot_key = key;
    if (options.bytes_read != nullptr) *options.bytes_read += stored->bytes;
    return std::move(*stored);
  }
  LoadResult result = LoadSource(source, schema, options);
  // Written only when the files are still as they were before the load: else the snapshot
  // would hold a store its key does not describe.
  if (result.store && SnapshotKey(source, schema, options) == key && WriteSnapshot(path, key, result, result.snapshot_error)) {
    result.snapshot_path = path;
    result.snapshot_key = key;
  }
  return result;
}

}  // namespace relc::data
