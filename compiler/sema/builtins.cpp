// Names every program can use without declaring them: the channels, the customer measures
// relc computes from the data, the metrics a simulation counts, and the built-in functions.
// Each carries the doc an editor shows on hover.
#include <array>

#include "sema/checker.h"

namespace relc::sema {
namespace {

struct BuiltinName {
  std::string_view name;
  Type type;
  std::string_view doc;
};

Type T(TypeKind kind) { return Type::Of(kind); }

}  // namespace

void AddBuiltins(SemanticModel& model, Builtins& builtins) {
  auto add = [&](std::map<std::string, const Symbol*, std::less<>>& table, SymbolKind kind, const BuiltinName& b) {
    Symbol& symbol = model.symbols.emplace_back();
    symbol.kind = kind;
    symbol.name = b.name;
    symbol.type = b.type;
    symbol.doc = b.doc;
    table[symbol.name] = &symbol;
  };

  // The channels are declared in the prelude, stdlib/std/channels.rel, with their figures.

  const BuiltinName functions[] = {
      {"count", T(TypeKind::Integer), "count(events): how many of the customer's events there are."},
      {"sum", T(TypeKind::Decimal), "sum(events.field): the total of a field over the customer's events."},
      {"avg", T(TypeKind::Decimal), "avg(events.field): the mean of a field over the customer's events."},
      {"min", T(TypeKind::Decimal), "min(events.field): the smallest value of a field."},
      {"max", T(TypeKind::Decimal), "max(events.field): the largest value of a field."},
      {"exists", T(TypeKind::Bool), "exists(events): whether the customer has at least one such event."},
      {"consent", T(TypeKind::Bool), "consent(channel): whether the program's consent rules allow the channel for this customer."},
      {"delivered", T(TypeKind::Bool), "delivered(step): whether the message sent at that step was delivered."},
      {"opened", T(TypeKind::Bool), "opened(step): whether the customer opened the message sent at that step."},
      {"clicked", T(TypeKind::Bool), "clicked(step): whether the customer clicked in the message sent at that step."},
      {"converted", T(TypeKind::Bool), "converted(step): whether the customer reached the goal after that step's message."},
      {"month", T(TypeKind::Integer), "month(date): the month, 1 to 12."},
      {"year", T(TypeKind::Integer), "year(date): the year."},
      {"day_of_week", T(TypeKind::Integer), "day_of_week(date): 1 (Monday) to 7 (Sunday)."},
      {"clv", Type::MoneyIn(model.currency), "clv(horizon): the customer's lifetime value over the horizon, discounted (BG/NBD and Gamma-Gamma)."},
      {"expected_purchases", T(TypeKind::Decimal), "expected_purchases(horizon): purchases the customer is expected to make over the horizon (BG/NBD)."},
  };
  for (const auto& function : functions) add(builtins.globals, SymbolKind::Function, function);

  const BuiltinName constants[] = {
      {"customers", T(TypeKind::Panel), "Every customer, prospects included."},
      {"customer", T(TypeKind::Customer), "The customer a condition is about: `customer in vip`."},
      {"today", T(TypeKind::Date), "The current day of the simulation."},
      {"now", T(TypeKind::DateTime), "The current time of the simulation."},
      {"goal", T(TypeKind::Event), "The program objective's goal event, in `exit on goal`."},
  };
  for (const auto& constant : constants) add(builtins.globals, SymbolKind::Constant, constant);

  const BuiltinName measures[] = {
      {"recency", T(TypeKind::Duration), "Time since the customer's last purchase (their whole tenure for a prospect)."},
      {"frequency", T(TypeKind::Integer), "Number of purchases."},
      {"monetary", Type::MoneyIn(model.currency), "Total amount of the customer's purchases."},
      {"average_basket", Type::MoneyIn(model.currency), "Mean amount of the customer's purchases."},
      {"tenure", T(TypeKind::Duration), "Time since the customer record was created."},
      {"rfm_recency", T(TypeKind::Integer), "Recency score, 1 (longest ago) to 5 (most recent quintile)."},
      {"rfm_frequency", T(TypeKind::Integer), "Frequency score, 1 to 5 by quintile."},
      {"rfm_monetary", T(TypeKind::Integer), "Monetary score, 1 to 5 by quintile."},
      {"rfm_score", T(TypeKind::Integer), "The three RFM scores as one number, 111 to 555."},
      {"revenue_rank", T(TypeKind::Integer), "Rank by total purchases, 1 for the best customer."},
      {"lifecycle", T(TypeKind::String), "Lifecycle stage: prospect, new, occasional, regular, loyal, ambassador, dormant or lost."},
      {"p_alive", T(TypeKind::Percentage), "Probability that the customer is still active (BG/NBD)."},
      {"unsubscribed", T(TypeKind::Bool), "Whether the customer has unsubscribed from every channel."},
      {"age", T(TypeKind::Integer), "Age in years, from birth_date."},
  };
  for (const auto& measure : measures) add(builtins.measures, SymbolKind::Measure, measure);

  Type money = Type::MoneyIn(model.currency);
  const BuiltinName metrics[] = {
      {"entered", T(TypeKind::Integer), "Journeys started (of a scenario, or of any of the program's)."},
      {"exited", T(TypeKind::Integer), "Customers who left."},
      {"sent", T(TypeKind::Integer), "Messages sent."},
      {"delivered", T(TypeKind::Integer), "Messages delivered."},
      {"opened", T(TypeKind::Integer), "Messages opened."},
      {"clicked", T(TypeKind::Integer), "Messages clicked."},
      {"converted", T(TypeKind::Integer), "Goals reached within the goal's window after a message (last touch)."},
      {"purchases", T(TypeKind::Integer), "Purchases of the customers who entered, from their entry on (of a step: its conversions)."},
      {"revenue", money, "Revenue of those purchases."},
      {"attributed_revenue", money, "Revenue of the conversions the messages brought."},
      {"cost", money, "Cost of the messages and offers."},
      {"unsubscribed", T(TypeKind::Integer), "Unsubscribes."},
      {"suppressed", T(TypeKind::Integer), "Messages not sent because of pressure rules or consent."},
      {"carts_recovered", T(TypeKind::Integer), "Abandoned carts later bought."},
      {"signups", T(TypeKind::Integer), "Loyalty-programme sign-ups."},
      {"referrals", T(TypeKind::Integer), "Referrals made."},
      {"customers", T(TypeKind::Integer), "Customers the program may contact (the holdout apart)."},
      {"entered_customers", T(TypeKind::Integer), "Customers who entered at least one journey."},
      {"holdout_customers", T(TypeKind::Integer), "Customers kept out as the control group."},
      {"holdout_entered", T(TypeKind::Integer), "Holdout customers a trigger would have entered."},
      {"holdout_purchases", T(TypeKind::Integer), "Purchases of those holdout customers, from when they would have entered."},
      {"holdout_revenue", money, "Revenue of those purchases."},
  };
  for (const auto& metric : metrics) add(builtins.metrics, SymbolKind::Metric, metric);
}

}  // namespace relc::sema
