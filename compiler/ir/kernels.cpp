// The extern "C" kernels compiled code calls (see frame.h). Plain integer arithmetic, no
// undefined behaviour for any input: dates are clamped to a range of +-1 million years.
#include <algorithm>
#include <bit>
#include <cmath>

#include "ir/frame.h"
#include "ir/ir.h"

namespace {

constexpr int64_t kMaxDays = 365'242'500;  // about a million years either way

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t days, int64_t& year, int64_t& month, int64_t& day) {
  days = std::clamp(days, -kMaxDays, kMaxDays) + 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t day_of_era = days - era * 146097;
  int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t mp = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = year_of_era + era * 400 + (month <= 2);
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

extern "C" int64_t relc_calendar(int64_t days, uint8_t field) {
  int64_t year = 0, month = 0, day = 0;
  CivilFromDays(days, year, month, day);
  switch (static_cast<relc::ir::CalendarField>(field)) {
    case relc::ir::CalendarField::Year: return year;
    case relc::ir::CalendarField::Month: return month;
    case relc::ir::CalendarField::Day: return day;
    case relc::ir::CalendarField::DayOfWeek: {
      int64_t clamped = std::clamp(days, -kMaxDays, kMaxDays);
      int64_t weekday = (clamped + 3) % 7;  // 1970-01-01 was a Thursday: 0 = Monday
      return (weekday < 0 ? weekday + 7 : weekday) + 1;
    }
  }
  return 0;
}

extern "C" int64_t relc_days_from_civil(int64_t year, int64_t month, int64_t day) {
  year = std::clamp<int64_t>(year, -1'000'000, 1'000'000) - (month <= 2);
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t year_of_era = year - era * 400;
  int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

extern "C" double relc_random_unit(uint64_t seed, uint64_t customer, uint64_t scenario, uint64_t step, int64_t time) {
  uint64_t h = Mix(seed);
  h = Mix(h ^ customer);
  h = Mix(h ^ scenario);
  h = Mix(h ^ step);
  h = Mix(h ^ static_cast<uint64_t>(time));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

extern "C" int64_t relc_wait_deadline(uint8_t kind, int64_t value, uint8_t valid, int64_t now, int64_t utc_offset) {
  using relc::ir::kNever;
  if (!valid) return kNever;
  int64_t deadline = 0;
  switch (static_cast<relc::ir::WaitKind>(kind)) {
    case relc::ir::WaitKind::Duration: {
      double seconds = std::round(std::bit_cast<double>(value));
      if (!(seconds > -9.2e18 && seconds < 9.2e18)) return kNever;
      if (__builtin_add_overflow(now, static_cast<int64_t>(seconds), &deadline)) return kNever;
      return deadline;
    }
    case relc::ir::WaitKind::UntilDate:  // local midnight of that day
      if (__builtin_mul_overflow(value, int64_t{86400}, &deadline)) return kNever;
      if (__builtin_sub_overflow(deadline, utc_offset, &deadline)) return kNever;
      return deadline;
    case relc::ir::WaitKind::UntilDateTime: return value;
    case relc::ir::WaitKind::UntilTimeOfDay: {  // its next occurrence, local time
      int64_t local = 0;
      if (__builtin_add_overflow(now, utc_offset, &local)) return kNever;
      int64_t day = local / 86400 - (local % 86400 < 0 ? 1 : 0);
      int64_t at = day * 86400 + (value % 1440) * 60;
      if (at <= local && __builtin_add_overflow(at, int64_t{86400}, &at)) return kNever;
      if (__builtin_sub_overflow(at, utc_offset, &deadline)) return kNever;
      return deadline;
    }
  }
  return kNever;
}
