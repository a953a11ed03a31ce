#include "api/registry_image_stream.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <string>

namespace glance::api {
namespace {

namespace net = boost::asio;

constexpr size_t kLimit = 1 << 20;
constexpr const char* kUnexpected = "registry returned an unexpected image list";

// A registry answer's body as it arrives: `piece` bytes a read, then the end, or a failure
// where `fail_at` says.
class PiecesBody final : public common::http::BodyReader {
 public:
  PiecesBody(std::string text, size_t piece, size_t fail_at = std::string::npos)
      : text_(std::move(text)), piece_(piece), fail_at_(fail_at) {}
  net::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override {
    if (done_ >= fail_at_) co_return common::Error::unavailable("connection reset");
    size_t n = std::min({buf.size(), piece_, text_.size() - done_, fail_at_ - done_});
    std::copy_n(text_.data() + done_, n, buf.data());
    done_ += n;
    co_return n;
  }

 private:
  std::string text_;
  size_t piece_;
  size_t fail_at_;
  size_t done_ = 0;
};

common::Result<std::vector<common::Image>> read(std::string body, size_t limit = kLimit,
                                                size_t piece = 4096,
                                                size_t fail_at = std::string::npos) {
  net::io_context io;
  RegistryImageStream stream(std::make_unique<PiecesBody>(std::move(body), piece, fail_at), limit);
  auto done = net::co_spawn(io, read_all_images(stream), net::use_future);
  io.run();
  return done.get();
}

std::string image(const std::string& id, const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "name": "n-)" + id + R"(", "status": "active",)" +
         R"( "created_at": "2026-01-02T03:04:05.000000", "properties": {"k": "ü"})" + extra + "}";
}

void expect_unexpected(std::string body, size_t limit = kLimit) {
  for (size_t piece : {size_t{1}, size_t{4096}}) {
    if (piece == 1 && body.size() > 100000) continue;
    auto r = read(body, limit, piece);
    ASSERT_FALSE(r) << body.substr(0, 80);
    EXPECT_EQ(r.error().code(), common::Errc::internal) << body.substr(0, 80);
    EXPECT_EQ(r.error().message(), kUnexpected) << body.substr(0, 80);
  }
}

TEST(RegistryImageStream, ReadsEveryImageInOrderWhateverThePieces) {
  std::string body = R"({"images": [)";
  for (int i = 0; i < 1000; ++i) body += (i ? "," : "") + image(std::to_string(i));
  body += "]}";
  for (size_t piece : {size_t{7}, size_t{1000}, size_t{64 * 1024}}) {
    auto r = read(body, kLimit, piece);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->size(), 1000u);
    EXPECT_EQ((*r)[0].id, "0");
    EXPECT_EQ((*r)[999].id, "999");
    EXPECT_EQ((*r)[999].name, "n-999");
    EXPECT_EQ((*r)[999].properties.at("k"), "ü");
  }
  auto empty = read(R"({"images": []})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(RegistryImageStream, AnswersThatAreNotOneListAreUnexpected) {
  for (std::string bad : {"", "garbage", "<html>502 Bad Gateway</html>", "{}", "[]", "null",
                          R"({"image": {}})", R"({"images": {"id": "a"}})", R"({"images": null})",
                          R"([{"images": []}])", R"({"images": [], "images": []})",
                          R"({"images": [7]})", R"({"images": ["a"]})", R"({"images": [null]})"})
    expect_unexpected(bad);
}

TEST(RegistryImageStream, TruncatedAnswersAreUnexpectedWhereverTheyStop) {
  const std::string body = R"({"images": [)" + image("a") + "," + image("b") + "]}";
  for (size_t cut = 0; cut < body.size(); ++cut) expect_unexpected(body.substr(0, cut));
  EXPECT_TRUE(read(body));
}

TEST(RegistryImageStream, DeepNestingIsUnexpectedWithoutExhaustingTheStack) {
  expect_unexpected(R"({"images": [)" + std::string(500000, '[') + std::string(500000, ']') + "]}",
                    8u << 20);
  expect_unexpected(R"({"images": [)" + image("a", R"(, "x": )" + std::string(40, '[')));
  expect_unexpected(std::string(100000, '{'));
}

TEST(RegistryImageStream, AnImageOverTheLimitIsUnexpected) {
  const std::string one = image("a");
  expect_unexpected(R"({"images": [)" + one + "]}", one.size() - 1);
  EXPECT_TRUE(read(R"({"images": [)" + one + "," + one + "]}", one.size()));
}

TEST(RegistryImageStream, ElementsThatAreNotImagesFailTheList) {
  for (std::string bad : {R"({"images": [[]]})", R"({"images": [{"name": "no id"}]})",
                          R"({"images": [{"id": "a"}, {"name": "no id"}]})"}) {
    auto r = read(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), common::Errc::internal) << bad;
    EXPECT_EQ(r.error().message(), "registry returned an image without an id") << bad;
  }
  // An image's own fault is reported as read, before what follows it is known.
  auto wrong_type = read(R"({"images": [{"id": "a", "size": "big"}]}trailing)");
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message(), kUnexpected);
}

TEST(RegistryImageStream, ABodyThatStopsIsAnUnreachableRegistry) {
  const std::string body = R"({"images": [)" + image("a") + "," + image("b") + "]}";
  for (size_t at : {size_t{0}, size_t{20}, body.size() - 1}) {
    auto r = read(body, kLimit, 16, at);
    ASSERT_FALSE(r) << at;
    EXPECT_EQ(r.error().code(), common::Errc::unavailable) << at;
    EXPECT_NE(r.error().message().find("connection reset"), std::string::npos);
  }
}

}  // namespace
}  // namespace glance::api
