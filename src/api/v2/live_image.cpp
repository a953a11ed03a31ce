#include "api/v2/live_image.h"

namespace glance::api::v2 {

using common::Errc;
using common::Error;
using common::Image;
using common::Result;

namespace {
constexpr size_t kMaxIdChars = 36;
}  // namespace

boost::asio::awaitable<Result<Image>> find_live_image(RegistryClient& registry,
                                                      const Caller& caller, const std::string& id,
                                                      const std::string& missing) {
  if (id.size() > kMaxIdChars) co_return Error::not_found(missing);
  auto image = co_await registry.get(caller, id);
  if (!image && image.error().code() == Errc::not_found) co_return Error::not_found(missing);
  if (image && image->deleted) co_return Error::not_found(missing);
  co_return image;
}

Result<void> reject_body(const common::http::Request& req) {
  if (req.has_body() || !req.body.empty())
    return Error::bad_request("A body is not expected with this request.");
  return {};
}

Caller caller_of(const common::http::Request& req) {
  return Caller{req.context, req.request_id};
}

}  // namespace glance::api::v2
