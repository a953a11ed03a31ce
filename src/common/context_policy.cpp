#include "common/context_policy.h"

#include "common/request_credentials.h"
#include "common/utf8.h"

namespace glance::common {

namespace {
std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::string> first_of(const http::Headers& h,
                                    std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (auto v = h.get(n); v && !v->empty()) return std::string(*v);
  return std::nullopt;
}

std::vector<std::string> parse_roles(std::string_view csv) {
  std::vector<std::string> roles;
  while (!csv.empty()) {
    size_t comma = csv.find(',');
    std::string role = http::to_lower(trim(csv.substr(0, comma)));
    if (!role.empty()) roles.push_back(std::move(role));
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return roles;
}
}  // namespace

bool ContextPolicy::reads_identity_headers() const {
  return flavor.starts_with("keystone") || flavor.starts_with("trusted-auth");
}

namespace {
void apply_admin_rule(RequestContext& ctx, const policy::Enforcer* policy) {
  if (!ctx.is_admin && policy)
    ctx.is_admin = policy->allows("context_is_admin", credentials_of(ctx), context_target(ctx));
}
}  // namespace

Result<RequestContext> ContextPolicy::build(const http::Headers& headers,
                                            const policy::Enforcer* policy) const {
  RequestContext ctx;
  ctx.owner_is_tenant = owner_is_tenant;
  if (!reads_identity_headers()) {
    ctx.is_admin = true;  // upstream's unauthenticated-context filter
    return ctx;
  }
  ctx.auth_token = first_of(headers, {"X-Auth-Token", "X-Storage-Token"});
  if (headers.get("X-Identity-Status") != std::optional<std::string_view>("Confirmed")) {
    if (!allow_anonymous_access) return Error::unauthorized("");
    ctx.read_only = true;
    apply_admin_rule(ctx, policy);
    return ctx;
  }
  ctx.user_id = first_of(headers, {"X-User-Id", "X-User"});
  ctx.tenant = first_of(headers, {"X-Project-Id", "X-Tenant-Id", "X-Tenant"});
  auto roles = first_of(headers, {"X-Roles", "X-Role"});
  std::optional<std::string> service_roles;
  if (headers.get("X-Service-Identity-Status") == std::optional<std::string_view>("Confirmed"))
    service_roles = first_of(headers, {"X-Service-Roles"});
  // The tenant becomes an owner or member id in the database and in JSON answers.
  for (const auto* value : {&ctx.user_id, &ctx.tenant, &roles, &service_roles})
    if (*value && !is_valid_utf8(**value))
      return Error::bad_request("Identity headers must be UTF-8.");
  if (roles) ctx.roles = parse_roles(*roles);
  if (service_roles) ctx.service_roles = parse_roles(*service_roles);
  std::string admin = http::to_lower(trim(admin_role));
  for (const auto& r : ctx.roles)
    if (r == admin) ctx.is_admin = true;
  apply_admin_rule(ctx, policy);
  return ctx;
}

}  // namespace glance::common
