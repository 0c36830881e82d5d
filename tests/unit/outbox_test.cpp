// The outbox over SQLite: versions, keys written once, dense sequence numbers, the lock; and
// message keys as text.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "outbox/outbox.h"
#include "simulate/simulate.h"

namespace {

relc::outbox::Message Message(const std::string& key, const std::string& customer, const std::string& program, int64_t due) {
  return {.key = key, .customer = customer, .channel = "email", .message = "m", .program = program, .scenario = "s", .step = "first",
          .entry = 1, .due_at = due};
}

}  // namespace

TEST_CASE("message keys read back as they print, and nothing else reads as one", "[outbox]") {
  const relc::simulate::MessageKey key{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  CHECK(key.Text() == "0123456789abcdeffedcba9876543210");
  CHECK(relc::simulate::MessageKey::Parse(key.Text()) == key);
  CHECK(relc::simulate::MessageKey::Parse("0123456789ABCDEFFEDCBA9876543210") == key);
  CHECK_FALSE(relc::simulate::MessageKey::Parse("0123456789abcdeffedcba987654321"));
  CHECK_FALSE(relc::simulate::MessageKey::Parse("0123456789abcdeffedcba987654321g"));
  CHECK_FALSE(relc::simulate::MessageKey::Parse(""));
}

TEST_CASE("an outbox writes each key once, numbers rows densely, and holds one apply at a time", "[outbox]") {
  namespace fs = std::filesystem;
  const fs::path path = fs::temp_directory_path() / ("relc_outbox_test_" + std::to_string(getpid()) + ".db");
  fs::remove(path);
  std::string error;
  CHECK(relc::outbox::Store::Open(path.string(), false, error) == nullptr);  // not created by a reader
  CHECK(error.empty());
  CHECK_FALSE(fs::exists(path));
  auto store = relc::outbox::Store::Open(path.string(), true, error);
  REQUIRE(store);
  REQUIRE(store->Lock(0, error));
  CHECK_FALSE(store->Latest(error));
  CHECK_FALSE(store->LastApplied(error));
  CHECK(error.empty());
  relc::outbox::Version version{.number = 1, .deployed_at = 86400, .starts = 0, .seed = 18446744073709551615ULL,
                                .sources = {{"a.rel", "program \"A\" {}\n"}}};
  REQUIRE(store->AddVersion(version, error));
  size_t written = 0;
  REQUIRE(store->Write({Message("k1", "C1", "A", 100), Message("k2", "C2", "B", 200)}, 1, 86400, written, error));
  CHECK(written == 2);
  // Again, with one key already there: only the new one is written, numbered on.
  REQUIRE(store->Write({Message("k2", "C2", "B", 200), Message("k3", "C3", "B", 300)}, 1, 86400, written, error));
  CHECK(written == 1);
  REQUIRE(store->Finish(1, 86400, 3, error));
  std::vector<std::string> keys;
  REQUIRE(store->Keys(keys, error));
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"k1", "k2", "k3"});
  std::vector<relc::outbox::Message> others;
  REQUIRE(store->MessagesOfOthers({"A"}, others, error));
  REQUIRE(others.size() == 2);
  CHECK(others[0].program == "B");
  auto latest = store->Latest(error);
  REQUIRE(latest);
  CHECK(latest->seed == version.seed);
  CHECK(latest->sources[0].text == version.sources[0].text);
  CHECK(store->LastApplied(error) == 86400);
  // Another handle on the same outbox cannot take it while the first holds it.
  auto second = relc::outbox::Store::Open(path.string(), true, error);
  REQUIRE(second);
  CHECK_FALSE(second->Lock(0, error));
  CHECK(error.find("another `relc apply` holds") != std::string::npos);
  store.reset();
  CHECK(second->Lock(0, error));
  second.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}
