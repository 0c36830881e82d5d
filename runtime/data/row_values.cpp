#include "data/row_values.h"

#include <fmt/format.h>

#include <algorithm>

#include "data/values.h"

namespace relc::data {
namespace {

// Products and quotients of millionths before they are scaled back.
__extension__ typedef __int128 Wide;

// Tables' times are read between these years; the zone's changes are listed over them.
constexpr int64_t kZoneFrom = -2208988800;  // 1900-01-01
constexpr int64_t kZoneTo = 4102444800;     // 2100-01-01

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

// Reads up to `most` digits (at least one) at `at`.
bool ReadNumber(std::string_view text, size_t& at, int most, int& value) {
  size_t start = at;
  value = 0;
  while (at < text.size() && at - start < static_cast<size_t>(most) && text[at] >= '0' && text[at] <= '9') {
    value = value * 10 + (text[at++] - '0');
  }
  return at > start;
}

// `text` by a strptime-like format: %Y %y %m %d %H %M %S %b, a space for any blanks, other
// characters as written; numbers may drop their leading zero (12/1/2010 8:26).
bool ParseWithFormat(std::string_view text, std::string_view format, int64_t& local) {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  size_t at = 0;
  for (size_t f = 0; f < format.size(); ++f) {
    if (format[f] == ' ') {
      while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
      continue;
    }
    if (format[f] != '%' || f + 1 == format.size()) {
      if (at >= text.size() || text[at] != format[f]) return false;
      ++at;
      continue;
    }
    switch (format[++f]) {
      case 'Y': if (!ReadNumber(text, at, 4, year)) return false; break;
      case 'y': if (!ReadNumber(text, at, 2, year)) return false; year += year < 70 ? 2000 : 1900; break;
      case 'm': if (!ReadNumber(text, at, 2, month)) return false; break;
      case 'd': if (!ReadNumber(text, at, 2, day)) return false; break;
      case 'H': if (!ReadNumber(text, at, 2, hour)) return false; break;
      case 'M': if (!ReadNumber(text, at, 2, minute)) return false; break;
      case 'S': if (!ReadNumber(text, at, 2, second)) return false; break;
      case 'b': {
        if (at + 3 > text.size()) return false;
        std::string name;
        for (size_t i = 0; i < 3; ++i) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[at + i]))));
        auto it = std::find(std::begin(kMonths), std::end(kMonths), name);
        if (it == std::end(kMonths)) return false;
        month = static_cast<int>(it - std::begin(kMonths)) + 1;
        at += 3;
        break;
      }
      case '%': if (at >= text.size() || text[at++] != '%') return false; break;
      default: return false;
    }
  }
  if (at != text.size() || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  int32_t days = DaysFromCivil(year, month, day);
  int check_year, check_month, check_day;
  CivilFromDays(days, check_year, check_month, check_day);
  if (check_month != month || check_day != day) return false;  // 31/02
  local = int64_t{days} * 86400 + hour * 3600 + minute * 60 + second;
  return true;
}

std::string FormatMicros(int64_t micros) {
  std::string sign = micros < 0 ? "-" : "";
  uint64_t magnitude = micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::string text = fmt::format("{}{}.{:06}", sign, magnitude / kMicros, magnitude % kMicros);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

bool TextOf(const Cell& cell, std::string& out) {
  switch (cell.kind) {
    case Cell::Kind::Null: out.clear(); return true;
    case Cell::Kind::Text: out = cell.text; return true;
    case Cell::Kind::Number: out = FormatMicros(cell.micros); return true;
    case Cell::Kind::Bool: out = cell.truth ? "true" : "false"; return true;
    case Cell::Kind::Time: out = FormatDateTime(cell.local); return true;
  }
  return false;
}

bool Truth(const Cell& cell) { return cell.kind == Cell::Kind::Bool ? cell.truth : cell.kind != Cell::Kind::Null; }

}  // namespace

RowReader::RowReader(const TableDescription& table, std::vector<std::string> header)
    : table_(table), header_(std::move(header)) {
  if (!table.time_zone.empty()) zone_changes_ = TimeZoneChanges(table.time_zone, kZoneFrom, kZoneTo);
}

int RowReader::ColumnIndex(const std::string& name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string RowReader::ClosestColumn(const std::string& name) const {
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::erase_if(text, [](char c) { return c == '_' || c == ' '; });
    return text;
  };
  for (const std::string& column : header_) {
    if (lower(column) == lower(name)) return column;
  }
  return "";
}

bool RowReader::Number(std::string_view text, const std::string& column, Cell& out, RowError& error) const {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) {
    out = Cell{};
    return true;
  }
  std::string reason;
  out = Cell{};
  out.kind = Cell::Kind::Number;
  if (!ParseScaled(text, table_.decimal == ',', 6, true, out.micros, reason)) {
    error = {column, fmt::format("`{}` is {}", text, reason)};
    return false;
  }
  return true;
}

bool RowReader::Time(std::string_view text, const std::string& column, Cell& out, RowError& error) const {
  out = Cell{};
  if (text.empty()) return true;
  int64_t local = 0;
  bool ok = table_.time_format.empty() ? ParseDateTime(text, local) : ParseWithFormat(text, table_.time_format, local);
  if (!ok) {
    error = {column, table_.time_format.empty()
                         ? fmt::format("`{}` is not a date and time (yyyy-mm-dd hh:mm, or say the table's `time_format`)", text)
                         : fmt::format("`{}` does not match the time format `{}`", text, table_.time_format)};
    return false;
  }
  out.kind = Cell::Kind::Time;
  out.local = local;
  out.seconds = local;
  if (!zone_changes_.empty()) {
    // The offset in force at the wall-clock time: the offset before a change, then checked
    // at the instant it gives (a time in the hour that summer time skips takes the later offset).
    int64_t offset = OffsetAt(zone_changes_, local);
    int64_t utc = local - offset;
    int64_t actual = OffsetAt(zone_changes_, utc);
    out.seconds = actual == offset ? utc : local - actual;
  }
  return true;
}

bool RowReader::Render(const Cell& cell, ColumnType type, const std::string& field, std::string& out, RowError& error) const {
  out.clear();
  if (cell.kind == Cell::Kind::Null) return true;
  Cell value = cell;
  switch (type) {
    case ColumnType::Integer:
    case ColumnType::Decimal:
    case ColumnType::Percentage:
    case ColumnType::Money: {
      if (value.kind == Cell::Kind::Text && !Number(std::string(cell.text), field, value, error)) return false;
      if (value.kind == Cell::Kind::Bool) value.micros = value.truth ? kMicros : 0;
      if (value.kind == Cell::Kind::Time) {
        error = {field, "a date is not a number"};
        return false;
      }
      if (value.kind == Cell::Kind::Null) return true;
      if (type == ColumnType::Integer) {
        if (value.micros % kMicros != 0) {
          error = {field, fmt::format("`{}` is not a whole number", FormatMicros(value.micros))};
          return false;
        }
        out = std::to_string(value.micros / kMicros);
        return true;
      }
      if (type != ColumnType::Money) {
        out = FormatMicros(value.micros);
        return true;
      }
      constexpr int64_t kPerCent = kMicros / 100;
      int64_t cents = value.micros / kPerCent, rest = value.micros % kPerCent;
      if (rest != 0) {
        if (table_.round.empty()) {
          error = {field, fmt::format("the amount {} has more than 2 decimals (say `round = \"half_up\"` in table `{}` to "
                                      "round it to the cent)",
                                      FormatMicros(value.micros), table_.name)};
          return false;
        }
        const int64_t twice = 2 * (rest < 0 ? -rest : rest);
        const bool away = twice > kPerCent || (twice == kPerCent && (table_.round == "half_up" || (cents % 2 != 0)));
        if (away) cents += rest < 0 ? -1 : 1;
      }
      out = fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", (cents < 0 ? -cents : cents) / 100, (cents < 0 ? -cents : cents) % 100);
      return true;
    }
    case ColumnType::Date:
    case ColumnType::DateTime: {
      if (value.kind == Cell::Kind::Text && !Time(std::string(cell.text), field, value, error)) return false;
      if (value.kind == Cell::Kind::Null) return true;
      if (value.kind != Cell::Kind::Time) {
        error = {field, "not a date"};
        return false;
      }
      auto days = static_cast<int32_t>((value.local >= 0 ? value.local : value.local - 86399) / 86400);
      out = type == ColumnType::Date ? FormatDate(days) : FormatDateTime(value.seconds);
      return true;
    }
    case ColumnType::Bool:
      if (value.kind == Cell::Kind::Number) {
        out = value.micros != 0 ? "true" : "false";
        return true;
      }
      return TextOf(value, out);
    case ColumnType::String:
      return TextOf(value, out);
  }
  return false;
}

bool RowEvaluator::Compare(const Cell& left, const Cell& right, int& order, RowError& error) const {
  if (left.kind != right.kind) {
    error = {"", "cannot compare a number with a text"};
    return false;
  }
  switch (left.kind) {
    case Cell::Kind::Number: order = left.micros < right.micros ? -1 : left.micros > right.micros; return true;
    case Cell::Kind::Time: order = left.seconds < right.seconds ? -1 : left.seconds > right.seconds; return true;
    case Cell::Kind::Bool: order = static_cast<int>(left.truth) - static_cast<int>(right.truth); return true;
    default: order = left.text.compare(right.text); order = order < 0 ? -1 : order > 0; return true;
  }
}

bool RowEvaluator::Evaluate(const RowExpr& expr, const std::vector<std::string_view>& row, const GroupState* group, Cell& out,
                            RowError& error) const {
  using Op = RowExpr::Op;
  out = Cell{};
  auto arg = [&](size_t i, Cell& value) { return Evaluate(expr.args[i], row, group, value, error); };
  auto number = [&](size_t i, Cell& value) {
    if (!arg(i, value)) return false;
    if (value.kind == Cell::Kind::Text) {
      const std::string column = expr.args[i].op == Op::Column ? expr.args[i].text : "";
      std::string text = value.text;
      return reader_.Number(text, column, value, error);
    }
    if (value.kind == Cell::Kind::Number || value.kind == Cell::Kind::Null) return true;
    error = {"", "not a number"};
    return false;
  };
  switch (expr.op) {
    case Op::Column: {
      std::string_view text = static_cast<size_t>(expr.field) < row.size() ? row[static_cast<size_t>(expr.field)] : "";
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.empty()) return true;
      out.kind = Cell::Kind::Text;
      out.text = std::string(text);
      return true;
    }
    case Op::Text: out.kind = Cell::Kind::Text; out.text = expr.text; return true;
    case Op::Number: return reader_.Number(expr.text, "", out, error);
    case Op::Bool: out.kind = Cell::Kind::Bool; out.truth = expr.text == "true"; return true;
    case Op::Null: return true;
    case Op::Negate: {
      if (!number(0, out)) return false;
      out.micros = -out.micros;
      return true;
    }
    case Op::Not: {
      Cell value;
      if (!arg(0, value)) return false;
      out.kind = Cell::Kind::Bool;
      out.truth = !Truth(value);
      return true;
    }
    case Op::IsNull:
    case Op::IsNotNull: {
      Cell value;
      if (!arg(0, value)) return false;
      out.kind = Cell::Kind::Bool;
      out.truth = (value.kind == Cell::Kind::Null) == (expr.op == Op::IsNull);
      return true;
    }
    case Op::Add: case Op::Subtract: case Op::Multiply: case Op::Divide: {
      Cell left, right;
      if (!number(0, left) || !number(1, right)) return false;
      if (left.kind == Cell::Kind::Null || right.kind == Cell::Kind::Null) return true;  // a missing value stays missing
      Wide result = 0;
      if (expr.op == Op::Add) result = Wide{left.micros} + right.micros;
      if (expr.op == Op::Subtract) result = Wide{left.micros} - right.micros;
      if (expr.op == Op::Multiply) {
        Wide product = Wide{left.micros} * right.micros;
        result = (product + (product < 0 ? -kMicros / 2 : kMicros / 2)) / kMicros;
      }
      if (expr.op == Op::Divide) {
        if (right.micros == 0) {
          error = {"", "division by zero"};
          return false;
        }
        Wide scaled = Wide{left.micros} * kMicros;
        Wide half = (right.micros < 0 ? -right.micros : right.micros) / 2;
        result = (scaled + ((scaled < 0) != (right.micros < 0) ? -half : half)) / right.micros;
      }
      if (result > INT64_MAX / 2 || result < INT64_MIN / 2) {
        error = {"", "number too large"};
        return false;
      }
      out.kind = Cell::Kind::Number;
      out.micros = static_cast<int64_t>(result);
      return true;
    }
    case Op::Less: case Op::LessEqual: case Op::Greater: case Op::GreaterEqual: case Op::Equal: case Op::NotEqual: {
      Cell left, right;
      if (!arg(0, left) || !arg(1, right)) return false;
      out.kind = Cell::Kind::Bool;
      if (left.kind == Cell::Kind::Null || right.kind == Cell::Kind::Null) {
        out.truth = expr.op == Op::NotEqual ? left.kind != right.kind : expr.op == Op::Equal && left.kind == right.kind;
        return true;
      }
      // A text beside a number is read as a number (`Quantity < 0`).
      if (left.kind == Cell::Kind::Text && right.kind == Cell::Kind::Number && !number(0, left)) return false;
      if (right.kind == Cell::Kind::Text && left.kind == Cell::Kind::Number && !number(1, right)) return false;
      int order = 0;
      if (!Compare(left, right, order, error)) return false;
      switch (expr.op) {
        case Op::Less: out.truth = order < 0; break;
        case Op::LessEqual: out.truth = order <= 0; break;
        case Op::Greater: out.truth = order > 0; break;
        case Op::GreaterEqual: out.truth = order >= 0; break;
        case Op::Equal: out.truth = order == 0; break;
        default: out.truth = order != 0; break;
      }
      return true;
    }
    case Op::And: case Op::Or: {
      Cell left;
      if (!arg(0, left)) return false;
      out.kind = Cell::Kind::Bool;
      if (Truth(left) == (expr.op == Op::Or)) {
        out.truth = Truth(left);
        return true;
      }
      Cell right;
      if (!arg(1, right)) return false;
      out.truth = Truth(right);
      return true;
    }
    case Op::In: case Op::NotIn: {
      Cell value;
      if (!arg(0, value)) return false;
      bool found = false;
      for (size_t i = 1; i < expr.args.size() && !found; ++i) {
        Cell candidate;
        if (!arg(i, candidate)) return false;
        std::string a, b;
        TextOf(value, a);
        TextOf(candidate, b);
        found = value.kind != Cell::Kind::Null && a == b;
      }
      out.kind = Cell::Kind::Bool;
      out.truth = found == (expr.op == Op::In);
      return true;
    }
    case Op::If: {
      Cell condition;
      if (!arg(0, condition)) return false;
      return arg(Truth(condition) ? 1 : 2, out);
    }
    case Op::StartsWith: case Op::EndsWith: case Op::Contains: {
      Cell text, part;
      if (!arg(0, text) || !arg(1, part)) return false;
      std::string a, b;
      TextOf(text, a);
      TextOf(part, b);
      out.kind = Cell::Kind::Bool;
      out.truth = expr.op == Op::StartsWith ? a.starts_with(b) : expr.op == Op::EndsWith ? a.ends_with(b) : a.find(b) != std::string::npos;
      return true;
    }
    default: {
      // A group function: its running value.
      if (group == nullptr) {
        error = {"", "a group function outside a group"};
        return false;
      }
      const auto& functions = *group->functions;
      auto at = std::find(functions.begin(), functions.end(), &expr);
      const Running& running = group->running[static_cast<size_t>(at - functions.begin())];
      if (expr.op == Op::Count) {
        out.kind = Cell::Kind::Number;
        out.micros = running.count * kMicros;
        return true;
      }
      if (expr.op == Op::MostFrequent) {
        // The commonest value; between equals, the first seen.
        const std::pair<const std::string, std::pair<int64_t, int64_t>>* best = nullptr;
        for (const auto& entry : running.counts) {
          if (best == nullptr || entry.second.first > best->second.first ||
              (entry.second.first == best->second.first && entry.second.second < best->second.second)) {
            best = &entry;
          }
        }
        if (best != nullptr) {
          out.kind = Cell::Kind::Text;
          out.text = best->first;
        }
        return true;
      }
      if (running.seen) out = running.value;
      return true;
    }
  }
}

bool RowEvaluator::Accumulate(const std::vector<const RowExpr*>& functions, const std::vector<std::string_view>& row,
                              GroupState& group, RowError& error) const {
  using Op = RowExpr::Op;
  // Every value first, then the running values: a bad cell leaves the group as it was.
  std::vector<Cell> values(functions.size());
  for (size_t f = 0; f < functions.size(); ++f) {
    const RowExpr& function = *functions[f];
    if (function.op == Op::Count) continue;
    Cell& value = values[f];
    if (!Evaluate(function.args[0], row, nullptr, value, error)) return false;
    const std::string column = function.args[0].op == Op::Column ? function.args[0].text : "";
    const bool numeric = function.op == Op::Sum || function.as == RowExpr::As::Number;
    if (numeric && value.kind == Cell::Kind::Text && !reader_.Number(std::string(value.text), column, value, error)) return false;
    if (function.as == RowExpr::As::Time && value.kind == Cell::Kind::Text && !reader_.Time(std::string(value.text), column, value, error)) {
      return false;
    }
    if (function.op == Op::Sum && value.kind != Cell::Kind::Number && value.kind != Cell::Kind::Null) {
      error = {column, "sum() adds numbers"};
      return false;
    }
    Running& running = group.running[f];
    if ((function.op == Op::Min || function.op == Op::Max) && running.seen && value.kind != Cell::Kind::Null) {
      int order = 0;
      if (!Compare(value, running.value, order, error)) return false;
    }
  }
  for (size_t f = 0; f < functions.size(); ++f) {
    const RowExpr& function = *functions[f];
    Running& running = group.running[f];
    ++running.count;
    const Cell& value = values[f];
    if (function.op == Op::Count || value.kind == Cell::Kind::Null) continue;  // as SQL: a missing value is not counted
    switch (function.op) {
      case Op::Sum:
        if (!running.seen) {
          running.value = value;
        } else {
          running.value.micros += value.micros;
        }
        break;
      case Op::Min: case Op::Max: {
        int order = 0;
        if (running.seen) Compare(value, running.value, order, error);
        if (!running.seen || (function.op == Op::Min ? order < 0 : order > 0)) running.value = value;
        break;
      }
      case Op::First:
        if (!running.seen) running.value = value;
        break;
      case Op::Last:
        running.value = value;
        break;
      case Op::MostFrequent: {
        std::string text;
        TextOf(value, text);
        auto [entry, added] = running.counts.try_emplace(text, 0, running.count);
        ++entry->second.first;
        break;
      }
      default:
        break;
    }
    running.seen = true;
  }
  return true;
}

}  // namespace relc::data
