#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glance::store {

// Names of the objects the remote stores (Swift, S3) write for an upload. Each upload of an
// image writes under a name of its own, "<id>-<tag>" with a random tag of 12 hex digits, which
// its location records: two uploads of one image, which the api lets race until the registry's
// compare-and-set activates one, then never write the same object, and the loser's clean-up
// removes only its own. Swift names an upload's segments "<id>-<tag>-00001", "-00002", ...
// Pure functions, safe for concurrent use.

// "<id>-<tag>" with a fresh random tag.
std::string upload_name(std::string_view id);

// Whether `name` is where an upload of image `id` keeps its whole object (or manifest):
// "<id>-<tag>", or the bare id that uploads wrote before per-upload names (as glance_store
// writes them).
bool is_upload_name(std::string_view name, std::string_view id);

// The id in a tagged upload name "<id>-<tag>" (upload_name()), or nullopt for a name that
// does not end so. A bare UUID ends in 12 hex digits too, and splits into what is no UUID:
// callers that list names of several images check the id they get. The view points into
// `name`.
std::optional<std::string_view> upload_name_id(std::string_view name);

// Whether `name` is any object an upload of `id` writes: an upload name (is_upload_name) or
// a segment of one, "<id>-<tag>-<decimal number>". Objects of an image whose id starts with
// `id` do not match unless that id is `id`, a dash and 12 hex digits, which no UUID-like image
// id (what the api accepts) is.
bool is_upload_object(std::string_view name, std::string_view id);

// The names in the location `url` that an upload's data could have: the last segment of its
// path (query and fragment left out), and for "rbd://<fsid>/<pool>/<image>/<snapshot>" its
// image too. The views point into `url`.
std::vector<std::string_view> location_object_names(std::string_view url);

// Whether the location `url` names the object (or rbd image) an upload of image `id` wrote,
// i.e. data that is that image's own: the last segment of its path (query and fragment left
// out) is an upload name of `id`, or for "rbd://<fsid>/<pool>/<image>/<snapshot>" its image.
bool location_names_upload_of(std::string_view url, std::string_view id);

}  // namespace glance::store
