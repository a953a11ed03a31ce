#include "api/image_list_body.h"

#include "api/image_headers.h"
#include "common/image_json.h"
#include "common/json_parse.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <memory>

namespace glance::api {
namespace {

using common::Image;
using common::ImageStatus;
using nlohmann::json;
namespace net = boost::asio;

// ImageListBody over `images`, read to its end in reads of `read_size` bytes, or its error.
common::Result<std::string> read_body(std::vector<Image> images, bool detail,
                                      size_t read_size = 256 * 1024,
                                      std::optional<common::Error> fail_after = std::nullopt) {
  auto left = std::make_shared<std::vector<Image>>(std::move(images));
  size_t at = 0;
  ImageListBody body(
      [left, at, fail_after]() mutable -> net::awaitable<common::Result<std::optional<Image>>> {
        if (at == left->size()) {
          if (fail_after) co_return *fail_after;
          co_return std::nullopt;
        }
        co_return (*left)[at++];
      },
      v1_list_entry(detail), v1_list_tail);
  net::io_context io;
  auto done = net::co_spawn(
      io,
      [&]() -> net::awaitable<common::Result<std::string>> {
        std::string out;
        std::vector<char> buf(read_size);
        for (;;) {
          auto n = co_await body.read_some(buf);
          if (!n) co_return n.error();
          if (*n == 0) co_return out;
          out.append(buf.data(), *n);
        }
      },
      net::use_future);
  io.run();
  return done.get();
}

std::string image_list_body(const std::vector<Image>& images, bool detail) {
  auto body = read_body(images, detail);
  EXPECT_TRUE(body) << body.error().message();
  return body ? *body : "";
}

// The list as one document, dumped whole: how the body was written before it was written
// image by image, and the bytes clients have seen since.
std::string whole_document_body(const std::vector<Image>& images, bool detail) {
  json out = json::array();
  for (const auto& image : images)
    out.push_back(detail ? image_to_api_json(image) : common::image_to_brief_json(image));
  return common::dump_json(json{{"images", std::move(out)}});
}

std::vector<Image> varied_images() {
  Image plain;
  plain.id = "11111111-1111-1111-1111-111111111111";
  plain.created_at = "2026-01-02T03:04:05.000000";

  Image full;
  full.id = "22222222-2222-2222-2222-222222222222";
  full.name = "cirros \"quoted\" \\ ünïcödé 😀 \t\n";
  full.size = 13287936;
  full.virtual_size = 41126400;
  full.disk_format = "qcow2";
  full.container_format = "bare";
  full.status = ImageStatus::active;
  full.checksum = "443b7623e27ecf03dc9e01ee93f67afe";
  full.os_hash_algo = "sha512";
  full.os_hash_value = std::string(128, 'a');
  full.owner = "tenant-a";
  full.min_disk = 1;
  full.min_ram = 512;
  full.is_protected = true;
  full.is_public = true;
  full.created_at = "2026-01-02T03:04:05.000000";
  full.updated_at = "2026-01-03T03:04:05.000000";
  full.properties = {{"kernel_id", "k-1"},
                     {"unset", std::nullopt},
                     {"zz_last", "\x01\x1f"},
                     {"ärger", "日本語"},
                     {"a\"b", ""}};
  full.locations = {{1, "file:///var/lib/glance/images/x", json{{"k", "v"}}, "active"},
                    {2, "swift://c/x", json::object(), "pending_delete"}};

  Image deleted = full;
  deleted.id = "33333333-3333-3333-3333-333333333333";
  deleted.name = std::nullopt;
  deleted.status = ImageStatus::deleted;
  deleted.deleted = true;
  deleted.deleted_at = "2026-01-04T03:04:05.000000";
  deleted.properties.clear();
  deleted.locations.clear();

  Image ill_formed = plain;  // only a bug could let this through; still JSON on the wire
  ill_formed.id = "44444444-4444-4444-4444-444444444444";
  ill_formed.name = std::string("bad \xff\xfe bytes");
  ill_formed.properties = {{"p", std::string("\xc3")}};
  return {plain, full, deleted, ill_formed};
}

TEST(ImageListBody, IsByteForByteTheWholeDocumentDumped) {
  const auto images = varied_images();
  for (bool detail : {false, true}) {
    SCOPED_TRACE(detail ? "detail" : "index");
    EXPECT_EQ(image_list_body(images, detail), whole_document_body(images, detail));
    for (const auto& one : images)
      EXPECT_EQ(image_list_body({one}, detail), whole_document_body({one}, detail));
  }
}

TEST(ImageListBody, AnEmptyPageIsAnEmptyList) {
  EXPECT_EQ(image_list_body({}, false), R"({"images":[]})");
  EXPECT_EQ(image_list_body({}, true), whole_document_body({}, true));
}

TEST(ImageListBody, AThousandImagesMatchToo) {
  std::vector<Image> page;
  const auto images = varied_images();
  for (int i = 0; i < 1000; ++i) {
    Image image = images[i % images.size()];
    image.id = std::to_string(i);
    page.push_back(std::move(image));
  }
  EXPECT_EQ(image_list_body(page, true), whole_document_body(page, true));
  EXPECT_EQ(image_list_body(page, false), whole_document_body(page, false));
}

TEST(ImageListBody, DetailHidesLocationsAndTheIndexShowsTheBriefForm) {
  const auto images = varied_images();
  auto detail = json::parse(image_list_body(images, true));
  ASSERT_EQ(detail["images"].size(), images.size());
  EXPECT_FALSE(detail["images"][1].contains("location"));
  EXPECT_FALSE(detail["images"][1].contains("location_data"));
  EXPECT_EQ(detail["images"][1]["properties"]["ärger"], "日本語");
  EXPECT_TRUE(detail["images"][2]["deleted"].get<bool>());
  auto index = json::parse(image_list_body(images, false));
  EXPECT_EQ(index["images"][1], json({{"id", images[1].id},
                                      {"name", *images[1].name},
                                      {"size", 13287936},
                                      {"disk_format", "qcow2"},
                                      {"container_format", "bare"},
                                      {"checksum", "443b7623e27ecf03dc9e01ee93f67afe"}}));
}

TEST(ImageListBody, ReadsOfAnySizeGiveTheSameBytes) {
  std::vector<Image> page;
  const auto images = varied_images();
  for (int i = 0; i < 300; ++i) page.push_back(images[i % images.size()]);
  const std::string whole = whole_document_body(page, true);
  for (size_t read_size : {size_t{1}, size_t{100}, size_t{64 * 1024}, size_t{1 << 20}}) {
    auto got = read_body(page, true, read_size);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(*got, whole) << read_size;
  }
}

// A source that fails midway fails the body: the server cuts the connection rather than end
// a list the client would take for whole.
TEST(ImageListBody, ASourceThatFailsFailsTheBody) {
  const auto images = varied_images();
  for (size_t count : {size_t{0}, size_t{2}}) {
    auto got = read_body({images.begin(), images.begin() + count}, true, 64,
                         common::Error::unavailable("The image registry is unavailable: reset"));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code(), common::Errc::unavailable);
  }
}

// What follows the list is the tail's, given the count and the last image.
TEST(ImageListBody, TheTailKnowsHowManyImagesWereListedAndTheLast) {
  const auto images = varied_images();
  for (size_t count : {size_t{0}, size_t{1}, size_t{4}}) {
    auto left = std::make_shared<std::vector<Image>>(images.begin(), images.begin() + count);
    size_t at = 0;
    ImageListBody body(
        [left, at]() mutable -> net::awaitable<common::Result<std::optional<Image>>> {
          if (at == left->size()) co_return std::nullopt;
          co_return (*left)[at++];
        },
        [](std::string& out, const Image& image) { out += '"' + image.id + '"'; },
        [](size_t n, const Image* last) {
          return ",\"n\":" + std::to_string(n) + ",\"last\":\"" + (last ? last->id : "") + "\"}";
        });
    net::io_context io;
    auto done = net::co_spawn(
        io,
        [&]() -> net::awaitable<std::string> {
          std::string out;
          std::vector<char> buf(7);
          for (auto n = co_await body.read_some(buf); n && *n > 0; n = co_await body.read_some(buf))
            out.append(buf.data(), *n);
          co_return out;
        },
        net::use_future);
    io.run();
    std::string want = R"({"images":[)";
    for (size_t i = 0; i < count; ++i) want += (i ? ",\"" : "\"") + images[i].id + '"';
    want += "],\"n\":" + std::to_string(count) + ",\"last\":\"" +
            (count ? images[count - 1].id : "") + "\"}";
    EXPECT_EQ(done.get(), want);
  }
}

}  // namespace
}  // namespace glance::api
