#pragma once

#include "common/error.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace glance::api {

// What a client's URI is for: a location is fetched when the image is downloaded (and HEADed
// for its size); a copy_from source is fetched once and copied into our store.
enum class SourceUse { location, copy_from };

// The operator's rules for external image sources ([DEFAULT] external_source_* options).
struct SourcePolicyConfig {
  // Schemes a client may give, compared without case. Empty: no external source at all.
  // file, filesystem and swift+config are refused whatever this says: they name this host's
  // files or the operator's own Swift credentials.
  std::vector<std::string> schemes = {"http",        "https", "swift",   "swift+http",
                                      "swift+https", "s3",    "s3+http", "s3+https"};
  // Entries: IPv4/IPv6 address, CIDR ("10.0.0.0/8", "fd00::/8"), host name
  // ("images.example.com") or domain suffix (".example.com": the domain and every name under
  // it). Non-empty: only these hosts; and a host listed here may be in a private range even
  // for copy_from.
  std::vector<std::string> allowed_hosts = {};
  // Same entry forms; always refused, even when also allowed.
  std::vector<std::string> denied_hosts = {};
};

// Decides whether glance-api may fetch a client-given URI, against server-side request
// forgery (a client making the api fetch http://169.254.169.254/ or http://127.0.0.1:9191/).
// Immutable once built; safe for concurrent use.
//
// Two checks, both needed: check_uri when the api accepts the URI, and check_address for every
// address a host name resolves to, when connecting and again on every redirect hop (whose URI
// also goes through check_uri), so that DNS cannot be used to get around check_uri. The
// connecting code must take the host from the same RFC 3986 parse (Boost.URL) as check_uri.
//
// For copy_from, loopback ("localhost" and "*.localhost" included), link-local, private,
// shared (CGNAT), unspecified, multicast and reserved addresses are refused, also in their
// IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms, unless allowed_hosts lists the host or
// the address. Locations are not held to those ranges, since registering an image that an
// internal server holds is what they are for; denied_hosts keeps them out where it must.
// A host that is neither an IP literal nor a DNS name but ends in a number ("2130706433",
// "0x7f.1", "017700000001") is an IPv4 address in a legacy form that resolvers read
// differently, so it is refused for both uses.
//
// A swift or s3 URI must carry its own credentials ("user:key@"): the stores never lend the
// operator's account to a client's URI, and the api says so before accepting it.
//
// Every error is bad_request, with Glance's texts where Glance has one:
//   "External source should not be empty"
//   "External sources are not supported: '<uri>'"    (scheme refused or not listed)
//   "Invalid location: <uri>"                         (malformed URI, no host, bad port)
//   "External source host '<host>' is not allowed"
//   "External source '<uri>' carries no credentials of its own"   (swift, s3)
// <uri> always has its credentials redacted (common::redact_credentials).
class SourcePolicy {
 public:
  // The built-in defaults of SourcePolicyConfig.
  SourcePolicy();

  // Fails with bad_request naming the bad entry (unparseable CIDR, not a scheme, ...).
  static common::Result<SourcePolicy> from_config(const SourcePolicyConfig& config);

  // What the api checks before accepting a client's URI. No DNS lookup.
  common::Result<void> check_uri(std::string_view uri, SourceUse use) const;

  // What the connecting code checks for each address `host` resolved to (or for a literal
  // host, the address itself): denied hosts and addresses; the allow list; for copy_from the
  // ranges above. The error names `host` only: a client is not told what our DNS answered.
  common::Result<void> check_address(std::string_view host, const boost::asio::ip::address& addr,
                                     SourceUse use) const;

 private:
  // One of allowed_hosts / denied_hosts, parsed.
  struct HostList {
    std::vector<boost::asio::ip::network_v4> v4;
    std::vector<boost::asio::ip::network_v6> v6;
    std::vector<std::string> names;     // lower case, no trailing dot
    std::vector<std::string> suffixes;  // "example.com" for the entry ".example.com"
    bool empty() const { return v4.empty() && v6.empty() && names.empty() && suffixes.empty(); }
    bool contains(const boost::asio::ip::address& addr) const;
    bool contains(const std::string& name) const;
  };
  // A host as far as it is known: a name or a literal address, and maybe what it resolved to.
  struct Target;

  SourcePolicy(std::vector<std::string> schemes, HostList allowed, HostList denied);
  common::Result<void> check_target(std::string_view shown_host, const Target& target,
                                    SourceUse use) const;
  static common::Result<void> add_entry(HostList& list, std::string_view entry,
                                        std::string_view what);

  std::vector<std::string> schemes_;  // lower case, never a refused one
  HostList allowed_;
  HostList denied_;
};

}  // namespace glance::api
