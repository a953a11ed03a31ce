#include "api/v2/info_controller.h"

#include "api/v2/error_answer.h"
#include "common/json_writer.h"

namespace glance::api::v2 {

using common::Error;
using common::http::Response;

InfoController::InfoController(const store::StoreRegistry& stores) {
  if (stores.all().size() < 2) return;
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().key("stores").begin_array();
  for (const auto& store : stores.all()) {
    w.begin_object().key("id").string(store->schemes().front());
    if (store.get() == &stores.default_store()) w.key("default").string("true");
    if (!store->writable()) w.key("read-only").string("true");
    w.end_object();
  }
  w.end_array().end_object();
  stores_document_ = std::move(out);
}

InfoController::Reply InfoController::import_info(Request&) {
  co_return Error::not_found("Image import is not supported at this site.");
}

InfoController::Reply InfoController::stores(Request&) {
  if (!stores_document_) co_return Error::not_found("Multi backend is not supported at this site.");
  co_return Response::json(200, *stores_document_);
}

InfoController::Reply InfoController::no_import(Request&) {
  co_return Error::not_found("Image import is not supported at this site.");
}

void add_info_routes(common::http::Router& r, InfoController& c) {
  using Req = common::http::Request;
  r.add("GET", "/v2/info/import", v2_handler([&c](Req& q) { return c.import_info(q); }));
  r.add("GET", "/v2/info/stores", v2_handler([&c](Req& q) { return c.stores(q); }));
  // Streamed, and never read: a staged upload is refused without taking its data.
  r.add("PUT", "/v2/images/{id}/stage", v2_handler([&c](Req& q) { return c.no_import(q); }),
        common::http::BodyMode::streamed);
  r.add("POST", "/v2/images/{id}/import", v2_handler([&c](Req& q) { return c.no_import(q); }),
        common::http::BodyMode::streamed);
}

}  // namespace glance::api::v2
