#include "common/auth/token_info.h"

#include "common/json_parse.h"

#include <algorithm>

namespace glance::common::auth {

using nlohmann::json;

namespace {
// A token body with a large service catalog runs to hundreds of KiB.
constexpr size_t kMaxTokenBodyBytes = 16 << 20;

std::string text_of(const json& object, const char* name) {
  if (!object.is_object()) return {};
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& member(const json& object, const char* name) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(name);
  return it == object.end() ? kNull : *it;
}

Result<json> parse_token_object(std::string_view body) {
  JsonLimits limits;
  limits.max_bytes = kMaxTokenBodyBytes;
  auto doc = parse_json(body, limits);
  if (!doc || !member(*doc, "token").is_object())
    return Error::bad_gateway("Keystone's answer is not a token");
  return std::move((*doc)["token"]);
}
}  // namespace

bool TokenInfo::has_role_in(const std::vector<std::string>& wanted) const {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& r) {
    return std::find(wanted.begin(), wanted.end(), r) != wanted.end();
  });
}

Result<TokenInfo> parse_token_info(std::string_view body) {
  auto token = parse_token_object(body);
  if (!token) return token.error();
  const json& t = *token;
  TokenInfo info;
  const json& user = member(t, "user");
  info.user_id = text_of(user, "id");
  info.user_name = text_of(user, "name");
  info.user_domain_id = text_of(member(user, "domain"), "id");
  info.user_domain_name = text_of(member(user, "domain"), "name");
  const json& project = member(t, "project");
  info.project_id = text_of(project, "id");
  info.project_name = text_of(project, "name");
  info.project_domain_id = text_of(member(project, "domain"), "id");
  info.project_domain_name = text_of(member(project, "domain"), "name");
  info.domain_id = text_of(member(t, "domain"), "id");
  info.domain_name = text_of(member(t, "domain"), "name");
  if (const json& roles = member(t, "roles"); roles.is_array())
    for (const auto& role : roles)
      if (auto name = text_of(role, "name"); !name.empty()) info.roles.push_back(std::move(name));
  if (const json& admin = member(t, "is_admin_project"); admin.is_boolean())
    info.is_admin_project = admin.get<bool>();
  if (const json& all = member(member(t, "system"), "all"); all.is_boolean() && all.get<bool>())
    info.system_scope = "all";
  auto expires = parse_iso8601(text_of(t, "expires_at"));
  if (info.user_id.empty() || !expires)
    return Error::bad_gateway("Keystone's token has no user or no expiry");
  info.expires_at = *expires;
  return info;
}

std::string password_auth_request(const PasswordScope& who) {
  auto domain = [](const std::string& id, const std::string& name) {
    if (!id.empty()) return json{{"id", id}};
    if (!name.empty()) return json{{"name", name}};
    return json{{"id", "default"}};
  };
  json user = {{"name", who.user},
               {"domain", domain(who.user_domain_id, who.user_domain_name)},
               {"password", who.password}};
  json identity = {{"methods", json::array({"password"})}, {"password", {{"user", user}}}};
  json scope = {{"project",
                 {{"name", who.project},
                  {"domain", domain(who.project_domain_id, who.project_domain_name)}}}};
  return dump_json(json{{"auth", {{"identity", identity}, {"scope", scope}}}});
}

std::string find_identity_endpoint(std::string_view body, std::string_view interface,
                                   std::string_view region) {
  auto token = parse_token_object(body);
  if (!token) return {};
  const json& catalog = member(*token, "catalog");
  if (!catalog.is_array()) return {};
  for (const auto& service : catalog) {
    if (text_of(service, "type") != "identity") continue;
    const json& endpoints = member(service, "endpoints");
    if (!endpoints.is_array()) continue;
    for (const auto& endpoint : endpoints) {
      if (text_of(endpoint, "interface") != interface) continue;
      if (!region.empty() && text_of(endpoint, "region_id") != region &&
          text_of(endpoint, "region") != region)
        continue;
      if (auto url = text_of(endpoint, "url"); !url.empty()) return url;
    }
  }
  return {};
}

std::string v3_url(std::string_view base, std::string_view path) {
  std::string url(base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.ends_with("/v3")) url += "/v3";
  return url + std::string(path);
}

}  // namespace glance::common::auth
