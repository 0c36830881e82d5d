#include "data/generate.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "data/parallel.h"
#include "data/random.h"
#include "data/values.h"

namespace relc::data {
namespace {

constexpr std::array kFirstNames = {"Camille", "Léa",    "Manon",  "Chloé",   "Emma",   "Inès",    "Hélène", "Zoé",
                                    "Lucas",   "Hugo",   "Louis",  "Gabriel", "Arthur", "Jules",   "Raphaël", "Noah",
                                    "Adam",    "Maël",   "Sarah",  "Jeanne",  "Paul",   "Nathan",  "Clément", "Anaïs"};
constexpr std::array kCities = {"Paris",      "Lyon",   "Marseille", "Toulouse", "Nice",   "Nantes",
                                "Strasbourg", "Lille",  "Bordeaux",  "Rennes",   "Reims",  "Grenoble",
                                "Dijon",      "Angers", "Brest",     "Orléans",  "Saint-Étienne", "Besançon"};

std::string Money(int64_t cents) { return fmt::format("{}.{:02}", cents / 100, cents % 100); }

// One events.csv row after `customer_id,event,time`, in the header's order.
struct EventFields {
  std::string amount, cart_id, items, value, page, referred_id, reason, from_channel;
};

struct Event {
  int64_t time;
  std::string_view type;
  EventFields fields;
};

}  // namespace

namespace {

// Customers [first, last), appended to `files` in order.
void GenerateRange(const GenerateOptions& options, uint64_t first, uint64_t last, GeneratedFiles& files) {
  const int64_t end = int64_t{options.as_of_day} * 86400;  // exclusive
  const double history_days = options.history_years * 365.2425;
  std::vector<Event> events;
  for (uint64_t c = first; c < last; ++c) {
    Random random(options.seed, c);
    int carts = 0;  // numbers this customer's carts: ids stay the same whatever the threads
    std::string id = fmt::format("C{:07}", c + 1);
    const char* first_name = kFirstNames[static_cast<size_t>(random.Below(kFirstNames.size()))];
    int32_t signup_day = options.as_of_day - 1 - static_cast<int32_t>(random.Uniform() * history_days);
    int32_t birth_day = options.as_of_day - static_cast<int32_t>((18 + random.Uniform() * 62) * 365.2425);
    bool has_birth_date = random.Chance(0.85);
    bool email_optin = random.Chance(0.72), sms_optin = random.Chance(0.41), phone_optin = random.Chance(0.23);
    bool postal_optin = random.Chance(0.62), push_optin = random.Chance(0.30), loyalty = random.Chance(0.18);
    const char* timezone = random.Chance(0.9) ? "Europe/Paris" : random.Chance(0.5) ? "America/Martinique" : "Indian/Reunion";
    files.customers_csv += fmt::format(
        "{},client.{}@example.com,+336{:08},{},{},{},{},FR,{},{},{},{},{},{},{}\n", id, c + 1,
        random.Below(100000000), first_name,
        has_birth_date ? FormatDate(birth_day) : "", FormatDate(signup_day),
        kCities[static_cast<size_t>(random.Below(kCities.size()))], timezone, email_optin, sms_optin, phone_optin,
        postal_optin, push_optin, loyalty);

    // Purchases: BG/NBD-like behaviour, per-customer rate and drop-out; a quarter are prospects.
    events.clear();
    int64_t start = int64_t{signup_day} * 86400 + static_cast<int64_t>(random.Uniform() * 86400);
    bool prospect = random.Chance(0.25);
    double rate_per_day = random.Gamma(0.6, 1.0 / 60);  // mean 0.01 purchases a day
    double dropout = random.Beta(0.8, 4.0);
    double mean_spend = 100 * random.Gamma(4.0, 12.0);  // cents; heavy-tailed across customers
    int64_t time = start;
    bool alive = !prospect;
    int purchases = 0;
    while (alive) {
      time += static_cast<int64_t>(-std::log(1 - random.Uniform()) / std::max(rate_per_day, 1e-6) * 86400);
      if (time >= end) break;
      std::string cart;
      if (random.Chance(0.35)) {
        // An abandoned cart first, bought a few hours to days later.
        cart = fmt::format("K{:07}-{}", c + 1, ++carts);
        int64_t abandoned = std::max(start, time - static_cast<int64_t>(random.Uniform() * 3 * 86400));
        int64_t value = static_cast<int64_t>(mean_spend * random.Gamma(6.0, 1 / 6.0));
        events.push_back({abandoned, "cart_abandoned", {.cart_id = cart, .value = Money(std::max<int64_t>(value, 100))}});
      }
      int64_t amount = std::max<int64_t>(static_cast<int64_t>(mean_spend * random.Gamma(6.0, 1 / 6.0)), 199);
      events.push_back({time, "purchase", {.amount = Money(amount), .cart_id = cart, .items = std::to_string(1 + random.Below(4))}});
      ++purchases;
      if (random.Chance(dropout)) alive = false;
    }
    // Carts abandoned and never bought, visits, and the rarer events.
    int extra_carts = random.Below(3);
    for (int k = 0; k < extra_carts; ++k) {
      int64_t at = start + static_cast<int64_t>(random.Uniform() * static_cast<double>(end - start));
      int64_t value = std::max<int64_t>(static_cast<int64_t>(mean_spend * random.Gamma(6.0, 1 / 6.0)), 100);
      events.push_back({at, "cart_abandoned", {.cart_id = fmt::format("K{:07}-{}", c + 1, ++carts), .value = Money(value)}});
    }
    int visits = random.Below(9) + purchases;
    for (int k = 0; k < visits; ++k) {
      int64_t at = start + static_cast<int64_t>(random.Uniform() * static_cast<double>(end - start));
      events.push_back({at, "visit", {.page = "/produits"}});
    }
    if (email_optin && random.Chance(0.2)) {
      events.push_back({start + static_cast<int64_t>(random.Uniform() * static_cast<double>(end - start)), "newsletter_signup", {}});
    }
    if (purchases >= 3 && random.Chance(0.25)) {
      events.push_back({time - 86400, "referral", {.referred_id = fmt::format("R{:07}", c + 1)}});
    }
    if (purchases > 0 && random.Chance(0.03)) {
      events.push_back({start + static_cast<int64_t>(random.Uniform() * static_cast<double>(end - start)), "complaint", {.reason = "late delivery"}});
    }
    if (email_optin && random.Chance(0.03)) {
      events.push_back({start + static_cast<int64_t>(random.Uniform() * static_cast<double>(end - start)), "unsubscribe", {.from_channel = "email"}});
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
    for (const auto& event : events) {
      if (event.time >= end || event.time < start) continue;
      const EventFields& f = event.fields;
      files.events_csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", id, event.type, FormatDateTime(event.time), f.amount,
                                      f.cart_id, f.items, f.value, f.page, f.referred_id, f.reason, f.from_channel);
      ++files.events;
    }
  }
}

}  // namespace

GeneratedFiles GenerateCrm(const GenerateOptions& options) {
  GeneratedFiles files;
  files.customers_csv =
      "id,email,phone,first_name,birth_date,signup_date,city,country,timezone,email_optin,sms_optin,phone_optin,"
      "postal_optin,push_optin,loyalty_member\n";
  files.events_csv = "customer_id,event,time,amount,cart_id,items,value,page,referred_id,reason,from_channel\n";
  files.customers_csv.reserve(options.customers * 140);  // about 134 bytes a customer

  files.events_csv.reserve(options.customers * 760);     // about 706 bytes of events a customer
  // Chunks of customers on every core, appended in order as each is done: every customer draws
  // from its own generator, so the output is the same whatever the threads.
  constexpr uint64_t kChunk = 20000;
  const size_t chunks = static_cast<size_t>((options.customers + kChunk - 1) / kChunk);
  std::mutex mutex;
  std::condition_variable turn;
  size_t appended = 0;
  ParallelFor(chunks, ThreadCount(0), [&](size_t i, unsigned) {
    GeneratedFiles part;
    GenerateRange(options, i * kChunk, std::min<uint64_t>(options.customers, (i + 1) * kChunk), part);
    std::unique_lock lock(mutex);
    turn.wait(lock, [&] { return appended == i; });
    files.customers_csv += part.customers_csv;
    files.events_csv += part.events_csv;
    files.events += part.events;
    ++appended;
    turn.notify_all();
  });
  return files;
}

}  // namespace relc::data
