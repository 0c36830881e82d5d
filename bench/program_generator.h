// Large, realistic .rel programs for benchmarks: the same shapes the examples use, with unique
// names, so that a 10,000-line file exercises every part of the front end.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace relc::bench {

inline std::string GenerateProgram(int target_lines) {
  std::string text;
  int lines = 0;
  for (int i = 0; lines < target_lines; ++i) {
    text += fmt::format(R"(/// Generated program {0}: win back dormant customers.
program "Réactivation {0}" {{
  objective reactivation_{0} {{ goal purchase within 30 days; target conversion_{0} >= 4% }}
  consent {{ email if email_optin; sms if sms_optin; phone if phone_optin }}
  panel dormant_{0} = customers where recency > 180 days and frequency >= 2 and consent(email)
  panel vip_{0} = dormant_{0} where monetary in top 20%
  pressure {{ at most 2 messages per 7 days; at most 1 sms per 30 days; quiet hours 21:00..08:00 }}
  offer comeback_{0} = discount 15% {{ cost = 3 EUR }}
  scenario winback_{0} {{
    trigger enter dormant_{0}
    reentry once per 365 days
    first: send email "winback-1" with comeback_{0}
    wait 5 days or until purchase -> exit
    branch {{
      when opened(first) -> send email "winback-2"
      when customer in vip_{0} -> send phone "call-vip"
      otherwise -> send sms "winback-sms"
    }}
    wait 10 days or until purchase -> exit
  }}
  kpi conversion_{0} = converted / entered
  expect conversion_{0} >= 3%
}}
)",
                        i);
    lines += 22;
  }
  return text;
}

// One program of about `target_lines` lines: a plan's worth of win-back journeys under one
// objective, consent and pressure, as one marketing team's whole programme would be; journey
// i's panel selects the customers `condition(i)` is true of.
template <typename Condition>
std::string GeneratePlan(std::string_view title, int target_lines, Condition condition) {
  std::string text = fmt::format(R"(/// Generated: one program with many journeys.
program "{}" {{
  objective reactivation {{ goal purchase within 30 days; target conversion >= 4% }}
  consent {{ email if email_optin; sms if sms_optin; phone if phone_optin }}
  pressure {{ at most 2 messages per 7 days; at most 1 sms per 30 days; quiet hours 21:00..08:00 }}
  offer comeback = discount 15% {{ cost = 3 EUR }}
)", title);
  int lines = 6;
  for (int i = 0; lines < target_lines - 3; ++i) {
    text += fmt::format(R"(  panel dormant_{0} = customers where {1}
  panel vip_{0} = dormant_{0} where monetary in top {2}%
  scenario winback_{0} {{
    trigger enter dormant_{0}
    reentry once per 365 days
    first: send email "winback-{0}" with comeback
    wait 5 days or until purchase -> exit
    branch {{
      when opened(first) -> send email "winback-{0}-2"
      when customer in vip_{0} -> send phone "call-vip-{0}"
      otherwise -> send sms "winback-sms-{0}"
    }}
    wait 10 days or until purchase -> exit
  }}
)",
                        i, condition(i), 5 + i % 30);
    lines += 14;
  }
  text += "  kpi conversion = if sent > 0 then converted / sent else 0%\n  expect conversion >= 3%\n}\n";
  return text;
}

// Hundreds of copies of one win-back with other thresholds, as long plans are.
inline std::string GenerateOneProgram(int target_lines) {
  return GeneratePlan("Plan relationnel", target_lines, [](int i) {
    return fmt::format("recency > {} days and frequency >= {} and consent(email)", 90 + i % 300, 1 + i % 4);
  });
}

// The same length, but no two panels of the same shape: each takes its own set of conditions
// (the bits of its number pick them), so that no kernels can share their code
// (compiler/codegen/shapes.h). The worst case of the JIT's compile time.
inline std::string GenerateVariedProgram(int target_lines) {
  static constexpr const char* kConditions[] = {
      "recency > {1} days",  "frequency >= {2}",        "monetary > {3} EUR",
      "tenure > {1} days",   "loyalty_member == true",  "country == \"FR\"",
      "consent(sms)",        "count(purchase within last 90 days) >= {2}",
      "avg(purchase.amount) < {3} EUR", "sum(purchase.amount within last 365 days) > {3} EUR"};
  return GeneratePlan("Plan relationnel varié", target_lines, [](int i) {
    std::string condition = "consent(email)";
    for (size_t bit = 0; bit < std::size(kConditions); ++bit) {
      if ((i >> bit) & 1) {
        condition += fmt::format(fmt::runtime(std::string(" and ") + kConditions[bit]), i, 90 + i % 300, 1 + i % 4, 20 + i % 200);
      }
    }
    return condition;
  });
}

}  // namespace relc::bench
