// A synthetic CRM: customers and their events, realistic enough to exercise every program
// (prospects with no purchase, heavy-tailed spend so that about a fifth of the customers make
// most of the revenue, birthdays, per-channel consents, abandoned carts later bought or not),
// and byte-identical for the same seed: every customer draws from a generator seeded by
// (seed, customer), with relc's own samplers, so nothing depends on the platform or on order.
#pragma once

#include <cstdint>
#include <string>

namespace relc::data {

struct GenerateOptions {
  uint64_t customers = 10000;
  uint64_t seed = 1;
  int32_t as_of_day = 0;     // the data ends the day before; days since 1970-01-01
  double history_years = 3;  // how far back sign-ups go
};

struct GeneratedFiles {
  std::string customers_csv;
  std::string events_csv;
  uint64_t events = 0;
};

GeneratedFiles GenerateCrm(const GenerateOptions& options);

// The same customers' purchases as a shop's line-level export (lines.csv): see generate_lines.cpp.
std::string GenerateLines(const GenerateOptions& options);

}  // namespace relc::data
