#include <catch2/catch.hpp>

#include "diagnostics/suggest.h"

using relc::ClosestMatch;
using relc::EditDistance;

TEST_CASE("edit distance", "[suggest]") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("dormant", "dormant") == 0);
  CHECK(EditDistance("dormnat", "dormant") == 1);  // a transposition
  CHECK(EditDistance("emial", "email") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("", "abc") == 3);
}

TEST_CASE("closest match prefers a case-insensitive match then a near one", "[suggest]") {
  std::vector<std::string> names = {"dormant", "vip", "Winback", "loyal"};
  CHECK(ClosestMatch("winback", names) == "Winback");
  CHECK(ClosestMatch("dormnat", names) == "dormant");
  CHECK(ClosestMatch("vp", names) == "vip");
  CHECK_FALSE(ClosestMatch("customers", names).has_value());
  CHECK_FALSE(ClosestMatch("vip", names).has_value());  // the name itself is no suggestion
}
