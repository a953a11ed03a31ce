#include "registry/health_resource.h"

#include "common/json_parse.h"
#include "common/standard_filters.h"
#include "registry/node_health.h"

#include <nlohmann/json.hpp>

namespace glance::registry {

using common::http::Request;
using common::http::Response;
using Reply = boost::asio::awaitable<Result<Response>>;

void add_health_routes(common::http::Router& router, DbExecutor& db, NodeHealth* node,
                       std::string disable_file) {
  auto detailed = [&db, node](Request&) -> Reply {
    auto alive = node ? co_await node->check() : co_await db.probe();
    nlohmann::json body = {{"database", alive ? "OK" : alive.error().message()}};
    co_return Response::json(alive ? 200 : 503, common::dump_json(body));
  };
  router.add("GET", "/healthcheck/detailed", detailed);
  router.add("HEAD", "/healthcheck/detailed", detailed);
  if (!node) return;
  auto check = [node, disable_file = std::move(disable_file)](Request&) -> Reply {
    if (auto disabled = common::disabled_by_file(disable_file)) co_return std::move(*disabled);
    auto serves = co_await node->check();
    if (!serves) co_return Response::text(503, serves.error().message());
    co_return Response::text(200, "OK");
  };
  router.add("GET", "/healthcheck", check);
  router.add("HEAD", "/healthcheck", check);
}

}  // namespace glance::registry
