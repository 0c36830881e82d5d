// The file format under data snapshots (data/snapshot.h) and the measures cached beside them:
// a key text, then values and arrays, then the sum of the arrays' words and an end mark. A file
// is written whole or not at all (a temporary file renamed) and read only when its key is the
// one asked for, it is whole, and its sum agrees.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "data/store.h"

namespace relc::data {

// The sum of the 8-byte words of `bytes` (the last one zero-padded): a check of the arrays'
// contents that costs nothing beside reading them. Snapshots are not synced to disk (that would
// cost more than the load they save); a crash soon after writing one can leave blocks of zeros
// or of old data, which the sum then tells.
uint64_t SumOfWords(const void* bytes, size_t size);

// Arrays start at multiples of 8 bytes of the file, so that a mapped file's values are aligned.
class SnapshotWriter {
 public:
  explicit SnapshotWriter(FILE* file) : file_(file) {}
  bool ok() const { return ok_; }
  void Bytes(const void* data, size_t size) {
    if (ok_ && size > 0 && std::fwrite(data, 1, size, file_) != size) ok_ = false;
    written_ += size;
  }
  void U64(uint64_t value) { Bytes(&value, sizeof value); }
  void Text(std::string_view text) {
    U64(text.size());
    Bytes(text.data(), text.size());
    Pad();
  }
  template <typename T>
  void Array(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    U64(values.size());
    Bytes(values.data(), values.size() * sizeof(T));
    sum_ += SumOfWords(values.data(), values.size() * sizeof(T));
    Pad();
  }
  uint64_t sum() const { return sum_; }

 private:
  void Pad() {
    static constexpr char kZeros[8] = {};
    Bytes(kZeros, (8 - written_ % 8) % 8);
  }
  FILE* file_;
  size_t written_ = 0;
  uint64_t sum_ = 0;
  bool ok_ = true;
};

class SnapshotReader {
 public:
  SnapshotReader(const char* data, size_t size) : begin_(data), at_(data), end_(data + size) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return at_ == end_; }
  uint64_t sum() const { return sum_; }
  uint64_t U64() {
    uint64_t value = 0;
    if (Have(sizeof value)) std::memcpy(&value, at_, sizeof value);
    at_ += ok_ ? sizeof value : 0;
    return value;
  }
  // Bytes as SnapshotWriter::Bytes wrote them: a value's own, unpadded.
  void Bytes(void* out, size_t size) {
    if (!Have(size)) return;
    std::memcpy(out, at_, size);
    at_ += size;
  }
  std::string Text() {
    const uint64_t size = U64();
    if (!Have(size)) return {};
    std::string text(at_, size);
    at_ += size;
    Skip();
    return text;
  }
  // An array, copied into `values` by CopyArrays (which must run before `values` is read): the
  // arrays of a file are copied on every core, as fresh memory costs the kernel more to give
  // (zeroing its pages) than the copy itself.
  template <typename T>
  void Array(std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    const uint64_t count = U64();
    if (!ok_ || count > static_cast<size_t>(end_ - at_) / sizeof(T)) {
      ok_ = false;
      return;
    }
    const size_t from = static_cast<size_t>(at_ - begin_), bytes = count * sizeof(T);
    copies_.push_back({bytes, [this, &values, from, count]() {
                         const T* first = reinterpret_cast<const T*>(begin_ + from);  // aligned: see SnapshotWriter
                         values.clear();
                         ReserveLarge(values, count);
                         return CopyArray(from, count * sizeof(T), [&](size_t done, size_t block) {
                           values.insert(values.end(), first + done / sizeof(T), first + (done + block) / sizeof(T));
                         });
                       }});
    at_ += bytes;
    Skip();
  }
  // Copies every array read so far, on `threads` threads, and adds their sums.
  void CopyArrays(unsigned threads);

 private:
  struct Copy {
    size_t bytes;
    std::function<uint64_t()> run;  // copies, and returns the sum of the words copied
  };
  // Maps [from, from + bytes) of the file in one call, hands it to `append` a block at a time
  // (summed while in cache), then gives it back: the file never stays whole in memory beside
  // the arrays. Returns the sum.
  uint64_t CopyArray(size_t from, size_t bytes, const std::function<void(size_t done, size_t block)>& append) const;

  bool Have(uint64_t size) {
    ok_ = ok_ && size <= static_cast<uint64_t>(end_ - at_);
    return ok_;
  }
  void Skip() {
    const size_t padding = (8 - static_cast<size_t>(at_ - begin_) % 8) % 8;
    if (Have(padding)) at_ += padding;
  }
  const char* begin_;
  const char* at_;
  const char* end_;
  uint64_t sum_ = 0;
  bool ok_ = true;
  std::vector<Copy> copies_;
};

// Writes `key`, then what `body` writes, then the sum and the end mark, to `path` whole or not
// at all. False, with `error`, when it cannot be written.
bool WriteSnapshotFile(const std::string& path, const std::string& key, const std::function<void(SnapshotWriter&)>& body,
                       std::string& error);

// Reads the file at `path` if it was written under `key`: `body` reads what WriteSnapshotFile's
// body wrote and says whether its layout makes sense; the arrays are then copied, and `check`
// says whether what was read makes sense. True only when all of it holds and the file is whole.
bool ReadSnapshotFile(const std::string& path, const std::string& key, const std::function<bool(SnapshotReader&)>& body,
                      const std::function<bool()>& check);

// Removes all but the newest `kept` files of `folder` whose names end in `extension`.
void RemoveOldFiles(const std::string& folder, std::string_view extension, size_t kept);

}  // namespace relc::data
