#include "data/csv_split.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "data/load.h"
#include "distribute/distribute.h"

namespace relc::data {
namespace {

// The bytes of records a process sends per round (what it holds of the file at a time), and
// those it scans at a time for the lines of its share.
constexpr size_t kRoundBytes = size_t{8} << 20, kScanBytes = size_t{16} << 20;

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

void WriteBlankLines(FILE* file, size_t count) {
  static const std::string kBlank(4096, '\n');
  for (; count > 0; count -= std::min(count, kBlank.size())) std::fwrite(kBlank.data(), 1, std::min(count, kBlank.size()), file);
}

// What one sender's records became: its temporary file and the lines they span.
struct FromSender {
  File file{nullptr, std::fclose};
  size_t first_line = 0, end_line = 0;  // end: the line after the last record
};

}  // namespace

std::optional<std::string> OwnRecordsOfCsv(std::string_view text, const CsvReader& header, int id_field, int rank, int ranks) {
  const size_t body = header.position(), count = static_cast<size_t>(ranks), me = static_cast<size_t>(rank);
  // Each process's bytes, from a line's start.
  std::vector<size_t> cuts(count + 1, text.size());
  cuts[0] = body;
  for (size_t r = 1; r < count; ++r) {
    const size_t at = std::max(cuts[r - 1], body + (text.size() - body) / count * r);
    const void* line_break = at < text.size() ? std::memchr(text.data() + at, '\n', text.size() - at) : nullptr;
    cuts[r] = line_break ? static_cast<size_t>(static_cast<const char*>(line_break) - text.data()) + 1 : text.size();
  }
  const std::string_view mine = text.substr(cuts[me], cuts[me + 1] - cuts[me]);
  // Its lines, and whether it ends inside quotes; its pages given back as soon as scanned (and
  // again as each round is sent), so that the file never stays in memory beside the store.
  size_t lines = 0;
  bool quoted = false;
  for (size_t at = 0; at < mine.size();) {
    const void* line_break = at + kScanBytes < mine.size() ? std::memchr(mine.data() + at + kScanBytes, '\n', mine.size() - at - kScanBytes)
                                                           : nullptr;
    const size_t end = line_break ? static_cast<size_t>(static_cast<const char*>(line_break) - mine.data()) + 1 : mine.size();
    AdvisePages(text, cuts[me] + at, cuts[me] + end, MADV_POPULATE_READ);
    lines += CountByte(mine.substr(at, end - at), '\n');
    quoted = EndsInsideQuotes(mine.substr(at, end - at), quoted, header.separator());
    AdvisePages(text, cuts[me] + at, cuts[me] + end, MADV_DONTNEED);
    at = end;
  }
  distribute::Packer shape;
  shape.Int(static_cast<int64_t>(lines));
  shape.Int(quoted);
  size_t first_line = header.line() + 1;
  bool cut_in_quotes = false;
  const std::vector<std::string> shapes = distribute::GatherAll(shape.bytes());
  for (size_t r = 0; r < count; ++r) {
    distribute::Unpacker in(shapes[r]);
    const auto their_lines = static_cast<size_t>(in.Int());
    cut_in_quotes = cut_in_quotes || (in.Int() != 0 && r + 1 < count);
    if (r < me) first_line += their_lines;
  }
  if (cut_in_quotes) return std::nullopt;

  // Rounds: every process sends up to kRoundBytes of its records, and appends what it receives
  // to a file per sender (each sender's records come in the file's order), until all are done.
  std::vector<FromSender> senders(count);
  bool files_ok = true;
  for (FromSender& sender : senders) {
    sender.file.reset(std::tmpfile());
    files_ok = files_ok && sender.file != nullptr;
  }
  CsvReader reader(mine, header.separator(), first_line);
  std::vector<std::string_view> fields;
  std::string error;
  size_t start = 0;
  bool done = false;
  while (true) {
    std::vector<distribute::Packer> outgoing(count);
    for (size_t sent = 0; !done && sent < kRoundBytes;) {
      error.clear();
      const bool read = reader.Next(fields, error);
      if (!read && error.empty()) {
        done = true;
        break;
      }
      std::string_view record = mine.substr(start, reader.position() - start);
      start = reader.position();
      while (!record.empty() && (record.front() == '\n' || record.front() == '\r')) record.remove_prefix(1);
      // A record too short to hold an id, or unreadable, goes where the empty id goes: that
      // process's reader rejects it as one process would.
      const std::string_view id = read && fields.size() > static_cast<size_t>(id_field) ? fields[static_cast<size_t>(id_field)] : "";
      distribute::Packer& to = outgoing[static_cast<size_t>(OwnerOf(id, ranks))];
      to.Int(static_cast<int64_t>(reader.line()));
      to.Text(record);
      sent += record.size() + 16;
    }
    AdvisePages(text, cuts[me], cuts[me] + start, MADV_DONTNEED);
    std::vector<std::string> parcels;
    for (distribute::Packer& to : outgoing) parcels.push_back(std::move(to.bytes()));
    parcels = distribute::Exchange(parcels);
    for (size_t p = 0; p < count && files_ok; ++p) {
      FromSender& sender = senders[p];
      distribute::Unpacker in(parcels[p]);
      while (!in.done()) {
        const auto line = static_cast<size_t>(in.Int());
        std::string record = in.Text();
        if (record.empty() || record.back() != '\n') record += '\n';
        if (sender.end_line == 0) sender.first_line = line;
        WriteBlankLines(sender.file.get(), sender.end_line == 0 ? 0 : line - sender.end_line);
        std::fwrite(record.data(), 1, record.size(), sender.file.get());
        sender.end_line = line + CountByte(record, '\n');
      }
    }
    if (distribute::AllTrue(done)) break;
  }
  // The header, then each sender's records in turn, blank lines between.
  const char* folder = std::getenv("TMPDIR");
  std::string path = fmt::format("{}/relc-part-XXXXXX", folder != nullptr && *folder != '\0' ? folder : "/tmp");
  const int fd = files_ok ? mkstemp(path.data()) : -1;
  File out(fd >= 0 ? fdopen(fd, "w") : nullptr, std::fclose);
  bool ok = out != nullptr && std::fwrite(text.data(), 1, body, out.get()) == body;
  size_t line = header.line() + 1;
  std::vector<char> buffer(size_t{1} << 20);
  for (FromSender& sender : senders) {
    if (!ok || sender.end_line == 0) continue;
    WriteBlankLines(out.get(), sender.first_line - line);
    std::rewind(sender.file.get());
    for (size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), sender.file.get())) > 0;) {
      ok = ok && std::fwrite(buffer.data(), 1, n, out.get()) == n;
    }
    line = sender.end_line;
    sender.file.reset();
  }
  ok = ok && std::fflush(out.get()) == 0 && !std::ferror(out.get());
  out.reset();
  if (!ok) {
    // No room for it: this process reads the whole file instead, with the same result.
    if (fd >= 0) unlink(path.c_str());
    return std::nullopt;
  }
  return path;
}

}  // namespace relc::data
