#include "registry/health_resource.h"

#include <nlohmann/json.hpp>
#include "common/json_parse.h"

namespace glance::registry {

using common::http::Response;

void add_health_routes(common::http::Router& router, DbExecutor& db) {
  router.add("GET", "/healthcheck/detailed",
             [&db](common::http::Request&) -> boost::asio::awaitable<Result<Response>> {
               auto alive = co_await db.probe();
               nlohmann::json body = {{"database", alive ? "OK" : alive.error().message()}};
               co_return Response::json(alive ? 200 : 503, common::dump_json(body));
             });
}

}  // namespace glance::registry
