#include "api/cache/cache_manage_controller.h"

#include "api/cache/image_cache.h"
#include "common/json_parse.h"

#include <nlohmann/json.hpp>

namespace glance::api {

using common::Error;
using common::http::Response;
using nlohmann::json;

namespace {

// Upstream's controller returns nothing from these actions, which its JSON serializer
// writes as `null`.
Response null_reply() {
  return Response::json(200, "null");
}

Response deleted_reply(size_t n) {
  return Response::json(200, common::dump_json(json{{"num_deleted", n}}));
}

}  // namespace

CacheManageController::Reply CacheManageController::list_cached(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  auto rows = co_await cache_.run([](CacheDirectory& d) { return d.list(); });
  if (!rows) co_return rows.error();
  json out = json::array();
  for (const auto& row : *rows)
    out.push_back({{"image_id", row.image_id},
                   {"hits", row.hits},
                   {"last_accessed", row.last_accessed},
                   {"last_modified", row.last_modified},
                   {"size", row.size},
                   {"checksum", row.checksum}});
  co_return Response::json(200, common::dump_json(json{{"cached_images", std::move(out)}}));
}

CacheManageController::Reply CacheManageController::delete_cached(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  const auto& id = req.param("id");
  if (!CacheDirectory::is_safe_id(id)) co_return Error::not_found("Image " + id + " not cached");
  co_await cache_.remove(id);
  co_return null_reply();
}

CacheManageController::Reply CacheManageController::delete_all_cached(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  auto n = co_await cache_.run([](CacheDirectory& d) { return d.remove_all(); });
  co_return deleted_reply(n);
}

CacheManageController::Reply CacheManageController::list_queued(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  auto ids = co_await cache_.run([](CacheDirectory& d) { return d.queued(); });
  co_return Response::json(200, common::dump_json(json{{"queued_images", ids}}));
}

CacheManageController::Reply CacheManageController::queue(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  const auto& id = req.param("id");
  // The id becomes a file name in the queue.
  if (!CacheDirectory::is_safe_id(id)) co_return Error::bad_request("Invalid image id " + id);
  co_await cache_.run([id](CacheDirectory& d) { return d.queue(id); });
  co_return null_reply();
}

CacheManageController::Reply CacheManageController::dequeue(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  const auto& id = req.param("id");
  if (CacheDirectory::is_safe_id(id))
    co_await cache_.run([id](CacheDirectory& d) { return d.dequeue(id); });
  co_return null_reply();
}

CacheManageController::Reply CacheManageController::dequeue_all(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::manage_image_cache); !r) co_return r.error();
  auto n = co_await cache_.run([](CacheDirectory& d) { return d.dequeue_all(); });
  co_return deleted_reply(n);
}

void add_cache_manage_routes(common::http::Router& r, CacheManageController& c) {
  using Req = common::http::Request;
  for (std::string root : {"/v1", "/v2"}) {
    r.add("GET", root + "/cached_images", [&c](Req& q) { return c.list_cached(q); });
    r.add("DELETE", root + "/cached_images", [&c](Req& q) { return c.delete_all_cached(q); });
    r.add("DELETE", root + "/cached_images/{id}", [&c](Req& q) { return c.delete_cached(q); });
    r.add("GET", root + "/queued_images", [&c](Req& q) { return c.list_queued(q); });
    r.add("DELETE", root + "/queued_images", [&c](Req& q) { return c.dequeue_all(q); });
    r.add("PUT", root + "/queued_images/{id}", [&c](Req& q) { return c.queue(q); });
    r.add("DELETE", root + "/queued_images/{id}", [&c](Req& q) { return c.dequeue(q); });
  }
}

}  // namespace glance::api
