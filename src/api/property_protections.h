#pragma once

#include "api/authorizer.h"
#include "api/property_protection_file.h"
#include "common/config_file.h"
#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"

#include <memory>
#include <string>
#include <vector>

namespace glance::api {

// Who may create, read, update and delete which image properties, as upstream's property
// protections decide it. A property no section matches is closed to everyone (upstream's
// rule: once a section is in force, only what the sections name is open), unless the file has
// no section at all, which protects nothing. In roles format a caller may
// when one of its roles, or of the roles of its confirmed service token, is listed (the file's
// roles compare lower-cased, as contexts carry them); in policies format when the named policy rule
// passes with an empty target, decided by `auth`. "@" lets everyone, "!" no one. Immutable; safe
// for concurrent use. `auth` must outlive it.
class PropertyProtections {
 public:
  PropertyProtections(PropertyProtectionFile rules, const Authorizer& auth)
      : rules_(std::move(rules)), auth_(auth) {}

  bool allows(const common::RequestContext& ctx, std::string_view property,
              PropertyOperation op) const;

  // POST: every given property needs create. Forbidden "Property '<name>' is protected".
  common::Result<void> check_create(const common::RequestContext& ctx,
                                    const common::ImageProperties& given) const;

  // PUT over `current`, in upstream's order, names in sorted order within each step:
  // a property both given and stored needs read, and update unless its value is unchanged;
  // a given property that is not stored needs create; with `purge`, a stored one not given
  // needs delete, but one the caller may not read is silently kept: it is added to `given`
  // with its stored value, so the purge cannot remove what the caller cannot see.
  // Forbidden "Property '<name>' is protected" at the first refusal.
  common::Result<void> check_update(const common::RequestContext& ctx,
                                    common::ImageProperties& given, const common::Image& current,
                                    bool purge) const;

  // Removes the properties the caller may not read from `image`.
  void hide_unreadable(const common::RequestContext& ctx, common::Image& image) const;

 private:
  PropertyProtectionFile rules_;
  const Authorizer& auth_;
};

// What the images controller asks, with `protections` null when none are configured (then
// nothing is hidden or refused).
// Removes from `image` the properties `ctx` may not read.
void hide_unreadable(const PropertyProtections* protections, const common::RequestContext& ctx,
                     common::Image& image);
// The checks of a POST (`current` null: check_create) or of a PUT over `current`
// (check_update), which may add to `meta` the unreadable properties a purge must keep.
common::Result<void> check_property_protections(const PropertyProtections* protections,
                                                const common::RequestContext& ctx,
                                                ImageHeaderRequest& meta,
                                                const common::Image* current, bool purge);

// Reads the protection file `config` names, looked for as a relative path in `search_dirs`
// (first hit wins) when not absolute. Null when no file is configured. Every fault is
// recorded in `errors` against the option (unreadable or missing file, a file that does not
// parse, a policy rule `auth` does not know in policies format), so that start-up stops with
// the other configuration errors; empty operations are logged as warnings.
std::unique_ptr<PropertyProtections> load_property_protections(
    const PropertyProtectionConfig& config, const std::vector<std::string>& search_dirs,
    const Authorizer& auth, common::ConfigFile& errors);

}  // namespace glance::api
