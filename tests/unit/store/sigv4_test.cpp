#include "store/s3/sigv4.h"

#include "common/hex_digest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

// Every canonical text, hash and signature expected here is copied from a published source named
// above it: the Amazon S3 API Reference, the AWS General Reference or AWS's SigV4 test suite. The
// few other expectations are read off the rules those sources state. None was produced by
// running this code.
namespace glance::store::s3 {
namespace {

using std::chrono::sys_days;
using std::chrono::system_clock;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// A published example: the request as printed (Host and x-amz-* headers included) and every
// intermediate result the source gives.
struct Published {
  SigningRequest request;
  std::string canonical_request;
  std::string signed_headers;
  std::string string_to_sign;
  std::string signature;
};

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char b : bytes) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", b);
    out += pair;
  }
  return out;
}

// Checks each step on the published input of that step, so a failure names the step at fault.
void expect_published_steps(const Published& example, const Credentials& credentials,
                            std::string_view region, std::string_view service,
                            std::string_view date_time) {
  const SigningRequest& r = example.request;
  const CanonicalRequest canonical =
      canonical_request(r.method, r.canonical_uri, r.query, r.headers, r.payload_sha256);
  EXPECT_EQ(canonical.text, example.canonical_request);
  EXPECT_EQ(canonical.signed_headers, example.signed_headers);

  const std::string_view date = date_time.substr(0, 8);
  EXPECT_EQ(
      string_to_sign(date_time, credential_scope(date, region, service), example.canonical_request),
      example.string_to_sign);
  EXPECT_EQ(
      signature(signing_key(credentials.secret_key, date, region, service), example.string_to_sign),
      example.signature);
}

// sign() on the printed request: it must ignore the printed Host, x-amz-date and
// x-amz-content-sha256, rebuild them from its arguments, and reach the published signature.
void expect_sign_reaches(const Published& example, const Credentials& credentials,
                         std::string_view region, std::string_view service,
                         system_clock::time_point now) {
  const NameValues added = sign(example.request, credentials, region, service, now);
  ASSERT_EQ(added.size(), 3u);
  const std::string date_time = amz_date(now);
  const std::string scope = credential_scope(date_time.substr(0, 8), region, service);
  EXPECT_EQ(added[0].first, "Authorization");
  EXPECT_THAT(added[0].second, StartsWith("AWS4-HMAC-SHA256 Credential=" + credentials.access_key +
                                          "/" + scope + ","));
  EXPECT_THAT(added[0].second, HasSubstr("SignedHeaders=" + example.signed_headers + ","));
  EXPECT_THAT(added[0].second, EndsWith("Signature=" + example.signature));
  EXPECT_EQ(added[1], (std::pair<std::string, std::string>("X-Amz-Date", date_time)));
  EXPECT_EQ(added[2], (std::pair<std::string, std::string>("X-Amz-Content-Sha256",
                                                           example.request.payload_sha256)));
}

// ---------------------------------------------------------------------------------------------
// Amazon S3 API Reference, "Signature Calculations for the Authorization Header: Transferring
// Payload in a Single Chunk (AWS Signature Version 4)", section "Examples: Signature
// Calculations": https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// The page prints the Authorization header with bare commas between its parts; sign() writes
// ", " as in the IAM User Guide's form, so only the parts are compared.

const Credentials kS3DocCredentials{"AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", std::nullopt};
const system_clock::time_point kS3DocTime =
    sys_days{std::chrono::year{2013} / std::chrono::May / 24};
constexpr char kS3DocDateTime[] = "20130524T000000Z";
constexpr char kS3DocHost[] = "examplebucket.s3.amazonaws.com";
// The string to sign of every example up to the canonical request's hash.
const std::string kS3DocStringToSignHead =
    "AWS4-HMAC-SHA256\n"
    "20130524T000000Z\n"
    "20130524/us-east-1/s3/aws4_request\n";

void expect_s3_doc_steps(const Published& example) {
  expect_published_steps(example, kS3DocCredentials, "us-east-1", "s3", kS3DocDateTime);
}

// The steps, then sign() end to end.
void expect_s3_doc_example(const Published& example) {
  expect_s3_doc_steps(example);
  expect_sign_reaches(example, kS3DocCredentials, "us-east-1", "s3", kS3DocTime);
}

TEST(SigV4S3Examples, GetObjectWithRange) {
  const Published example{
      .request = {.method = "GET",
                  .host = kS3DocHost,
                  .canonical_uri = "/test.txt",
                  .query = {},
                  .headers = {{"Host", kS3DocHost},
                              {"Range", "bytes=0-9"},
                              {"x-amz-content-sha256", kEmptySha256},
                              {"x-amz-date", kS3DocDateTime}},
                  .payload_sha256 = kEmptySha256},
      .canonical_request =
          "GET\n"
          "/test.txt\n"
          "\n"
          "host:examplebucket.s3.amazonaws.com\n"
          "range:bytes=0-9\n"
          "x-amz-content-sha256:"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
          "x-amz-date:20130524T000000Z\n"
          "\n"
          "host;range;x-amz-content-sha256;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      .signed_headers = "host;range;x-amz-content-sha256;x-amz-date",
      .string_to_sign = kS3DocStringToSignHead +
                        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
      .signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"};
  expect_s3_doc_example(example);
}

TEST(SigV4S3Examples, PutObject) {
  // The object is "test$file.text"; its body is the string "Welcome to Amazon S3.".
  constexpr char kBodySha256[] = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  EXPECT_EQ(common::sha256_hex(std::string_view("Welcome to Amazon S3.")), kBodySha256);
  const Published example{
      .request = {.method = "PUT",
                  .host = kS3DocHost,
                  .canonical_uri = "/test%24file.text",
                  .query = {},
                  .headers = {{"Host", kS3DocHost},
                              {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                              {"x-amz-date", kS3DocDateTime},
                              {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                              {"x-amz-content-sha256", kBodySha256}},
                  .payload_sha256 = kBodySha256},
      .canonical_request =
          "PUT\n"
          "/test%24file.text\n"
          "\n"
          "date:Fri, 24 May 2013 00:00:00 GMT\n"
          "host:examplebucket.s3.amazonaws.com\n"
          "x-amz-content-sha256:"
          "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
          "x-amz-date:20130524T000000Z\n"
          "x-amz-storage-class:REDUCED_REDUNDANCY\n"
          "\n"
          "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
          "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
      .signed_headers = "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
      .string_to_sign = kS3DocStringToSignHead +
                        "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
      .signature = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"};
  expect_s3_doc_example(example);
}

TEST(SigV4S3Examples, GetBucketLifecycle) {
  // The request line is "GET ?lifecycle": no path, which canonicalizes to "/".
  const Published example{
      .request = {.method = "GET",
                  .host = kS3DocHost,
                  .canonical_uri = "",
                  .query = {{"lifecycle", ""}},
                  .headers = {{"Host", kS3DocHost},
                              {"x-amz-date", kS3DocDateTime},
                              {"x-amz-content-sha256", kEmptySha256}},
                  .payload_sha256 = kEmptySha256},
      .canonical_request =
          "GET\n"
          "/\n"
          "lifecycle=\n"
          "host:examplebucket.s3.amazonaws.com\n"
          "x-amz-content-sha256:"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
          "x-amz-date:20130524T000000Z\n"
          "\n"
          "host;x-amz-content-sha256;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      .signed_headers = "host;x-amz-content-sha256;x-amz-date",
      .string_to_sign = kS3DocStringToSignHead +
                        "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
      .signature = "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"};
  expect_s3_doc_example(example);
}

TEST(SigV4S3Examples, ListObjects) {
  // Printed as "?max-keys=2&prefix=J"; given here in the other order, which must not matter.
  const Published example{
      .request = {.method = "GET",
                  .host = kS3DocHost,
                  .canonical_uri = "/",
                  .query = {{"prefix", "J"}, {"max-keys", "2"}},
                  .headers = {{"Host", kS3DocHost},
                              {"x-amz-date", kS3DocDateTime},
                              {"x-amz-content-sha256", kEmptySha256}},
                  .payload_sha256 = kEmptySha256},
      .canonical_request =
          "GET\n"
          "/\n"
          "max-keys=2&prefix=J\n"
          "host:examplebucket.s3.amazonaws.com\n"
          "x-amz-content-sha256:"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
          "x-amz-date:20130524T000000Z\n"
          "\n"
          "host;x-amz-content-sha256;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      .signed_headers = "host;x-amz-content-sha256;x-amz-date",
      .string_to_sign = kS3DocStringToSignHead +
                        "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
      .signature = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"};
  expect_s3_doc_example(example);
}

TEST(SigV4S3Examples, SignIgnoresTheHeadersItSetsItself) {
  // The GET Object example again, with wrong values under the names sign() owns.
  const SigningRequest request{.method = "GET",
                               .host = kS3DocHost,
                               .canonical_uri = "/test.txt",
                               .query = {},
                               .headers = {{"HOST", "elsewhere.example"},
                                           {"Range", "bytes=0-9"},
                                           {"X-Amz-Date", "19990101T000000Z"},
                                           {"authorization", "AWS4-HMAC-SHA256 stale"}},
                               .payload_sha256 = kEmptySha256};
  const NameValues added = sign(request, kS3DocCredentials, "us-east-1", "s3", kS3DocTime);
  ASSERT_FALSE(added.empty());
  EXPECT_THAT(
      added[0].second,
      EndsWith("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

// Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS Signature
// Version 4)", the presigned GET of test.txt valid 86400 s:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
TEST(SigV4S3Examples, PresignedGetObject) {
  const Published example{
      .request = {.method = "GET",
                  .host = kS3DocHost,
                  .canonical_uri = "/test.txt",
                  .query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                            {"X-Amz-Credential",
                             "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},
                            {"X-Amz-Date", kS3DocDateTime},
                            {"X-Amz-Expires", "86400"},
                            {"X-Amz-SignedHeaders", "host"}},
                  .headers = {{"Host", kS3DocHost}},
                  .payload_sha256 = "UNSIGNED-PAYLOAD"},
      .canonical_request =
          "GET\n"
          "/test.txt\n"
          "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
          "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
          "SignedHeaders=host\n"
          "host:examplebucket.s3.amazonaws.com\n"
          "\n"
          "host\n"
          "UNSIGNED-PAYLOAD",
      .signed_headers = "host",
      .string_to_sign = kS3DocStringToSignHead +
                        "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04",
      .signature = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"};
  expect_s3_doc_steps(example);
}

// ---------------------------------------------------------------------------------------------
// AWS's SigV4 test suite as shipped in awslabs/aws-c-auth, tests/aws-signing-test-suite/v4/
// <case>/ (context.json, request.txt, header-canonical-request.txt, header-string-to-sign.txt,
// header-signature.txt, header-signed-request.txt). Its cases sign only host and x-amz-date
// (plus the request's own headers), so they check the steps; post-x-www-form-urlencoded also
// signs x-amz-content-sha256 and so checks sign() end to end.

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                    std::nullopt};
const system_clock::time_point kSuiteTime =
    sys_days{std::chrono::year{2015} / std::chrono::August / 30} + std::chrono::hours{12} +
    std::chrono::minutes{36};
constexpr char kSuiteDateTime[] = "20150830T123600Z";
constexpr char kSuiteHost[] = "example.amazonaws.com";
constexpr char kSuiteScopeLine[] = "20150830/us-east-1/service/aws4_request\n";

// A suite case signed over host, x-amz-date and `headers`, with an empty body.
Published suite_case(std::string method, NameValues query, NameValues headers,
                     std::string canonical_request, std::string signed_headers,
                     std::string canonical_hash, std::string signature) {
  headers.emplace_back("Host", kSuiteHost);
  headers.emplace_back("X-Amz-Date", kSuiteDateTime);
  return Published{.request = {.method = std::move(method),
                               .host = kSuiteHost,
                               .canonical_uri = "/",
                               .query = std::move(query),
                               .headers = std::move(headers),
                               .payload_sha256 = kEmptySha256},
                   .canonical_request = std::move(canonical_request),
                   .signed_headers = std::move(signed_headers),
                   .string_to_sign = std::string("AWS4-HMAC-SHA256\n") + kSuiteDateTime + "\n" +
                                     kSuiteScopeLine + canonical_hash,
                   .signature = std::move(signature)};
}

void expect_suite_steps(const Published& example) {
  expect_published_steps(example, kSuiteCredentials, "us-east-1", "service", kSuiteDateTime);
}

TEST(SigV4TestSuite, GetVanilla) {
  expect_suite_steps(suite_case(
      "GET", {}, {},
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;x-amz-date", "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4TestSuite, GetVanillaQueryOrderKeyCase) {
  expect_suite_steps(suite_case(
      "GET", {{"Param2", "value2"}, {"Param1", "value1"}}, {},
      "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
      "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;x-amz-date", "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4TestSuite, GetVanillaQueryOrderEncoded) {
  // "%E1%88%B4" sorts before "Param" because sorting happens after encoding.
  expect_suite_steps(suite_case(
      "GET", {{"Param-3", "Value3"}, {"Param", "Value2"}, {"\xE1\x88\xB4", "Value1"}}, {},
      "GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\nhost:example.amazonaws.com\n"
      "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;x-amz-date", "868294f5c38bd141c4972a373a76654f1418a8e4fc18b2e7903ae45e8ae0ec71",
      "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"));
}

TEST(SigV4TestSuite, GetVanillaQueryUnreserved) {
  constexpr char kUnreserved[] =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  expect_suite_steps(suite_case(
      "GET", {{kUnreserved, kUnreserved}}, {},
      std::string("GET\n/\n") + kUnreserved + "=" + kUnreserved +
          "\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;x-amz-date", "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
      "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
}

TEST(SigV4TestSuite, GetVanillaUtf8Query) {
  expect_suite_steps(suite_case(
      "GET", {{"\xE1\x88\xB4", "bar"}}, {},
      "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
      "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;x-amz-date", "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
      "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST(SigV4TestSuite, GetHeaderValueTrim) {
  // request.txt: "My-Header1: value1" and "My-Header2: \"a   b   c\"".
  expect_suite_steps(
      suite_case("GET", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
                 "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
                 "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n"
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                 "host;my-header1;my-header2;x-amz-date",
                 "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
                 "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(SigV4TestSuite, GetHeaderKeyDuplicate) {
  expect_suite_steps(suite_case(
      "GET", {}, {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
      "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
      "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;my-header1;x-amz-date",
      "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
      "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(SigV4TestSuite, GetHeaderValueMultiline) {
  expect_suite_steps(
      suite_case("GET", {}, {{"My-Header1", "value1\n  value2\n     value3"}},
                 "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1 value2 value3\n"
                 "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n"
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                 "host;my-header1;x-amz-date",
                 "e99419459a677bc11de234014be3c4e72c1ea5b454ceb58b613061f5d7a162e8",
                 "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"));
}

TEST(SigV4TestSuite, PostHeaderKeySort) {
  expect_suite_steps(suite_case(
      "POST", {}, {{"My-Header1", "value1"}},
      "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\n"
      "host;my-header1;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;my-header1;x-amz-date",
      "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
      "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"));
}

TEST(SigV4TestSuite, GetVanillaWithSessionToken) {
  expect_suite_steps(suite_case(
      "GET", {},
      {{"X-Amz-Security-Token",
        "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}},
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
      "x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n"
      "host;x-amz-date;x-amz-security-token\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "host;x-amz-date;x-amz-security-token",
      "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
      "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"));
}

TEST(SigV4TestSuite, PostXWwwFormUrlencodedThroughSign) {
  constexpr char kBodySha256[] = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
  EXPECT_EQ(common::sha256_hex(std::string_view("Param1=value1")), kBodySha256);
  const SigningRequest request{
      .method = "POST",
      .host = kSuiteHost,
      .canonical_uri = "/",
      .query = {},
      .headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Content-Length", "13"}},
      .payload_sha256 = kBodySha256};
  // header-signed-request.txt, verbatim.
  const NameValues expected{
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
       "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"},
      {"X-Amz-Date", "20150830T123600Z"},
      {"X-Amz-Content-Sha256", kBodySha256}};
  EXPECT_EQ(sign(request, kSuiteCredentials, "us-east-1", "service", kSuiteTime), expected);

  const CanonicalRequest canonical =
      canonical_request("POST", "/", {},
                        {{"Content-Type", "application/x-www-form-urlencoded"},
                         {"Host", kSuiteHost},
                         {"Content-Length", "13"},
                         {"X-Amz-Date", kSuiteDateTime},
                         {"x-amz-content-sha256", kBodySha256}},
                        kBodySha256);
  EXPECT_EQ(canonical.text,
            "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\n"
            "x-amz-content-sha256:"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
            "x-amz-date:20150830T123600Z\n\n"
            "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

// ---------------------------------------------------------------------------------------------

TEST(SigV4, SessionTokenIsSentAndSigned) {
  Credentials credentials = kSuiteCredentials;
  credentials.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  const SigningRequest request{.method = "GET",
                               .host = kSuiteHost,
                               .canonical_uri = "/",
                               .query = {},
                               .headers = {},
                               .payload_sha256 = kEmptySha256};
  const NameValues added = sign(request, credentials, "us-east-1", "service", kSuiteTime);
  ASSERT_EQ(added.size(), 4u);
  EXPECT_THAT(
      added[0].second,
      HasSubstr("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"));
  EXPECT_EQ(added[3], (std::pair<std::string, std::string>("X-Amz-Security-Token",
                                                           *credentials.session_token)));
}

// AWS General Reference, "Examples of how to derive a signing key for Signature Version 4"
// (https://docs.aws.amazon.com/general/latest/gr/signature-v4-examples.html): kSigning.
TEST(SigV4, SigningKeyMatchesPublishedDerivation) {
  EXPECT_EQ(
      hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, AmzDateIsUtcBasicFormatWithoutFraction) {
  EXPECT_EQ(amz_date(kS3DocTime), "20130524T000000Z");
  EXPECT_EQ(amz_date(kSuiteTime), "20150830T123600Z");
  EXPECT_EQ(amz_date(kSuiteTime + std::chrono::milliseconds{999}), "20150830T123600Z");
}

TEST(SigV4, CredentialScope) {
  EXPECT_EQ(credential_scope("20130524", "us-east-1", "s3"), "20130524/us-east-1/s3/aws4_request");
}

// Cases from the sources above, then the S3 reference's UriEncode() rules as written: every
// byte but A-Z a-z 0-9 - . _ ~ becomes '%' and two upper-case hex digits, space is "%20" and
// not '+', and '/' is kept only inside object key names.
TEST(SigV4UriEncode, PublishedCases) {
  EXPECT_EQ(uri_encode("test$file.text", false), "test%24file.text");  // S3 PUT Object example
  EXPECT_EQ(uri_encode("photos/Jan/sample.jpg", false), "photos/Jan/sample.jpg");  // UriEncode()
  EXPECT_EQ(uri_encode("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request", true),
            "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request");  // presigned GET
  EXPECT_EQ(uri_encode("/example space/", false), "/example%20space/");  // get-space-normalized
  EXPECT_EQ(uri_encode("/\xE1\x88\xB4", false), "/%E1%88%B4");           // get-utf8
  constexpr char kUnreserved[] =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";  // get-unreserved
  EXPECT_EQ(uri_encode(kUnreserved, true), kUnreserved);
}

TEST(SigV4UriEncode, ReservedBytesFollowTheRule) {
  EXPECT_EQ(uri_encode("a b", true), "a%20b");
  EXPECT_EQ(uri_encode("a+b", true), "a%2Bb");
  EXPECT_EQ(uri_encode("a=b", true), "a%3Db");
  EXPECT_EQ(uri_encode("~", true), "~");
  EXPECT_EQ(uri_encode("a/b", true), "a%2Fb");
  EXPECT_EQ(uri_encode("a/b", false), "a/b");
  EXPECT_EQ(uri_encode("%", true), "%25");
  EXPECT_EQ(uri_encode(std::string_view("\0\xFF", 2), true), "%00%FF");
  EXPECT_EQ(uri_encode("", true), "");
}

}  // namespace
}  // namespace glance::store::s3
