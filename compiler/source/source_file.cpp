#include "source/source_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace relc {
namespace {

bool IsContinuationByte(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// How many of the sorted `offsets` lie in [begin, end).
uint32_t CountBetween(const std::vector<uint32_t>& offsets, uint32_t begin, uint32_t end) {
  return static_cast<uint32_t>(std::lower_bound(offsets.begin(), offsets.end(), end) -
                               std::lower_bound(offsets.begin(), offsets.end(), begin));
}

// Code points in [begin, end): bytes when the text is ASCII (`code_point_offsets` empty).
uint32_t CodePointsBetween(const std::vector<uint32_t>& code_point_offsets, uint32_t begin, uint32_t end) {
  return code_point_offsets.empty() ? end - begin : CountBetween(code_point_offsets, begin, end);
}

}  // namespace

size_t CodePointLength(std::string_view text, size_t at) {
  auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0;
  if (length == 0 || at + length > text.size()) return 1;
  for (size_t i = 1; i < length; ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(text[at + i]))) return 1;
  }
  auto second = static_cast<unsigned char>(text[at + 1]);
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) || (lead == 0xF0 && second < 0x90) ||
      (lead == 0xF4 && second >= 0x90)) {
    return 1;
  }
  return length;
}

std::vector<uint32_t> FindInvalidUtf8(std::string_view text) {
  std::vector<uint32_t> invalid;
  for (size_t at = 0; at < text.size();) {
    size_t length = CodePointLength(text, at);
    if (length == 1 && static_cast<unsigned char>(text[at]) >= 0x80) invalid.push_back(static_cast<uint32_t>(at));
    at += length;
  }
  return invalid;
}

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  // A lone carriage return (old Mac line ends) ends a line, as in every editor: read as a line
  // feed, byte for byte, so that the lexer, diagnostics, the language server and `relc fmt` see
  // the same lines and every offset keeps (fmt then writes line feeds). A CR before LF stays.
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] != '\n')) text_[i] = '\n';
  }
  line_starts_.push_back(0);
  bool ascii = true;
  for (uint32_t i = 0; i < text_.size(); ++i) {
    auto byte = static_cast<unsigned char>(text_[i]);
    if (byte == '\n') line_starts_.push_back(i + 1);
    if (byte >= 0x80) ascii = false;
  }
  if (!ascii) {
    code_point_offsets_.reserve(text_.size() + 1);
    for (size_t at = 0; at < text_.size(); at += CodePointLength(text_, at)) {
      code_point_offsets_.push_back(static_cast<uint32_t>(at));
      if (CodePointLength(text_, at) == 4) astral_offsets_.push_back(static_cast<uint32_t>(at));
    }
    code_point_offsets_.push_back(static_cast<uint32_t>(text_.size()));
  }
}

std::optional<SourceFile> SourceFile::Read(const std::string& path, std::string& error) {
  // Only a regular file of a sensible size: opening a pipe blocks until a writer comes, a device
  // such as /dev/zero never ends, and a folder reads as an empty module.
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  if (S_ISDIR(info.st_mode)) {
    error = "it is a folder, not a file";
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    error = "it is not a regular file (a device, a pipe or a socket)";
    return std::nullopt;
  }
  if (static_cast<uint64_t>(info.st_size) > kMaxBytes) {
    error = "it is larger than a source file may be (" + std::to_string(kMaxBytes >> 20) + " MiB)";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    error = "read failed";
    return std::nullopt;
  }
  return SourceFile(path, contents.str());
}

std::string_view SourceFile::Slice(SourceRange range) const {
  auto begin = std::min<size_t>(range.begin, text_.size());
  auto end = std::clamp<size_t>(range.end, begin, text_.size());
  return std::string_view(text_).substr(begin, end - begin);
}

LineColumn SourceFile::Locate(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto next_line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<uint32_t>(next_line - line_starts_.begin());
  uint32_t start = line_starts_[line - 1];
  // By search, not by counting: a minified line may be megabytes long, with a diagnostic in
  // every few bytes of it.
  return {line, CodePointsBetween(code_point_offsets_, start, offset) + 1};
}

std::string_view SourceFile::LineText(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  std::string_view text = std::string_view(text_).substr(start, end - start);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

uint32_t SourceFile::Utf16Units(uint32_t begin, uint32_t end) const {
  end = std::max(begin, end);
  return CodePointsBetween(code_point_offsets_, begin, end) + CountBetween(astral_offsets_, begin, end);
}

uint32_t SourceFile::OffsetOfCodePoint(size_t code_point_index) const {
  if (code_point_offsets_.empty()) {
    return static_cast<uint32_t>(std::min(code_point_index, text_.size()));
  }
  return code_point_offsets_[std::min(code_point_index, code_point_offsets_.size() - 1)];
}

}  // namespace relc
