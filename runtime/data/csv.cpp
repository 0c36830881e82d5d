#include "data/csv.h"

#include <cstring>

namespace relc::data {

CsvReader::CsvReader(std::string_view text) : text_(text), structure_(text, ',', '\n', '\r', '"') {
  if (text_.starts_with("\xEF\xBB\xBF")) position_ = 3;
  size_t header_end = text_.find('\n', position_);
  std::string_view header = text_.substr(position_, header_end == std::string_view::npos ? text_.npos : header_end - position_);
  size_t commas = 0, semicolons = 0;
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    if (!quoted) {
      commas += c == ',';
      semicolons += c == ';';
    }
  }
  separator_ = semicolons > commas ? ';' : ',';
  structure_ = ByteFinder(text_, separator_, '\n', '\r', '"');
}

bool CsvReader::NextPlain(std::vector<std::string_view>& fields) {
  const char* data = text_.data();
  size_t start = position_;
  while (true) {
    const size_t at = structure_.Next(start);
    if (at < text_.size() && data[at] == separator_) {
      fields.emplace_back(data + start, at - start);
      start = at + 1;
      continue;
    }
    if (at < text_.size() && data[at] != '\n') {  // a quote or a carriage return
      fields.clear();
      return false;
    }
    fields.emplace_back(data + start, at - start);
    raw_ = text_.substr(position_, at - position_);
    record_line_ = line_;
    if (at < text_.size()) ++line_;
    position_ = std::min(at + 1, text_.size());
    return true;
  }
}

bool CsvReader::Next(std::vector<std::string_view>& fields, std::string& error) {
  fields.clear();
  size_t used_storage = 0;
  // Skip blank lines between records.
  while (position_ < text_.size() && (text_[position_] == '\n' || text_[position_] == '\r')) {
    if (text_[position_] == '\n') ++line_;
    ++position_;
  }
  if (position_ >= text_.size()) return false;
  if (NextPlain(fields)) return true;
  record_line_ = line_;
  size_t record_start = position_;
  const char* data = text_.data();
  const size_t size = text_.size();

  while (true) {
    if (position_ < size && data[position_] == '"') {
      // Quoted: up to the closing quote, `""` standing for one quote.
      ++position_;
      if (used_storage == unquoted_.size()) unquoted_.emplace_back();
      std::string& value = unquoted_[used_storage++];
      value.clear();
      while (true) {
        const void* quote = std::memchr(data + position_, '"', size - position_);
        if (quote == nullptr) {
          error_field_ = fields.size() + 1;
          error = "a quoted field is never closed";
          raw_ = text_.substr(record_start);
          position_ = size;
          return false;
        }
        size_t at = static_cast<size_t>(static_cast<const char*>(quote) - data);
        for (size_t i = position_; i < at; ++i) line_ += data[i] == '\n';
        value.append(data + position_, at - position_);
        position_ = at + 1;
        if (position_ < size && data[position_] == '"') {
          value.push_back('"');
          ++position_;
          continue;
        }
        break;
      }
      fields.emplace_back(value);
      if (position_ < size && data[position_] != separator_ && data[position_] != '\n' && data[position_] != '\r') {
        error_field_ = fields.size();
        error = "text after the closing quote of a field";
        size_t end = text_.find('\n', position_);
        position_ = end == std::string_view::npos ? size : end;
        raw_ = text_.substr(record_start, position_ - record_start);
        return false;
      }
    } else {
      size_t start = position_;
      while (position_ < size && data[position_] != separator_ && data[position_] != '\n') ++position_;
      size_t end = position_;
      if (end > start && data[end - 1] == '\r' && (position_ == size || data[position_] == '\n')) --end;
      fields.emplace_back(data + start, end - start);
    }
    if (position_ < size && data[position_] == separator_) {
      ++position_;
      continue;
    }
    // End of record: a line break (possibly \r\n) or the end of the text.
    size_t record_end = position_;
    if (position_ < size && data[position_] == '\r') ++position_;
    if (position_ < size && data[position_] == '\n') {
      ++position_;
      ++line_;
    }
    raw_ = text_.substr(record_start, record_end - record_start);
    return true;
  }
}

// Only quotes, separators and line breaks matter: a quote opens a field only at its start
// (elsewhere it is text), `""` inside stands for one, and text after a closing quote is an error
// that skips to the line's end.
bool EndsInsideQuotes(std::string_view text, bool starts_quoted, char separator) {
  // Without a quote the state never changes between quoted and not: most exports have none.
  if (text.find('"') == std::string_view::npos) return starts_quoted;
  enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted, SkipLine };
  State state = starts_quoted ? State::Quoted : State::FieldStart;
  for (char c : text) {
    switch (state) {
      case State::FieldStart:
        state = c == '"' ? State::Quoted : c == separator || c == '\n' ? State::FieldStart : State::Unquoted;
        break;
      case State::Unquoted:
        if (c == separator || c == '\n') state = State::FieldStart;
        break;
      case State::Quoted:
        if (c == '"') state = State::QuoteInQuoted;
        break;
      case State::QuoteInQuoted:
        state = c == '"' ? State::Quoted : c == separator || c == '\n' ? State::FieldStart : c == '\r' ? State::Unquoted : State::SkipLine;
        break;
      case State::SkipLine:
        if (c == '\n') state = State::FieldStart;
        break;
    }
  }
  return state == State::Quoted;
}

}  // namespace relc::data
