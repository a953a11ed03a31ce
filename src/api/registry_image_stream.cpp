#include "api/registry_image_stream.h"

#include "api/registry_errors.h"
#include "common/image_json.h"
#include "common/json_parse.h"

namespace glance::api {

using common::Error;
using common::Image;
using common::Result;

namespace {
constexpr size_t kReadSize = 64 * 1024;

common::JsonLimits limits_of(size_t max_image_bytes) {
  common::JsonLimits limits;
  limits.max_bytes = max_image_bytes;
  return limits;
}

Error unexpected_list() {
  return Error::internal("registry returned an unexpected image list");
}
}  // namespace

RegistryImageStream::RegistryImageStream(std::unique_ptr<common::http::BodyReader> body,
                                         size_t max_image_bytes)
    : body_(std::move(body)), splitter_("images", limits_of(max_image_bytes)) {}

boost::asio::awaitable<Result<std::optional<Image>>> RegistryImageStream::next() {
  while (ready_.empty()) {
    if (!failed_) co_return failed_.error();
    if (ended_) co_return std::nullopt;
    buffer_.resize(kReadSize);
    auto n = co_await body_->read_some(buffer_);
    if (!n) {
      failed_ = registry_unreachable(n.error().message());
      continue;
    }
    if (*n == 0) {
      ended_ = true;
      body_.reset();  // read to its end: the connection goes back to the pool
      buffer_ = {};
      if (!splitter_.finish()) failed_ = unexpected_list();
      continue;
    }
    // An image's own fault is reported as it is; any other stops the text as unexpected.
    std::optional<Error> bad_image;
    auto fed = splitter_.feed(std::string_view(buffer_.data(), *n),
                              [&](std::string_view text) -> Result<void> {
                                common::JsonLimits limits = limits_of(text.size());
                                auto document = common::parse_json(text, limits);
                                if (!document) return document.error();
                                auto image = common::image_from_json(*document);
                                if (!image) {
                                  bad_image = image.error();
                                  return image.error();
                                }
                                ready_.push_back(std::move(*image));
                                return {};
                              });
    if (!fed) failed_ = bad_image ? *bad_image : unexpected_list();
  }
  Image image = std::move(ready_.front());
  ready_.pop_front();
  co_return image;
}

boost::asio::awaitable<Result<std::vector<Image>>> read_all_images(RegistryImageStream& stream) {
  std::vector<Image> out;
  for (;;) {
    auto image = co_await stream.next();
    if (!image) co_return image.error();
    if (!*image) co_return out;
    out.push_back(std::move(**image));
  }
}

}  // namespace glance::api
