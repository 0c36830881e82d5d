// relc's types, with units.
//
// Quantities carry their dimension in the type (a duration, an amount of money in one
// currency, a share), so that `money + duration`, `EUR + USD` or `recency > 50 EUR` are caught
// before anything runs. See docs/language.md, "Types and units".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relc::sema {

enum class TypeKind {
  Error,       // already reported; silences follow-on errors
  Bool,
  Integer,     // counts: frequency, sent
  Decimal,     // plain numbers and ratios: converted / sent
  Percentage,  // 20%
  Money,       // 15 EUR; `currency` says which
  Duration,    // 30 days
  Date,
  DateTime,
  TimeOfDay,
  String,
  Null,
  Channel,     // email, sms...
  Event,       // an event type: purchase; also a stream of that customer's events
  Panel,       // a set of customers
  Customer,    // the customer a condition is about
  Offer,
  Scenario,
  Step,        // a labelled step, in opened(first)
  Kpi,
  Range,       // 21:00..08:00
  List,
};

struct Type {
  TypeKind kind = TypeKind::Error;
  std::string currency;  // Money only: "EUR"
  // Event only: the event's name, so that `purchase.amount` can find the field.
  std::string event;

  static Type Of(TypeKind kind) { return Type{kind, {}, {}}; }
  static Type MoneyIn(std::string currency) { return Type{TypeKind::Money, std::move(currency), {}}; }
  static Type EventNamed(std::string name) { return Type{TypeKind::Event, {}, std::move(name)}; }

  bool Is(TypeKind k) const { return kind == k; }
  bool IsError() const { return kind == TypeKind::Error; }
  // Integer, Decimal and Percentage: dimensionless numbers, comparable with each other.
  bool IsNumber() const {
    return kind == TypeKind::Integer || kind == TypeKind::Decimal || kind == TypeKind::Percentage;
  }
  bool operator==(const Type& other) const = default;
};

// "money (EUR)", "duration", "panel"...
std::string TypeName(const Type& type);

// Types written in a program: `money`, `money(EUR)`, `duration`, `panel`...
std::optional<Type> ParseTypeName(std::string_view name, std::string_view unit);

// The unit after a number: a duration (days, h...), a currency (EUR...). nullopt if unknown.
enum class UnitKind { Duration, Currency };
struct Unit {
  UnitKind kind;
  double seconds = 0;    // Duration: the unit's length
  std::string currency;  // Currency: the ISO code; empty for `money`, the schema's currency
};
std::optional<Unit> ParseUnit(std::string_view unit);

// Every unit name, for "did you mean" suggestions.
const std::vector<std::string>& KnownUnitNames();

}  // namespace relc::sema
