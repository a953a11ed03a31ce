#include "common/standard_filters.h"

#include "common/image_id.h"

#include <filesystem>

namespace glance::common {

http::Filter healthcheck_filter(std::string disable_file) {
  return [disable_file =
              std::move(disable_file)](http::Request& req) -> std::optional<http::Response> {
    if (req.path != "/healthcheck") return std::nullopt;
    if (req.method != "GET" && req.method != "HEAD") {
      auto refused = http::to_response(
          Error::method_not_allowed("The method is not allowed for this resource."),
          req.headers.get("Accept").value_or(""));
      refused.headers.set("Allow", "GET, HEAD");
      return refused;
    }
    if (auto disabled = disabled_by_file(disable_file)) return disabled;
    return http::Response::text(200, "OK");
  };
}

std::optional<http::Response> disabled_by_file(const std::string& disable_file) {
  std::error_code ec;
  if (!disable_file.empty() && std::filesystem::exists(disable_file, ec))
    return http::Response::text(503, "DISABLED BY FILE");
  return std::nullopt;
}

http::Filter context_filter(ContextPolicy policy, size_t max_request_id_length,
                            const policy::Enforcer* policy_rules) {
  return [policy = std::move(policy), max_request_id_length,
          policy_rules](http::Request& req) -> std::optional<http::Response> {
    auto incoming = req.headers.get("X-Openstack-Request-ID");
    if (incoming && !incoming->empty() && policy.reads_identity_headers()) {
      std::string id(*incoming);
      if (!id.starts_with("req-")) id = "req-" + id;
      if (max_request_id_length > 0 && incoming->size() > max_request_id_length)
        return http::to_response(Error::header_too_large("Request ID is too long."),
                                 req.headers.get("Accept").value_or(""));
      req.request_id = std::move(id);
    } else {
      thread_local RandomIdGenerator ids;
      req.request_id = "req-" + ids.new_id();
    }
    auto ctx = policy.build(req.headers, policy_rules);
    if (!ctx) {
      auto res = http::to_response(ctx.error(), req.headers.get("Accept").value_or(""));
      return res;
    }
    req.context = std::move(*ctx);
    return std::nullopt;
  };
}

}  // namespace glance::common
