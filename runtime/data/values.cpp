#include "data/values.h"

#include <fmt/format.h>

#include <filesystem>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <cstdio>

namespace relc::data {
namespace {

bool Digits(std::string_view text, size_t at, size_t count, int& value) {
  if (at + count > text.size()) return false;
  value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

bool ValidDate(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || year < 1 || year > 9999) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= (month == 2 && leap ? 29 : kDays[month - 1]);
}

// The first day of each month of the years exports hold, looked up rather than computed: a
// load converts a date for every event.
constexpr int kFirstTabledYear = 1900, kTabledYears = 300;

struct MonthStarts {
  int32_t days[kTabledYears * 12];
  MonthStarts() {
    for (int y = 0; y < kTabledYears; ++y) {
      for (int m = 0; m < 12; ++m) days[y * 12 + m] = DaysFromCivil(kFirstTabledYear + y, m + 1, 1);
    }
  }
};

int32_t DaysOfDate(int year, int month, int day) {
  static const MonthStarts table;
  const int at = (year - kFirstTabledYear) * 12 + month - 1;
  if (at < 0 || at >= kTabledYears * 12) return DaysFromCivil(year, month, day);
  return table.days[at] + day - 1;
}

// Parses the date at the start of `text`; sets `length` to the characters it took.
bool ParseDatePrefix(std::string_view text, int32_t& days, size_t& length) {
  int year, month, day;
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    if (!Digits(text, 0, 4, year) || !Digits(text, 5, 2, month) || !Digits(text, 8, 2, day)) return false;
  } else if (text.size() >= 10 && text[2] == '/' && text[5] == '/') {
    if (!Digits(text, 0, 2, day) || !Digits(text, 3, 2, month) || !Digits(text, 6, 4, year)) return false;
  } else {
    return false;
  }
  if (!ValidDate(year, month, day)) return false;
  days = DaysOfDate(year, month, day);
  length = 10;
  return true;
}

// A decimal number in exact units of 10^-places: "12", "12.5", "-0,05" (with decimal_comma),
// with thousands grouped as spreadsheets write them: "1,000.50" ("1.000,50" or "1 000,50" with
// decimal_comma), each group after the first of exactly three digits. More decimals than
// `places` are an error, or with `round_extra` rounded half away from zero (a float written by
// a script: 15.299999999999999). `places` is a template parameter: every amount of a load goes
// through here, and a division by a constant costs nothing.
template <int places>
bool ParseScaledAs(std::string_view text, bool decimal_comma, bool round_extra, int64_t& scaled, std::string& reason) {
  constexpr int64_t scale = [] {
    int64_t s = 1;
    for (int p = 0; p < places; ++p) s *= 10;
    return s;
  }();
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  int64_t units = 0;
  size_t digits = 0, group = 0;
  auto is_digit = [&](size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '9'; };
  auto groups_thousands = [&](size_t at) {
    const char c = text[at];
    const bool separator = decimal_comma ? (c == '.' || c == ' ') : c == ',';
    return separator && group >= 1 && group <= 3 && (digits == group || group == 3) && is_digit(at + 1) &&
           is_digit(at + 2) && is_digit(at + 3) && !is_digit(at + 4);
  };
  for (; i < text.size(); ++i) {
    if (digits > 0 && groups_thousands(i)) {
      group = 0;
      continue;
    }
    if (!is_digit(i)) break;
    if (units > 9'000'000'000'000'000 / 10 / scale) {
      reason = places == 2 ? "amount too large" : "number too large";
      return false;
    }
    units = units * 10 + (text[i] - '0');
    ++digits, ++group;
  }
  int64_t fraction = 0;
  int decimals = 0;
  bool round_up = false;
  if (i < text.size() && (text[i] == '.' || (decimal_comma && text[i] == ','))) {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (decimals >= places) {
        if (!round_extra) {
          reason = places == 2 ? "an amount has at most 2 decimals" : fmt::format("a number has at most {} decimals", places);
          return false;
        }
        if (decimals++ == places) round_up = text[i] >= '5';
        continue;
      }
      fraction = fraction * 10 + (text[i] - '0');
      ++decimals;
    }
  }
  if (digits == 0 || i != text.size()) {
    const bool sign = text.find('$') != std::string_view::npos || text.find("\u20AC") != std::string_view::npos ||
                      text.find("\u00A3") != std::string_view::npos;  // $, €, £
    reason = places == 2 ? (sign ? "not an amount (write it without a currency sign: the schema gives the currency)" : "not an amount")
                         : "not a number";
    return false;
  }
  for (int d = std::min(decimals, places); d < places; ++d) fraction *= 10;
  scaled = (units * scale + fraction + (round_up ? 1 : 0)) * (negative ? -1 : 1);
  return true;
}

}  // namespace

bool ParseScaled(std::string_view text, bool decimal_comma, int places, bool round_extra, int64_t& scaled,
                 std::string& reason) {
  switch (places) {
    case 2: return ParseScaledAs<2>(text, decimal_comma, round_extra, scaled, reason);
    case 6: return ParseScaledAs<6>(text, decimal_comma, round_extra, scaled, reason);
    default: reason = "relc reads numbers to 2 or 6 decimals"; return false;
  }
}

namespace {

bool ParseCents(std::string_view text, bool decimal_comma, int64_t& cents, std::string& reason) {
  return ParseScaledAs<2>(text, decimal_comma, false, cents, reason);
}

}  // namespace

int32_t DaysFromCivil(int year, int month, int day) {
  // Howard Hinnant's days_from_civil.
  year -= month <= 2;
  int era = (year >= 0 ? year : year - 399) / 400;
  int yoe = year - era * 400;
  int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int32_t days, int& year, int& month, int& day) {
  days += 719468;
  int era = (days >= 0 ? days : days - 146096) / 146097;
  int doe = days - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2);
}

bool ParseDate(std::string_view text, int32_t& days) {
  size_t length = 0;
  return ParseDatePrefix(text, days, length) && length == text.size();
}

bool ParseDateTime(std::string_view text, int64_t& seconds) {
  int32_t days;
  size_t length;
  if (!ParseDatePrefix(text, days, length)) return false;
  seconds = int64_t{days} * 86400;
  if (length == text.size()) return true;
  if (text[length] != 'T' && text[length] != ' ') return false;
  int hour, minute, second = 0;
  if (!Digits(text, length + 1, 2, hour) || text.size() < length + 6 || text[length + 3] != ':' ||
      !Digits(text, length + 4, 2, minute)) {
    return false;
  }
  size_t end = length + 6;
  if (text.size() > end && text[end] == ':') {
    if (!Digits(text, end + 1, 2, second)) return false;
    end += 3;
  }
  if (end < text.size() && text[end] == 'Z') ++end;
  if (end != text.size() || hour > 23 || minute > 59 || second > 59) return false;
  seconds += hour * 3600 + minute * 60 + second;
  return true;
}

std::vector<std::pair<int64_t, int64_t>> TimeZoneChanges(const std::string& zone, int64_t from, int64_t to) {
  // The C library reads zones through TZ: set for the call, then restored. Callers run before
  // any thread that reads local times starts.
  const char* previous = std::getenv("TZ");
  std::string saved = previous ? previous : "";
  setenv("TZ", zone.c_str(), 1);
  tzset();
  auto offset = [](int64_t time) {
    std::tm local{};
    auto seconds = static_cast<time_t>(time);
    localtime_r(&seconds, &local);
    return static_cast<int64_t>(local.tm_gmtoff);
  };
  std::vector<std::pair<int64_t, int64_t>> changes = {{from, offset(from)}};
  constexpr int64_t kStep = 6 * 3600;
  for (int64_t t = from; t < to; t += kStep) {
    int64_t next = t + kStep;
    int64_t after = offset(next);
    if (after == changes.back().second) continue;
    int64_t low = t, high = next;  // offset(low) is the old one, offset(high) the new
    while (high - low > 1) {
      int64_t middle = low + (high - low) / 2;
      (offset(middle) == after ? high : low) = middle;
    }
    changes.emplace_back(high, after);
  }
  if (previous) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  return changes;
}

int64_t OffsetAt(const std::vector<std::pair<int64_t, int64_t>>& changes, int64_t time) {
  auto after = std::upper_bound(changes.begin(), changes.end(), time,
                                [](int64_t t, const std::pair<int64_t, int64_t>& change) { return t < change.first; });
  return after == changes.begin() ? changes.front().second : std::prev(after)->second;
}

bool KnownTimeZone(std::string_view name) {
  if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/') return false;
  std::error_code error;
  return std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / name, error);
}

namespace {

// Up to eight bytes of a word, the first in the lowest byte.
constexpr uint64_t PackedWord(std::string_view word) {
  uint64_t packed = 0;
  for (size_t i = 0; i < word.size(); ++i) packed |= uint64_t{static_cast<unsigned char>(word[i])} << (8 * i);
  return packed;
}

}  // namespace

bool ParseValue(std::string_view text, ColumnType type, bool decimal_comma, Value& value, std::string& reason) {
  value = Value{};
  if (text.empty()) return true;
  switch (type) {
    case ColumnType::String:
      value.kind = Value::Kind::String;
      value.string_value = text;
      return true;
    case ColumnType::Bool: {
      // The word in lower case, packed in one integer: one compare per spelling.
      uint64_t word = 0;
      for (size_t i = 0; i < text.size() && text.size() <= 5; ++i) {
        const char c = text[i];
        word |= uint64_t{static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c)} << (8 * i);
      }
      value.kind = Value::Kind::Int;
      switch (word) {
        case PackedWord("true"): case PackedWord("1"): case PackedWord("yes"): case PackedWord("oui"): case PackedWord("t"):
          value.int_value = 1;
          return true;
        case PackedWord("false"): case PackedWord("0"): case PackedWord("no"): case PackedWord("non"): case PackedWord("f"):
          value.int_value = 0;
          return true;
        default:
          reason = "not a boolean (true/false, 1/0, yes/no, oui/non)";
          return false;
      }
    }
    case ColumnType::Integer: {
      value.kind = Value::Kind::Int;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value.int_value);
      if (error != std::errc() || end != text.data() + text.size()) {
        reason = "not a whole number";
        return false;
      }
      return true;
    }
    case ColumnType::Decimal:
    case ColumnType::Percentage: {
      std::string copy(text);
      if (decimal_comma) {
        for (char& c : copy) c = c == ',' ? '.' : c;
      }
      if (!copy.empty() && copy.back() == '%') copy.pop_back();
      value.kind = Value::Kind::Double;
      auto [end, error] = std::from_chars(copy.data(), copy.data() + copy.size(), value.double_value);
      if (error != std::errc() || end != copy.data() + copy.size()) {
        reason = "not a number";
        return false;
      }
      return true;
    }
    case ColumnType::Money:
      value.kind = Value::Kind::Int;
      return ParseCents(text, decimal_comma, value.int_value, reason);
    case ColumnType::Date: {
      int32_t days = 0;
      if (!ParseDate(text, days)) {
        reason = "not a date (yyyy-mm-dd or dd/mm/yyyy)";
        return false;
      }
      value.kind = Value::Kind::Int;
      value.int_value = days;
      return true;
    }
    case ColumnType::DateTime: {
      value.kind = Value::Kind::Int;
      if (!ParseDateTime(text, value.int_value)) {
        reason = "not a date and time (yyyy-mm-dd hh:mm[:ss], or a date)";
        return false;
      }
      return true;
    }
  }
  return false;
}

void AppendValue(Column& column, const Value& value) {
  switch (value.kind) {
    case Value::Kind::Null: column.AppendNull(); break;
    case Value::Kind::Int: column.AppendInt(value.int_value); break;
    case Value::Kind::Double: column.AppendDouble(value.double_value); break;
    case Value::Kind::String: column.AppendString(value.string_value); break;
  }
}

std::string FormatDate(int32_t days) {
  int year, month, day;
  CivilFromDays(days, year, month, day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

std::string FormatDateTime(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t rest = seconds - days * 86400;
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "T%02d:%02d:%02d", static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return FormatDate(static_cast<int32_t>(days)) + buffer;
}

}  // namespace relc::data
