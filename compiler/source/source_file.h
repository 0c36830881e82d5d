// A source file held in memory, and positions in it.
//
// Every position in relc is a byte offset into one file's UTF-8 text. Lines and columns are
// derived on demand: lines are 1-based, columns are 1-based and count Unicode code points, so a
// French accent counts as one column, as an editor shows it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relc {

// A half-open byte range [begin, end) in one source file.
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;

  static SourceRange Join(SourceRange first, SourceRange last) { return {first.begin, last.end}; }
  bool operator==(const SourceRange&) const = default;
};

struct LineColumn {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in code points
};

class SourceFile {
 public:
  // `path` is kept as given: diagnostics print it back the way the user wrote it.
  SourceFile(std::string path, std::string text);

  // Reads a file whole; nullopt with `error` set when it cannot be read.
  // The largest source file read: offsets are 32-bit, and no program comes near it.
  static constexpr uint64_t kMaxBytes = uint64_t{64} << 20;
  static std::optional<SourceFile> Read(const std::string& path, std::string& error);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  std::string_view Slice(SourceRange range) const;

  LineColumn Locate(uint32_t offset) const;
  // The text of a 1-based line, without its line terminator.
  std::string_view LineText(uint32_t line) const;
  uint32_t LineStart(uint32_t line) const { return line_starts_[line - 1]; }
  uint32_t LineCount() const { return static_cast<uint32_t>(line_starts_.size()); }

  // ANTLR counts positions in code points; this maps them back to bytes.
  uint32_t OffsetOfCodePoint(size_t code_point_index) const;
  // UTF-16 code units in text[begin, end) (editors count columns so): a code point beyond the
  // BMP is two. By search, in time independent of the distance.
  uint32_t Utf16Units(uint32_t begin, uint32_t end) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  // Empty when the text is pure ASCII (code point index == byte offset).
  std::vector<uint32_t> code_point_offsets_;
  // Where the code points beyond the BMP (4 bytes in UTF-8) start.
  std::vector<uint32_t> astral_offsets_;
};

// Length in bytes of the UTF-8 sequence starting at `text[at]`; 1 for a byte that does not
// start a valid sequence, which then counts as one code point of its own. Every position
// mapping in relc decodes this way, so a file with bad bytes still lines up.
size_t CodePointLength(std::string_view text, size_t at);

// Offsets of the bytes that are not valid UTF-8.
std::vector<uint32_t> FindInvalidUtf8(std::string_view text);

}  // namespace relc
