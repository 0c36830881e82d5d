#include "data/snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <filesystem>

#include "data/parallel.h"

namespace relc::data {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kEnd = "relc-snapshot-end\n";

}  // namespace

uint64_t SumOfWords(const void* bytes, size_t size) {
  const auto* at = static_cast<const char*>(bytes);
  uint64_t sum = 0, word = 0;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::memcpy(&word, at + i, 8);
    sum += word;
  }
  word = 0;
  if (i < size) std::memcpy(&word, at + i, size - i);  // (an empty array's data may be null)
  return sum + word;
}


bool WriteSnapshotFile(const std::string& path, const std::string& key, const std::function<void(SnapshotWriter&)>& body,
                       std::string& error) {
  const fs::path target(path);
  std::error_code fs_error;
  fs::create_directories(target.parent_path(), fs_error);
  const std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    error = fmt::format("cannot write `{}`: {}", temporary, std::strerror(errno));
    return false;
  }
  SnapshotWriter out(file);
  out.Text(key);
  body(out);
  out.U64(out.sum());
  out.Text(kEnd);  // a file cut short never reads as whole
  const bool written = out.ok() && std::fflush(file) == 0;
  const int saved_errno = errno;
  if (std::fclose(file) != 0 || !written) {
    error = fmt::format("cannot write `{}`: {}", temporary, std::strerror(written ? errno : saved_errno));
    fs::remove(temporary, fs_error);
    return false;
  }
  fs::rename(temporary, target, fs_error);
  if (fs_error) {
    error = fmt::format("cannot write `{}`: {}", path, fs_error.message());
    fs::remove(temporary, fs_error);
    return false;
  }
  return true;
}

uint64_t SnapshotReader::CopyArray(size_t from, size_t bytes, const std::function<void(size_t, size_t)>& append) const {
  const std::string_view file(begin_, static_cast<size_t>(end_ - begin_));
  AdvisePages(file, from & ~size_t{4095}, from + bytes, MADV_POPULATE_READ);
  constexpr size_t kBlock = size_t{64} << 10;  // bytes: a multiple of every value's size
  uint64_t sum = 0;
  for (size_t done = 0; done < bytes; done += kBlock) {
    const size_t block = std::min(kBlock, bytes - done);
    append(done, block);
    sum += SumOfWords(begin_ + from + done, block);
  }
  AdvisePages(file, from, from + bytes, MADV_DONTNEED);
  return sum;
}

void SnapshotReader::CopyArrays(unsigned threads) {
  // The largest first, so that the cores finish together.
  std::stable_sort(copies_.begin(), copies_.end(), [](const Copy& a, const Copy& b) { return a.bytes > b.bytes; });
  std::vector<uint64_t> sums(copies_.size());
  ParallelFor(copies_.size(), threads, [&](size_t i, unsigned) { sums[i] = copies_[i].run(); });
  for (uint64_t sum : sums) sum_ += sum;
  copies_.clear();
}

bool ReadSnapshotFile(const std::string& path, const std::string& key, const std::function<bool(SnapshotReader&)>& body,
                      const std::function<bool()>& check) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  struct stat info {};
  if (fstat(fd, &info) != 0 || info.st_size < 16) {
    close(fd);
    return false;
  }
  const auto size = static_cast<size_t>(info.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) return false;
  SnapshotReader in(static_cast<const char*>(mapped), size);
  bool whole = in.Text() == key && body(in) && in.ok();
  if (whole) in.CopyArrays(ThreadCount(0));
  const uint64_t sum = in.sum();
  whole = whole && in.U64() == sum && in.Text() == kEnd && in.ok() && in.AtEnd() && check();
  munmap(mapped, size);
  return whole;
}

void RemoveOldFiles(const std::string& folder, std::string_view extension, size_t kept) {
  std::error_code error;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().extension() == extension) files.emplace_back(entry.last_write_time(error), entry.path());
  }
  std::sort(files.begin(), files.end(), std::greater<>());
  for (size_t i = kept; i < files.size(); ++i) fs::remove(files[i].second, error);
}

}  // namespace relc::data
