#include "sema/types.h"

#include <array>
#include <vector>

#include "sema/sema.h"

namespace relc::sema {
namespace {

struct DurationUnit {
  std::string_view name;
  double seconds;
};

constexpr double kDay = 86400;

// Months and years are calendar lengths in the simulator; here they only need a size to
// compare durations (`tenure < 1 year`), so the mean Gregorian lengths stand in.
constexpr std::array kDurationUnits = {
    DurationUnit{"min", 60},          DurationUnit{"minute", 60},        DurationUnit{"minutes", 60},
    DurationUnit{"h", 3600},          DurationUnit{"hour", 3600},        DurationUnit{"hours", 3600},
    DurationUnit{"d", kDay},          DurationUnit{"day", kDay},         DurationUnit{"days", kDay},
    DurationUnit{"week", 7 * kDay},   DurationUnit{"weeks", 7 * kDay},   DurationUnit{"month", 30.436875 * kDay},
    DurationUnit{"months", 30.436875 * kDay}, DurationUnit{"year", 365.2425 * kDay},
    DurationUnit{"years", 365.2425 * kDay},
};

// The currencies a marketing team is likely to price in; extend as needed.
constexpr std::array<std::string_view, 24> kCurrencies = {
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "CNY", "SEK", "NOK", "DKK", "PLN",
    "CZK", "HUF", "RON", "BRL", "MXN", "INR", "ZAR", "SGD", "HKD", "NZD", "MAD", "XOF"};

}  // namespace

std::string TypeName(const Type& type) {
  switch (type.kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Bool: return "bool";
    case TypeKind::Integer: return "integer";
    case TypeKind::Decimal: return "decimal";
    case TypeKind::Percentage: return "percentage";
    case TypeKind::Money: return type.currency.empty() ? "money" : "money (" + type.currency + ")";
    case TypeKind::Duration: return "duration";
    case TypeKind::Date: return "date";
    case TypeKind::DateTime: return "datetime";
    case TypeKind::TimeOfDay: return "time of day";
    case TypeKind::String: return "string";
    case TypeKind::Null: return "null";
    case TypeKind::Channel: return "channel";
    case TypeKind::Event: return type.event.empty() ? "event" : "event `" + type.event + "`";
    case TypeKind::Panel: return "panel";
    case TypeKind::Customer: return "customer";
    case TypeKind::Offer: return "offer";
    case TypeKind::Scenario: return "scenario";
    case TypeKind::Step: return "step";
    case TypeKind::Kpi: return "kpi";
    case TypeKind::Range: return "range";
    case TypeKind::List: return "list";
  }
  return "<error>";
}

std::optional<Type> ParseTypeName(std::string_view name, std::string_view unit) {
  if (name == "money") return Type::MoneyIn(std::string(unit));
  if (!unit.empty()) return std::nullopt;
  static const std::array<std::pair<std::string_view, TypeKind>, 19> kNames = {{
      {"bool", TypeKind::Bool},           {"integer", TypeKind::Integer},   {"decimal", TypeKind::Decimal},
      {"percentage", TypeKind::Percentage}, {"duration", TypeKind::Duration}, {"date", TypeKind::Date},
      {"datetime", TypeKind::DateTime},   {"time", TypeKind::TimeOfDay},    {"string", TypeKind::String},
      {"channel", TypeKind::Channel},     {"event", TypeKind::Event},       {"panel", TypeKind::Panel},
      {"offer", TypeKind::Offer},         {"scenario", TypeKind::Scenario}, {"kpi", TypeKind::Kpi},
      {"customer", TypeKind::Customer},   {"step", TypeKind::Step},         {"number", TypeKind::Decimal},
      {"count", TypeKind::Integer},
  }};
  for (const auto& [type_name, kind] : kNames) {
    if (type_name == name) return Type::Of(kind);
  }
  return std::nullopt;
}

std::optional<Unit> ParseUnit(std::string_view unit) {
  for (const auto& duration : kDurationUnits) {
    if (duration.name == unit) return Unit{UnitKind::Duration, duration.seconds, {}};
  }
  for (std::string_view currency : kCurrencies) {
    if (currency == unit) return Unit{UnitKind::Currency, 0, std::string(currency)};
  }
  // `0 money`: an amount in the schema's currency, for code shared between schemas.
  if (unit == "money") return Unit{UnitKind::Currency, 0, ""};
  return std::nullopt;
}

const std::vector<std::string>& KnownUnitNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const auto& duration : kDurationUnits) all.emplace_back(duration.name);
    for (std::string_view currency : kCurrencies) all.emplace_back(currency);
    all.emplace_back("money");
    return all;
  }();
  return names;
}

std::string_view KindWord(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Panel: return "panel";
    case SymbolKind::Offer: return "offer";
    case SymbolKind::Scenario: return "scenario";
    case SymbolKind::Kpi: return "KPI";
    case SymbolKind::Channel: return "channel";
    case SymbolKind::Event: return "event";
    case SymbolKind::Attribute: return "customer attribute";
    case SymbolKind::Measure: return "customer measure";
    case SymbolKind::Metric: return "metric";
    case SymbolKind::Function: return "function";
    case SymbolKind::Parameter: return "parameter";
    case SymbolKind::Step: return "step";
    case SymbolKind::Constant: return "constant";
    case SymbolKind::Model: return "model";
  }
  return "name";
}

}  // namespace relc::sema
