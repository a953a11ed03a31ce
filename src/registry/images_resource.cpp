#include "registry/images_resource.h"

#include "common/http/json_body.h"
#include "common/image_json.h"
#include "common/json_parse.h"

namespace glance::registry {

using common::Error;
using common::Image;
using common::Result;
using common::http::Response;
using nlohmann::json;

namespace {
Response image_reply(const Image& image) {
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().key("image");
  common::write_image_json(w, image, false);
  w.end_object();
  return Response::json(200, std::move(out));
}

Result<common::ImageFields> fields_from_body(const json& body) {
  if (!body.is_object() || !body.contains("image") || !body["image"].is_object())
    return Error::bad_request("Expected an 'image' object in the request body.");
  return common::image_fields_from_json(body["image"]);
}

Result<void> refuse_read_only(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  return {};
}
}  // namespace

ImagesResource::Reply ImagesResource::list(Request& req, bool detail) {
  auto query = parse_list_query(req.query, default_limit_, max_limit_);
  if (!query) co_return query.error();
  auto images = co_await db_.run<std::vector<Image>>(
      [&](MysqlConnection&) { return repo_.list(req.context, *query, detail); });
  if (!images) co_return images.error();
  std::string out;
  out.reserve(images->size() * (detail ? 700 : 200));
  common::JsonWriter w(out);
  w.begin_object().key("images").begin_array();
  for (const auto& img : *images) common::write_image_json(w, img, !detail);
  w.end_array().end_object();
  co_return Response::json(200, std::move(out));
}

ImagesResource::Reply ImagesResource::index(Request& req) {
  return list(req, false);
}
ImagesResource::Reply ImagesResource::detail(Request& req) {
  return list(req, true);
}

ImagesResource::Reply ImagesResource::create(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto fields = fields_from_body(*body);
  if (!fields) co_return fields.error();
  auto image = co_await db_.run<Image>(
      [&](MysqlConnection&) { return repo_.create(req.context, std::move(*fields)); });
  if (!image) co_return image.error();
  co_return image_reply(*image);  // the registry answers 200, not 201
}

ImagesResource::Reply ImagesResource::show(Request& req) {
  auto image = co_await db_.run<Image>(
      [&](MysqlConnection&) { return repo_.get(req.context, req.param("id")); });
  if (!image) co_return image.error();
  co_return image_reply(*image);
}

ImagesResource::Reply ImagesResource::update(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto fields = fields_from_body(*body);
  if (!fields) co_return fields.error();
  std::optional<common::ImageStatus> from_state;
  if (body->contains("from_state") && !(*body)["from_state"].is_null()) {
    const auto& fs = (*body)["from_state"];
    if (!fs.is_string() || !common::image_status_from_string(fs.get<std::string>()))
      co_return Error::bad_request("Invalid from_state");
    from_state = common::image_status_from_string(fs.get<std::string>());
  }
  // Only the exact lower-case "true" purges, as upstream compares it.
  bool purge =
      req.headers.get("X-Glance-Registry-Purge-Props") == std::optional<std::string_view>("true");
  auto image = co_await db_.run<Image>([&](MysqlConnection&) {
    return repo_.update(req.context, req.param("id"), std::move(*fields), purge, from_state);
  });
  if (!image) co_return image.error();
  co_return image_reply(*image);
}

ImagesResource::Reply ImagesResource::destroy(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  auto image = co_await db_.run<Image>(
      [&](MysqlConnection&) { return repo_.destroy(req.context, req.param("id")); });
  if (!image) co_return image.error();
  co_return image_reply(*image);
}

ImagesResource::Reply ImagesResource::usage(Request& req) {
  std::string exclude(common::http::find_param(req.query, "exclude_image").value_or(""));
  auto bytes = co_await db_.run<int64_t>([&](MysqlConnection&) {
    return repo_.storage_usage(req.context, req.param("owner"), exclude);
  });
  if (!bytes) co_return bytes.error();
  co_return Response::json(200, common::dump_json(json{{"usage", *bytes}}));
}

void add_image_routes(common::http::Router& r, ImagesResource& c) {
  using Req = common::http::Request;
  r.add("*", "/", [&c](Req& q) { return c.index(q); });
  r.add("GET", "/images", [&c](Req& q) { return c.index(q); });
  r.add("POST", "/images", [&c](Req& q) { return c.create(q); });
  r.add("GET", "/images/detail", [&c](Req& q) { return c.detail(q); });
  r.add("GET", "/images/{id}", [&c](Req& q) { return c.show(q); });
  r.add("PUT", "/images/{id}", [&c](Req& q) { return c.update(q); });
  r.add("DELETE", "/images/{id}", [&c](Req& q) { return c.destroy(q); });
  // Not in upstream's registry API (its api read the database itself for quotas): the api
  // asks here, so that it never touches MySQL.
  r.add("GET", "/usage/{owner}", [&c](Req& q) { return c.usage(q); });
}

}  // namespace glance::registry
