#include "api/download.h"

#include "api/byte_range.h"
#include "api/cache/image_cache.h"
#include "api/image_headers.h"

namespace glance::api {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::Response;

namespace {
Response data_response(const common::Image& image, bool v2_headers) {
  Response res = Response::empty(200);
  if (!v2_headers)
    add_image_headers(image, res.headers);
  else if (image.checksum)
    res.headers.set("Content-MD5", *image.checksum);
  res.headers.set("Content-Type", "application/octet-stream");
  return res;
}

// An error that needs a header the error table cannot carry, so it is built here rather than
// by to_response.
Response unsatisfiable(uint64_t size) {
  Response res = Response::text(416, "416 Requested Range Not Satisfiable");
  res.headers.set("Content-Range", "bytes */" + std::to_string(size));
  return res;
}
}  // namespace

net::awaitable<Result<Response>> image_data_response(const store::StoreRegistry& stores,
                                                     const common::Image& image,
                                                     std::optional<std::string_view> range,
                                                     const store::ReadOptions& base_options,
                                                     bool v2_headers, ImageCache* cache) {
  auto uri = image.active_location();
  if (image.size.value_or(0) == 0 && !uri) co_return data_response(image, v2_headers);
  if (!uri) co_return Error::not_found("Image " + image.id + " has no data");
  store::Location where{*uri};
  auto* store = stores.for_location(where);
  if (!store) co_return Error::bad_request("Store for scheme " + where.scheme() + " not found");

  // Ranges are answered against the size the registry recorded; an image whose size is
  // unknown (an http location that did not say) is always sent whole.
  const uint64_t size = static_cast<uint64_t>(image.size.value_or(0));
  RangeAnswer answer;
  if (size > 0) answer = answer_range(range, size);
  if (answer.kind == RangeAnswer::Kind::unsatisfiable) co_return unsatisfiable(size);
  store::ReadOptions options = base_options;
  if (answer.kind == RangeAnswer::Kind::partial)
    options.span = store::ByteSpan{answer.offset, answer.length};

  std::optional<CachedFile> cached;
  if (cache && size > 0) cached = co_await cache->open_cached(image);
  store::ImageBody body = common::http::StreamBody{};
  if (cached) {
    const auto span = options.span.value_or(store::ByteSpan{0, cached->size});
    body = common::http::FileRange(std::exchange(cached->fd, -1), span.offset, span.length);
  } else {
    // Ranges go to the store even while a fill runs: they are small and rarely cold.
    std::optional<FillLease> lead;
    std::optional<store::ImageBody> followed;
    if (cache && !options.span) followed = co_await cache->follow(image, lead);
    if (followed) {
      body = std::move(*followed);
    } else {
      auto reader = co_await store->open(where, options);
      if (!reader) co_return reader.error();
      body = (*reader)->take_body();
      if (lead) body = co_await cache->fill(std::move(*lead), std::move(body));
    }
  }
  Response res = data_response(image, v2_headers);
  // Upstream's v2 does not announce ranges, though it serves them.
  if (size > 0 && !v2_headers) res.headers.set("Accept-Ranges", "bytes");
  if (answer.kind == RangeAnswer::Kind::partial) {
    res.status = 206;
    res.headers.set("Content-Range", content_range(answer, size));
  }
  std::visit([&](auto&& b) { res.body = std::move(b); }, std::move(body));
  co_return res;
}

}  // namespace glance::api
