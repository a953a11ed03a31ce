#include "common/auth/identity_headers.h"

#include "common/auth/token_info.h"

#include <array>
#include <string>

namespace glance::common::auth {

namespace {
// Each identity field under its user header name; the service header is "X-Service-" + the
// name without its "X-".
struct Field {
  const char* header;
  std::string TokenInfo::*member;
};
constexpr std::array kFields{
    Field{"X-Domain-Id", &TokenInfo::domain_id},
    Field{"X-Domain-Name", &TokenInfo::domain_name},
    Field{"X-Project-Id", &TokenInfo::project_id},
    Field{"X-Project-Name", &TokenInfo::project_name},
    Field{"X-Project-Domain-Id", &TokenInfo::project_domain_id},
    Field{"X-Project-Domain-Name", &TokenInfo::project_domain_name},
    Field{"X-User-Id", &TokenInfo::user_id},
    Field{"X-User-Name", &TokenInfo::user_name},
    Field{"X-User-Domain-Id", &TokenInfo::user_domain_id},
    Field{"X-User-Domain-Name", &TokenInfo::user_domain_name},
};
// Deprecated names and the header whose value they copy.
constexpr std::array<std::pair<const char*, const char*>, 5> kDeprecated{{
    {"X-Role", "X-Roles"},
    {"X-User", "X-User-Name"},
    {"X-Tenant-Id", "X-Project-Id"},
    {"X-Tenant-Name", "X-Project-Name"},
    {"X-Tenant", "X-Project-Name"},
}};

std::string service_name(std::string_view user_header) {
  return "X-Service-" + std::string(user_header.substr(2));
}

// Keystone's names are free text. A value a header cannot carry (a control character) is
// left out rather than passed on to a registry request.
void set_text(http::Headers& headers, std::string_view name, const std::string& value) {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return;
  headers.set(name, value);
}

std::string joined(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) {
    // A comma would split one role into two for the context's parser.
    if (r.find(',') != std::string::npos) continue;
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

void set_identity(http::Headers& headers, const TokenInfo& info, bool service) {
  for (const auto& f : kFields) {
    const std::string& value = info.*f.member;
    if (value.empty()) continue;
    set_text(headers, service ? service_name(f.header) : std::string(f.header), value);
  }
  set_text(headers, service ? "X-Service-Roles" : "X-Roles", joined(info.roles));
}
}  // namespace

void remove_identity_headers(http::Headers& headers) {
  for (const char* name :
       {"X-Service-Catalog", "X-Identity-Status", "X-Service-Identity-Status", "X-Is-Admin-Project",
        "OpenStack-System-Scope", "X-Roles", "X-Service-Roles"})
    headers.erase(name);
  for (const auto& [old_name, _] : kDeprecated) headers.erase(old_name);
  for (const auto& f : kFields) {
    headers.erase(f.header);
    headers.erase(service_name(f.header));
  }
}

void set_user_headers(http::Headers& headers, const TokenInfo* confirmed) {
  headers.set("X-Identity-Status", confirmed ? "Confirmed" : "Invalid");
  if (!confirmed) return;
  set_identity(headers, *confirmed, false);
  headers.set("X-Is-Admin-Project", confirmed->is_admin_project ? "True" : "False");
  if (!confirmed->system_scope.empty())
    headers.set("OpenStack-System-Scope", confirmed->system_scope);
  for (const auto& [old_name, current] : kDeprecated)
    if (auto v = headers.get(current)) headers.set(old_name, std::string(*v));
}

void set_service_headers(http::Headers& headers, const TokenInfo* confirmed) {
  headers.set("X-Service-Identity-Status", confirmed ? "Confirmed" : "Invalid");
  if (confirmed) set_identity(headers, *confirmed, true);
}

}  // namespace glance::common::auth
