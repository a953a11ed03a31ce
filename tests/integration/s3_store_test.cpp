// The S3 store's own cases, beyond the contract suite: multipart uploads (streamed with a
// declared size, one buffered part at a time without), ranges across parts, cleanup after
// abort, refused credentials, a missing bucket, and the pure parts (location URIs, request
// addressing, configuration). The server is the Swift all-in-one's S3 API, which enforces
// S3's 5 MiB minimum for every part but the last.

#include "store/s3/s3_store.h"
#include "common/config_file.h"
#include "common/hex_digest.h"
#include "common/uri_redaction.h"
#include "store/s3/s3_driver.h"
#include "store/store_registry.h"
#include "tests/support/cluster_stores.h"
#include "tests/support/shipped_config.h"
#include "tests/support/store_io.h"
#include "tests/support/swift_cluster.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;
using glance::testing::random_bytes;
using glance::testing::read_image;
using glance::testing::write_in_chunks;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kPart = 5 * kMiB;

// What a test's bucket holds: keys, and multipart uploads not yet completed or aborted.
struct BucketContents {
  size_t keys = 0;
  size_t uploads = 0;
};

net::awaitable<common::Result<BucketContents>> list_bucket(const s3::Bucket& bucket) {
  s3::Client client{common::http::ClientConfig{}};
  const std::string no_body;
  const s3::Request list{"GET", "", {}, {}};
  auto keys = co_await client.fetch(bucket, list, no_body);
  if (!keys) co_return keys.error();
  if (keys->status == 404) co_return BucketContents{};
  const s3::Request pending{"GET", "", {{"uploads", ""}}, {}};
  auto uploads = co_await client.fetch(bucket, pending, no_body);
  if (!uploads) co_return uploads.error();
  if (keys->status != 200 || uploads->status != 200)
    co_return common::Error::internal("cannot list the bucket: " + keys->body + uploads->body);
  co_return BucketContents{s3::xml_texts(keys->body, "Key").size(),
                           s3::xml_texts(uploads->body, "UploadId").size()};
}

net::awaitable<common::Result<unsigned>> head_bucket(const s3::Bucket& bucket) {
  s3::Client client{common::http::ClientConfig{}};
  const std::string no_body;
  const s3::Request head{"HEAD", "", {}, {}};
  auto reply = co_await client.fetch(bucket, head, no_body);
  if (!reply) co_return reply.error();
  co_return reply->status;
}

// Writes `data` in 64 KiB chunks; commits when `commit`, else aborts after the last chunk.
net::awaitable<common::Result<StoredImage>> upload(Store& store, const std::string& id,
                                                   const std::string& data, uint64_t declared,
                                                   bool commit) {
  auto writer = co_await store.begin_add(id, declared);
  if (!writer) co_return writer.error();
  if (auto written = co_await write_in_chunks(**writer, data); !written) co_return written.error();
  if (!commit) {
    co_await (*writer)->abort();
    co_return common::Error::gone("aborted as asked");
  }
  co_return co_await (*writer)->commit();
}

class S3StoreTest : public ::testing::Test {
 protected:
  // A fresh bucket per test, created by the first upload; 5 MiB parts, and multipart from a
  // declared 1 MiB.
  static S3StoreConfig fresh_config() { return glance::testing::s3_config_on_cluster("s3test"); }
  static std::unique_ptr<S3Store> make(const S3StoreConfig& config) {
    auto store = S3Store::create(config, glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }

  template <class R>
  R await(net::awaitable<R> task) {
    return glance::testing::await(ioc_, std::move(task));
  }
  BucketContents contents(const S3Store& store) {
    auto listed = await(list_bucket(store.bucket()));
    if (!listed) throw std::runtime_error(listed.error().message());
    return *listed;
  }
  StoredImage add(Store& store, const std::string& id, const std::string& data, uint64_t declared) {
    auto stored = await(upload(store, id, data, declared, true));
    if (!stored) throw std::runtime_error(stored.error().message());
    return *stored;
  }

  net::io_context ioc_;  // first, so it outlives the stores' pooled connections
  std::unique_ptr<S3Store> store_ = make(fresh_config());
};

// 12 MiB and a bit: three parts of 5, 5 and 2 MiB.
const std::string& big_image() {
  static const std::string data = random_bytes(2 * kPart + 2 * kMiB + 4321, 11);
  return data;
}

TEST_F(S3StoreTest, MultipartWithDeclaredSizeStreamsPartsByteExact) {
  const auto& data = big_image();
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-000000000001", data, data.size());
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  EXPECT_EQ(stored.sha256, common::sha256_hex(data));
  auto back = await(read_image(*store_, stored.location, ReadOptions{}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  auto size = await(store_->size(stored.location, ReadOptions{}));
  ASSERT_TRUE(size) << size.error().message();
  EXPECT_EQ(*size, data.size());
  auto held = contents(*store_);
  EXPECT_EQ(held.keys, 1u);
  EXPECT_EQ(held.uploads, 0u);
}

TEST_F(S3StoreTest, MultipartWithUnknownSizeBuffersOnePartByteExact) {
  const auto& data = big_image();
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-000000000002", data, 0);
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  EXPECT_EQ(stored.sha256, common::sha256_hex(data));
  auto back = await(read_image(*store_, stored.location, ReadOptions{}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  EXPECT_EQ(contents(*store_).uploads, 0u);
}

TEST_F(S3StoreTest, ExactlyOnePartOfUnknownSizeGoesOutAsOnePut) {
  const std::string data = random_bytes(kPart, 12);
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-000000000003", data, 0);
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  auto back = await(read_image(*store_, stored.location, ReadOptions{}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
}

TEST_F(S3StoreTest, RangedReadAcrossAPartBoundary) {
  const auto& data = big_image();
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-000000000004", data, data.size());
  ReadOptions across;
  across.span = ByteSpan{kPart - 1000, 2000};
  auto part = await(read_image(*store_, stored.location, across));
  ASSERT_TRUE(part) << part.error().message();
  EXPECT_TRUE(*part == data.substr(kPart - 1000, 2000));
  ReadOptions tail;
  tail.span = ByteSpan{data.size() - 10, 10};
  auto last = await(read_image(*store_, stored.location, tail));
  ASSERT_TRUE(last) << last.error().message();
  EXPECT_EQ(*last, data.substr(data.size() - 10));
}

TEST_F(S3StoreTest, AbortAfterABufferedPartLeavesNoUpload) {
  const std::string data = random_bytes(kPart + 2 * kMiB, 13);  // part 1 sent, part 2 buffered
  auto r = await(upload(*store_, "aaaaaaaa-0000-0000-0000-000000000005", data, 0, false));
  ASSERT_EQ(r.error().code(), Errc::gone) << r.error().message();
  auto held = contents(*store_);
  EXPECT_EQ(held.keys, 0u);
  EXPECT_EQ(held.uploads, 0u);
}

TEST_F(S3StoreTest, AbortInTheMiddleOfAStreamedPartLeavesNoUpload) {
  const auto& data = big_image();
  const std::string first = data.substr(0, kPart + kMiB);  // part 2 is half sent
  auto writer = await(store_->begin_add("aaaaaaaa-0000-0000-0000-000000000006", data.size()));
  ASSERT_TRUE(writer) << writer.error().message();
  for (size_t off = 0; off < first.size(); off += 65536) {
    const std::span<const char> chunk(first.data() + off, 65536);
    auto w = await((*writer)->write(chunk));
    ASSERT_TRUE(w) << w.error().message();
  }
  await((*writer)->abort());
  auto held = contents(*store_);
  EXPECT_EQ(held.keys, 0u);
  EXPECT_EQ(held.uploads, 0u);
}

TEST_F(S3StoreTest, ShortOrLongBodiesAgainstTheDeclaredSizeLeaveNothing) {
  const std::string data = random_bytes(3000, 14);
  auto shorter = await(upload(*store_, "aaaaaaaa-0000-0000-0000-000000000007", data, 5000, true));
  ASSERT_FALSE(shorter);
  EXPECT_EQ(shorter.error().code(), Errc::bad_request) << shorter.error().message();
  auto longer = await(upload(*store_, "aaaaaaaa-0000-0000-0000-000000000007", data, 1000, true));
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().code(), Errc::bad_request) << longer.error().message();
  const std::string big = random_bytes(kPart + 100, 15);
  auto multipart =
      await(upload(*store_, "aaaaaaaa-0000-0000-0000-000000000007", big, big.size() + 1, true));
  ASSERT_FALSE(multipart);
  EXPECT_EQ(multipart.error().code(), Errc::bad_request) << multipart.error().message();
  auto held = contents(*store_);
  EXPECT_EQ(held.keys, 0u);
  EXPECT_EQ(held.uploads, 0u);
}

TEST_F(S3StoreTest, WrongSecretIsABadGatewayNamingTheS3Code) {
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-000000000008", "data", 0);
  auto wrong = store_->config();
  wrong.s3_store_secret_key = "not-the-secret";
  auto refused = make(wrong);
  auto writer = await(refused->begin_add("aaaaaaaa-0000-0000-0000-000000000009", 0));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code(), Errc::bad_gateway) << writer.error().message();
  EXPECT_NE(writer.error().message().find("SignatureDoesNotMatch"), std::string::npos)
      << writer.error().message();

  auto location = parse_s3_location(stored.location.uri);
  ASSERT_TRUE(location);
  location->secret_key = "not-the-secret";
  const Location forged{s3_location_uri(*location)};
  auto read = await(read_image(*store_, forged, ReadOptions{}));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code(), Errc::bad_gateway);
  EXPECT_NE(read.error().message().find("SignatureDoesNotMatch"), std::string::npos)
      << read.error().message();
  EXPECT_EQ(read.error().message().find("not-the-secret"), std::string::npos);
  auto size = await(store_->size(forged, ReadOptions{}));
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().code(), Errc::bad_gateway);
  EXPECT_NE(size.error().message().find("SignatureDoesNotMatch"), std::string::npos)
      << size.error().message();
}

TEST_F(S3StoreTest, MissingBucketWithoutCreateOnPutIsAnErrorAndCreatesNothing) {
  auto config = fresh_config();
  config.s3_store_create_bucket_on_put = false;
  auto store = make(config);
  auto writer = await(store->begin_add("aaaaaaaa-0000-0000-0000-00000000000a", 0));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code(), Errc::internal);
  EXPECT_NE(writer.error().message().find("s3_store_create_bucket_on_put"), std::string::npos)
      << writer.error().message();
  auto status = await(head_bucket(store->bucket()));
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(*status, 404u);
}

TEST_F(S3StoreTest, LocationsWithoutCredentialsAreRefusedEvenOnOurHost) {
  // A location without credentials can only be a client's (copy_from, x-image-meta-location):
  // signing it with the store's keys would hand out any object of the store's account.
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-00000000000b", "bare", 0);
  auto location = parse_s3_location(stored.location.uri);
  ASSERT_TRUE(location);
  location->access_key.clear();
  location->secret_key.clear();
  const Location bare{s3_location_uri(*location)};
  auto read = await(read_image(*store_, bare, ReadOptions{}));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code(), Errc::bad_request) << read.error().message();
  auto size = await(store_->size(bare, ReadOptions{}));
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().code(), Errc::bad_request);
  auto removed = await(store_->remove(bare));
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code(), Errc::bad_request);
  location->host = "elsewhere.example:9000";
  auto theirs = await(read_image(*store_, Location{s3_location_uri(*location)}, ReadOptions{}));
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code(), Errc::bad_request);
  // The object is still there for its own location.
  auto ours = await(read_image(*store_, stored.location, ReadOptions{}));
  ASSERT_TRUE(ours) << ours.error().message();
  EXPECT_EQ(*ours, "bare");
}

struct RaceOutcome {
  StoredImage first;
  common::Result<StoredImage> second;
};

// Two uploads of one image, both begun before either commits, as two requests racing through
// the api until the registry activates one of them.
net::awaitable<common::Result<RaceOutcome>> racing_uploads(Store& store, const std::string& id,
                                                           const std::string& first,
                                                           const std::string& second,
                                                           bool declare) {
  auto a = co_await store.begin_add(id, declare ? first.size() : 0);
  if (!a) co_return a.error();
  auto b = co_await store.begin_add(id, declare ? second.size() : 0);
  if (!b) co_return b.error();
  if (auto w = co_await write_in_chunks(**a, first); !w) co_return w.error();
  if (auto w = co_await write_in_chunks(**b, second); !w) co_return w.error();
  auto committed = co_await (*a)->commit();
  if (!committed) co_return committed.error();
  co_return RaceOutcome{std::move(*committed), co_await (*b)->commit()};
}

TEST_F(S3StoreTest, RacingUploadsOfOneImageKeepTheWinnersObject) {
  struct Case {
    const char* id;
    uint64_t size;
    bool declare;
  };
  // One PUT each; a multipart upload each (declared); one buffered part each (undeclared).
  for (const Case& c : {Case{"aaaaaaaa-0000-0000-0000-0000000000c1", 300000, true},
                        Case{"aaaaaaaa-0000-0000-0000-0000000000c2", kPart + kMiB, true},
                        Case{"aaaaaaaa-0000-0000-0000-0000000000c3", 300000, false}}) {
    SCOPED_TRACE(c.id);
    const std::string winner = random_bytes(c.size, 21);
    const std::string loser = random_bytes(c.size, 22);
    auto raced = await(racing_uploads(*store_, c.id, winner, loser, c.declare));
    ASSERT_TRUE(raced) << raced.error().message();
    // The registry activates the first; the api then removes what the other one stored.
    if (raced->second) {
      EXPECT_NE(raced->second->location.uri, raced->first.location.uri);
      auto removed = await(store_->remove(raced->second->location));
      ASSERT_TRUE(removed) << removed.error().message();
    }
    auto back = await(read_image(*store_, raced->first.location, ReadOptions{}));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_TRUE(*back == winner);
    EXPECT_EQ(raced->first.checksum, common::md5_hex(winner));
    auto removed = await(store_->remove(raced->first.location));
    ASSERT_TRUE(removed) << removed.error().message();
    auto held = contents(*store_);
    EXPECT_EQ(held.keys, 0u);
    EXPECT_EQ(held.uploads, 0u);
  }
}

TEST_F(S3StoreTest, EachUploadHasItsOwnKeyAndOldBareIdKeysStillWork) {
  auto stored = add(*store_, "aaaaaaaa-0000-0000-0000-0000000000d1", "new", 0);
  auto location = parse_s3_location(stored.location.uri);
  ASSERT_TRUE(location);
  EXPECT_TRUE(location->key.starts_with("aaaaaaaa-0000-0000-0000-0000000000d1-")) << location->key;
  // An object as uploads wrote it before per-upload keys: named by the bare image id.
  const std::string legacy_id = "aaaaaaaa-0000-0000-0000-0000000000d2";
  s3::Client client{common::http::ClientConfig{}};
  const s3::Request put{"PUT", legacy_id, {}, {}};
  const std::string legacy_data = "written under the bare id";
  auto written = await(client.fetch(store_->bucket(), put, legacy_data));
  ASSERT_TRUE(written) << written.error().message();
  ASSERT_EQ(written->status, 200u) << written->body;
  location->key = legacy_id;
  const Location legacy{s3_location_uri(*location)};
  auto back = await(read_image(*store_, legacy, ReadOptions{}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, legacy_data);
  // Either form of key makes the id taken.
  for (const auto* id : {"aaaaaaaa-0000-0000-0000-0000000000d1", legacy_id.c_str()}) {
    auto again = await(store_->begin_add(id, 0));
    ASSERT_FALSE(again) << id;
    EXPECT_EQ(again.error().code(), Errc::conflict) << id;
  }
  // An id that only starts like a stored one is free.
  auto prefix_only = await(store_->begin_add("aaaaaaaa-0000-0000-0000-0000000000d", 0));
  ASSERT_TRUE(prefix_only) << prefix_only.error().message();
  await((*prefix_only)->abort());
  ASSERT_TRUE(await(store_->remove(legacy)));
  ASSERT_TRUE(await(store_->remove(stored.location)));
  EXPECT_EQ(contents(*store_).keys, 0u);
}

// Starts a multipart upload of `data` (declared, so parts stream) and drops the writer without
// commit() or abort(), as a dead process does: the upload stays unfinished in the bucket.
net::awaitable<common::Result<void>> abandon(Store& store, const std::string& id,
                                             const std::string& data) {
  auto writer = co_await store.begin_add(id, data.size() + 1);
  if (!writer) co_return writer.error();
  co_return co_await write_in_chunks(**writer, data);
}

TEST_F(S3StoreTest, LeftoversOfDeadUploadsGoTheKeptKeyAndOtherImagesStay) {
  const std::string id = "aaaaaaaa-0000-0000-0000-0000000000e1";
  // A dead upload's unfinished multipart upload with one part (begun first: an id with a
  // whole object is taken), a dead upload's whole object, a bare-id object, and keys of images
  // whose ids start like this one.
  auto abandoned = await(abandon(*store_, id, random_bytes(kPart + 1000, 23)));
  ASSERT_TRUE(abandoned) << abandoned.error().message();
  auto kept = add(*store_, id, "kept", 0);
  s3::Client client{common::http::ClientConfig{}};
  const std::string x = "x";
  for (const std::string& key : {id + "-0123456789ab", id, id + "-more", id + "0-0123456789ab"}) {
    const s3::Request put{"PUT", key, {}, {}};
    auto written = await(client.fetch(store_->bucket(), put, x));
    ASSERT_TRUE(written && written->status == 200) << key;
  }
  ASSERT_EQ(contents(*store_).uploads, 1u);
  ASSERT_EQ(contents(*store_).keys, 5u);

  const std::optional<Location> keep = kept.location;
  auto removed = await(store_->remove_leftovers(id, keep));
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(contents(*store_).uploads, 0u);
  EXPECT_EQ(contents(*store_).keys, 3u);  // the kept upload's and the two other images'
  auto back = await(read_image(*store_, kept.location, ReadOptions{}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, "kept");

  removed = await(store_->remove_leftovers(id, std::nullopt));
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(contents(*store_).keys, 2u);
  EXPECT_EQ(await(store_->size(kept.location, ReadOptions{})).error().code(), Errc::not_found);
  auto missing = make(fresh_config());  // its bucket was never made
  EXPECT_TRUE(await(missing->remove_leftovers(id, std::nullopt)));
}

// The pure parts: no server involved.

TEST(S3Location, RoundTripsKeysWithSlashPlusColonAndAt) {
  S3Location location{true,           "test:tester",
                      "ab/cd+ef=@%:", "s3.example.com:8443/prefix",
                      "images",       "0f0f0f0f-1111-2222-3333-444444444444"};
  const std::string uri = s3_location_uri(location);
  EXPECT_TRUE(uri.starts_with("s3+https://test%3Atester:ab%2Fcd+ef=%40%25%3A@")) << uri;
  auto parsed = parse_s3_location(uri);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, location);
  const std::string redacted = common::redact_credentials(uri);
  EXPECT_EQ(redacted, "s3+https://***@s3.example.com:8443/prefix/images/" + location.key);
}

TEST(S3Location, ReadsUpstreamsUnencodedForm) {
  auto parsed = parse_s3_location("s3://AKIAEXAMPLE:wJal/rXUtn+FEMI@s3.amazonaws.com/glance/id-1");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_FALSE(parsed->tls);
  EXPECT_EQ(parsed->access_key, "AKIAEXAMPLE");
  EXPECT_EQ(parsed->secret_key, "wJal/rXUtn+FEMI");
  EXPECT_EQ(parsed->host, "s3.amazonaws.com");
  EXPECT_EQ(parsed->bucket, "glance");
  EXPECT_EQ(parsed->key, "id-1");
  auto plain = parse_s3_location("s3+http://minio:9000/bucket/key");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_TRUE(plain->access_key.empty());
  EXPECT_EQ(plain->host, "minio:9000");
}

TEST(S3Location, RefusesMalformedUris) {
  for (const char* bad : {"s3://key:secret@https://s3.amazonaws.com/bucket/key",
                          "s3://host/key-without-bucket", "s3://keyonly@host/bucket/key",
                          "swift://host/bucket/key", "s3://host//key", "s3:///bucket/key"}) {
    auto parsed = parse_s3_location(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), Errc::bad_request) << bad;
  }
}

TEST(S3Addressing, PathAndVirtualHostedUrls) {
  auto endpoint = s3::parse_endpoint("https://s3.example.com", false);
  ASSERT_TRUE(endpoint);
  auto path = s3::address_of(*endpoint, s3::UrlStyle::path, "images", "a b/c");
  EXPECT_EQ(path.origin.host, "s3.example.com");
  EXPECT_EQ(path.path, "/images/a%20b/c");
  auto virt = s3::address_of(*endpoint, s3::UrlStyle::virtual_host, "images", "a b/c");
  EXPECT_EQ(virt.origin.host, "images.s3.example.com");
  EXPECT_EQ(virt.origin.host_header(), "images.s3.example.com");
  EXPECT_TRUE(virt.origin.tls);
  EXPECT_EQ(virt.path, "/a%20b/c");
  auto bucket_only = s3::address_of(*endpoint, s3::UrlStyle::virtual_host, "images", "");
  EXPECT_EQ(bucket_only.path, "/");

  auto prefixed = s3::parse_endpoint("gw.example:8080/s3/", false);
  ASSERT_TRUE(prefixed);
  EXPECT_FALSE(prefixed->origin.tls);
  EXPECT_EQ(prefixed->origin.port, 8080);
  EXPECT_EQ(s3::address_of(*prefixed, s3::UrlStyle::path, "b", "k").path, "/s3/b/k");
  auto virt_port = s3::address_of(*prefixed, s3::UrlStyle::virtual_host, "b1b", "k");
  EXPECT_EQ(virt_port.origin.host_header(), "b1b.gw.example:8080");
  EXPECT_EQ(virt_port.path, "/s3/k");
}

TEST(S3Addressing, AutoIsVirtualOnlyForAwsHostsWithoutARegion) {
  using s3::UrlStyle;
  auto aws = s3::parse_endpoint("https://s3.amazonaws.com", false).value();
  auto regional = s3::parse_endpoint("s3-eu-west-1.amazonaws.com", true).value();
  auto minio = s3::parse_endpoint("http://127.0.0.1:9000", false).value();
  EXPECT_EQ(s3::resolve_style(UrlStyle::automatic, aws, false, "glance"), UrlStyle::virtual_host);
  EXPECT_EQ(s3::resolve_style(UrlStyle::automatic, regional, false, "glance"),
            UrlStyle::virtual_host);
  EXPECT_EQ(s3::resolve_style(UrlStyle::automatic, aws, true, "glance"), UrlStyle::path);
  EXPECT_EQ(s3::resolve_style(UrlStyle::automatic, minio, false, "glance"), UrlStyle::path);
  // Not a DNS label, or dotted over TLS (the wildcard certificate would not match).
  EXPECT_EQ(s3::resolve_style(UrlStyle::automatic, aws, false, "Glance_Images"), UrlStyle::path);
  EXPECT_EQ(s3::resolve_style(UrlStyle::automatic, aws, false, "my.images"), UrlStyle::path);
  EXPECT_EQ(s3::resolve_style(UrlStyle::virtual_host, minio, false, "glance"),
            UrlStyle::virtual_host);
  EXPECT_EQ(s3::resolve_style(UrlStyle::path, aws, false, "glance"), UrlStyle::path);

  EXPECT_EQ(s3::region_for(regional, ""), "eu-west-1");
  EXPECT_EQ(s3::region_for(s3::parse_endpoint("s3.ap-south-1.amazonaws.com", true).value(), ""),
            "ap-south-1");
  EXPECT_EQ(s3::region_for(aws, ""), "us-east-1");
  EXPECT_EQ(s3::region_for(minio, ""), "us-east-1");
  EXPECT_EQ(s3::region_for(minio, "moon-1"), "moon-1");
}

TEST(S3Xml, ExtractsTextTolerantly) {
  const std::string doc =
      "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>a &lt;b&gt; &amp; &#233;</Message><Empty/><Key>k1</Key><Key>k2</Key></Error>";
  EXPECT_EQ(s3::xml_text(doc, "Code"), "SignatureDoesNotMatch");
  EXPECT_EQ(s3::xml_text(doc, "Message"), "a <b> & \xc3\xa9");
  EXPECT_EQ(s3::xml_text(doc, "Empty"), "");
  EXPECT_EQ(s3::xml_text(doc, "Cod"), std::nullopt);
  EXPECT_EQ(s3::xml_texts(doc, "Key"), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(s3::xml_escape("\"a\"&<"), "&quot;a&quot;&amp;&lt;");
  auto e = s3::error_from(403, doc, "reading s3 object b/k");
  EXPECT_EQ(e.code(), Errc::bad_gateway);
  EXPECT_NE(e.message().find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_EQ(s3::error_from(404, "", "x").code(), Errc::not_found);
  EXPECT_EQ(s3::error_from(503, "", "x").code(), Errc::unavailable);
  EXPECT_EQ(s3::error_from(403, "<Error><Code>QuotaExceeded</Code></Error>", "x").code(),
            Errc::storage_full);
  EXPECT_EQ(s3::error_from(400, "<Error><Code>EntityTooSmall</Code></Error>", "x").code(),
            Errc::internal);
}

TEST(S3StoreConfiguration, ShippedConfigDocumentsTheDefaults) {
  auto file = common::ConfigFile::from_string(
      glance::testing::uncommented_shipped_config("glance-api.conf"));
  auto shipped = load_s3_config(file);
  EXPECT_TRUE(file.errors().empty()) << file.errors().front();
  const S3StoreConfig defaults;
  EXPECT_EQ(shipped.s3_store_host, defaults.s3_store_host);
  EXPECT_EQ(shipped.s3_store_region_name, defaults.s3_store_region_name);
  EXPECT_EQ(shipped.s3_store_access_key, defaults.s3_store_access_key);
  EXPECT_EQ(shipped.s3_store_secret_key, defaults.s3_store_secret_key);
  EXPECT_EQ(shipped.s3_store_bucket, defaults.s3_store_bucket);
  EXPECT_EQ(shipped.s3_store_create_bucket_on_put, defaults.s3_store_create_bucket_on_put);
  EXPECT_EQ(shipped.s3_store_bucket_url_format, defaults.s3_store_bucket_url_format);
  EXPECT_EQ(shipped.s3_store_large_object_size, defaults.s3_store_large_object_size);
  EXPECT_EQ(shipped.s3_store_large_object_chunk_size, defaults.s3_store_large_object_chunk_size);
  EXPECT_EQ(shipped.s3_store_thread_pools, defaults.s3_store_thread_pools);
  EXPECT_EQ(shipped.s3_store_cacert, defaults.s3_store_cacert);
  EXPECT_EQ(defaults.s3_store_bucket_url_format, "auto");
  EXPECT_EQ(defaults.s3_store_large_object_size, 100);
  EXPECT_EQ(defaults.s3_store_large_object_chunk_size, 10);
}

TEST(S3StoreConfiguration, RegistersEveryS3SchemeAndRefusesIncompleteOptions) {
  auto options = common::ConfigFile::from_string(
      "[glance_store]\nstores = s3\ndefault_store = s3\n"
      "s3_store_host = https://s3.example.com\ns3_store_access_key = AKIA\n"
      "s3_store_secret_key = secret\ns3_store_bucket = glance\n");
  auto config = load_store_config(options);
  EXPECT_TRUE(options.errors().empty()) << options.errors().front();
  BlockingPool pool(1);
  auto registry = StoreRegistry::from_config(config, pool);
  ASSERT_TRUE(registry) << registry.error().message();
  EXPECT_TRUE((*registry)->knows("s3"));
  EXPECT_TRUE((*registry)->knows("s3+http"));
  EXPECT_TRUE((*registry)->knows("s3+https"));

  const auto s3 = load_s3_config(options);
  auto bad = s3;
  bad.s3_store_bucket.clear();
  EXPECT_EQ(S3Store::create(bad, pool).error().code(), Errc::bad_request);
  bad = s3;
  bad.s3_store_large_object_chunk_size = 4;
  EXPECT_EQ(S3Store::create(bad, pool).error().code(), Errc::bad_request);
  auto file = common::ConfigFile::from_string(
      "[glance_store]\ns3_store_bucket_url_format = sideways\n"
      "s3_store_large_object_chunk_size = 4\n");
  load_store_config(file);
  EXPECT_EQ(file.errors().size(), 2u);
}

}  // namespace
}  // namespace glance::store
