#pragma once

#include "common/http/router.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace glance::api::v2 {

// The discovery and interoperable-import routes of Images API v2.
//
// Interoperable import (PUT /v2/images/{id}/stage, POST /v2/images/{id}/import) is not
// served: both answer, before reading any body, as upstream does with enable_image_import
// off (404 "Image import is not supported at this site."), and so does GET /v2/info/import.
// A 404 rather than an empty list of methods: clients (glanceclient's import commands) then
// say that import is unsupported instead of offering methods that cannot run.
//
// GET /v2/info/stores answers upstream's multi-store document when more than one store is
// loaded: {"stores": [{"id": ...}, ...]}, ids being each driver's first location scheme, the
// default store marked "default": "true" and read-only drivers "read-only": "true" (strings,
// as upstream writes them). With one store it is 404 "Multi backend is not supported at this
// site.", as upstream without enabled_backends. Built once; safe for concurrent use.
class InfoController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  explicit InfoController(const store::StoreRegistry& stores);

  Reply import_info(Request& req);  // GET /v2/info/import
  Reply stores(Request& req);       // GET /v2/info/stores
  Reply no_import(Request& req);    // PUT .../stage, POST .../import

 private:
  std::optional<std::string> stores_document_;
};

void add_info_routes(common::http::Router& router, InfoController& info);

}  // namespace glance::api::v2
