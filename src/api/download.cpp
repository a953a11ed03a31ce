#include "api/download.h"

#include "api/byte_range.h"
#include "api/image_headers.h"

namespace glance::api {

using common::Error;
using common::Result;
using common::http::FileRange;
using common::http::Response;

namespace {
Response data_response(const common::Image& image) {
  Response res = Response::empty(200);
  add_image_headers(image, res.headers);
  res.headers.set("Content-Type", "application/octet-stream");
  return res;
}

// Narrows a 200 answer carrying the whole file to what `range` asks for.
void apply_range(Response& res, std::optional<std::string_view> range) {
  auto& file = std::get<FileRange>(res.body);
  const uint64_t size = file.length;
  res.headers.set("Accept-Ranges", "bytes");
  auto answer = answer_range(range, size);
  if (answer.kind == RangeAnswer::Kind::whole) return;
  if (answer.kind == RangeAnswer::Kind::unsatisfiable) {
    // An error that needs a header the error table cannot carry, so it is built here
    // rather than by to_response. Replacing the body closes the file.
    res.status = 416;
    res.headers.set("Content-Range", "bytes */" + std::to_string(size));
    res.headers.set("Content-Type", "text/plain");
    res.body = std::string("416 Requested Range Not Satisfiable");
    return;
  }
  res.status = 206;
  res.headers.set("Content-Range", content_range(answer, size));
  file.offset += answer.offset;
  file.length = answer.length;
}
}  // namespace

Result<Response> image_data_response(const store::StoreRegistry& stores, const common::Image& image,
                                     std::optional<std::string_view> range) {
  if (image.size.value_or(0) == 0 && !image.active_location()) return data_response(image);
  auto uri = image.active_location();
  if (!uri) return Error::not_found("Image " + image.id + " has no data");
  store::Location where{*uri};
  auto* store = stores.for_location(where);
  if (!store) return Error::bad_request("Store for scheme " + where.scheme() + " not found");
  auto reader = (*store).open(where);
  if (!reader) return reader.error();
  auto image_as_stored = image;
  // The store knows the real length; it is what the body will carry.
  image_as_stored.size = static_cast<int64_t>((*reader)->size());
  Response res = data_response(image_as_stored);
  std::visit([&](auto&& body) { res.body = std::move(body); }, (*reader)->take_body());
  if (std::holds_alternative<FileRange>(res.body)) apply_range(res, range);
  return res;
}

}  // namespace glance::api
