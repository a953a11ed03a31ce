#include "api/health_controller.h"

#include "common/json_parse.h"

#include <nlohmann/json.hpp>

namespace glance::api {

using common::http::Response;
using nlohmann::json;

namespace {
boost::asio::awaitable<common::Result<Response>> detailed_health(RegistryClient& registry,
                                                                 common::http::Request& req) {
  const Caller caller{common::RequestContext{}, req.request_id};
  auto report = co_await registry.health(caller);
  json body = {{"api", "OK"}};
  if (report) {
    auto registry_report = common::parse_json(*report);
    body["registry"] = "OK";
    body["database"] =
        registry_report && registry_report->is_object() && registry_report->contains("database")
            ? (*registry_report)["database"]
            : json("unknown");
  } else {
    // A registry that answers 503 says why (its database); one that does not answer at all
    // leaves the database unknown.
    bool registry_answered = report.error().message().find("database") != std::string::npos;
    body["registry"] = registry_answered ? "OK" : report.error().message();
    body["database"] = registry_answered ? report.error().message() : "unknown";
  }
  bool healthy = report && body["database"] == "OK";
  co_return Response::json(healthy ? 200 : 503, common::dump_json(body));
}
}  // namespace

void add_health_routes(common::http::Router& router, RegistryClient& registry) {
  auto detailed = [&registry](common::http::Request& req) {
    return detailed_health(registry, req);
  };
  router.add("GET", "/healthcheck/detailed", detailed);
  router.add("HEAD", "/healthcheck/detailed", detailed);
}

}  // namespace glance::api
