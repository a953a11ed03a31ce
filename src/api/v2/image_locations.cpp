#include "api/v2/image_locations.h"

#include "api/external_source.h"
#include "common/json_parse.h"
#include "common/uri_redaction.h"
#include "store/upload_name.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace glance::api::v2 {

namespace net = boost::asio;
using common::Error;
using common::Image;
using common::ImageLocation;
using common::ImageStatus;
using common::Result;
using nlohmann::json;

namespace {
constexpr size_t kUuidChars = 36;

Result<void> allow(const LocationEnv& env, Action action, const common::policy::Values& target) {
  if (env.auth.authorize(env.ctx, action, target)) return {};
  return Error::forbidden("You are not authorized to complete " + std::string(rule_name(action)) +
                          " action.");
}

// Whether `url` names the data of another image's upload ("<uuid>" or "<uuid>-<tag>", the
// rbd image of an rbd url included): such data belongs to the image whose upload wrote it.
// The image's own id is not another's: Nova's direct snapshots on RBD add
// rbd://<fsid>/<pool>/<image id>/snap to the image they made.
bool names_another_upload(std::string_view url, std::string_view own_id) {
  for (auto name : store::location_object_names(url)) {
    if (name.size() < kUuidChars || store::is_upload_name(name, own_id)) continue;
    if (store::is_upload_name(name, name.substr(0, kUuidChars))) return true;
  }
  return false;
}

// glance_store's check_location_metadata: objects, lists and strings only.
Result<void> check_metadata(const json& value, const std::string& key) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items())
      if (auto r = check_metadata(v, k); !r) return r;
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i)
      if (auto r = check_metadata(value[i], key + "[" + std::to_string(i) + "]"); !r) return r;
  } else if (!value.is_string()) {
    return Error::bad_request("The image metadata key " + key + " has an invalid type of " +
                              value.type_name() + ".  Only dict, list, and unicode are supported.");
  }
  return {};
}

Error invalid_location(std::string_view url, std::string_view why) {
  spdlog::info("location {} refused: {}", common::redact_credentials(url), why);
  return Error::bad_request("Invalid location");
}

// Upstream's _check_image_location for a location of `image`, with the operator's source
// policy: answers the size at `url`.
net::awaitable<Result<int64_t>> check_location(const LocationEnv& env, const Image& image,
                                               const ImageLocation& loc) {
  if (auto r = env.sources.check_uri(loc.url, SourceUse::location); !r)
    co_return invalid_location(loc.url, r.error().message());
  const store::Location where{loc.url};
  const auto* store = env.stores.for_location(where);
  if (!store) co_return invalid_location(loc.url, "no store serves its scheme");
  // An upload's own object is its image's alone: never another image's location.
  if (store->writable() && names_another_upload(loc.url, image.id))
    co_return invalid_location(loc.url, "it names an image upload's object");
  auto size = co_await location_size(env.stores, env.sources, loc.url);
  if (!size) co_return invalid_location(loc.url, size.error().message());
  if (*size == 0) co_return invalid_location(loc.url, "no size known at it");
  if (auto r = check_metadata(loc.metadata, ""); !r) co_return r.error();
  co_return static_cast<int64_t>(*size);
}

// Upstream's _get_locations_op_pos: a decimal index or "-" (the end). An add may name any
// index (past the end appends); a remove one in range.
std::optional<size_t> op_pos(const std::string& token, size_t count, bool allow_end) {
  if (!allow_end && count == 0) return std::nullopt;
  size_t pos = allow_end ? count : count - 1;
  if (!token.empty() && std::all_of(token.begin(), token.end(),
                                    [](unsigned char c) { return c >= '0' && c <= '9'; })) {
    const auto digits = token.substr(std::min(token.find_first_not_of('0'), token.size() - 1));
    pos = digits.size() > 18 ? SIZE_MAX : std::stoull(digits);
  } else if (token != "-") {
    return std::nullopt;
  }
  if (!allow_end && pos >= count) return std::nullopt;
  return std::min(pos, count);
}

std::string py_repr(const std::vector<ImageLocation>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& l = list[i];
    out += (i ? ", " : "");
    out += "{'url': '" + common::redact_credentials(l.url) +
           "', 'metadata': " + common::dump_json(l.metadata) + ", 'status': '" + l.status + "'}";
  }
  return out + "]";
}

std::string status_name(ImageStatus s) {
  return std::string(to_string(s));
}

// The state a patch's location changes build.
struct Working {
  std::vector<ImageLocation> list;  // the active locations, in order
  ImageStatus status;
  std::optional<int64_t> size;
};

net::awaitable<Result<void>> replace_locations(Working& w, const Image& image, const json& value,
                                               const LocationEnv& env) {
  if (w.status != ImageStatus::active && w.status != ImageStatus::queued)
    co_return Error::conflict("It's not allowed to replace locations if image status is " +
                              status_name(w.status) + ".");
  if (!Authorizer::may_modify(env.ctx, image))
    co_return Error::forbidden("You are not permitted to modify 'locations' on this image.");
  const auto target = Authorizer::image_target(image);
  if (auto r = allow(env, Action::set_image_location, target); !r) co_return r.error();
  std::vector<ImageLocation> wanted;
  for (const auto& item : value) {
    ImageLocation loc;
    loc.url = item.at("url").get<std::string>();
    loc.metadata = item.at("metadata");
    wanted.push_back(std::move(loc));
  }
  std::multiset<std::string> now_urls, new_urls;
  for (const auto& l : w.list) now_urls.insert(l.url);
  for (const auto& l : wanted) new_urls.insert(l.url);
  for (const auto& url : now_urls)
    if (!new_urls.count(url)) {
      if (auto r = allow(env, Action::delete_image_location, target); !r) co_return r.error();
      break;
    }
  if (now_urls == new_urls) {  // only the metadata changes
    for (auto& l : wanted)
      for (const auto& had : w.list)
        if (had.url == l.url) l.id = had.id;
    w.list = std::move(wanted);
    co_return Result<void>();
  }
  if (!w.list.empty())
    co_return Error::bad_request("Original locations is not empty: " + py_repr(w.list));
  std::set<std::string> seen;
  for (const auto& l : wanted) {
    auto size = co_await check_location(env, image, l);
    if (!size) co_return size.error();
    if (!seen.insert(l.url).second)
      co_return Error::bad_request("The location " + common::redact_credentials(l.url) +
                                   " already exists");
    if (!w.size || *w.size == 0) w.size = *size;
  }
  w.list = std::move(wanted);
  co_return Result<void>();
}

net::awaitable<Result<void>> add_location(Working& w, const Image& image, const PatchChange& c,
                                          const LocationEnv& env) {
  if (w.status != ImageStatus::active && w.status != ImageStatus::queued)
    co_return Error::conflict("It's not allowed to add locations if image status is " +
                              status_name(w.status) + ".");
  if (auto r = allow(env, Action::get_image_location, {}); !r) co_return r.error();
  const auto pos = op_pos(c.path[1], w.list.size(), true);
  if (!pos) co_return Error::bad_request("Invalid position for adding a location.");
  if (!Authorizer::may_modify(env.ctx, image))
    co_return Error::forbidden("You are not permitted to modify locations for this image.");
  if (auto r = allow(env, Action::set_image_location, {}); !r) co_return r.error();
  ImageLocation loc;
  loc.url = c.value.at("url").get<std::string>();
  loc.metadata = c.value.at("metadata");
  auto size = co_await check_location(env, image, loc);
  if (!size) co_return size.error();
  for (const auto& l : w.list)
    if (l.url == loc.url)
      co_return Error::bad_request("The location " + common::redact_credentials(loc.url) +
                                   " already exists");
  w.list.insert(w.list.begin() + static_cast<std::ptrdiff_t>(*pos), std::move(loc));
  if (!w.size || *w.size == 0) w.size = *size;
  if (w.status == ImageStatus::queued) w.status = ImageStatus::active;
  co_return Result<void>();
}

Result<void> remove_location(Working& w, const Image& image, const PatchChange& c,
                             const LocationEnv& env) {
  if (w.status != ImageStatus::active)
    return Error::conflict("It's not allowed to remove locations if image status is " +
                           status_name(w.status) + ".");
  if (auto r = allow(env, Action::get_image_location, {}); !r) return r.error();
  if (w.list.size() == 1) return Error::forbidden("Cannot remove last location in the image.");
  const auto pos = op_pos(c.path[1], w.list.size(), false);
  if (!pos) return Error::bad_request("Invalid position for removing a location.");
  if (!Authorizer::may_modify(env.ctx, image))
    return Error::forbidden("You are not permitted to modify locations for this image.");
  if (auto r = allow(env, Action::delete_image_location, {}); !r) return r.error();
  w.list.erase(w.list.begin() + static_cast<std::ptrdiff_t>(*pos));
  return {};
}
}  // namespace

bool touches_locations(const std::vector<PatchChange>& changes) {
  return std::any_of(changes.begin(), changes.end(),
                     [](const PatchChange& c) { return c.path.front() == "locations"; });
}

net::awaitable<Result<std::optional<LocationUpdate>>> plan_location_changes(
    const Image& image, const std::vector<PatchChange>& changes, const LocationEnv& env,
    bool* webob_wording) {
  *webob_wording = false;
  if (!touches_locations(changes)) co_return std::optional<LocationUpdate>();
  Working w{{}, image.status, image.size};
  for (const auto& l : image.locations)
    if (l.status == "active") w.list.push_back(l);
  for (const auto& c : changes) {
    if (c.path.front() != "locations") continue;
    Result<void> r;
    switch (c.op) {
      case PatchOp::replace:
        r = co_await replace_locations(w, image, c.value, env);
        break;
      case PatchOp::add:
        r = co_await add_location(w, image, c, env);
        break;
      case PatchOp::remove:
        r = remove_location(w, image, c, env);
        *webob_wording = !r && r.error().code() == common::Errc::forbidden;
        break;
    }
    if (!r) co_return r.error();
  }

  LocationUpdate out;
  std::set<int64_t> kept;
  std::set<std::string> final_urls;
  for (auto l : w.list) {
    if (l.id) kept.insert(*l.id);
    final_urls.insert(l.url);
    l.status = "active";
    out.locations.push_back(std::move(l));
  }
  for (const auto& l : image.locations) {
    if (!l.id || kept.count(*l.id)) continue;
    ImageLocation gone = l;
    if (l.status == "active") {
      gone.status = env.delayed_delete ? "pending_delete" : "deleted";
      if (!env.delayed_delete && !final_urls.count(l.url)) out.dropped.push_back(l.url);
    }
    out.locations.push_back(std::move(gone));
  }
  if (w.size != image.size) out.size = w.size;
  if (w.status != image.status) out.status = w.status;
  co_return std::optional<LocationUpdate>(std::move(out));
}

net::awaitable<void> remove_dropped_data(const store::StoreRegistry& stores, const Image& image,
                                         const LocationUpdate& update,
                                         const std::string& request_id) {
  for (const auto& url : update.dropped) {
    const store::Location where{url};
    auto* store = stores.for_location(where);
    if (!store || !store->writable() || !store::location_names_upload_of(url, image.id)) continue;
    auto removed = co_await store->remove(where);
    if (!removed)
      spdlog::warn("{} data of image {} at a removed location stays: {}", request_id, image.id,
                   removed.error().message());
  }
}

}  // namespace glance::api::v2
