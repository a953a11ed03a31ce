#include "api/version_negotiation.h"

#include <nlohmann/json.hpp>
#include "common/json_parse.h"

namespace glance::api {

namespace {
constexpr std::string_view kVndPrefix = "application/vnd.openstack.images-";

bool is_v1_token(std::string_view v) {
  return v == "v1" || v == "v1.0" || v == "v1.1";
}

// v2 and v2.0 to v2.6, as upstream Queens accepts them.
bool is_v2_token(std::string_view v) {
  if (v == "v2") return true;
  return v.size() == 4 && v.starts_with("v2.") && v[3] >= '0' && v[3] <= '6';
}

std::string_view first_segment(std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  return path.substr(0, path.find('/'));
}
}  // namespace

Negotiation negotiate_version(std::string_view path, std::string_view accept,
                              const VersionOptions& options) {
  if (first_segment(path) == "versions") return {std::nullopt, 200};
  std::string_view version;
  std::string_view rest;
  if (accept.starts_with(kVndPrefix)) {
    // Versioned by header: the URL keeps its path (so "/v1/images" becomes "/v1/v1/images").
    version = accept.substr(kVndPrefix.size());
    rest = path;
  } else {
    while (path.starts_with('/')) path.remove_prefix(1);
    auto slash = path.find('/');
    version = path.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  if (options.enable_v1_api && is_v1_token(version)) return {"/v1" + std::string(rest), 0};
  if (options.enable_v2_api && is_v2_token(version)) return {"/v2" + std::string(rest), 0};
  return {std::nullopt, 300};
}

std::string versions_document(const VersionOptions& options, std::string_view request_host) {
  std::string base =
      options.public_endpoint.empty() ? std::string(request_host) : options.public_endpoint;
  while (base.ends_with('/')) base.pop_back();
  nlohmann::json versions = nlohmann::json::array();
  if (options.enable_v2_api) {
    for (const char* id : {"v2.6", "v2.5", "v2.4", "v2.3", "v2.2", "v2.1", "v2.0"})
      versions.push_back({{"id", id},
                          {"status", std::string_view(id) == "v2.6" ? "CURRENT" : "SUPPORTED"},
                          {"links", {{{"rel", "self"}, {"href", base + "/v2/"}}}}});
  }
  if (options.enable_v1_api) {
    for (const char* id : {"v1.1", "v1.0"})
      versions.push_back({{"id", id},
                          {"status", "DEPRECATED"},
                          {"links", {{{"rel", "self"}, {"href", base + "/v1/"}}}}});
  }
  return common::dump_json(nlohmann::json{{"versions", std::move(versions)}});
}

common::http::Filter version_negotiation_filter(VersionOptions options) {
  return [options = std::move(options)](
             common::http::Request& req) -> std::optional<common::http::Response> {
    auto accept = req.headers.get("Accept").value_or("");
    auto outcome = negotiate_version(req.path, accept, options);
    if (outcome.path) {
      req.path = std::move(*outcome.path);
      return std::nullopt;
    }
    return common::http::Response::json(outcome.versions_status,
                                        versions_document(options, req.host));
  };
}

}  // namespace glance::api
