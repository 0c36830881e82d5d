#include "random_program.h"

#include <fmt/format.h>

#include <array>
#include <functional>

namespace relc::differential {
namespace {

// SplitMix64: the same sequence on every platform, unlike the standard distributions.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& choices) { return choices[static_cast<size_t>(Below(N))]; }
  const std::string& Pick(const std::vector<std::string>& choices) { return choices[static_cast<size_t>(Below(static_cast<int>(choices.size())))]; }

 private:
  uint64_t state_;
};

using Choices = std::array<const char*, 6>;

class Generator {
 public:
  explicit Generator(uint64_t seed) : random_(seed) {}

  RandomProgram Run() {
    RandomProgram program;
    int panels = 2 + random_.Below(5);
    for (int i = 0; i < panels; ++i) program.items.push_back(Panel(i));
    int kpis = 1 + random_.Below(4);
    for (int i = 0; i < kpis; ++i) program.items.push_back(Kpi(i));
    int expectations = random_.Below(3);
    for (int i = 0; i < expectations; ++i) program.items.push_back(Expectation(i));
    int scenarios = random_.Below(3);
    for (int i = 0; i < scenarios; ++i) program.items.push_back(Scenario(i));
    return program;
  }

 private:
  std::string Comparison() { return random_.Pick(std::array{"<", "<=", ">", ">=", "==", "!="}); }
  std::string Int() { return std::to_string(random_.Chance(0.8) ? random_.Below(12) : random_.Below(2000)); }
  std::string Money() {
    return random_.Chance(0.5) ? fmt::format("{} EUR", random_.Below(600)) : fmt::format("{}.{:02} EUR", random_.Below(300), random_.Below(100));
  }
  std::string Days() { return fmt::format("{} days", random_.Below(400)); }
  std::string Duration() { return random_.Chance(0.8) ? Days() : fmt::format("{} h", random_.Below(2000)); }
  std::string Date() { return fmt::format("{}-{:02}-{:02}", 1950 + random_.Below(76), 1 + random_.Below(12), 1 + random_.Below(28)); }
  std::string Share() { return fmt::format("{}%", 1 + random_.Below(99)); }
  std::string Window() { return random_.Chance(0.5) ? fmt::format(" within last {} days", 1 + random_.Below(720)) : ""; }

  // A stream of the customer's events.
  std::string Events() {
    switch (random_.Below(6)) {
      case 0: return "purchase" + Window();
      case 1: return fmt::format("purchase where amount > {}", Money()) + Window();
      case 2: return fmt::format("purchase where items >= {} or cart_id is not null", random_.Below(4)) + Window();
      case 3: return fmt::format("cart_abandoned where value > {} and email_optin", Money()) + Window();
      case 4: return "visit" + Window();
      default: return random_.Pick(std::array{"complaint", "signup", "referral"});
    }
  }

  std::string IntExpr() {
    switch (random_.Below(12)) {
      case 0: return "frequency";
      case 1: return random_.Pick(std::array{"rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score"});
      case 2: return "revenue_rank";
      case 3: return "age";
      case 4: return fmt::format("count({})", Events());
      case 5: return random_.Pick(std::array{"month(birth_date)", "year(signup_date)", "day_of_week(signup_date)"});
      case 6: return fmt::format("frequency + {}", Int());
      case 7: return fmt::format("frequency * {}", Int());
      case 8: return "max(purchase.items)";
      case 9: return fmt::format("sum(purchase.items{})", Window());
      case 10: return fmt::format("(if {} then frequency else age)", Condition(2));
      default: return "min(purchase.items)";
    }
  }

  std::string MoneyExpr() {
    switch (random_.Below(12)) {
      case 0: return "monetary";
      case 1: return "average_basket";
      case 2: return fmt::format("sum(purchase.amount{})", Window());
      case 3: return random_.Pick(std::array{"max(purchase.amount)", "min(purchase.amount)", "avg(purchase.amount)"});
      case 4: return "clv(365 days)";
      case 5: return "monetary * 1.5";
      case 6: return "monetary - average_basket";
      case 7: return fmt::format("monetary / {}", random_.Below(4));
      case 8: return fmt::format("monetary * {}", Share());
      case 9: return fmt::format("sum(cart_abandoned.value{})", Window());
      case 10: return fmt::format("(if {} then monetary else {})", Condition(2), Money());
      default: return "clv(90 days)";
    }
  }

  std::string DurationExpr() {
    switch (random_.Below(6)) {
      case 0: return "recency";
      case 1: return "tenure";
      case 2: return fmt::format("recency + {}", Duration());
      case 3: return "recency * 2";
      case 4: return "tenure - recency";
      default: return "today - signup_date";
    }
  }

  std::string BoolExpr() {
    return random_.Pick(std::array{"email_optin", "sms_optin", "phone_optin", "postal_optin", "push_optin", "loyalty_member",
                                   "consent(email)", "exists(purchase)", "true", "false"});
  }
  // relc compares a string column with a literal (two columns, or conditionals, are not run yet).
  std::string StringColumn() { return random_.Pick(std::array{"city", "country", "lifecycle", "timezone", "first_name"}); }
  std::string StringLiteral() { return random_.Pick(std::array{"\"Paris\"", "\"FR\"", "\"\"", "\"dormant\"", "\"Lyon\""}); }
  std::string DateExpr() { return random_.Chance(0.7) ? random_.Pick(std::array{"birth_date", "signup_date", "today"}) : Date(); }
  std::string Arithmetic() { return random_.Pick(std::array{"+", "-", "*", "/"}); }

  // Every operator on every type it accepts, operands drawn at random: the generator once never
  // compared two booleans, and the JIT ordered them wrong (issue 28). Unary minus, arithmetic,
  // equality, ordering, null tests, conditionals and list membership, on each of bool, string,
  // number, money, duration and date.
  std::string EveryOperator() {
    const std::string equality = random_.Pick(std::array{"==", "!="});
    switch (random_.Below(14)) {
      case 0: return fmt::format("{} {} {}", BoolExpr(), equality, BoolExpr());
      case 1:
        return random_.Chance(0.5) ? fmt::format("{} {} {}", StringColumn(), equality, StringLiteral())
                                   : fmt::format("{} {} {}", StringLiteral(), equality, StringColumn());
      case 2: return fmt::format("{} {} {} {} {}", IntExpr(), Arithmetic(), IntExpr(), Comparison(), Int());
      case 3: return fmt::format("-{} {} -{}", IntExpr(), Comparison(), Int());
      case 4: return fmt::format("{} {} {} {} {}", MoneyExpr(), random_.Pick(std::array{"+", "-"}), MoneyExpr(), Comparison(), Money());
      case 5: return fmt::format("{} {} {} {} {}", MoneyExpr(), random_.Pick(std::array{"*", "/"}), 1 + random_.Below(5), Comparison(), Money());
      case 6: return fmt::format("-{} {} {}", MoneyExpr(), Comparison(), Money());
      case 7: return fmt::format("{} {} {} {} {}", DurationExpr(), random_.Pick(std::array{"+", "-"}), Duration(), Comparison(), Duration());
      case 8: return fmt::format("({}) / {} {} {}", DurationExpr(), Duration(), Comparison(), Int());
      case 9: return fmt::format("{} {} {} {} {}", DateExpr(), random_.Pick(std::array{"+", "-"}), Days(), Comparison(), DateExpr());
      case 10: return fmt::format("{} {} {}", DateExpr(), equality, DateExpr());
      case 11:
        return fmt::format("{} is {}null", random_.Pick(std::array{"birth_date", "city", "push_optin", "max(purchase.amount)",
                                                                    "min(purchase.items)", "first_name"}),
                           random_.Chance(0.5) ? "not " : "");
      case 12:
        switch (random_.Below(3)) {
          case 0: return fmt::format("(if {} then {} else {}) {} {}", Condition(1), BoolExpr(), BoolExpr(), equality, BoolExpr());
          case 1: return fmt::format("(if {} then {} else {}) {} {}", Condition(1), DateExpr(), DateExpr(), Comparison(), Date());
          default: return fmt::format("(if {} then {} else {}) {} {}", Condition(1), DurationExpr(), Duration(), Comparison(), Duration());
        }
      default:
        switch (random_.Below(3)) {
          case 0: return fmt::format("frequency {}in [{}, {}, {}]", random_.Chance(0.3) ? "not " : "", Int(), Int(), Int());
          case 1: return fmt::format("{} {}in [{}, {}]", StringColumn(), random_.Chance(0.3) ? "not " : "", StringLiteral(), StringLiteral());
          default: return fmt::format("monetary in [{}, {}]", Money(), Money());
        }
    }
  }

  std::string Atom(int depth) {
    switch (random_.Below(26)) {
      case 22:
      case 23:
      case 24:
      case 25: return EveryOperator();
      case 0: return fmt::format("{} {} {}", IntExpr(), Comparison(), Int());
      case 1:  // tests of existence, which lowering turns into `exists`
        if (random_.Chance(0.2)) return fmt::format("{} {} count({})", random_.Below(2), Comparison(), Events());
        return fmt::format("count({}) {} {}", Events(), Comparison(), random_.Below(2));
      case 2:
      case 3: return fmt::format("{} {} {}", MoneyExpr(), Comparison(), Money());
      case 4: return fmt::format("{} {} {}", DurationExpr(), Comparison(), Duration());
      case 5: return fmt::format("p_alive {} {}", Comparison(), Share());
      case 6: return fmt::format("expected_purchases(90 days) {} {}.{}", Comparison(), random_.Below(3), random_.Below(10));
      case 7: return fmt::format("monetary / average_basket {} {}", Comparison(), random_.Below(6));
      case 8: return fmt::format("frequency / 3 {} 1.{}", Comparison(), random_.Below(10));
      case 9: return fmt::format("{} {} {}", random_.Pick(std::array{"birth_date", "signup_date"}), Comparison(), Date());
      case 10: return fmt::format("signup_date + {} {} {}", Days(), Comparison(), Date());
      case 11:
        return random_.Pick(std::array{"email_optin", "sms_optin", "loyalty_member", "push_optin", "unsubscribed",
                                       "consent(email)", "consent(sms)", "birth_date is null", "loyalty_member is not null"});
      case 12: return fmt::format("exists({})", Events());
      case 13:
        return random_.Pick(std::array{"lifecycle == \"dormant\"", "lifecycle == \"prospect\"", "city == \"Paris\"",
                                       "country != \"FR\"", "lifecycle in [\"new\", \"loyal\", \"regular\"]",
                                       "city == \"Atlantis\"", "timezone == \"Europe/Paris\"", "lifecycle != \"lost\""});
      case 14:
        if (!panels_.empty()) {
          return fmt::format("customer {}in {}", random_.Chance(0.3) ? "not " : "", random_.Pick(panels_));
        }
        return "email_optin";
      case 15: {
        auto measure = random_.Pick(std::array{"monetary", "frequency", "recency", "clv(365 days)", "age"});
        bool share = random_.Chance(0.6);
        return fmt::format("{} in {} {}", measure, random_.Chance(0.5) ? "top" : "bottom",
                           share ? Share() : std::to_string(random_.Below(60)));
      }
      case 16: return fmt::format("recency / tenure {} 0.{}", Comparison(), random_.Below(10));
      case 17: return fmt::format("{} {} {}", IntExpr(), Comparison(), IntExpr());
      case 18: return fmt::format("{} {} {}", MoneyExpr(), Comparison(), MoneyExpr());
      default: return depth > 0 ? Condition(depth - 1) : "sms_optin";
    }
  }

  std::string Condition(int depth) {
    if (depth <= 0 || random_.Chance(0.35)) return Atom(0);
    switch (random_.Below(4)) {
      case 0: return fmt::format("({} and {})", Condition(depth - 1), Condition(depth - 1));
      case 1: return fmt::format("({} or {})", Condition(depth - 1), Condition(depth - 1));
      case 2: return fmt::format("not ({})", Condition(depth - 1));
      default: return Atom(depth - 1);
    }
  }

  Item Panel(int index) {
    Item item;
    item.name = fmt::format("p{}", index);
    // Conditions may name the panels before this one: record which.
    std::vector<std::string> before = panels_;
    std::string definition;
    if (panels_.size() >= 2 && random_.Chance(0.2)) {
      const std::string& a = random_.Pick(panels_);
      const std::string& b = random_.Pick(panels_);
      definition = fmt::format("{} {} {}", a, random_.Pick(std::array{"union", "intersect", "except"}), b);
    } else {
      std::string base = !panels_.empty() && random_.Chance(0.3) ? random_.Pick(panels_) : "customers";
      definition = fmt::format("{} where {}", base, Condition(3));
    }
    for (const std::string& name : before) {
      // Whole-word occurrences only: p1 must not count as p10.
      for (size_t at = definition.find(name); at != std::string::npos; at = definition.find(name, at + 1)) {
        size_t end = at + name.size();
        bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(definition[at - 1]));
        bool ends = end == definition.size() || !std::isalnum(static_cast<unsigned char>(definition[end]));
        if (starts && ends) item.needs.insert(name);
      }
    }
    item.text = fmt::format("  panel {} = {}\n", item.name, definition);
    panels_.push_back(item.name);
    return item;
  }

  std::string IntMetric() {
    return random_.Pick(std::array{"entered", "exited", "sent", "delivered", "opened", "clicked", "converted", "purchases",
                                   "suppressed", "carts_recovered", "signups", "referrals"});
  }
  std::string MoneyMetric() { return random_.Chance(0.5) ? "revenue" : "cost"; }

  enum class Kind { Int, Decimal, Money };

  Item Kpi(int index) {
    Item item;
    item.name = fmt::format("k{}", index);
    std::string formula;
    Kind kind = Kind::Decimal;
    switch (random_.Below(11)) {
      case 0: formula = fmt::format("{} / {}", IntMetric(), IntMetric()); break;
      case 1: formula = fmt::format("({} - {}) / {}", MoneyMetric(), MoneyMetric(), MoneyMetric()); break;
      case 2: formula = fmt::format("{} / {}", MoneyMetric(), IntMetric()); kind = Kind::Money; break;
      case 3: {
        std::string count = IntMetric();
        formula = fmt::format("if {0} > 0 then {1} / {0} else 0 EUR", count, MoneyMetric());
        kind = Kind::Money;
        break;
      }
      case 4: formula = fmt::format("{} - {}", IntMetric(), IntMetric()); kind = Kind::Int; break;
      case 5: formula = fmt::format("{} * {}", IntMetric(), IntMetric()); kind = Kind::Decimal; break;
      case 6: formula = fmt::format("{} + {}", IntMetric(), IntMetric()); kind = Kind::Int; break;
      case 7: formula = fmt::format("{} * 1.05", MoneyMetric()); kind = Kind::Money; break;
      case 8: formula = fmt::format("{} / {} * 100", IntMetric(), IntMetric()); break;
      case 9: formula = fmt::format("(if {0} > {1} then {0} else {1}) / {2}", IntMetric(), IntMetric(), IntMetric()); break;
      default:
        if (!kpis_.empty()) {
          size_t other = static_cast<size_t>(random_.Below(static_cast<int>(kpis_.size())));
          formula = fmt::format("k{} * 2", other);
          kind = kpi_kinds_[other] == Kind::Money ? Kind::Money : Kind::Decimal;
          item.needs.insert(kpis_[other]);
        } else {
          formula = fmt::format("{} - {}", MoneyMetric(), MoneyMetric());
          kind = Kind::Money;
        }
    }
    item.text = fmt::format("  kpi {} = {}\n", item.name, formula);
    kpis_.push_back(item.name);
    kpi_kinds_.push_back(kind);
    return item;
  }

  Item Expectation(int index) {
    Item item;
    item.name = fmt::format("e{}", index);
    size_t k = static_cast<size_t>(random_.Below(static_cast<int>(kpis_.size())));
    item.needs.insert(kpis_[k]);
    std::string bound = kpi_kinds_[k] == Kind::Money ? Money() : kpi_kinds_[k] == Kind::Int ? Int() : Share();
    std::string condition = fmt::format("{} {} {}", kpis_[k], Comparison(), bound);
    if (random_.Chance(0.4)) condition += fmt::format(" {} {} > {}", random_.Chance(0.5) ? "and" : "or", IntMetric(), Int());
    item.text = fmt::format("  expect {}\n", condition);
    return item;
  }

  Item Scenario(int index) {
    Item item;
    item.name = fmt::format("s{}", index);
    const std::string& panel = random_.Pick(panels_);
    item.needs.insert(panel);
    std::string steps;
    std::vector<std::string> labels;
    int count = 2 + random_.Below(6);
    for (int i = 0; i < count; ++i) {
      std::string label = fmt::format("l{}", i);
      switch (random_.Below(9)) {
        case 0:
        case 1:
          steps += fmt::format("    {}: send {} \"m{}\"\n", label, random_.Chance(0.7) ? "email" : "sms", i);
          labels.push_back(label);
          break;
        case 2: steps += fmt::format("    wait {} or until purchase -> exit\n", Duration()); break;
        case 3: steps += fmt::format("    wait until birth_date + {} or until visit -> send sms \"v{}\"\n", Days(), i); break;
        case 4: steps += fmt::format("    wait until {:02}:{:02}\n", random_.Below(24), random_.Below(60)); break;
        case 5: {
          std::string first = labels.empty() ? Condition(1) : fmt::format("{}({})", random_.Pick(std::array{"opened", "clicked", "delivered", "converted"}), random_.Pick(labels));
          steps += fmt::format("    branch {{\n      when {} -> send email \"b{}\"\n      when {} -> send sms \"c{}\"\n      otherwise -> exit\n    }}\n",
                               first, i, Condition(2), i);
          break;
        }
        case 6: {
          int a = 1 + random_.Below(98);
          steps += fmt::format("    split {{\n      {}% -> send email \"x{}\"\n      {}% -> send sms \"y{}\"\n    }}\n", a, i, 100 - a, i);
          break;
        }
        case 7: steps += fmt::format("    set loyalty_member = {}\n", Condition(1)); break;
        default:
          if (!labels.empty()) {
            steps += fmt::format("    wait {} or until clicked({}) -> send email \"k{}\"\n", Duration(), random_.Pick(labels), i);
          } else {
            steps += fmt::format("    tag \"t{}\"\n", i);
          }
      }
    }
    std::string trigger = fmt::format("enter {}", panel);
    if (random_.Chance(0.3)) trigger = fmt::format("on cart_abandoned where value >= {} or customer in {}", Money(), panel);
    if (random_.Chance(0.15)) {
      trigger = fmt::format("every {} on {} at {:02}:{:02}", random_.Pick(std::array{"year", "month", "week"}),
                            random_.Pick(std::array{"birth_date", "signup_date + 30 days", "signup_date"}), random_.Below(24),
                            random_.Below(60));
    }
    if (random_.Chance(0.2)) steps += fmt::format("    wait {} or until purchase where amount > {} -> exit\n", Duration(), Money());
    item.text = fmt::format("  scenario {} {{\n    trigger {}\n{}  }}\n", item.name, trigger, steps);
    return item;
  }

  Random random_;
  std::vector<std::string> panels_, kpis_;
  std::vector<Kind> kpi_kinds_;
};

}  // namespace

std::string RandomProgram::Text(const std::set<std::string>& keep) const {
  std::string text = "program \"differential\" {\n  consent { email if email_optin; sms if sms_optin or loyalty_member }\n";
  for (const Item& item : items) {
    if (keep.empty() || keep.contains(item.name)) text += item.text;
  }
  return text + "}\n";
}

RandomProgram GenerateRandomProgram(uint64_t seed) { return Generator(seed).Run(); }

}  // namespace relc::differential
