// An export described as it is (a `source` in the language): which tables it has, how their
// text is written, and how the customer and each event are read from their rows, one per row
// or one per group of rows. The loader (described_load.cpp) turns the rows into the data
// contract's records, so that every check of the contract applies to them too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relc::data {

// An expression over a row's cells, or over a group of rows for the group functions.
struct RowExpr {
  enum class Op : uint8_t {
    Column, Text, Number, Bool, Null,
    Negate, Not, IsNull, IsNotNull,
    Add, Subtract, Multiply, Divide,
    Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, And, Or,
    In, NotIn,  // args[0] in args[1..]
    If,         // if args[0] then args[1] else args[2]
    StartsWith, EndsWith, Contains,
    // Group functions: over the group's rows, of args[0] (none for Count).
    Sum, Min, Max, First, Last, Count, MostFrequent,
  };
  Op op = Op::Null;
  std::string text;  // a column's name, a text, a number as written; "true" for a Bool
  std::vector<RowExpr> args;
  // Set by the loader: a Column's field in its table's rows; what a group function compares
  // or keeps its values as (the field's type decides: `min(InvoiceDate)` compares times).
  int field = -1;
  enum class As : uint8_t { Written, Number, Time } as = As::Written;

  bool IsGroupFunction() const { return op >= Op::Sum; }
};

struct TableDescription {
  std::string name;      // as the source names it: `lines`
  std::string location;  // a file of the data folder, or a table or view of the database
  bool whitespace = false;     // fields separated by spaces rather than CSV
  char decimal = 0;            // '.' or ','; 0: as the CSV separator implies (`;` goes with `,`)
  std::string time_format;     // strptime-like (%Y %m %d %H %M %S %y %b); empty: ISO or dd/mm/yyyy
  std::string time_zone;       // IANA zone of the times written; empty: UTC
  std::string currency;        // of its amounts; the schema's fields say the same
  std::string round;           // "half_up" or "half_even" to the cent; empty: more decimals are a bad row
};

// How the customer or one event type is read from a table.
struct EntityDescription {
  bool is_event = false;
  std::string name;   // `customer`, or the event's name
  std::string table;
  bool has_when = false, has_group = false;
  RowExpr when;       // the rows it reads; a row goes to the first event whose rule it meets
  RowExpr group_by;   // one entity per value of this, rather than per row
  // Fields of the schema, and for an event `customer` and `time`.
  std::vector<std::pair<std::string, RowExpr>> fields;
};

struct SourceDescription {
  std::string name;
  std::vector<TableDescription> tables;
  std::vector<EntityDescription> entities;
};

}  // namespace relc::data
