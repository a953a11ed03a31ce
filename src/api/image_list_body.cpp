#include "api/image_list_body.h"

#include "api/image_headers.h"
#include "common/image_json.h"
#include "common/json_parse.h"

#include <algorithm>
#include <utility>

namespace glance::api {

namespace {
// Rendered ahead of the client: a few dozen images, whatever the reader's buffer.
constexpr size_t kRenderAhead = 64 * 1024;
}  // namespace

boost::asio::awaitable<common::Result<size_t>> ImageListBody::read_some(std::span<char> buf) {
  if (pending_at_ == pending_.size()) {
    pending_.clear();
    pending_at_ = 0;
    if (!std::exchange(started_, true)) pending_ = R"({"images":[)";
    while (!ended_ && pending_.size() < std::min(buf.size(), kRenderAhead)) {
      auto image = co_await next_();
      if (!image) co_return image.error();
      if (!*image) {
        pending_ += ']';
        pending_ += tail_(images_, last_ ? &*last_ : nullptr);
        ended_ = true;
        break;
      }
      if (images_++ > 0) pending_ += ',';
      render_(pending_, **image);
      last_ = std::move(**image);
    }
  }
  const size_t n = std::min(buf.size(), pending_.size() - pending_at_);
  std::copy_n(pending_.data() + pending_at_, n, buf.data());
  pending_at_ += n;
  co_return n;
}

ImageListBody::Render v1_list_entry(bool detail) {
  return [detail](std::string& out, const common::Image& image) {
    out +=
        common::dump_json(detail ? image_to_api_json(image) : common::image_to_brief_json(image));
  };
}

std::string v1_list_tail(size_t, const common::Image*) {
  return "}";
}

boost::asio::awaitable<common::Result<common::http::Response>> list_response(
    RegistryClient& registry, const Caller& caller, const common::http::QueryParams& params,
    bool detail, std::function<void(common::Image&)> adjust, ImageListBody::Render render,
    ImageListBody::Tail tail) {
  using Listed = common::Result<std::optional<common::Image>>;
  auto listed = co_await registry.list_stream(caller, params, detail);
  if (!listed) co_return listed.error();
  std::shared_ptr<RegistryImageStream> stream = std::move(*listed);
  // The first image is read before answering, so that a registry answer that goes wrong at
  // once is a clean error status rather than a cut body.
  auto first = co_await stream->next();
  if (!first) co_return first.error();
  auto next = [stream, first = std::move(*first), adjust = std::move(adjust),
               started = false]() mutable -> boost::asio::awaitable<Listed> {
    Listed image =
        std::exchange(started, true) ? co_await stream->next() : Listed(std::move(first));
    if (image && *image && adjust) adjust(**image);
    co_return image;
  };
  common::http::Response res;
  res.status = 200;
  res.headers.set("Content-Type", "application/json");
  // Pieces of the render-ahead's size: a larger one would hold memory per page in flight.
  res.body = common::http::StreamBody{
      std::make_unique<ImageListBody>(std::move(next), std::move(render), std::move(tail)),
      std::nullopt, kRenderAhead};
  co_return res;
}

}  // namespace glance::api
