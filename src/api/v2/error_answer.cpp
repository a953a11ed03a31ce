#include "api/v2/error_answer.h"

#include <string>

namespace glance::api::v2 {

common::http::Response error_answer(const common::Error& error, std::string_view accept) {
  return common::http::to_response(error, accept, common::http::ErrorWording::message_only);
}

common::http::Handler v2_handler(common::http::Handler handler) {
  return [handler = std::move(handler)](common::http::Request& req)
             -> boost::asio::awaitable<common::Result<common::http::Response>> {
    // Read before the handler runs: a streamed route's handler may take the request over.
    const std::string accept(req.headers.get("Accept").value_or(""));
    auto result = co_await handler(req);
    if (result) co_return result;
    co_return error_answer(result.error(), accept);
  };
}

}  // namespace glance::api::v2
