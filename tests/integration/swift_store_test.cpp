// The swift store beyond the shared contract, against the Swift all-in-one: location URIs,
// tokens (reuse, replacement after a 401, no stampede), Dynamic Large Objects (segments,
// reads across segment boundaries, deletion), cleanup of cut uploads, and Swift's refusals.

#include "store/swift/swift_store.h"
#include "common/hex_digest.h"
#include "common/uri_redaction.h"
#include "store/store_registry.h"
#include "store/swift/swift_driver.h"
#include "store/upload_name.h"
#include "tests/support/cluster_stores.h"
#include "tests/support/daemon.h"
#include "tests/support/http_client.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/store_io.h"
#include "tests/support/swift_cluster.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <future>
#include <thread>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;
using common::Result;
using glance::testing::add_in_chunks;
using glance::testing::random_bytes;
using glance::testing::read_image;
using glance::testing::swift_cluster;

// Swift's own API, to look behind the store's back.
class SwiftApi {
 public:
  SwiftApi() : client_(swift_cluster().proxy_port) {
    std::string storage_url;
    token_ = glance::testing::swift_token(swift_cluster(), &storage_url);
    account_ = glance::testing::url_path(storage_url);
    storage_url_ = storage_url;
  }
  glance::testing::HttpResponse request(const std::string& method, const std::string& path,
                                        const std::string& body = "",
                                        glance::testing::HeaderList headers = {}) const {
    headers.emplace_back("X-Auth-Token", token_);
    return client_.request(method, account_ + path, headers, body);
  }
  std::vector<std::string> names(const std::string& container) const {
    auto r = request("GET", "/" + container + "?format=json");
    std::vector<std::string> out;
    if (r.status != 200) return out;
    for (const auto& entry : r.json()) out.push_back(entry["name"].get<std::string>());
    return out;
  }
  const std::string& storage_url() const { return storage_url_; }

 private:
  glance::testing::HttpClient client_;
  std::string token_;
  std::string account_;
  std::string storage_url_;
};

class SwiftStoreTest : public ::testing::Test {
 protected:
  net::io_context ioc_;  // first, so it outlives the stores' connections

  SwiftStoreConfig config() { return glance::testing::swift_config_on_cluster("swiftstore"); }
  std::unique_ptr<SwiftStore> make(const SwiftStoreConfig& c) {
    auto store = SwiftStore::create(c, glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }

  template <class R>
  R await(net::awaitable<R> task) {
    return glance::testing::await(ioc_, std::move(task));
  }
  // Runs what is left on the io_context (a destroyed writer's cleanup).
  void settle() {
    ioc_.restart();
    ioc_.run();
  }
};

// Writes the first `upto` bytes of `data` in 50 kB pieces, then aborts or just drops the writer.
net::awaitable<Result<void>> cut_upload(Store& store, const std::string& id,
                                        const std::string& data, size_t upto, bool call_abort) {
  auto writer = co_await store.begin_add(id, 0);
  if (!writer) co_return writer.error();
  for (size_t off = 0; off < upto; off += 50000) {
    std::span<const char> chunk(data.data() + off, std::min<size_t>(50000, upto - off));
    auto w = co_await (*writer)->write(chunk);
    if (!w) co_return w.error();
  }
  if (call_abort) co_await (*writer)->abort();
  co_return Result<void>();
}

StoredImage must(Result<StoredImage> r) {
  if (!r) throw std::runtime_error(r.error().message());
  return std::move(*r);
}

const ReadOptions kWhole;

ReadOptions span(uint64_t offset, uint64_t length) {
  ReadOptions o;
  o.span = ByteSpan{offset, length};
  return o;
}

// ---- Location URIs ---------------------------------------------------------------------------

TEST(SwiftLocation, ParsesWhatUpstreamWritesAndWritesItBack) {
  const std::string uri =
      "swift+http://test%3Atester:testing@127.0.0.1:8080/auth/v1.0/glance/"
      "9b1c8c5e-3f0b-4a1e-8a57-3b2f0d1c9e11";
  auto loc = SwiftLocation::parse(uri);
  ASSERT_TRUE(loc) << loc.error().message();
  EXPECT_FALSE(loc->https);
  EXPECT_EQ(loc->user, "test:tester");
  EXPECT_EQ(loc->key, "testing");
  EXPECT_EQ(loc->auth_address, "127.0.0.1:8080/auth/v1.0");
  EXPECT_EQ(loc->container, "glance");
  EXPECT_EQ(loc->object, "9b1c8c5e-3f0b-4a1e-8a57-3b2f0d1c9e11");
  EXPECT_EQ(loc->uri(), uri);
  EXPECT_EQ(loc->credentials().auth_url, "http://127.0.0.1:8080/auth/v1.0");
}

TEST(SwiftLocation, AcceptsUnquotedAccountUsersAndSwiftMeansHttps) {
  auto loc = SwiftLocation::parse("swift://account:user:pass@auth.example.com/v2.0/c/o");
  ASSERT_TRUE(loc) << loc.error().message();
  EXPECT_TRUE(loc->https);
  EXPECT_EQ(loc->user, "account:user");
  EXPECT_EQ(loc->key, "pass");
  EXPECT_EQ(loc->auth_address, "auth.example.com/v2.0");
  EXPECT_EQ(loc->uri(), "swift+https://account%3Auser:pass@auth.example.com/v2.0/c/o");
  EXPECT_EQ(loc->credentials().auth_url, "https://auth.example.com/v2.0");
  auto bare = SwiftLocation::parse("swift+https://u:k@auth.example.com/c/o");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->auth_address, "auth.example.com");
}

TEST(SwiftLocation, AnyKeyRoundTripsAndIsRedacted) {
  SwiftLocation loc;
  loc.https = false;
  loc.user = "proj:us er";
  loc.key = "p@ss:w/rd%41+?#";
  loc.auth_address = "keystone.example.com:5000/v3";
  loc.container = "glance";
  loc.object = "img";
  auto back = SwiftLocation::parse(loc.uri());
  ASSERT_TRUE(back) << loc.uri();
  EXPECT_EQ(back->user, loc.user);
  EXPECT_EQ(back->key, loc.key);
  EXPECT_EQ(back->auth_address, loc.auth_address);
  EXPECT_EQ(back->container, "glance");
  EXPECT_EQ(back->object, "img");
  auto shown = common::redact_credentials(loc.uri());
  EXPECT_EQ(shown, "swift+http://***@keystone.example.com:5000/v3/glance/img");
}

TEST(SwiftLocation, RefusesWhatItCannotUse) {
  for (const char* uri : {"swift+config://ref1/glance/img", "swift+https://auth.example.com/c/o",
                          "swift://u:k@http://auth.example.com/c/o", "swift+http://u:k@host/o",
                          "swift+http://nocolon@host/c/o", "swift+http://u:k@/c/o",
                          "http://u:k@host/c/o", "swift+http://u:k@host/c/"}) {
    auto loc = SwiftLocation::parse(uri);
    ASSERT_FALSE(loc) << uri;
    EXPECT_EQ(loc.error().code(), Errc::bad_request) << uri;
  }
}

// ---- Against Swift ---------------------------------------------------------------------------

TEST_F(SwiftStoreTest, LocationCarriesQuotedCredentialsAndTheyAreUsedToRead) {
  auto c = config();
  auto writer_store = make(c);
  const std::string id = "loc-1";
  const std::string data = random_bytes(1000, 1);
  auto stored = must(await(add_in_chunks(*writer_store, id, data, data.size())));
  const auto& cluster = swift_cluster();
  const std::string prefix =
      "swift+http://test%3Atester:testing@127.0.0.1:" + std::to_string(cluster.proxy_port) +
      "/auth/v1.0/" + c.container + "/";
  ASSERT_TRUE(stored.location.uri.starts_with(prefix)) << stored.location.uri;
  EXPECT_TRUE(is_upload_name(stored.location.uri.substr(prefix.size()), id)) << stored.location.uri;
  // A store configured for another account, with a wrong key, reads with the URI's credentials.
  auto other = c;
  other.user = cluster.admin_user;
  other.key = "not-the-admin-key";
  auto reader_store = make(other);
  auto back = await(read_image(*reader_store, stored.location, kWhole));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  EXPECT_EQ(reader_store->auth().authentications(), 1u);
}

TEST_F(SwiftStoreTest, ATokenIsReusedAndARevokedOneIsReplacedOnce) {
  auto store = make(config());
  const std::string id = "token-1";
  const std::string data = random_bytes(5000, 2);
  auto stored = must(await(add_in_chunks(*store, id, data, 0)));
  EXPECT_EQ(store->auth().authentications(), 1u);
  // A token Swift does not know, as a revoked or expired one looks: the next request gets 401.
  SwiftApi api;
  auto who = SwiftLocation::parse(stored.location.uri)->credentials();
  auto revoke = [&] {
    store->auth().adopt(who, SwiftToken{"AUTH_tk00000000000000000000000000000000",
                                        api.storage_url(), std::nullopt});
  };
  revoke();
  auto size = await(store->size(stored.location, kWhole));
  ASSERT_TRUE(size) << size.error().message();
  EXPECT_EQ(*size, data.size());
  EXPECT_EQ(store->auth().authentications(), 2u);
  revoke();
  auto back = await(read_image(*store, stored.location, kWhole));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  EXPECT_EQ(store->auth().authentications(), 3u);
  revoke();
  auto removed = await(store->remove(stored.location));
  EXPECT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(store->auth().authentications(), 4u);
}

TEST_F(SwiftStoreTest, ConcurrentRequestsShareOneAuthentication) {
  auto c = config();
  auto writer_store = make(c);
  const std::string id = "stampede-1";
  const std::string data = "x";
  auto stored = must(await(add_in_chunks(*writer_store, id, data, 1)));
  auto store = make(c);  // no token yet
  std::vector<std::future<Result<uint64_t>>> sizes;
  for (int i = 0; i < 8; ++i)
    sizes.push_back(net::co_spawn(ioc_, store->size(stored.location, kWhole), net::use_future));
  ioc_.restart();
  std::thread second([this] { ioc_.run(); });
  ioc_.run();
  second.join();
  for (auto& f : sizes) {
    auto r = f.get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, 1u);
  }
  EXPECT_EQ(store->auth().authentications(), 1u);
}

TEST_F(SwiftStoreTest, UnknownSizeGoesUpAsADloReadByteExactAndAcrossSegments) {
  auto c = config();
  auto store = make(c);
  const std::string id = "dlo-1";
  const std::string data = random_bytes(350000, 3);
  auto stored = must(await(add_in_chunks(*store, id, data, 0)));
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  SwiftApi api;
  auto names = api.names(c.container);
  ASSERT_EQ(names.size(), 5u);  // the manifest, then four segments of at most 100 kB
  // The upload's own name, "<id>-<tag>", which the location records.
  auto loc = SwiftLocation::parse(stored.location.uri);
  ASSERT_TRUE(loc);
  EXPECT_TRUE(is_upload_name(loc->object, id)) << loc->object;
  EXPECT_NE(loc->object, id);
  EXPECT_EQ(names[0], loc->object);
  for (size_t i = 1; i <= 4; ++i)
    EXPECT_EQ(names[i], loc->object + "-0000" + std::to_string(i)) << names[i];
  auto head = api.request("HEAD", "/" + c.container + "/" + loc->object);
  EXPECT_EQ(head.header("X-Object-Manifest").value_or(""), c.container + "/" + loc->object + "-");

  auto whole = await(read_image(*store, stored.location, kWhole));
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_TRUE(*whole == data);
  for (auto [offset, length] :
       {std::pair<uint64_t, uint64_t>{99990, 30}, {199000, 2000}, {0, 350000}, {349999, 1}}) {
    const ReadOptions part = span(offset, length);
    auto got = await(read_image(*store, stored.location, part));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_TRUE(*got == data.substr(offset, length)) << offset << "+" << length;
  }
}

TEST_F(SwiftStoreTest, KnownSizesChooseOnePutOrSegmentsOfThatSize) {
  auto c = config();
  auto store = make(c);
  const std::string small_id = "small-1";
  const std::string small = random_bytes(249999, 4);
  auto one = must(await(add_in_chunks(*store, small_id, small, small.size())));
  const std::string large_id = "large-1";
  const std::string large = random_bytes(250000, 5);
  auto many = must(await(add_in_chunks(*store, large_id, large, large.size())));
  SwiftApi api;
  auto names = api.names(c.container);
  // large-1's manifest and three segments, then small-1 as a plain object.
  ASSERT_EQ(names.size(), 5u);
  const std::string small_object = SwiftLocation::parse(one.location.uri)->object;
  EXPECT_TRUE(is_upload_name(small_object, small_id)) << small_object;
  EXPECT_EQ(names[4], small_object);
  EXPECT_FALSE(
      api.request("HEAD", "/" + c.container + "/" + small_object).header("X-Object-Manifest"));
  auto segment = api.request("HEAD", "/" + c.container + "/" + names[3]);
  EXPECT_EQ(segment.header("Content-Length").value_or(""), "50000");
  auto back = await(read_image(*store, many.location, kWhole));
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == large);
  EXPECT_EQ(one.checksum, common::md5_hex(small));
}

TEST_F(SwiftStoreTest, RemovingADloDeletesEverySegment) {
  auto c = config();
  auto store = make(c);
  const std::string id = "remove-1";
  const std::string data = random_bytes(320000, 6);
  auto stored = must(await(add_in_chunks(*store, id, data, 0)));
  SwiftApi api;
  EXPECT_EQ(api.names(c.container).size(), 5u);
  auto removed = await(store->remove(stored.location));
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_TRUE(api.names(c.container).empty());
  EXPECT_EQ(await(store->remove(stored.location)).error().code(), Errc::not_found);
}

TEST_F(SwiftStoreTest, RemovingAnSloDeletesItsSegmentsToo) {
  auto c = config();
  auto store = make(c);
  SwiftApi api;
  ASSERT_EQ(api.request("PUT", "/" + c.container).status / 100, 2u);
  const std::string a = random_bytes(1000, 7), b = random_bytes(500, 8);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/slo-seg-1", a).status, 201u);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/slo-seg-2", b).status, 201u);
  nlohmann::json manifest = nlohmann::json::array({{{"path", "/" + c.container + "/slo-seg-1"},
                                                    {"etag", common::md5_hex(a)},
                                                    {"size_bytes", 1000}},
                                                   {{"path", "/" + c.container + "/slo-seg-2"},
                                                    {"etag", common::md5_hex(b)},
                                                    {"size_bytes", 500}}});
  auto put =
      api.request("PUT", "/" + c.container + "/slo-1?multipart-manifest=put", manifest.dump());
  ASSERT_EQ(put.status, 201u) << put.body;
  SwiftLocation loc = *SwiftLocation::parse("swift+http://x:y@h/c/o");
  const auto& cluster = swift_cluster();
  loc.user = cluster.user;
  loc.key = cluster.key;
  loc.auth_address = cluster.auth_url.substr(std::string("http://").size());
  loc.container = c.container;
  loc.object = "slo-1";
  const Location where{loc.uri()};
  auto back = await(read_image(*store, where, kWhole));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == a + b);
  auto removed = await(store->remove(where));
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_TRUE(api.names(c.container).empty());
}

TEST_F(SwiftStoreTest, AnUploadCutMidwayLeavesNoSegments) {
  auto c = config();
  auto store = make(c);
  const std::string id = "cut-1";
  const std::string data = random_bytes(300000, 9);
  // 250 kB in: two segments done, the third half sent.
  auto aborted = await(cut_upload(*store, id, data, 250000, true));
  ASSERT_TRUE(aborted) << aborted.error().message();
  SwiftApi api;
  EXPECT_TRUE(api.names(c.container).empty());
  // A writer dropped without abort() cleans up in the background.
  const std::string dropped_id = "cut-2";
  auto dropped = await(cut_upload(*store, dropped_id, data, 250000, false));
  ASSERT_TRUE(dropped) << dropped.error().message();
  settle();
  EXPECT_TRUE(api.names(c.container).empty());
  // The id is free again.
  must(await(add_in_chunks(*store, id, data, 0)));
}

struct Race {
  StoredImage first;
  StoredImage second;
};

// Two writers of one id, interleaved: both begin, both stream, then both commit, each under its
// own names. `declared` > 0 makes both one PUT of that many bytes.
net::awaitable<Result<Race>> race(Store& store, const std::string& id, const std::string& a_data,
                                  const std::string& b_data, uint64_t declared) {
  auto a = co_await store.begin_add(id, declared);
  auto b = co_await store.begin_add(id, declared);
  if (!a || !b) co_return common::Error::internal("begin_add failed");
  const size_t half = a_data.size() / 2;
  auto wrote = co_await (*a)->write({a_data.data(), half});
  if (!wrote) co_return wrote.error();
  wrote = co_await (*b)->write({b_data.data(), half});
  if (!wrote) co_return wrote.error();
  wrote = co_await (*a)->write({a_data.data() + half, a_data.size() - half});
  if (!wrote) co_return wrote.error();
  wrote = co_await (*b)->write({b_data.data() + half, b_data.size() - half});
  if (!wrote) co_return wrote.error();
  // The loser finishes last: with one shared name its PUT would replace the winner's object.
  auto first = co_await (*a)->commit();
  if (!first) co_return first.error();
  auto second = co_await (*b)->commit();
  if (!second) co_return second.error();
  co_return Race{std::move(*first), std::move(*second)};
}

TEST_F(SwiftStoreTest, RacingUploadsOfOneIdNeverTouchTheWinnersObjects) {
  auto c = config();
  auto store = make(c);
  SwiftApi api;
  // Segments of unknown size; one PUT each of a declared size.
  for (uint64_t declared : {uint64_t{0}, uint64_t{120000}}) {
    SCOPED_TRACE(declared);
    const std::string id = "race-" + std::to_string(declared);
    const std::string winner = random_bytes(120000, 31);
    const std::string loser = random_bytes(120000, 32);
    auto raced = await(race(*store, id, winner, loser, declared));
    ASSERT_TRUE(raced) << raced.error().message();
    ASSERT_NE(raced->first.location.uri, raced->second.location.uri);
    // The registry activates the first; the api removes what the other stored.
    auto removed = await(store->remove(raced->second.location));
    ASSERT_TRUE(removed) << removed.error().message();
    auto back = await(read_image(*store, raced->first.location, kWhole));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_TRUE(*back == winner);
    EXPECT_EQ(raced->first.checksum, common::md5_hex(winner));
    const std::string kept = SwiftLocation::parse(raced->first.location.uri)->object;
    for (const auto& name : api.names(c.container))
      EXPECT_TRUE(name.starts_with(kept)) << name << " is not the winner's";
    ASSERT_TRUE(await(store->remove(raced->first.location)));
    EXPECT_TRUE(api.names(c.container).empty());
  }
}

// A location in the store's account naming `object` in `container`.
Location location_of(const std::string& container, const std::string& object) {
  SwiftLocation loc = *SwiftLocation::parse("swift+http://x:y@h/c/o");
  const auto& cluster = swift_cluster();
  loc.user = cluster.user;
  loc.key = cluster.key;
  loc.auth_address = cluster.auth_url.substr(std::string("http://").size());
  loc.container = container;
  loc.object = object;
  return Location{loc.uri()};
}

TEST_F(SwiftStoreTest, BareIdLocationsOfOlderUploadsStillReadAndRemove) {
  auto c = config();
  auto store = make(c);
  SwiftApi api;
  ASSERT_EQ(api.request("PUT", "/" + c.container).status / 100, 2u);
  // Upstream's layout: a single object "<id>", and a DLO "<id>" over "<id>-00001", ...
  const std::string single = random_bytes(3000, 33);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/old-single", single).status, 201u);
  const std::string one = random_bytes(2000, 34), two = random_bytes(1000, 35);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/old-dlo-00001", one).status, 201u);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/old-dlo-00002", two).status, 201u);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/old-dlo", "",
                        {{"X-Object-Manifest", c.container + "/old-dlo-"}})
                .status,
            201u);
  // Either makes its id taken.
  for (const char* id : {"old-single", "old-dlo"}) {
    auto again = await(store->begin_add(id, 0));
    ASSERT_FALSE(again) << id;
    EXPECT_EQ(again.error().code(), Errc::conflict) << id;
  }
  auto back = await(read_image(*store, location_of(c.container, "old-single"), kWhole));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == single);
  back = await(read_image(*store, location_of(c.container, "old-dlo"), kWhole));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == one + two);
  ASSERT_TRUE(await(store->remove(location_of(c.container, "old-single"))));
  ASSERT_TRUE(await(store->remove(location_of(c.container, "old-dlo"))));
  EXPECT_TRUE(api.names(c.container).empty());
}

TEST_F(SwiftStoreTest, OnlyACommittedUploadOfTheSameIdMakesItTaken) {
  auto c = config();
  auto store = make(c);
  SwiftApi api;
  must(await(add_in_chunks(*store, "taken-1", "data", 0)));
  // Segments a dead upload left behind, and an image whose id only starts like this one.
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/free-1-0123456789ab-00001", "x").status, 201u);
  must(await(add_in_chunks(*store, "free-1-more", "other image", 0)));
  auto taken = await(store->begin_add("taken-1", 0));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), Errc::conflict);
  for (const char* id : {"free-1", "taken"}) {
    auto free = await(store->begin_add(id, 0));
    ASSERT_TRUE(free) << id << ": " << free.error().message();
    await((*free)->abort());
  }
}

TEST_F(SwiftStoreTest, LeftoversOfDeadUploadsGoTheKeptUploadAndOtherImagesStay) {
  auto c = config();
  auto store = make(c);
  SwiftApi api;
  const std::string id = "left-1";
  const std::string data = random_bytes(250000, 36);
  auto kept = must(await(add_in_chunks(*store, id, data, 0)));  // a manifest and 3 segments
  const size_t kept_objects = api.names(c.container).size();
  // A dead upload's segments and manifest, another's lone segment, an upstream-style bare
  // object, and objects of images whose ids start like this one.
  for (const std::string& name :
       {id + "-0123456789ab-00001", id + "-0123456789ab-00002", id + "-fedcba987654-00001",
        id + "-more-1", id + "x", std::string("left-10-0123456789ab")})
    ASSERT_EQ(api.request("PUT", "/" + c.container + "/" + name, "x").status, 201u) << name;
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/" + id + "-0123456789ab", "",
                        {{"X-Object-Manifest", c.container + "/" + id + "-0123456789ab-"}})
                .status,
            201u);
  ASSERT_EQ(api.request("PUT", "/" + c.container + "/" + id, "bare").status, 201u);

  const std::optional<Location> keep = kept.location;
  auto removed = await(store->remove_leftovers(id, keep));
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(api.names(c.container).size(), kept_objects + 3);
  auto back = await(read_image(*store, kept.location, kWhole));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);

  removed = await(store->remove_leftovers(id, std::nullopt));
  ASSERT_TRUE(removed) << removed.error().message();
  const std::vector<std::string> others{id + "-more-1", "left-10-0123456789ab", id + "x"};
  EXPECT_EQ(api.names(c.container), others);
  // Nothing to do is no error; neither is a container that does not exist.
  EXPECT_TRUE(await(store->remove_leftovers(id, std::nullopt)));
  auto elsewhere = config();
  EXPECT_TRUE(await(make(elsewhere)->remove_leftovers(id, std::nullopt)));
  EXPECT_EQ(await(store->remove_leftovers("../x", std::nullopt)).error().code(), Errc::bad_request);
}

TEST_F(SwiftStoreTest, MoreBytesThanDeclaredAreRefused) {
  auto c = config();
  auto store = make(c);
  const std::string id = "over-1";
  const std::string data = random_bytes(1001, 10);
  auto r = await(add_in_chunks(*store, id, data, 1000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::bad_request) << r.error().message();
  SwiftApi api;
  EXPECT_TRUE(api.names(c.container).empty());
}

TEST_F(SwiftStoreTest, RefusedCredentialsAreABadGateway) {
  auto c = config();
  c.key = "wrong";
  auto store = make(c);
  const std::string id = "refused-1";
  auto writer = await(store->begin_add(id, 0));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code(), Errc::bad_gateway) << writer.error().message();
  EXPECT_EQ(writer.error().message().find("wrong"), std::string::npos);
}

TEST_F(SwiftStoreTest, AMissingContainerIsAnErrorUnlessCreateOnPut) {
  auto c = config();
  c.create_container_on_put = false;
  auto store = make(c);
  const std::string id = "nocontainer-1";
  auto writer = await(store->begin_add(id, 0));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code(), Errc::internal);
  EXPECT_NE(writer.error().message().find("does not exist"), std::string::npos)
      << writer.error().message();
}

TEST_F(SwiftStoreTest, AnUnreachableStorageEndpointIsUnavailable) {
  auto c = config();
  c.endpoint = "http://127.0.0.1:1/v1/AUTH_test";
  auto store = make(c);
  const std::string id = "unreachable-1";
  auto writer = await(store->begin_add(id, 0));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code(), Errc::unavailable) << writer.error().message();
}

TEST_F(SwiftStoreTest, TheContainerSeedSpreadsImagesOverContainers) {
  auto c = config();
  c.multiple_containers_seed = 3;
  auto store = make(c);
  const std::string id = "AB-Cdef";
  const std::string data = "seeded";
  auto stored = must(await(add_in_chunks(*store, id, data, data.size())));
  auto loc = SwiftLocation::parse(stored.location.uri);
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->container, c.container + "_ab-c");
  auto back = await(read_image(*store, stored.location, kWhole));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, data);
}

// The swift store as glance-api drives it: an image sent without a size (chunked, so it goes up
// in segments), read whole and in part across a segment boundary, then deleted with them.
TEST(SwiftStoreThroughTheApi, UploadDownloadAndDeleteAnImage) {
  glance::testing::RegistryEnvironment registry;
  const auto& cluster = swift_cluster();
  const std::string container = "api-" + std::to_string(::getpid());
  const std::string config =
      "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nregistry_host = 127.0.0.1\n"
      "registry_port = " +
      std::to_string(registry.daemon().port()) +
      "\n[glance_store]\nstores = swift\ndefault_store = swift\n"
      "swift_store_auth_address = " +
      cluster.auth_url + "\nswift_store_auth_version = 1\nswift_store_user = " + cluster.user +
      "\nswift_store_key = " + cluster.key + "\nswift_store_container = " + container +
      "\nswift_store_create_container_on_put = True\n"
      "swift_store_large_object_chunk_size = 1\n";
  glance::testing::Daemon api(glance::testing::api_binary(), config);
  api.start();
  glance::testing::HttpClient client(api.port(), {{"x-image-meta-disk_format", "raw"},
                                                  {"x-image-meta-container_format", "bare"},
                                                  {"Content-Type", "application/octet-stream"}});
  const std::string data = random_bytes(2500000, 11);
  auto created =
      client.request("POST", "/v1/images", {{"x-image-meta-name", "in-swift"}}, data, true);
  ASSERT_EQ(created.status, 201u) << created.body;
  auto image = created.json()["image"];
  EXPECT_EQ(image["checksum"], common::md5_hex(data));
  EXPECT_EQ(image["size"], data.size());
  const std::string id = image["id"];
  SwiftApi swift;
  EXPECT_EQ(swift.names(container).size(), 4u);  // the manifest and three segments

  auto whole = client.get("/v1/images/" + id);
  EXPECT_EQ(whole.status, 200u);
  EXPECT_TRUE(whole.body == data);
  auto part = client.get("/v1/images/" + id, {{"Range", "bytes=1023990-1024009"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, data.substr(1023990, 20));

  EXPECT_EQ(client.del("/v1/images/" + id).status, 200u);
  EXPECT_TRUE(swift.names(container).empty());
  EXPECT_EQ(api.log().find("testing@"), std::string::npos) << "a location was logged";
}

TEST(SwiftStoreConfig, RefusesWhatCannotWork) {
  SwiftStoreConfig ok;
  ok.auth_address = "https://keystone.example.com:5000/v3";
  ok.auth_version = 3;
  ok.user = "service:glance";
  ok.key = "secret";
  EXPECT_TRUE(SwiftStore::create(ok, glance::testing::store_pool()));
  auto v2 = ok;
  v2.auth_version = 2;
  auto refused = SwiftStore::create(v2, glance::testing::store_pool());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("not supported"), std::string::npos);
  auto no_project = ok;
  no_project.user = "glance";
  EXPECT_FALSE(SwiftStore::create(no_project, glance::testing::store_pool()));
  auto no_address = ok;
  no_address.auth_address.clear();
  EXPECT_FALSE(SwiftStore::create(no_address, glance::testing::store_pool()));
  auto ftp = ok;
  ftp.auth_address = "ftp://x/y";
  EXPECT_FALSE(SwiftStore::create(ftp, glance::testing::store_pool()));
}

TEST(SwiftStoreConfig, IsReadFromGlanceStoreAndServesEverySwiftScheme) {
  auto file = common::ConfigFile::from_string(
      "[glance_store]\n"
      "stores = swift\n"
      "default_store = swift\n"
      "swift_store_auth_address = http://127.0.0.1:8080/auth/v1.0\n"
      "swift_store_auth_version = 1\n"
      "swift_store_user = test:tester\n"
      "swift_store_key = testing\n"
      "swift_store_container = images\n"
      "swift_store_create_container_on_put = True\n"
      "swift_store_large_object_size = 10\n"
      "swift_store_large_object_chunk_size = 2\n"
      "swift_store_multiple_containers_seed = 2\n"
      "swift_store_endpoint_type = internalURL\n"
      "swift_store_region = RegionTwo\n");
  auto config = load_store_config(file);
  EXPECT_TRUE(file.errors().empty()) << file.errors().front();
  EXPECT_TRUE(file.unknown_options().empty()) << file.unknown_options().front();
  auto swift = load_swift_config(file);
  EXPECT_EQ(swift.auth_version, 1);
  EXPECT_EQ(swift.user, "test:tester");
  EXPECT_EQ(swift.container, "images");
  EXPECT_TRUE(swift.create_container_on_put);
  EXPECT_EQ(swift.large_object_size, 10u * 1024000u);
  EXPECT_EQ(swift.large_object_chunk_size, 2u * 1024000u);
  EXPECT_EQ(swift.multiple_containers_seed, 2);
  EXPECT_EQ(swift.endpoint_type, "internalURL");
  EXPECT_EQ(swift.region, "RegionTwo");
  BlockingPool pool(1);
  auto registry = StoreRegistry::from_config(config, pool);
  ASSERT_TRUE(registry) << registry.error().message();
  for (const char* scheme : {"swift", "swift+http", "swift+https", "swift+config"})
    EXPECT_NE((*registry)->find(scheme), nullptr) << scheme;
  EXPECT_EQ(&(*registry)->default_store(), (*registry)->find("swift"));

  auto defaults = common::ConfigFile::from_string("");
  EXPECT_EQ(load_swift_config(defaults).large_object_size, 5120ull * 1024000u);
  for (const char* bad : {"swift_store_auth_version = 4", "swift_store_large_object_size = 0",
                          "swift_store_large_object_chunk_size = 5121",
                          "swift_store_multiple_containers_seed = 33"}) {
    auto wrong = common::ConfigFile::from_string(std::string("[glance_store]\n") + bad + "\n");
    load_store_config(wrong);
    EXPECT_FALSE(wrong.errors().empty()) << bad;
  }
}

}  // namespace
}  // namespace glance::store
