#include "api/image_lookup.h"

namespace glance::api {

using common::Errc;
using common::Error;
using common::Image;
using common::Result;

boost::asio::awaitable<Result<Image>> fetch_image(RegistryClient& registry, const Caller& caller,
                                                  const std::string& id) {
  if (id.size() > 36) co_return Error::not_found("Image with identifier " + id + " not found");
  auto image = co_await registry.get(caller, id);
  if (!image && image.error().code() == Errc::not_found)
    co_return Error::not_found("Image with identifier " + id + " not found");
  co_return image;
}

}  // namespace glance::api
