#include "data/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>
#include <utility>

#include "data/random.h"
#include "data/snapshot_file.h"
#include "data/table_reader.h"

namespace relc::data {
namespace fs = std::filesystem;

// Reads and writes a Column's own arrays, which no other code may touch.
struct ColumnSnapshot;

namespace {

constexpr std::string_view kMagic = "relc-snapshot\n";  // the key's first line
// Snapshots of other formats are ignored (their key differs), then replaced.
constexpr int kFormat = 2;
// How many snapshots a folder keeps: one per set of columns read, for a few programs.
constexpr size_t kKept = 4;

void WriteTable(SnapshotWriter& out, const Table& table);
bool ReadTable(SnapshotReader& in, Table& table);

// A hash of a file's first and last 64 KB: an edit that keeps the size and the time (a file
// copied over with its time kept) still changes the key, unless it is in the middle alone.
std::string HeadAndTailHash(const fs::path& path, uintmax_t size) {
  constexpr size_t kEnd = 64 << 10;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "unreadable";
  std::string bytes(static_cast<size_t>(std::min<uintmax_t>(size, 2 * kEnd)), '\0');
  const size_t head = std::min(bytes.size(), kEnd);
  ssize_t got = pread(fd, bytes.data(), head, 0);
  if (got == static_cast<ssize_t>(head) && bytes.size() > head) {
    got = pread(fd, bytes.data() + head, bytes.size() - head, static_cast<off_t>(size - (bytes.size() - head)));
    got = got == static_cast<ssize_t>(bytes.size() - head) ? static_cast<ssize_t>(bytes.size()) : -1;
  }
  close(fd);
  return got == static_cast<ssize_t>(bytes.size()) ? fmt::format("{:016x}", HashName(bytes)) : "unreadable";
}

void AppendExpr(std::string& key, const RowExpr& expr) {
  key += fmt::format("({} {:?}", static_cast<int>(expr.op), expr.text);
  for (const RowExpr& arg : expr.args) AppendExpr(key, arg);
  key += ')';
}

void AppendSchema(std::string& key, const DataSchema& schema) {
  auto entity = [&](const EntitySpec& spec) {
    key += fmt::format("entity {:?}\n", spec.name);
    for (const ColumnSpec& column : spec.columns) {
      key += fmt::format("  column {:?} {} {} {}\n", column.name, ColumnTypeName(column.type), column.required, column.key);
    }
  };
  entity(schema.customer);
  for (const EntitySpec& event : schema.events) entity(event);
  if (!schema.source) return;
  const SourceDescription& source = *schema.source;
  key += fmt::format("source {:?}\n", source.name);
  for (const TableDescription& table : source.tables) {
    key += fmt::format("  table {:?} {:?} {} {} {:?} {:?} {:?} {:?}\n", table.name, table.location, table.whitespace,
                       static_cast<int>(table.decimal), table.time_format, table.time_zone, table.currency, table.round);
  }
  for (const EntityDescription& entity_description : source.entities) {
    key += fmt::format("  read {} {:?} {:?} {} {} ", entity_description.is_event, entity_description.name,
                       entity_description.table, entity_description.has_when, entity_description.has_group);
    AppendExpr(key, entity_description.when);
    AppendExpr(key, entity_description.group_by);
    for (const auto& [name, expr] : entity_description.fields) {
      key += fmt::format(" {:?}=", name);
      AppendExpr(key, expr);
    }
    key += '\n';
  }
}

void WriteBadRow(SnapshotWriter& out, const BadRow& row) {
  out.Text(row.file);
  out.U64(static_cast<uint64_t>(row.line));
  out.U64(row.column);
  out.Text(row.column_name);
  out.Text(row.reason);
  out.Text(row.record);
}

BadRow ReadBadRow(SnapshotReader& in) {
  BadRow row;
  row.file = in.Text();
  row.line = static_cast<int64_t>(in.U64());
  row.column = in.U64();
  row.column_name = in.Text();
  row.reason = in.Text();
  row.record = in.Text();
  return row;
}

void WriteTexts(SnapshotWriter& out, const std::vector<std::string>& texts) {
  out.U64(texts.size());
  for (const std::string& text : texts) out.Text(text);
}

std::vector<std::string> ReadTexts(SnapshotReader& in) {
  std::vector<std::string> texts(std::min<uint64_t>(in.U64(), 1 << 20));
  for (std::string& text : texts) text = in.Text();
  return texts;
}

// The counts of a RowAccount, const or not, in the file's order.
template <typename Rows>
std::array<decltype(&std::declval<Rows&>().read), 6> RowCounts(Rows& rows) {
  return {&rows.read, &rows.loaded, &rows.left_out, &rows.without_customer, &rows.unknown_customer, &rows.rejected};
}

}  // namespace

struct ColumnSnapshot {
  static void Write(SnapshotWriter& out, const Column& column) {
    out.Text(column.name_);
    out.U64(static_cast<uint64_t>(column.type_));
    out.U64(column.kept_);
    out.U64(column.size_);
    out.U64(column.nulls_);
    out.Array(column.validity_);
    out.Array(column.ints_);
    out.Array(column.doubles_);
    out.Array(column.codes_);
    out.Array(column.string_bytes_);
    out.Array(column.string_offsets_);
    out.Array(column.slots_);
    out.Array(column.hashes_);
  }
  // Appends the next column to `columns`, whose room must not move until the reader's arrays
  // are copied. False when the file cannot hold a column there.
  static bool Read(SnapshotReader& in, std::vector<Column>& columns) {
    std::string name = in.Text();
    const uint64_t type = in.U64();
    const bool kept = in.U64() != 0;
    if (!in.ok() || type > static_cast<uint64_t>(ColumnType::String) || columns.size() == columns.capacity()) return false;
    Column& column = columns.emplace_back(std::move(name), static_cast<ColumnType>(type), kept);
    column.size_ = in.U64();
    column.nulls_ = in.U64();
    in.Array(column.validity_);
    in.Array(column.ints_);
    in.Array(column.doubles_);
    in.Array(column.codes_);
    in.Array(column.string_bytes_);
    in.Array(column.string_offsets_);
    in.Array(column.slots_);
    in.Array(column.hashes_);
    return in.ok();
  }
  // Whether a column read is as large as what its accessors index without checks assume.
  static bool Whole(const Column& column) {
    return column.string_offsets_.size() == column.hashes_.size() + 1 &&
           column.string_offsets_.back() == column.string_bytes_.size() &&
           (column.slots_.empty() || (column.slots_.size() & (column.slots_.size() - 1)) == 0) &&
           (!column.kept_ || column.validity_.size() == (column.size_ + 63) / 64);
  }
};

namespace {

void WriteTable(SnapshotWriter& out, const Table& table) {
  out.U64(table.rows);
  out.U64(table.columns.size());
  for (const Column& column : table.columns) ColumnSnapshot::Write(out, column);
}

bool ReadTable(SnapshotReader& in, Table& table) {
  table.rows = in.U64();
  const uint64_t columns = in.U64();
  if (!in.ok() || columns > 4096) return false;
  table.columns.clear();
  table.columns.reserve(columns);  // the columns do not move while their arrays are copied
  for (uint64_t c = 0; c < columns; ++c) {
    if (!ColumnSnapshot::Read(in, table.columns)) return false;
  }
  return true;
}

bool WholeTable(const Table& table) { return std::all_of(table.columns.begin(), table.columns.end(), ColumnSnapshot::Whole); }

}  // namespace

std::string SnapshotKey(const std::string& source, const DataSchema& schema, const LoadOptions& options) {
  if (IsDatabaseSource(source)) return "";
  std::error_code error;
  const fs::path path = fs::weakly_canonical(fs::absolute(source, error), error);
  if (error) return "";
  // Every file the load may read: the data folder's files (a `source` may name any of them), or
  // the one file.
  std::vector<fs::path> files;
  if (fs::is_directory(path, error)) {
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (entry.is_regular_file(error) && !entry.path().filename().string().starts_with('.')) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  if (error) return "";
  std::string key = fmt::format("{}format {}\nsource {:?}\n", kMagic, kFormat, path.string());
  for (const fs::path& file : files) {
    struct stat info {};
    if (stat(file.c_str(), &info) != 0) return "";
    const auto size = static_cast<uintmax_t>(info.st_size);
    key += fmt::format("file {:?} {} {}.{:09} {}\n", file.filename().string(), size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec,
                       HeadAndTailHash(file, size));
  }
  AppendSchema(key, schema);
  std::vector<std::string> kept = options.kept_columns;
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  key += fmt::format("kept {:?}\n", fmt::join(kept, ","));
  key += fmt::format("bad rows {}\n", options.on_bad_row == OnBadRow::Skip ? "skipped" : "stop the load");
  key += fmt::format("checked {}\n", options.validate_all ? "every column" : "the kept columns");
  return key;
}

std::string DefaultSnapshotFolder(const std::string& source) {
  std::error_code error;
  const fs::path path = fs::absolute(source, error);
  return ((fs::is_directory(path, error) ? path : path.parent_path()) / ".relc-cache").string();
}

std::string SnapshotPath(const std::string& folder, const std::string& key) {
  return (fs::path(folder) / fmt::format("{:016x}.snapshot", HashName(key))).string();
}

bool WriteSnapshot(const std::string& path, const std::string& key, const LoadResult& result, std::string& error) {
  const bool written = WriteSnapshotFile(path, key, [&](SnapshotWriter& out) {
    const CustomerStore& store = *result.store;
    WriteTable(out, store.customers);
    out.U64(store.key_column);
    out.Array(store.event_type);
    out.Array(store.event_time);
    WriteTable(out, store.event_fields);
    out.Array(store.event_offsets);
    out.U64(result.rejected.size());
    for (const BadRow& row : result.rejected) WriteBadRow(out, row);
    out.U64(result.events_for_unknown_customers);
    out.Text(result.first_unknown_customer);
    WriteTexts(out, result.ignored_columns);
    out.U64(result.bytes);
    for (const size_t* count : RowCounts(result.rows)) out.U64(*count);
    WriteTexts(out, result.assumptions);
  }, error);
  if (written) RemoveOldFiles(fs::path(path).parent_path().string(), ".snapshot", kKept);
  return written;
}

std::optional<LoadResult> ReadSnapshot(const std::string& path, const std::string& key, const DataSchema& schema) {
  LoadResult result;
  const bool whole = ReadSnapshotFile(path, key, [&](SnapshotReader& in) {
    CustomerStore& store = result.store.emplace();
    store.schema = schema;
    bool tables = ReadTable(in, store.customers);
    store.key_column = in.U64();
    in.Array(store.event_type);
    in.Array(store.event_time);
    tables = tables && ReadTable(in, store.event_fields);
    in.Array(store.event_offsets);
    result.rejected.resize(std::min<uint64_t>(in.U64(), 1 << 24));
    for (BadRow& row : result.rejected) row = ReadBadRow(in);
    result.events_for_unknown_customers = in.U64();
    result.first_unknown_customer = in.Text();
    result.ignored_columns = ReadTexts(in);
    result.bytes = in.U64();
    for (size_t* count : RowCounts(result.rows)) *count = in.U64();
    result.assumptions = ReadTexts(in);
    return tables && store.key_column < store.customers.columns.size();
  }, [&] {
    // What the accessors index without checks must be as large as they assume.
    const CustomerStore& store = *result.store;
    return WholeTable(store.customers) && WholeTable(store.event_fields) && store.event_offsets.size() == store.customers.rows + 1 &&
           store.event_time.size() == store.event_type.size() && store.event_offsets.back() == store.event_type.size();
  });
  if (!whole) return std::nullopt;
  return result;
}

}  // namespace relc::data
