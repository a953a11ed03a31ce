#include "common/auth/keystone_auth_filter.h"

#include "common/auth/identity_headers.h"
#include "common/auth/token_validator.h"

#include <spdlog/spdlog.h>

namespace glance::common::auth {

namespace net = boost::asio;

namespace {
// Outcome of one token check: what Keystone confirmed, or that it could not be asked.
struct Checked {
  std::shared_ptr<const TokenInfo> info;
  bool keystone_down = false;
};

net::awaitable<Checked> check(TokenValidator& validator, std::string_view token,
                              bool allow_expired) {
  auto r = co_await validator.validate(std::string(token), allow_expired);
  if (r) co_return Checked{*r, false};
  co_return Checked{nullptr, r.error().code() == Errc::unavailable};
}

std::string www_authenticate(const std::string& uri) {
  return "Keystone uri=\"" + uri + "\"";
}

http::Response unauthorized(const std::string& uri) {
  // auth_token's own body, not Glance's error page: this is the middleware answering.
  auto res = http::Response::json(401, R"({"error": {"code": 401, "title": "Unauthorized", )"
                                       R"("message": "The request you have made requires )"
                                       R"(authentication."}})");
  res.headers.set("WWW-Authenticate", www_authenticate(uri));
  return res;
}

http::Response unavailable(const http::Request& req) {
  return http::to_response(Error::unavailable("The Keystone service is temporarily unavailable."),
                           req.headers.get("Accept").value_or(""));
}
}  // namespace

http::Filter keystone_auth_filter(TokenValidator& validator, const KeystoneAuthOptions& options) {
  return [&validator,
          options](http::Request& req) -> net::awaitable<std::optional<http::Response>> {
    remove_identity_headers(req.headers);
    // Any 401 given later (delay_auth_decision lets the context decide) says where to
    // authenticate too.
    req.unauthorized_headers.set("WWW-Authenticate", www_authenticate(options.authenticate_uri()));
    // Copies: setting headers below may move the values these would view.
    std::optional<std::string> user_token, service_token;
    if (auto t = req.headers.get("X-Auth-Token"); t || (t = req.headers.get("X-Storage-Token")))
      user_token = std::string(*t);
    if (auto t = req.headers.get("X-Service-Token")) service_token = std::string(*t);

    bool service_ok = true;  // no service token is no reason to refuse
    bool allow_expired = false;
    if (service_token) {
      auto svc = co_await check(validator, *service_token, false);
      if (svc.keystone_down && !options.delay_auth_decision) co_return unavailable(req);
      bool role_ok = svc.info && svc.info->has_role_in(options.service_token_roles);
      service_ok = svc.info && (role_ok || !options.service_token_roles_required);
      if (svc.info && !role_ok)
        spdlog::warn("a service token without any of the service_token_roles{}",
                     service_ok ? " accepted (service_token_roles_required is off)" : " refused");
      set_service_headers(req.headers, service_ok ? svc.info.get() : nullptr);
      allow_expired = role_ok;
    }
    std::shared_ptr<const TokenInfo> user;
    if (user_token) {
      auto checked = co_await check(validator, *user_token, allow_expired);
      if (checked.keystone_down && !options.delay_auth_decision) co_return unavailable(req);
      user = std::move(checked.info);
    }
    set_user_headers(req.headers, user.get());
    if ((!user || !service_ok) && !options.delay_auth_decision)
      co_return unauthorized(options.authenticate_uri());
    co_return std::nullopt;
  };
}

}  // namespace glance::common::auth
