#include "common/uri_redaction.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace glance::common {
namespace {

TEST(RedactCredentials, ReplacesUserAndPassword) {
  EXPECT_EQ(redact_credentials("http://user:pass@example.com/images/1"),
            "http://***@example.com/images/1");
  EXPECT_EQ(redact_credentials("https://user:pass@example.com:8443/a?b=c"),
            "https://***@example.com:8443/a?b=c");
  EXPECT_EQ(redact_credentials("http://token@example.com"), "http://***@example.com");
}

TEST(RedactCredentials, SwiftUserMayHoldColonsAndKeyAnAt) {
  EXPECT_EQ(redact_credentials("swift+https://account:user:key@auth.example.com/v2.0/c/o"),
            "swift+https://***@auth.example.com/v2.0/c/o");
  // The userinfo ends at the last '@' of the authority.
  EXPECT_EQ(redact_credentials("swift://acct:user:k@y@auth/c/o"), "swift://***@auth/c/o");
}

TEST(RedactCredentials, LeavesUrisWithoutUserinfoUnchanged) {
  for (std::string uri :
       {"http://example.com/images/1", "file:///var/lib/glance/images/x",
        "http://example.com/user@example.org/x", "swift+config://ref/c/o", "http://[::1]:8080/a"})
    EXPECT_EQ(redact_credentials(uri), uri);
}

TEST(RedactCredentials, RedactsEveryEmbeddedUri) {
  EXPECT_EQ(redact_credentials("swift://user:key@http://admin:pw@auth/v1/c/o"),
            "swift://***@http://***@auth/v1/c/o");
  EXPECT_EQ(redact_credentials("http://a:b@h/?next=http://c:d@i/"),
            "http://***@h/?next=http://***@i/");
}

TEST(RedactCredentials, ToleratesGarbage) {
  for (const std::string& text :
       std::initializer_list<std::string>{"", "://", ":///", "@", "://@", "no uri here", "http://",
                                          "a://b:c@", std::string("x://\0@y", 7)})
    EXPECT_NO_THROW(redact_credentials(text)) << text;
  EXPECT_EQ(redact_credentials("no uri here"), "no uri here");
  EXPECT_EQ(redact_credentials("http://"), "http://");
  EXPECT_EQ(redact_credentials("://@"), "://***@");
  EXPECT_EQ(redact_credentials("a://b:c@"), "a://***@");
}

// Found by the source_policy fuzz target: a refusal echoed a malformed URI, without "://",
// that carried a password.
TEST(RedactCredentials, MasksPasswordsOfMalformedUris) {
  EXPECT_EQ(redact_credentials("user:pass@host"), "***@host");
  EXPECT_EQ(redact_credentials("http:/u:pw@h/x"), "http:/***@h/x");
  EXPECT_EQ(redact_credentials("x:pw@y://h/p"), "***@y://h/p");
  EXPECT_EQ(redact_credentials("http://h/a:pw@b%"), "http://h/***@b%");
  EXPECT_EQ(redact_credentials("ht(" + std::string(3, '\0') + "...54:s3cr3t-pw@atest/meaatdt-a"),
            "***@atest/meaatdt-a");
}

// Only a segment with a ':' before its '@' holds a password: one without an '@', or a user
// name without a ':', is kept.
TEST(RedactCredentials, KeepsSegmentsWithoutAPassword) {
  EXPECT_EQ(redact_credentials("fs:/u/s:not-a-pw/u/s:pw@10:x"), "fs:/u/s:not-a-pw/u/***@10:x");
  EXPECT_EQ(redact_credentials("fs:/u/name@10/u/s:pw@10:x"), "fs:/u/name@10/u/***@10:x");
}

}  // namespace
}  // namespace glance::common
