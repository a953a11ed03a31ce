#include "api/download.h"

#include "api/image_headers.h"

namespace glance::api {

using common::Error;
using common::Result;
using common::http::Response;

namespace {
Response data_response(const common::Image& image) {
  Response res = Response::empty(200);
  add_image_headers(image, res.headers);
  res.headers.set("Content-Type", "application/octet-stream");
  return res;
}
}  // namespace

Result<Response> image_data_response(const store::StoreRegistry& stores,
                                     const common::Image& image) {
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
  return res;
}

}  // namespace glance::api
