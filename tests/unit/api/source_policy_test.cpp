#include "api/source_policy.h"

#include "api/api_config.h"
#include "common/uri_redaction.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace glance::api {
namespace {

namespace ip = boost::asio::ip;
constexpr auto kLocation = SourceUse::location;
constexpr auto kCopy = SourceUse::copy_from;
constexpr auto kUses = {SourceUse::location, SourceUse::copy_from};

SourcePolicy policy(SourcePolicyConfig config) {
  auto p = SourcePolicy::from_config(config);
  EXPECT_TRUE(p) << p.error().message();
  return p.value();
}

// The message of the refusal, or "" when the URI is accepted.
std::string refusal(const SourcePolicy& p, std::string_view uri, SourceUse use) {
  auto r = p.check_uri(uri, use);
  if (r) return "";
  EXPECT_EQ(r.error().code(), common::Errc::bad_request) << uri;
  return r.error().message();
}

std::string refusal(const SourcePolicy& p, std::string_view host, std::string_view addr,
                    SourceUse use) {
  auto r = p.check_address(host, ip::make_address(addr), use);
  if (r) return "";
  EXPECT_EQ(r.error().code(), common::Errc::bad_request) << host << " " << addr;
  return r.error().message();
}

std::string not_allowed(std::string_view host) {
  return "External source host '" + std::string(host) + "' is not allowed";
}

TEST(SourcePolicyUri, EmptyIsRefused) {
  for (auto use : kUses)
    EXPECT_EQ(refusal(SourcePolicy(), "", use), "External source should not be empty");
}

TEST(SourcePolicyUri, RemoteSchemesAreAcceptedByDefault) {
  for (auto use : kUses)
    for (const char* uri :
         {"http://images.example.com/a.img", "https://images.example.com:8443/a.img",
          "swift://acct:user:key@auth.example.com/v2.0/c/o",
          "swift+http://user:key@auth.example.com/v1/c/o",
          "swift+https://user:key@auth.example.com/v1/c/o", "s3://key:secret@s3.example.com/b/o",
          "s3+http://key:secret@s3.example.com/b/o", "s3+https://key:secret@s3.example.com/b/o",
          "http://203.0.113.7/a.img", "http://[2001:db8::7]:8080/a.img"})
      EXPECT_EQ(refusal(SourcePolicy(), uri, use), "") << uri;
}

TEST(SourcePolicyUri, ObjectStoreSourcesMustCarryTheirOwnCredentials) {
  // Without them the store would sign the request with the operator's account.
  for (auto use : kUses)
    for (const std::string uri :
         {"s3://s3.example.com/b/o", "S3+HTTPS://s3.example.com/b/o",
          "s3+http://key@s3.example.com/b/o", "s3://:secret@s3.example.com/b/o",
          "swift://auth.example.com/v1/c/o", "swift+http://user@auth.example.com/v1/c/o",
          "swift+https://auth.example.com/v1/c/o"})
      EXPECT_EQ(refusal(SourcePolicy(), uri, use), "External source '" +
                                                       common::redact_credentials(uri) +
                                                       "' carries no credentials of its own");
  // Not shown back.
  EXPECT_EQ(refusal(SourcePolicy(), "s3://key@s3.example.com/b/o", kCopy).find("key@"),
            std::string::npos);
  // http sources may be anonymous.
  EXPECT_EQ(refusal(SourcePolicy(), "http://images.example.com/a.img", kCopy), "");
}

TEST(SourcePolicyUri, LocalSchemesAreNeverAccepted) {
  auto listed = policy({.schemes = {"http", "file", "filesystem", "swift+config"}});
  SourcePolicy defaults;
  for (const auto* p : {&listed, &defaults})
    for (auto use : kUses)
      for (const char* uri :
           {"file:///etc/passwd", "FILE:///etc/passwd", "File://localhost/etc/passwd",
            "filesystem:///var/lib/glance/images/x", "swift+config://ref1/c/o",
            "SWIFT+CONFIG://ref1/c/o"})
        EXPECT_EQ(refusal(*p, uri, use),
                  "External sources are not supported: '" + std::string(uri) + "'");
}

TEST(SourcePolicyUri, SchemesAreComparedWithoutCase) {
  EXPECT_EQ(refusal(SourcePolicy(), "HTTP://images.example.com/a", kCopy), "");
  EXPECT_EQ(refusal(SourcePolicy(), "Swift+HTTPS://u:k@auth.example.com/c/o", kCopy), "");
  auto upper = policy({.schemes = {"HTTPS"}});
  EXPECT_EQ(refusal(upper, "https://images.example.com/a", kCopy), "");
  EXPECT_NE(refusal(upper, "http://images.example.com/a", kCopy), "");
}

TEST(SourcePolicyUri, UnlistedSchemesAreRefusedWithCredentialsRedacted) {
  auto https_only = policy({.schemes = {"https"}});
  EXPECT_EQ(refusal(https_only, "http://user:secret@images.example.com/a", kLocation),
            "External sources are not supported: 'http://***@images.example.com/a'");
  for (const char* uri : {"gopher://example.com/", "ftp://example.com/a", "rbd://fsid/pool/i/s",
                          "no scheme at all", "//example.com/a", ":x"})
    EXPECT_EQ(refusal(SourcePolicy(), uri, kLocation),
              "External sources are not supported: '" + std::string(uri) + "'");
  auto none = policy({.schemes = {}});
  EXPECT_NE(refusal(none, "https://images.example.com/a", kLocation), "");
}

TEST(SourcePolicyUri, MalformedUrisAreInvalidLocations) {
  for (auto use : kUses)
    for (const char* uri :
         {"http:images.example.com/a", "http:///a", "http://", "http://:80/a",
          "http://images.example.com:http/a", "http://images.example.com:/a",
          "http://images.example.com:0/a", "http://images.example.com:65536/a",
          "http://images.example.com:99999999999999999999/a", "http://exa mple.com/a",
          "http://[::1/", "http://[v7.fe]/", "http", "http://[fe80::1%25eth0]/",
          "http://%00.example.com/", "http://ex%2Fample.com/", "http://exa..mple.com/",
          "http://image\r\n.example.com/"})
      EXPECT_EQ(refusal(SourcePolicy(), uri, use), "Invalid location: " + std::string(uri)) << uri;
  EXPECT_EQ(refusal(SourcePolicy(), "http://u:secret@:80/a", kCopy),
            "Invalid location: http://***@:80/a");
  // Where parsers disagree on the host, the URI is refused.
  for (auto [uri, shown] : std::initializer_list<std::pair<const char*, const char*>>{
           {"http://a@b@example.com/", "http://***@example.com/"},
           {"http://evil.com\\@127.0.0.1/", "http://***@127.0.0.1/"},
           {"http://127.0.0.1./", "http://127.0.0.1./"},
           {"http://127.0.0.1.example.com/", "http://127.0.0.1.example.com/"},
           {"http://images.example.com:80:90/", "http://images.example.com:80:90/"},
           {"http://[::1]x/", "http://[::1]x/"}})
    for (auto use : kUses)
      EXPECT_EQ(refusal(SourcePolicy(), uri, use), "Invalid location: " + std::string(shown))
          << uri;
}

TEST(SourcePolicyUri, PortsInRangeAreAccepted) {
  EXPECT_EQ(refusal(SourcePolicy(), "http://images.example.com:1/a", kCopy), "");
  EXPECT_EQ(refusal(SourcePolicy(), "http://images.example.com:65535/a", kCopy), "");
}

TEST(SourcePolicyUri, InternalLiteralsAreRefusedForCopyFromOnly) {
  for (auto [uri, host] : std::initializer_list<std::pair<const char*, const char*>>{
           {"http://127.0.0.1/", "127.0.0.1"},
           {"http://127.8.9.10:9191/images", "127.8.9.10"},
           {"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
           {"http://10.1.2.3/", "10.1.2.3"},
           {"http://172.16.0.1/", "172.16.0.1"},
           {"http://172.31.255.255/", "172.31.255.255"},
           {"http://192.168.1.1/", "192.168.1.1"},
           {"http://100.64.0.1/", "100.64.0.1"},
           {"http://0.0.0.0/", "0.0.0.0"},
           {"http://224.0.0.1/", "224.0.0.1"},
           {"http://255.255.255.255/", "255.255.255.255"},
           {"http://[::1]/", "[::1]"},
           {"http://[::]/", "[::]"},
           {"http://[fe80::1]/", "[fe80::1]"},
           {"http://[fd00:ec2::254]/", "[fd00:ec2::254]"},
           {"http://[ff02::1]/", "[ff02::1]"},
           {"http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]"},
           {"http://[::ffff:7f00:1]/", "[::ffff:7f00:1]"},
           {"http://[::ffff:169.254.169.254]/", "[::ffff:169.254.169.254]"},
           {"http://[::127.0.0.1]/", "[::127.0.0.1]"},
           {"http://[64:ff9b::10.0.0.1]/", "[64:ff9b::10.0.0.1]"},
           {"http://localhost/", "localhost"},
           {"http://LocalHost:9191/", "LocalHost"},
           {"http://localhost./", "localhost."},
           {"http://api.localhost/", "api.localhost"},
           {"http://%6c%6fcalhost/", "%6c%6fcalhost"}}) {
    EXPECT_EQ(refusal(SourcePolicy(), uri, kCopy), not_allowed(host)) << uri;
    EXPECT_EQ(refusal(SourcePolicy(), uri, kLocation), "") << uri;
  }
}

TEST(SourcePolicyUri, PublicNeighboursOfInternalRangesAreAccepted) {
  for (const char* uri : {"http://172.15.255.255/", "http://172.32.0.0/", "http://100.63.255.255/",
                          "http://100.128.0.0/", "http://169.253.255.255/", "http://11.0.0.1/",
                          "http://[2001:db8::1]/", "http://[::ffff:8.8.8.8]/"})
    EXPECT_EQ(refusal(SourcePolicy(), uri, kCopy), "") << uri;
}

TEST(SourcePolicyUri, NumericHostsInLegacyFormsAreRefused) {
  for (auto [uri, host] : std::initializer_list<std::pair<const char*, const char*>>{
           {"http://2130706433/", "2130706433"},
           {"http://0x7f.1/", "0x7f.1"},
           {"http://0x7f000001/", "0x7f000001"},
           {"http://017700000001/", "017700000001"},
           {"http://0177.0.0.1/", "0177.0.0.1"},
           {"http://127.1/", "127.1"},
           {"http://%31%32%37.0.0.1/", "%31%32%37.0.0.1"},
           {"http://8.8.8.010/", "8.8.8.010"},
           {"http://example.0x10/", "example.0x10"}})
    for (auto use : kUses) EXPECT_EQ(refusal(SourcePolicy(), uri, use), not_allowed(host)) << uri;
  // Digits inside names are ordinary.
  EXPECT_EQ(refusal(SourcePolicy(), "http://1.example.com/", kCopy), "");
  EXPECT_EQ(refusal(SourcePolicy(), "http://0x7f.example.com/", kCopy), "");
  EXPECT_EQ(refusal(SourcePolicy(), "http://images-2.example.com/", kCopy), "");
}

TEST(SourcePolicyUri, TheHostCountsNotTheUserinfo) {
  EXPECT_EQ(refusal(SourcePolicy(), "http://127.0.0.1@evil.com/", kCopy), "");
  EXPECT_EQ(refusal(SourcePolicy(), "http://localhost:80@evil.com/", kCopy), "");
  EXPECT_EQ(refusal(SourcePolicy(), "http://evil.com@127.0.0.1/", kCopy), not_allowed("127.0.0.1"));
  EXPECT_EQ(refusal(SourcePolicy(), "http://evil.com:x@localhost/", kCopy),
            not_allowed("localhost"));
  auto only_evil = policy({.allowed_hosts = {"evil.com"}});
  EXPECT_EQ(refusal(only_evil, "http://evil.com@127.0.0.1/", kLocation), not_allowed("127.0.0.1"));
  auto no_evil = policy({.denied_hosts = {"evil.com"}});
  EXPECT_EQ(refusal(no_evil, "http://evil.com@good.example.com/", kLocation), "");
  EXPECT_EQ(refusal(no_evil, "http://good.example.com@evil.com/", kLocation),
            not_allowed("evil.com"));
}

TEST(SourcePolicyUri, AllowListLimitsHostsAndAdmitsPrivateRanges) {
  auto p = policy({.allowed_hosts = {"images.example.com", ".mirror.example.org", "10.20.0.0/16",
                                     "fd00:1::/32", "192.168.1.10", "localhost"}});
  for (auto use : kUses) {
    for (const char* uri :
         {"http://images.example.com/a", "http://IMAGES.example.com./a",
          "http://mirror.example.org/a", "http://eu.mirror.example.org/a",
          "http://10.20.3.4:8080/a", "http://[fd00:1:2::3]/a", "http://[::ffff:10.20.3.4]/a",
          "http://192.168.1.10/a", "http://localhost:8080/a"})
      EXPECT_EQ(refusal(p, uri, use), "") << uri;
    for (auto [uri, host] : std::initializer_list<std::pair<const char*, const char*>>{
             {"http://other.example.com/a", "other.example.com"},
             {"http://example.com/a", "example.com"},
             {"http://images.example.com.evil.net/a", "images.example.com.evil.net"},
             {"http://evilmirror.example.org/a", "evilmirror.example.org"},
             {"http://10.21.0.1/a", "10.21.0.1"},
             {"http://192.168.1.11/a", "192.168.1.11"},
             {"http://203.0.113.7/a", "203.0.113.7"},
             {"http://[fd00:2::1]/a", "[fd00:2::1]"},
             {"http://127.0.0.1/a", "127.0.0.1"}})
      EXPECT_EQ(refusal(p, uri, use), not_allowed(host)) << uri;
  }
}

TEST(SourcePolicyUri, DenyListBeatsAllowList) {
  auto p = policy({.allowed_hosts = {".example.com", "10.0.0.0/8"},
                   .denied_hosts = {"secret.example.com", "10.9.0.0/16", ".internal.example.com"}});
  for (auto use : kUses) {
    EXPECT_EQ(refusal(p, "http://images.example.com/a", use), "");
    EXPECT_EQ(refusal(p, "http://10.1.0.1/a", use), "");
    EXPECT_EQ(refusal(p, "http://secret.example.com/a", use), not_allowed("secret.example.com"));
    EXPECT_EQ(refusal(p, "http://10.9.1.1/a", use), not_allowed("10.9.1.1"));
    EXPECT_EQ(refusal(p, "http://[::ffff:10.9.1.1]/a", use), not_allowed("[::ffff:10.9.1.1]"));
    EXPECT_EQ(refusal(p, "http://internal.example.com/a", use),
              not_allowed("internal.example.com"));
    EXPECT_EQ(refusal(p, "http://db.internal.example.com/a", use),
              not_allowed("db.internal.example.com"));
  }
}

TEST(SourcePolicyUri, DenyListAppliesToLocationsToo) {
  auto p = policy({.denied_hosts = {"169.254.0.0/16", "metadata.google.internal", "::1"}});
  EXPECT_EQ(refusal(p, "http://169.254.169.254/", kLocation), not_allowed("169.254.169.254"));
  EXPECT_EQ(refusal(p, "http://metadata.google.internal/", kLocation),
            not_allowed("metadata.google.internal"));
  EXPECT_EQ(refusal(p, "http://[::1]/", kLocation), not_allowed("[::1]"));
  EXPECT_EQ(refusal(p, "http://[0:0:0:0:0:0:0:1]/", kLocation), not_allowed("[0:0:0:0:0:0:0:1]"));
  EXPECT_EQ(refusal(p, "http://10.0.0.1/", kLocation), "");
}

TEST(SourcePolicyAddress, InternalRangesAreRefusedForCopyFrom) {
  for (const char* addr : {"127.0.0.1",
                           "127.255.255.254",
                           "169.254.169.254",
                           "10.0.0.1",
                           "10.255.255.255",
                           "172.16.0.1",
                           "172.31.255.255",
                           "192.168.0.1",
                           "192.168.255.255",
                           "100.64.0.1",
                           "100.127.255.255",
                           "0.0.0.0",
                           "0.1.2.3",
                           "224.0.0.251",
                           "239.255.255.250",
                           "255.255.255.255",
                           "192.0.0.192",
                           "::1",
                           "::",
                           "fe80::1",
                           "febf::1",
                           "fc00::1",
                           "fd12:3456::1",
                           "ff02::1",
                           "::ffff:127.0.0.1",
                           "::ffff:10.0.0.1",
                           "::ffff:169.254.169.254",
                           "::ffff:192.168.0.1",
                           "::ffff:172.16.0.1",
                           "::ffff:100.64.0.1",
                           "::ffff:0.0.0.0",
                           "::10.0.0.1",
                           "64:ff9b::169.254.169.254"}) {
    EXPECT_EQ(refusal(SourcePolicy(), "images.example.com", addr, kCopy),
              not_allowed("images.example.com"))
        << addr;
    EXPECT_EQ(refusal(SourcePolicy(), "images.example.com", addr, kLocation), "") << addr;
  }
}

TEST(SourcePolicyAddress, PublicAddressesAreAccepted) {
  for (const char* addr : {"8.8.8.8", "203.0.113.7", "172.32.0.1", "100.128.0.1", "2001:db8::1",
                           "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"})
    for (auto use : kUses) EXPECT_EQ(refusal(SourcePolicy(), "images.example.com", addr, use), "");
}

TEST(SourcePolicyAddress, LocalhostAndLegacyNumericNamesAreRefused) {
  EXPECT_EQ(refusal(SourcePolicy(), "localhost", "203.0.113.7", kCopy), not_allowed("localhost"));
  EXPECT_EQ(refusal(SourcePolicy(), "x.localhost.", "203.0.113.7", kCopy),
            not_allowed("x.localhost."));
  EXPECT_EQ(refusal(SourcePolicy(), "2130706433", "203.0.113.7", kLocation),
            not_allowed("2130706433"));
  EXPECT_EQ(refusal(SourcePolicy(), "[::1]", "::1", kCopy), not_allowed("[::1]"));
  EXPECT_EQ(refusal(SourcePolicy(), "[2001:db8::1]", "2001:db8::1", kCopy), "");
}

TEST(SourcePolicyAddress, AllowedHostOrAddressAdmitsInternalAddresses) {
  auto p = policy({.allowed_hosts = {"images.example.com", "10.5.0.0/16"}});
  // The operator named the host: where it resolves is the operator's affair.
  EXPECT_EQ(refusal(p, "images.example.com", "192.168.3.3", kCopy), "");
  EXPECT_EQ(refusal(p, "other.example.com", "10.5.1.1", kCopy), "");
  EXPECT_EQ(refusal(p, "other.example.com", "::ffff:10.5.1.1", kCopy), "");
  // Neither host nor address listed: refused, even a public address, even as a location.
  EXPECT_EQ(refusal(p, "other.example.com", "8.8.8.8", kLocation),
            not_allowed("other.example.com"));
  EXPECT_EQ(refusal(p, "other.example.com", "192.168.3.3", kCopy),
            not_allowed("other.example.com"));
}

TEST(SourcePolicyAddress, DeniedHostOrAddressIsRefused) {
  auto p = policy({.allowed_hosts = {".example.com"},
                   .denied_hosts = {"10.0.0.0/8", "fd00::/8", "bad.example.com"}});
  for (auto use : kUses) {
    // A public name that resolves into a denied range: DNS cannot get around the list.
    EXPECT_EQ(refusal(p, "images.example.com", "10.1.1.1", use), not_allowed("images.example.com"));
    EXPECT_EQ(refusal(p, "images.example.com", "::ffff:10.1.1.1", use),
              not_allowed("images.example.com"));
    EXPECT_EQ(refusal(p, "images.example.com", "fd00::5", use), not_allowed("images.example.com"));
    EXPECT_EQ(refusal(p, "BAD.example.com.", "203.0.113.7", use), not_allowed("BAD.example.com."));
    EXPECT_EQ(refusal(p, "images.example.com", "203.0.113.7", use), "");
  }
}

TEST(SourcePolicyFromConfig, BadEntriesAreNamed) {
  for (auto [config, entry] : std::initializer_list<std::pair<SourcePolicyConfig, const char*>>{
           {{.allowed_hosts = {"10.0.0.0/33"}}, "10.0.0.0/33"},
           {{.allowed_hosts = {"10.0.0.0/"}}, "10.0.0.0/"},
           {{.allowed_hosts = {"10.0.0/8"}}, "10.0.0/8"},
           {{.allowed_hosts = {"fd00::/129"}}, "fd00::/129"},
           {{.allowed_hosts = {"fd00::/x"}}, "fd00::/x"},
           {{.denied_hosts = {"exa mple.com"}}, "exa mple.com"},
           {{.denied_hosts = {"*.example.com"}}, "*.example.com"},
           {{.denied_hosts = {"."}}, "."},
           {{.denied_hosts = {"10.1"}}, "10.1"},
           {{.denied_hosts = {"2130706433"}}, "2130706433"},
           {{.denied_hosts = {"http://example.com"}}, "http://example.com"},
           {{.schemes = {"ht tp"}}, "ht tp"},
           {{.schemes = {"1http"}}, "1http"},
           {{.schemes = {""}}, "''"}}) {
    auto p = SourcePolicy::from_config(config);
    ASSERT_FALSE(p) << entry;
    EXPECT_EQ(p.error().code(), common::Errc::bad_request);
    EXPECT_NE(p.error().message().find(entry), std::string::npos) << p.error().message();
  }
}

TEST(SourcePolicyFromConfig, EntryFormsAreAccepted) {
  auto p = SourcePolicy::from_config(
      {.schemes = {"https", "Swift+HTTPS", "file"},
       .allowed_hosts = {"10.0.0.1/8", "[fd00::1]", "FD00::/8", "::ffff:10.0.0.0/104",
                         "Images.Example.com.", ".example.org", "localhost", "under_score.example"},
       .denied_hosts = {"0.0.0.0/0", "::/0"}});
  EXPECT_TRUE(p) << p.error().message();
}

TEST(SourcePolicyFromConfig, OptionsAreReadAndBadEntriesNameTheOption) {
  auto good = common::ConfigFile::from_string(
      "[DEFAULT]\nexternal_source_schemes = https, swift+https\n"
      "external_source_allowed_hosts = 10.0.0.0/8, .example.com\n"
      "external_source_denied_hosts = 10.9.0.0/16\n");
  auto config = load_api_config(good);
  EXPECT_TRUE(good.errors().empty()) << good.errors().front();
  EXPECT_EQ(config.source_policy.schemes, (std::vector<std::string>{"https", "swift+https"}));
  EXPECT_EQ(config.source_policy.allowed_hosts,
            (std::vector<std::string>{"10.0.0.0/8", ".example.com"}));
  EXPECT_EQ(config.source_policy.denied_hosts, (std::vector<std::string>{"10.9.0.0/16"}));

  auto bad = common::ConfigFile::from_string(
      "[DEFAULT]\nexternal_source_allowed_hosts = 10.0.0.0/8, 10.0.0.0/33\n"
      "external_source_denied_hosts = fd00::/200\n");
  load_api_config(bad);
  ASSERT_EQ(bad.errors().size(), 2u);
  EXPECT_NE(bad.errors()[0].find("external_source_allowed_hosts"), std::string::npos)
      << bad.errors()[0];
  EXPECT_NE(bad.errors()[0].find("10.0.0.0/33"), std::string::npos) << bad.errors()[0];
  EXPECT_NE(bad.errors()[1].find("external_source_denied_hosts"), std::string::npos)
      << bad.errors()[1];
}

}  // namespace
}  // namespace glance::api
