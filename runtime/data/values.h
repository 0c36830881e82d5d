// Text to typed values, the same for every source (CSV, SQLite, PostgreSQL), strict: a value
// that is not what its column says is a bad row with a reason, never a silent zero.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/store.h"

namespace relc::data {

// Days since 1970-01-01 for a civil date.
int32_t DaysFromCivil(int year, int month, int day);
void CivilFromDays(int32_t days, int& year, int& month, int& day);

// `2026-03-01` or `01/03/2026` (day first, as in France).
bool ParseDate(std::string_view text, int32_t& days);
// A date, optionally with a time: `2026-03-01T09:30`, `2026-03-01 09:30:15`, `01/03/2026 09:30`.
bool ParseDateTime(std::string_view text, int64_t& seconds);

// One parsed value, before it joins its column (a row joins all its columns or none).
struct Value {
  enum class Kind : uint8_t { Null, Int, Double, String } kind = Kind::Null;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view string_value;  // a view into the text parsed
};

// Parses `text` as `type`; an empty text is a null. With `decimal_comma`, `12,50` reads as
// 12.5. Returns false with `reason` if the text is not a valid value of that type.
bool ParseValue(std::string_view text, ColumnType type, bool decimal_comma, Value& value, std::string& reason);

// A decimal number in exact units of 10^-places ("12.5" is 1250 with 2 places), thousands
// grouped or not; more decimals are an error, or with `round_extra` rounded half away from zero.
bool ParseScaled(std::string_view text, bool decimal_comma, int places, bool round_extra, int64_t& scaled,
                 std::string& reason);

// The UTC offsets of an IANA time zone (tzdata) from `from` to `to`, in seconds: the offset at
// `from`, then each change (daylight saving) with the second it takes effect.
std::vector<std::pair<int64_t, int64_t>> TimeZoneChanges(const std::string& zone, int64_t from, int64_t to);
// The offset in force at `time` (UTC seconds), from such a list.
int64_t OffsetAt(const std::vector<std::pair<int64_t, int64_t>>& changes, int64_t time);

// Whether the system's time zone database (tzdata) has this IANA zone name (Europe/Paris).
bool KnownTimeZone(std::string_view name);
void AppendValue(Column& column, const Value& value);

// "2026-03-01" for a day number, "2026-03-01T09:30:00" for seconds.
std::string FormatDate(int32_t days);
std::string FormatDateTime(int64_t seconds);

}  // namespace relc::data
