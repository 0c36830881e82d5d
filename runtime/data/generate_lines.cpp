// A shop's line-level export, as real ones come (the UCI Online Retail export's shape): one row
// per invoice line, cancellations as `C` invoices with negative quantities, a quarter of the
// lines from guest checkouts without a customer id, ids written as decimals by a spreadsheet,
// prices in pounds (a few with a float's tail), month-first times, CRLF line ends and a
// byte-order mark. Byte-identical for the same seed.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "data/generate.h"
#include "data/random.h"
#include "data/values.h"

namespace relc::data {
namespace {

struct Product {
  const char* code;
  const char* description;
  const char* price;  // as the export writes it
};

constexpr std::array kProducts = {
    Product{"85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "2.55"},
    Product{"71053", "WHITE METAL LANTERN", "3.39"},
    Product{"84406B", "CREAM CUPID HEARTS COAT HANGER", "2.75"},
    Product{"84029G", "KNITTED UNION FLAG HOT WATER BOTTLE", "3.39"},
    Product{"22752", "SET 7 BABUSHKA NESTING BOXES", "7.65"},
    Product{"21730", "GLASS STAR FROSTED T-LIGHT HOLDER", "4.25"},
    Product{"22633", "HAND WARMER UNION JACK", "1.85"},
    Product{"22745", "POPPY'S PLAYHOUSE BEDROOM", "2.1"},
    Product{"22310", "IVORY KNITTED MUG COSY", "1.6500000000000001"},
    Product{"84969", "BOX OF 6 ASSORTED COLOUR TEASPOONS", "4.25"},
    Product{"22623", "BOX OF VINTAGE JIGSAW BLOCKS", "4.95"},
    Product{"21754", "HOME BUILDING BLOCK WORD", "5.95"},
    Product{"POST", "POSTAGE", "18"},
    Product{"22960", "JAM MAKING SET WITH JARS", "4.25"},
    Product{"21035", "SET/2 RED RETROSPOT TEA TOWELS", "2.95"},
    Product{"37370", "RETRO COFFEE MUGS ASSORTED", "1.0600000000000001"},
};

constexpr std::array kCountries = {"France", "Germany", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland", "Portugal"};

struct Line {
  int64_t time;     // seconds, on London's clock
  uint64_t invoice;
  bool cancelled;
  size_t product;
  int quantity;
  std::string customer;  // as written: `12346.0`, or empty
  const char* country;
};

}  // namespace

std::string GenerateLines(const GenerateOptions& options) {
  const int64_t end = int64_t{options.as_of_day} * 86400;
  const int64_t start = end - static_cast<int64_t>(options.history_years * 365.2425 * 86400);
  std::vector<Line> lines;
  // Each customer's invoices; guests (one invoice each) come from streams after the customers'.
  const uint64_t guests = options.customers * 3 / 4;
  for (uint64_t c = 0; c < options.customers + guests; ++c) {
    Random random(options.seed, c);
    const bool guest = c >= options.customers;
    std::string id = guest ? "" : fmt::format("{}.0", 12346 + c);
    const char* country = random.Chance(0.9) ? "United Kingdom" : kCountries[static_cast<size_t>(random.Below(kCountries.size()))];
    // Heavy-tailed: most buy once or twice, a few dozens of times.
    const int invoices = guest ? 1 + static_cast<int>(random.Below(2))
                               : 1 + static_cast<int>(std::floor(random.Gamma(0.6, 5.0)));
    const bool only_cancels = !guest && random.Chance(0.004);
    // A customer's orders fall within their time with the shop: from a first day to a last,
    // after which they no longer come (most leave within a year or so).
    const int64_t days = (end - start) / 86400;
    const auto first_day = static_cast<int64_t>(random.Below(static_cast<uint64_t>(days)));
    const int64_t active_days = std::max<int64_t>(1, std::min<int64_t>(days - first_day, static_cast<int64_t>(random.Gamma(1.2, 300))));
    for (int i = 0; i < invoices; ++i) {
      // Between 07:00 and 20:00, when the shop takes orders.
      const int64_t day = start / 86400 + first_day + static_cast<int64_t>(random.Below(static_cast<uint64_t>(active_days)));
      const int64_t time = day * 86400 + 7 * 3600 + static_cast<int64_t>(random.Below(13 * 3600));
      const bool cancelled = only_cancels || (i > 0 && random.Chance(0.02 * invoices / std::max(1, invoices - 1)));
      const int items = 1 + static_cast<int>(random.Below(cancelled ? 2 : 8));
      for (int l = 0; l < items; ++l) {
        int quantity = 1 + static_cast<int>(random.Below(random.Chance(0.1) ? 48 : 12));
        lines.push_back({time - time % 60, 0, cancelled, static_cast<size_t>(random.Below(kProducts.size())),
                         cancelled ? -quantity : quantity, id, country});
      }
    }
  }
  // Invoice numbers in time order, as the shop's till gives them.
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return a.time != b.time ? a.time < b.time : a.customer < b.customer;
  });
  uint64_t invoice = 536364;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == 0 || lines[i].time != lines[i - 1].time || lines[i].customer != lines[i - 1].customer ||
        lines[i].cancelled != lines[i - 1].cancelled) {
      ++invoice;
    }
    lines[i].invoice = invoice;
  }
  std::string csv = "\xEF\xBB\xBFInvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r\n";
  for (const Line& line : lines) {
    int year, month, day;
    auto days = static_cast<int32_t>(line.time / 86400);
    CivilFromDays(days, year, month, day);
    const int64_t second_of_day = line.time - int64_t{days} * 86400;
    const Product& product = kProducts[line.product];
    const std::string description = std::string(product.description).find(',') == std::string::npos
                                        ? product.description
                                        : fmt::format("\"{}\"", product.description);
    csv += fmt::format("{}{},{},{},{},{}/{}/{} {}:{:02},{},{},{}\r\n", line.cancelled ? "C" : "", line.invoice, product.code,
                       description, line.quantity, month, day, year, second_of_day / 3600, second_of_day % 3600 / 60,
                       product.price, line.customer, line.country);
  }
  return csv;
}

}  // namespace relc::data
