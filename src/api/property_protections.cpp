#include "api/property_protections.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace glance::api {

using common::Error;
using common::ImageProperties;
using common::Result;

namespace {

Error protected_property(const std::string& name) {
  spdlog::warn("Property '{}' is protected", name);
  return Error::forbidden("Property '" + name + "' is protected");
}

}  // namespace

bool PropertyProtections::allows(const common::RequestContext& ctx, std::string_view property,
                                 PropertyOperation op) const {
  if (rules_.sections().empty()) return true;
  bool gave_up = false;
  const auto* section = rules_.find(property, &gave_up);
  if (gave_up)
    spdlog::warn("property {}: a protection pattern took too long to decide; treated as protected",
                 property);
  if (!section) return false;
  const auto& grants = section->grants[static_cast<size_t>(op)];
  if (std::ranges::find(grants, "!") != grants.end()) return false;
  if (std::ranges::find(grants, "@") != grants.end()) return true;
  if (grants.empty()) return false;
  if (rules_.format() == PropertyRuleFormat::policies) return auth_.passes(ctx, grants.front());
  auto held = [&ctx](const std::string& role) {
    return std::ranges::find(ctx.roles, role) != ctx.roles.end() ||
           std::ranges::find(ctx.service_roles, role) != ctx.service_roles.end();
  };
  return std::ranges::any_of(grants, held);
}

Result<void> PropertyProtections::check_create(const common::RequestContext& ctx,
                                               const ImageProperties& given) const {
  for (const auto& [name, value] : given)
    if (!allows(ctx, name, PropertyOperation::create)) return protected_property(name);
  return {};
}

Result<void> PropertyProtections::check_update(const common::RequestContext& ctx,
                                               ImageProperties& given, const common::Image& current,
                                               bool purge) const {
  const auto& stored = current.properties;
  // Read is asked even for an unchanged value, or a caller could guess a hidden value by
  // sending candidates until one is accepted.
  for (const auto& [name, value] : given) {
    auto was = stored.find(name);
    if (was == stored.end()) continue;
    if (!allows(ctx, name, PropertyOperation::read) ||
        (value != was->second && !allows(ctx, name, PropertyOperation::update)))
      return protected_property(name);
  }
  for (const auto& [name, value] : given)
    if (!stored.contains(name) && !allows(ctx, name, PropertyOperation::create))
      return protected_property(name);
  if (!purge) return {};
  for (const auto& [name, value] : stored) {
    if (given.contains(name)) continue;
    // A caller who cannot see a property cannot be asking to remove it by leaving it out.
    if (!allows(ctx, name, PropertyOperation::read))
      given.emplace(name, value);
    else if (!allows(ctx, name, PropertyOperation::remove))
      return protected_property(name);
  }
  return {};
}

void PropertyProtections::hide_unreadable(const common::RequestContext& ctx,
                                          common::Image& image) const {
  std::erase_if(image.properties, [&](const auto& property) {
    return !allows(ctx, property.first, PropertyOperation::read);
  });
}

void hide_unreadable(const PropertyProtections* protections, const common::RequestContext& ctx,
                     common::Image& image) {
  if (protections) protections->hide_unreadable(ctx, image);
}

// Upstream answers a POST with the properties as created, readable or not; only later reads
// and the answer to a PUT hide them.
Result<void> check_property_protections(const PropertyProtections* protections,
                                        const common::RequestContext& ctx, ImageHeaderRequest& meta,
                                        const common::Image* current, bool purge) {
  if (!protections) return {};
  ImageProperties given = meta.fields.properties.value_or(ImageProperties{});
  if (!current) return protections->check_create(ctx, given);
  if (auto r = protections->check_update(ctx, given, *current, purge); !r) return r;
  if (meta.fields.properties || !given.empty()) meta.fields.properties = std::move(given);
  return {};
}

namespace {

std::optional<std::string> find_file(const std::string& path,
                                     const std::vector<std::string>& search_dirs) {
  namespace fs = std::filesystem;
  if (fs::path(path).is_absolute()) return path;
  for (const auto& dir : search_dirs) {
    std::error_code ec;
    auto candidate = fs::path(dir) / path;
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return std::nullopt;
}

Result<std::string> read_whole(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error::bad_request(path + ": not found or not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::bad_request(path + ": cannot be read");
  std::string text;
  text.resize(kMaxProtectionFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error::bad_request(path + ": cannot be read");
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

// In policies format every rule a section names must exist, or the section would silently
// fall to the default rule.
std::optional<std::string> unknown_rule(const PropertyProtectionFile& rules,
                                        const Authorizer& auth) {
  if (rules.format() != PropertyRuleFormat::policies) return std::nullopt;
  for (const auto& section : rules.sections())
    for (size_t i = 0; i < kPropertyOperations; ++i) {
      const auto& grants = section.grants[i];
      if (grants.empty() || grants.front() == "@" || grants.front() == "!") continue;
      if (!auth.defines(grants.front()))
        return "[" + section.pattern + "] " +
               std::string(operation_name(static_cast<PropertyOperation>(i))) +
               ": no policy rule named \"" + grants.front() + "\"";
    }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<PropertyProtections> load_property_protections(
    const PropertyProtectionConfig& config, const std::vector<std::string>& search_dirs,
    const Authorizer& auth, common::ConfigFile& errors) {
  if (config.file.empty()) return nullptr;
  auto fail = [&errors](const std::string& why) {
    errors.add_error("DEFAULT", "property_protection_file", why);
    return nullptr;
  };
  auto path = find_file(config.file, search_dirs);
  if (!path) return fail(config.file + ": not found");
  auto text = read_whole(*path);
  if (!text) return fail(text.error().message());
  auto rules = PropertyProtectionFile::parse(*text, config.format);
  if (!rules) return fail(*path + ": " + rules.error().message());
  if (auto unknown = unknown_rule(*rules, auth)) return fail(*path + ": " + *unknown);
  for (const auto& warning : rules->warnings()) spdlog::warn("{}: {}", *path, warning);
  spdlog::info("property protections from {} ({} sections, {} format)", *path,
               rules->sections().size(),
               config.format == PropertyRuleFormat::roles ? "roles" : "policies");
  return std::make_unique<PropertyProtections>(std::move(*rules), auth);
}

}  // namespace glance::api
