#pragma once

#include <optional>
#include <string>
#include <vector>

namespace glance::common {

// Who is calling, as Glance's RequestContext describes it.
struct RequestContext {
  std::optional<std::string> user_id;
  std::optional<std::string> tenant;
  std::vector<std::string> roles;  // lower-cased
  // X-Service-Roles of a confirmed service token (X-Service-Identity-Status: Confirmed),
  // lower-cased. Only property protections in roles format count them, as upstream's do; they
  // make no one admin and no policy rule sees them.
  std::vector<std::string> service_roles;
  std::optional<std::string> auth_token;
  bool is_admin = false;
  bool read_only = false;
  bool owner_is_tenant = true;

  // The id images are owned by: the tenant, or the user when owner_is_tenant is false.
  const std::optional<std::string>& owner() const { return owner_is_tenant ? tenant : user_id; }
};

}  // namespace glance::common
