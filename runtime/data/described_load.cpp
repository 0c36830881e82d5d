// Loading an export through its description: each table is read once; each row goes to the
// customer (when the customers come from that table) and to the first event whose rule it
// meets; grouped entities add their rows up; then every customer and event becomes a record of
// the data contract for the ingester, whose checks apply as to any other source. Every row is
// counted in one of: loaded, left out by the rules, without customer, of an unknown customer,
// rejected.
#include "data/described_load.h"

#include <fmt/format.h>

#include <filesystem>
#include <unordered_map>

#include "data/ingest.h"
#include "data/row_values.h"
#include "data/table_reader.h"

namespace relc::data {
namespace {

namespace fs = std::filesystem;

// `17850.0` -> `17850`: ids that went through a spreadsheet or a float column.
std::string NormalizeId(std::string id) {
  while (!id.empty() && (id.back() == ' ' || id.back() == '\t' || id.back() == '\r')) id.pop_back();
  size_t begin = id.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  id.erase(0, begin);
  size_t dot = id.find('.');
  if (dot != std::string::npos && dot > 0 && id.find_first_not_of("0123456789") == dot &&
      id.find_first_not_of('0', dot + 1) == std::string::npos) {
    id.erase(dot);
  }
  return id;
}

// A customer or an event to be, from one row or a group of rows.
struct Pending {
  std::string key;                        // the group's key (grouped entities)
  int64_t line = 0;                       // its first row
  std::string raw;                        // its first row as read
  std::vector<std::string> first_row;     // grouped: the first row's fields, for plain columns
  RowEvaluator::GroupState state;
  size_t rows = 0;                        // rows it holds
  size_t rows_of_its_own = 0;             // customers: rows no event took
};

struct EntityPlan {
  EntityDescription description;          // resolved: columns have their fields
  const EntitySpec* spec = nullptr;
  int event_type = -1;                    // -1: the customer
  std::vector<const RowExpr*> functions;  // group functions, in the order of their running values
  std::unordered_map<std::string, size_t> group_of_key;
  std::vector<Pending> pending;
};

struct TablePlan {
  const TableDescription* description = nullptr;
  std::string location;                   // as opened, for messages
  std::unique_ptr<TableReader> reader;
  std::unique_ptr<RowReader> row_reader;
  std::vector<size_t> entities;           // plans reading it: events in order, then the customer
};

bool IsConstant(const RowExpr& expr) {
  using Op = RowExpr::Op;
  return expr.op == Op::Text || expr.op == Op::Number || expr.op == Op::Bool;
}

class DescribedLoader {
 public:
  DescribedLoader(const std::string& source, const DataSchema& schema, const LoadOptions& options, LoadResult& result)
      : source_(source), schema_(schema), description_(*schema.source), options_(options), result_(result) {}

  void Run() {
    Ingester ingester(schema_, options_, result_);
    if (ingester.failed() || !Plan() || !OpenTables()) return;
    for (TablePlan& table : tables_) {
      if (!ReadTable(table, ingester)) return;
    }
    // Spread over processes, every one reads every row, but the first alone counts and reports
    // them; records go to their customers' processes (Emit).
    if (options_.rank != 0) {
      result_.rows = RowAccount{};
      result_.rejected.clear();
    }
    if (!Emit(ingester)) return;
    result_.store = ingester.Finish();
  }

 private:
  bool Fail(std::string error, bool io_error = false) {
    result_.error = std::move(error);
    result_.io_error = io_error;
    return false;
  }

  bool Plan() {
    for (const TableDescription& table : description_.tables) {
      tables_.push_back(TablePlan{&table, "", nullptr, nullptr, {}});
    }
    // The customer first: events look their customers up.
    for (int pass = 0; pass < 2; ++pass) {
      for (const EntityDescription& entity : description_.entities) {
        if (entity.is_event != (pass == 1)) continue;
        EntityPlan plan;
        plan.description = entity;
        if (!entity.is_event) {
          plan.spec = &schema_.customer;
        } else {
          for (size_t e = 0; e < schema_.events.size(); ++e) {
            if (schema_.events[e].name == entity.name) {
              plan.spec = &schema_.events[e];
              plan.event_type = static_cast<int>(e);
            }
          }
        }
        auto table = std::find_if(tables_.begin(), tables_.end(), [&](const TablePlan& t) { return t.description->name == entity.table; });
        if (plan.spec == nullptr || table == tables_.end()) return Fail(fmt::format("source `{}` names an unknown {}", description_.name, entity.name));
        table->entities.push_back(plans_.size());
        plans_.push_back(std::move(plan));
      }
    }
    // Rows go to their event before the customer (ReadTable).
    for (TablePlan& table : tables_) {
      std::stable_partition(table.entities.begin(), table.entities.end(), [&](size_t i) { return plans_[i].event_type >= 0; });
    }
    if (std::none_of(plans_.begin(), plans_.end(), [](const EntityPlan& p) { return p.event_type < 0; })) {
      return Fail(fmt::format("source `{}` does not say where the customers come from: add `customer from TABLE by COLUMN "
                              "{{ ... }}` to derive them from the events, or read them from a table of their own",
                              description_.name));
    }
    for (const EntityPlan& plan : plans_) {
      for (const auto& [field, value] : plan.description.fields) {
        if (!IsConstant(value)) continue;
        result_.assumptions.push_back(fmt::format("`{}` = {} for every {} (source `{}` gives it: the export has no such column)", field,
                                                  value.op == RowExpr::Op::Text ? "\"" + value.text + "\"" : value.text,
                                                  plan.event_type < 0 ? "customer" : "`" + plan.description.name + "`",
                                                  description_.name));
      }
    }
    return true;
  }

  // The file or table behind a description: in a folder, a file of it; in a database, the table
  // (or view) of that name, without the file's extension: `lines.csv` is the table `lines`, so
  // that one description serves the export as files and as loaded into a database.
  std::string LocationOf(const TableDescription& table) const {
    if (IsDatabaseSource(source_)) {
      const std::string extension = fs::path(table.location).extension().string();
      const bool file_like = extension == ".csv" || extension == ".txt" || extension == ".tsv";
      return file_like ? fs::path(table.location).stem().string() : table.location;
    }
    std::error_code error;
    if (fs::is_directory(source_, error)) return (fs::path(source_) / table.location).string();
    return source_;  // a single file is the one table
  }

  bool OpenTables() {
    for (TablePlan& table : tables_) {
      if (table.entities.empty()) continue;
      std::string error;
      bool io_error = false;
      const std::string location = LocationOf(*table.description);
      table.reader = TableReader::Open(IsDatabaseSource(source_) ? source_ : location, location, error, io_error,
                                       table.description->whitespace);
      if (table.reader == nullptr) return Fail(error, io_error);
      table.location = table.reader->location();
      std::error_code size_error;
      if (!IsDatabaseSource(source_)) result_.bytes += static_cast<size_t>(fs::file_size(location, size_error));
      table.row_reader = std::make_unique<RowReader>(*table.description, table.reader->header());
      for (size_t index : table.entities) {
        EntityPlan& plan = plans_[index];
        const std::string what = plan.event_type < 0 ? "the customer" : "event `" + plan.description.name + "`";
        if (plan.description.has_when && !Resolve(plan.description.when, table, what, RowExpr::As::Written, plan)) return false;
        if (plan.description.has_group && !Resolve(plan.description.group_by, table, what, RowExpr::As::Written, plan)) return false;
        for (auto& [field, value] : plan.description.fields) {
          RowExpr::As as = RowExpr::As::Written;
          ColumnType type = FieldType(plan, field);
          if (type == ColumnType::Date || type == ColumnType::DateTime) as = RowExpr::As::Time;
          if (type == ColumnType::Money || type == ColumnType::Integer || type == ColumnType::Decimal ||
              type == ColumnType::Percentage) {
            as = RowExpr::As::Number;
          }
          if (!Resolve(value, table, what, as, plan)) return false;
        }
      }
    }
    return true;
  }

  ColumnType FieldType(const EntityPlan& plan, const std::string& field) const {
    if (field == "time" && plan.event_type >= 0) return ColumnType::DateTime;
    for (const ColumnSpec& column : plan.spec->columns) {
      if (column.name == field) return column.type;
    }
    return ColumnType::String;
  }

  // Finds each column's field, and lists the group functions.
  bool Resolve(RowExpr& expr, const TablePlan& table, const std::string& what, RowExpr::As as, EntityPlan& plan) {
    if (expr.op == RowExpr::Op::Column) {
      expr.field = table.row_reader->ColumnIndex(expr.text);
      if (expr.field >= 0) return true;
      std::string message = fmt::format("{} has no column `{}` (source `{}`, {})", table.location, expr.text, description_.name, what);
      if (std::string close = table.row_reader->ClosestColumn(expr.text); !close.empty()) {
        message += fmt::format("; did you mean `{}`?", close);
      } else {
        message += fmt::format("; its columns are: {}", fmt::join(table.row_reader->header(), ", "));
      }
      return Fail(message);
    }
    if (expr.IsGroupFunction()) {
      expr.as = as;
      plan.functions.push_back(&expr);
    }
    for (RowExpr& arg : expr.args) {
      if (!Resolve(arg, table, what, expr.IsGroupFunction() ? RowExpr::As::Written : as, plan)) return false;
    }
    return true;
  }

  bool ReadTable(TablePlan& table, Ingester& ingester) {
    if (table.reader == nullptr) return true;
    RowEvaluator evaluator(*table.row_reader);
    std::vector<std::string_view> row;
    std::string error;
    while (true) {
      error.clear();
      if (!table.reader->Next(row, error)) {
        if (error.empty()) break;
        ++result_.rows.read;
        ++result_.rows.rejected;
        ingester.RecordsFrom(table.location);
        if (!ingester.ReadError(table.location, table.reader->row(), table.reader->error_field(), error, "")) return false;
        continue;
      }
      ++result_.rows.read;
      if (options_.bytes_read != nullptr) {
        for (std::string_view field : row) *options_.bytes_read += field.size() + 1;
      }
      bool by_customer = false, by_event = false;
      RowError row_error;
      bool ok = true;
      size_t customer_pending = SIZE_MAX;
      // The first event whose rule the row meets, then the customer: a row bad for its event
      // is rejected whole, before the customer counts it.
      for (size_t index : table.entities) {
        EntityPlan& plan = plans_[index];
        if (plan.event_type >= 0 && by_event) continue;
        if (plan.description.has_when) {
          Cell rule;
          if (!(ok = evaluator.Evaluate(plan.description.when, row, nullptr, rule, row_error))) break;
          if (!(rule.kind == Cell::Kind::Bool ? rule.truth : rule.kind != Cell::Kind::Null)) continue;
        }
        size_t at = 0;
        if (!(ok = Take(plan, evaluator, table, row, at, row_error))) break;
        if (at == SIZE_MAX) continue;  // a customer with no id
        if (plan.event_type < 0) {
          by_customer = true;
          customer_pending = at;
        } else {
          by_event = true;
        }
      }
      if (!ok) {
        ++result_.rows.rejected;
        std::string raw = fmt::format("{}", fmt::join(row, table.description->whitespace ? " " : ","));
        const int column = row_error.column.empty() ? -1 : table.row_reader->ColumnIndex(row_error.column);
        ingester.RecordsFrom(table.location);
        BadRowAt(table, table.reader->row(), column, row_error, raw);
        if (options_.on_bad_row == OnBadRow::Fail) return false;
        continue;
      }
      if (!by_event && by_customer) {
        for (size_t index : table.entities) {
          if (plans_[index].event_type < 0) ++plans_[index].pending[customer_pending].rows_of_its_own;
        }
      }
      if (!by_event && !by_customer) ++result_.rows.left_out;
    }
    return true;
  }

  void BadRowAt(const TablePlan& table, int64_t line, int column, const RowError& row_error, const std::string& raw) {
    BadRow bad{table.location, line, column >= 0 ? static_cast<size_t>(column) + 1 : 0, row_error.column,
               row_error.reason, raw};
    if (options_.on_bad_row == OnBadRow::Fail) {
      result_.bad_row = true;
      result_.error = FormatBadRow(bad);
      result_.stopped_at = {bad.file, bad.line};
    } else {
      result_.rejected.push_back(std::move(bad));
    }
  }

  // Adds the row to the entity: a new record, or its group. `at` is the pending record's index,
  // SIZE_MAX for a customer row without an id.
  bool Take(EntityPlan& plan, const RowEvaluator& evaluator, const TablePlan& table, const std::vector<std::string_view>& row,
            size_t& at, RowError& error) {
    std::string key;
    if (plan.description.has_group) {
      Cell cell;
      if (!evaluator.Evaluate(plan.description.group_by, row, nullptr, cell, error)) return false;
      std::string text;
      table.row_reader->Render(cell, ColumnType::String, "", text, error);
      key = plan.event_type < 0 ? NormalizeId(text) : text;
      if (plan.event_type < 0 && key.empty()) {
        at = SIZE_MAX;
        return true;
      }
      auto [it, added] = plan.group_of_key.try_emplace(key, plan.pending.size());
      at = it->second;
      if (!added) {
        ++plan.pending[at].rows;
        return evaluator.Accumulate(plan.functions, row, plan.pending[at].state, error);
      }
    } else {
      at = plan.pending.size();
    }
    Pending& pending = plan.pending.emplace_back();
    pending.key = std::move(key);
    pending.line = table.reader->row();
    pending.rows = 1;
    pending.first_row.assign(row.begin(), row.end());
    pending.raw = fmt::format("{}", fmt::join(row, table.description->whitespace ? " " : ","));
    pending.state.running.resize(plan.functions.size());
    pending.state.functions = &plan.functions;
    if (evaluator.Accumulate(plan.functions, row, pending.state, error)) return true;
    // A bad first row makes no group.
    if (plan.description.has_group) plan.group_of_key.erase(plan.pending.back().key);
    plan.pending.pop_back();
    return false;
  }

  // The record of a pending customer or event, in the order of `columns`; false with `error`.
  bool Record(const EntityPlan& plan, const TablePlan& table, const Pending& pending, const std::vector<std::string>& columns,
              std::vector<std::string>& record, RowError& error) {
    RowEvaluator evaluator(*table.row_reader);
    std::vector<std::string_view> row(pending.first_row.begin(), pending.first_row.end());
    record.assign(columns.size(), "");
    for (const auto& [field, value] : plan.description.fields) {
      Cell cell;
      if (!evaluator.Evaluate(value, row, &pending.state, cell, error)) return false;
      auto column = std::find(columns.begin(), columns.end(), field == "customer" ? "customer_id" : field);
      if (column == columns.end()) continue;
      std::string& out = record[static_cast<size_t>(column - columns.begin())];
      if (!table.row_reader->Render(cell, FieldType(plan, field), field, out, error)) return false;
      if (error.column.empty()) error.column = field;
    }
    return true;
  }

  const TablePlan& TableOf(const EntityPlan& plan) const {
    return *std::find_if(tables_.begin(), tables_.end(), [&](const TablePlan& t) { return t.description->name == plan.description.table; });
  }

  bool Emit(Ingester& ingester) {
    std::vector<std::string> customer_columns;
    for (const ColumnSpec& column : schema_.customer.columns) customer_columns.push_back(column.name);
    std::vector<std::string> event_columns = {"customer_id", "event", "time"};
    for (const EntitySpec& event : schema_.events) {
      for (const ColumnSpec& column : event.columns) {
        if (std::find(event_columns.begin(), event_columns.end(), column.name) == event_columns.end()) event_columns.push_back(column.name);
      }
    }
    auto views = [](const std::vector<std::string>& strings) { return std::vector<std::string_view>(strings.begin(), strings.end()); };
    if (!ingester.CustomerHeader(views(customer_columns), description_.name) ||
        !ingester.EventHeader(views(event_columns), description_.name)) {
      return false;
    }
    std::vector<std::string> record;
    for (const EntityPlan& plan : plans_) {
      const TablePlan& table = TableOf(plan);
      ingester.RecordsFrom(table.location);
      for (const Pending& pending : plan.pending) {
        const size_t rejected_before = result_.rejected.size();
        const size_t unknown_before = result_.events_for_unknown_customers;
        const size_t rows = plan.event_type < 0 ? pending.rows_of_its_own : pending.rows;
        RowError error;
        bool ok = Record(plan, table, pending, plan.event_type < 0 ? customer_columns : event_columns, record, error);
        if (ok && plan.event_type < 0) {
          std::string& id = record[KeyColumn()];
          id = NormalizeId(id.empty() ? pending.key : id);
        }
        if (ok && plan.event_type >= 0) {
          record[0] = NormalizeId(record[0]);
          record[1] = plan.description.name;
          if (record[0].empty()) {
            if (options_.rank == 0) result_.rows.without_customer += rows;
            continue;
          }
        }
        // A record another process loads; a bad one, whose id may be wrong, the first process's.
        if (options_.ranks > 1 &&
            (ok ? OwnerOf(record[plan.event_type < 0 ? KeyColumn() : 0], options_.ranks) : 0) != options_.rank) {
          continue;
        }
        if (!ok) {
          result_.rows.rejected += rows;
          const int column = table.row_reader->ColumnIndex(error.column);
          BadRowAt(table, pending.line, column, error, pending.raw);
          if (options_.on_bad_row == OnBadRow::Fail) return false;
          continue;
        }
        bool go_on = plan.event_type < 0 ? ingester.CustomerRecord(views(record), pending.line, pending.raw, false)
                                         : ingester.EventRecord(views(record), pending.line, pending.raw, false);
        if (!go_on) return false;
        if (result_.rejected.size() > rejected_before) {
          result_.rows.rejected += rows;
        } else if (result_.events_for_unknown_customers > unknown_before) {
          result_.rows.unknown_customer += rows;
        } else {
          result_.rows.loaded += rows;
        }
      }
    }
    return true;
  }

  size_t KeyColumn() const {
    for (size_t i = 0; i < schema_.customer.columns.size(); ++i) {
      if (schema_.customer.columns[i].key) return i;
    }
    return 0;
  }

  const std::string& source_;
  const DataSchema& schema_;
  const SourceDescription& description_;
  const LoadOptions& options_;
  LoadResult& result_;
  std::vector<TablePlan> tables_;
  std::vector<EntityPlan> plans_;
};

}  // namespace

LoadResult LoadDescribed(const std::string& source, const DataSchema& schema, const LoadOptions& options) {
  LoadResult result;
  DescribedLoader(source, schema, options, result).Run();
  return result;
}

}  // namespace relc::data
