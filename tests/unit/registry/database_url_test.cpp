#include "registry/db/database_url.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

TEST(DatabaseUrl, ParsesGlanceStyleUrls) {
  auto u =
      parse_database_url("mysql+pymysql://glance:s%40cret@db.example:3307/glance?charset=utf8");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->user, "glance");
  EXPECT_EQ(u->password, "s@cret");
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, 3307);
  EXPECT_EQ(u->database, "glance");
  EXPECT_EQ(u->redacted(), "mysql://glance:***@db.example:3307/glance");
}

TEST(DatabaseUrl, UnixSocketAndDefaults) {
  auto u = parse_database_url("mysql://g:p@localhost/glance?unix_socket=/run/x.sock");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->unix_socket, "/run/x.sock");
  EXPECT_EQ(u->port, 3306);
}

TEST(DatabaseUrl, QueryParametersAreDecodedAndAFragmentEndsThem) {
  auto u = parse_database_url("mysql://g:p@h/glance?charset=utf8&unix_socket=%2Frun%2Fy.sock#x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->unix_socket, "/run/y.sock");
}

// Found by the database_url fuzz target: an empty query followed by a fragment made the
// parameter iteration of Boost.URL 1.81 run past the end of the text.
TEST(DatabaseUrl, EmptyQueryBeforeAFragment) {
  for (const char* text : {"mysql+pymysql://glance:p%40ss@db.exampleog/lm.cance?#=utf8",
                           "mysql://g@h/glance?#", "mysql://g@h/glance?&#x"}) {
    auto u = parse_database_url(text);
    ASSERT_TRUE(u) << text;
    EXPECT_EQ(u->unix_socket, "") << text;
  }
}

TEST(DatabaseUrl, RefusesOtherSchemesAndMissingDatabase) {
  EXPECT_FALSE(parse_database_url("sqlite:///glance.sqlite"));
  EXPECT_FALSE(parse_database_url("mysql://u:p@h:1/"));
  EXPECT_FALSE(parse_database_url("not a url"));
}

}  // namespace
}  // namespace glance::registry
