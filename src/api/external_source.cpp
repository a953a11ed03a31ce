#include "api/external_source.h"

#include "api/request_checks.h"
#include "common/uri_redaction.h"

namespace glance::api {

namespace net = boost::asio;
using common::Errc;
using common::Error;
using common::Image;
using common::Result;

std::optional<ExternalSource> external_source_of(const ImageHeaderRequest& meta) {
  if (meta.location) return ExternalSource{SourceUse::location, *meta.location};
  if (meta.copy_from) return ExternalSource{SourceUse::copy_from, *meta.copy_from};
  return std::nullopt;
}

Result<void> check_external_source(const ImageHeaderRequest& meta, bool has_body,
                                   const store::StoreRegistry& stores, const SourcePolicy& policy) {
  auto source = external_source_of(meta);
  if (!source) return {};
  if ((meta.location && meta.copy_from) || has_body)
    return Error::bad_request("It's invalid to provide multiple image sources.");
  if (auto r = policy.check_uri(source->uri, source->use); !r) return r;
  store::Location where{source->uri};
  if (!stores.knows(where.scheme()))
    return Error::bad_request("External sources are not supported: '" +
                              common::redact_credentials(source->uri) + "'");
  return {};
}

store::ReadOptions source_read_options(const SourcePolicy& policy, SourceUse use) {
  store::ReadOptions options;
  options.check_address = [&policy, use](std::string_view host,
                                         const net::ip::address& address) -> Result<void> {
    return policy.check_address(host, address, use);
  };
  // Where a redirect leads is the source server's choice, not what the api accepted: it is
  // held to copy_from's rules (no internal address unless the operator allows the host), for
  // an admin's location too.
  options.check_uri = [&policy](std::string_view uri) {
    return policy.check_uri(uri, SourceUse::copy_from);
  };
  options.check_redirect_address = [&policy](std::string_view host,
                                             const net::ip::address& address) -> Result<void> {
    return policy.check_address(host, address, SourceUse::copy_from);
  };
  return options;
}

net::awaitable<Result<uint64_t>> location_size(const store::StoreRegistry& stores,
                                               const SourcePolicy& policy, const std::string& uri) {
  store::Location where{uri};
  auto* store = stores.for_location(where);
  if (!store)
    co_return Error::bad_request("External sources are not supported: '" +
                                 common::redact_credentials(uri) + "'");
  const auto options = source_read_options(policy, SourceUse::location);
  auto size = co_await store->size(where, options);
  if (!size && size.error().code() == Errc::unavailable)
    co_return Error::bad_request(size.error().message());
  co_return size;
}

net::awaitable<Result<Image>> activate_at_location(RegistryClient& registry,
                                                   const store::StoreRegistry& stores,
                                                   const SourcePolicy& policy, const Caller& caller,
                                                   const Image& image, const std::string& uri,
                                                   bool size_known) {
  if (auto r = check_formats_set(image); !r) co_return r.error();
  uint64_t declared = static_cast<uint64_t>(image.size.value_or(0));
  uint64_t size = declared;
  if (!size_known) {
    auto stored = co_await location_size(stores, policy, uri);
    if (!stored) co_return stored.error();
    if (declared != 0 && *stored != 0 && *stored != declared)
      co_return Error::conflict(
          "Provided image size must match the stored image size. (provided size: " +
          std::to_string(declared) + ", stored size: " + std::to_string(*stored) + ")");
    if (declared == 0) size = *stored;
  }
  common::ImageFields active;
  active.status = common::ImageStatus::active;
  active.size = static_cast<int64_t>(size);
  active.locations = std::vector<common::ImageLocation>{common::ImageLocation{std::nullopt, uri}};
  co_return co_await registry.update(caller, image.id, active, false, std::nullopt);
}

}  // namespace glance::api
