#include "common/request_credentials.h"

namespace glance::common {

namespace {
const char* python_bool(bool b) {
  return b ? "True" : "False";
}
}  // namespace

policy::Values context_target(const RequestContext& ctx) {
  policy::Values v;
  if (ctx.user_id) {
    v["user_id"] = *ctx.user_id;
    v["user"] = *ctx.user_id;
  }
  if (ctx.tenant) {
    v["project_id"] = *ctx.tenant;
    v["tenant"] = *ctx.tenant;
  }
  v["is_admin"] = python_bool(ctx.is_admin);
  v["read_only"] = python_bool(ctx.read_only);
  // Keystone marks every project the admin project unless told otherwise; so does
  // oslo.context by default.
  v["is_admin_project"] = "True";
  return v;
}

policy::Credentials credentials_of(const RequestContext& ctx) {
  return policy::Credentials{context_target(ctx), ctx.roles};
}

}  // namespace glance::common
