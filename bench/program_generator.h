// Large, realistic .rel programs for benchmarks: the same shapes the examples use, with unique
// names, so that a 10,000-line file exercises every part of the front end.
#pragma once

#include <fmt/format.h>

#include <string>

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

}  // namespace relc::bench
