#include "api/source_policy.h"

#include "common/uri_redaction.h"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

namespace glance::api {

namespace ip = boost::asio::ip;
using common::Error;
using common::Result;

struct SourcePolicy::Target {
  std::string name = {};                    // lower case; empty for a literal address
  std::optional<ip::address> literal = {};  // the host was an IP literal
  std::optional<ip::address> resolved = {};
};

namespace {

// Never from a client: this host's files, and the operator's own Swift credentials.
constexpr std::array<std::string_view, 3> kNeverSchemes = {"file", "filesystem", "swift+config"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view s) {
  if (s.empty() || !is_alpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
  });
}

// The schemes of object stores, whose URIs name an account and carry its credentials.
constexpr std::array<std::string_view, 6> kAccountSchemes = {"swift", "swift+http", "swift+https",
                                                             "s3",    "s3+http",    "s3+https"};

// Lower case without the one trailing dot a fully qualified name may have.
std::string normal_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  return lower(name);
}

// inet_aton and the WHATWG URL parser read a host whose last label is a number (decimal,
// octal with a leading 0, or hex with 0x) as an IPv4 address in a legacy form, and no DNS
// name ends that way.
bool ends_in_number(std::string_view name) {
  std::string_view last = name.substr(name.rfind('.') + 1);  // npos + 1 == 0
  if (last.starts_with("0x") || last.starts_with("0X"))
    return std::all_of(last.begin() + 2, last.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  return !last.empty() && std::all_of(last.begin(), last.end(), is_digit);
}

// Letters, digits, '-' and '_' in non-empty labels, as resolvers accept; not a number.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || ends_in_number(name)) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0;
}

bool is_localhost(std::string_view name) {
  return name == "localhost" || name.ends_with(".localhost");
}

std::optional<ip::address> parse_address(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  boost::system::error_code ec;
  auto addr = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return addr;
}

// The IPv4 address an IPv6 address carries and stands for: IPv4-mapped (::ffff:a.b.c.d),
// IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks) and the NAT64 well-
// known prefix (64:ff9b::a.b.c.d), which a NAT64 gateway turns into a.b.c.d.
std::optional<ip::address_v4> embedded_v4(const ip::address_v6& a) {
  if (a.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a);
  auto b = a.to_bytes();
  auto zero = [&b](size_t from, size_t to) {
    return std::all_of(b.begin() + from, b.begin() + to, [](auto x) { return x == 0; });
  };
  bool compatible = zero(0, 12) && !a.is_unspecified() && !a.is_loopback();
  bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12);
  if (!compatible && !nat64) return std::nullopt;
  return ip::address_v4({b[12], b[13], b[14], b[15]});
}

bool in_v6(const ip::address_v6& a, const ip::network_v6& n) {
  auto x = a.to_bytes();
  auto y = n.network().to_bytes();
  unsigned bits = n.prefix_length();
  for (unsigned i = 0; i < 16 && bits > 0; ++i, bits -= std::min(bits, 8u)) {
    unsigned mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((x[i] & mask) != (y[i] & mask)) return false;
  }
  return true;
}

bool in_v4(const ip::address_v4& a, const ip::network_v4& n) {
  return (a.to_uint() & n.netmask().to_uint()) == n.network().to_uint();
}

// Where copy_from may not go by default: this host, its links and private networks.
bool is_internal(const ip::address& addr) {
  static const std::array kV4 = {
      ip::make_network_v4("0.0.0.0/8"),  // "this network"; 0.0.0.0 reaches this host
      ip::make_network_v4("10.0.0.0/8"),     ip::make_network_v4("100.64.0.0/10"),  // CGNAT
      ip::make_network_v4("127.0.0.0/8"),    ip::make_network_v4("169.254.0.0/16"),
      ip::make_network_v4("172.16.0.0/12"),
      ip::make_network_v4("192.0.0.0/24"),  // IETF assignments; a cloud metadata service
      ip::make_network_v4("192.168.0.0/16"), ip::make_network_v4("198.18.0.0/15"),
      ip::make_network_v4("224.0.0.0/4"),  // multicast
      ip::make_network_v4("240.0.0.0/4"),  // reserved, and broadcast
  };
  static const std::array kV6 = {
      ip::make_network_v6("::/128"),    ip::make_network_v6("::1/128"),
      ip::make_network_v6("fe80::/10"), ip::make_network_v6("fec0::/10"),  // site-local
      ip::make_network_v6("fc00::/7"),  ip::make_network_v6("ff00::/8"),
  };
  if (addr.is_v4())
    return std::any_of(kV4.begin(), kV4.end(),
                       [&](const auto& n) { return in_v4(addr.to_v4(), n); });
  if (auto v4 = embedded_v4(addr.to_v6())) return is_internal(*v4);
  return std::any_of(kV6.begin(), kV6.end(), [&](const auto& n) { return in_v6(addr.to_v6(), n); });
}

// "<address>/<prefix>", the address maybe in brackets.
std::optional<ip::address> parse_cidr(std::string_view entry, ip::network_v4& v4,
                                      ip::network_v6& v6) {
  auto slash = entry.find('/');
  auto addr = parse_address(entry.substr(0, slash));
  std::string_view digits = entry.substr(slash + 1);
  unsigned prefix = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (!addr || digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  if (addr->is_v6() && addr->to_v6().is_v4_mapped() && prefix >= 96) {
    addr = ip::make_address_v4(ip::v4_mapped, addr->to_v6());
    prefix -= 96;
  }
  if (addr->is_v4()) {
    if (prefix > 32) return std::nullopt;
    v4 = ip::network_v4(addr->to_v4(), static_cast<unsigned short>(prefix)).canonical();
  } else {
    if (prefix > 128) return std::nullopt;
    v6 = ip::network_v6(addr->to_v6(), static_cast<unsigned short>(prefix)).canonical();
  }
  return addr;
}

Error not_allowed(std::string_view host) {
  return Error::bad_request("External source host '" + std::string(host) + "' is not allowed");
}

}  // namespace

bool SourcePolicy::HostList::contains(const ip::address& addr) const {
  if (addr.is_v6()) {
    auto a = addr.to_v6();
    if (std::any_of(v6.begin(), v6.end(), [&](const auto& n) { return in_v6(a, n); })) return true;
    auto mapped = embedded_v4(a);
    return mapped && contains(ip::address(*mapped));
  }
  return std::any_of(v4.begin(), v4.end(), [&](const auto& n) { return in_v4(addr.to_v4(), n); });
}

bool SourcePolicy::HostList::contains(const std::string& name) const {
  if (name.empty()) return false;
  if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  return std::any_of(suffixes.begin(), suffixes.end(), [&](const std::string& s) {
    return name == s || (name.ends_with(s) && name[name.size() - s.size() - 1] == '.');
  });
}

Result<void> SourcePolicy::add_entry(HostList& list, std::string_view entry,
                                     std::string_view what) {
  std::string e = lower(entry);
  if (e.find('/') != std::string::npos) {
    ip::network_v4 v4;
    ip::network_v6 v6;
    if (auto addr = parse_cidr(e, v4, v6)) {
      if (addr->is_v4())
        list.v4.push_back(v4);
      else
        list.v6.push_back(v6);
      return {};
    }
  } else if (auto addr = parse_address(e)) {
    if (addr->is_v6() && addr->to_v6().is_v4_mapped())
      addr = ip::make_address_v4(ip::v4_mapped, addr->to_v6());
    if (addr->is_v4())
      list.v4.emplace_back(addr->to_v4(), 32);
    else
      list.v6.emplace_back(addr->to_v6(), 128);
    return {};
  } else if (e.starts_with('.') && is_host_name(normal_name(e.substr(1)))) {
    list.suffixes.push_back(normal_name(e.substr(1)));
    return {};
  } else if (is_host_name(normal_name(e))) {
    list.names.push_back(normal_name(e));
    return {};
  }
  return Error::bad_request(std::string(what) + " entry '" + std::string(entry) +
                            "' is not an IP address, CIDR, host name or domain suffix");
}

SourcePolicy::SourcePolicy() : SourcePolicy(from_config(SourcePolicyConfig{}).value()) {}

SourcePolicy::SourcePolicy(std::vector<std::string> schemes, HostList allowed, HostList denied)
    : schemes_(std::move(schemes)), allowed_(std::move(allowed)), denied_(std::move(denied)) {}

Result<SourcePolicy> SourcePolicy::from_config(const SourcePolicyConfig& config) {
  std::vector<std::string> schemes;
  for (const auto& s : config.schemes) {
    if (!is_scheme(s)) return Error::bad_request("scheme entry '" + s + "' is not a URI scheme");
    std::string scheme = lower(s);
    // Listing a refused scheme does not make it accepted (see SourcePolicyConfig).
    if (std::find(kNeverSchemes.begin(), kNeverSchemes.end(), scheme) == kNeverSchemes.end())
      schemes.push_back(std::move(scheme));
  }
  HostList allowed, denied;
  for (const auto& e : config.allowed_hosts)
    if (auto r = add_entry(allowed, e, "allowed host"); !r) return r.error();
  for (const auto& e : config.denied_hosts)
    if (auto r = add_entry(denied, e, "denied host"); !r) return r.error();
  return SourcePolicy(std::move(schemes), std::move(allowed), std::move(denied));
}

Result<void> SourcePolicy::check_target(std::string_view shown_host, const Target& t,
                                        SourceUse use) const {
  auto host_in = [&t](const HostList& list) {
    return t.literal ? list.contains(*t.literal) : list.contains(t.name);
  };
  if (host_in(denied_) || (t.resolved && denied_.contains(*t.resolved)))
    return not_allowed(shown_host);
  bool allowed = host_in(allowed_) || (t.resolved && allowed_.contains(*t.resolved));
  if (allowed) return {};
  if (!allowed_.empty()) return not_allowed(shown_host);
  if (use == SourceUse::copy_from &&
      ((t.literal && is_internal(*t.literal)) || (t.resolved && is_internal(*t.resolved)) ||
       is_localhost(t.name)))
    return not_allowed(shown_host);
  return {};
}

Result<void> SourcePolicy::check_uri(std::string_view uri, SourceUse use) const {
  if (uri.empty()) return Error::bad_request("External source should not be empty");
  // The scheme is judged on the text before the first ':', so that a refused scheme gets
  // Glance's answer even when the rest does not parse.
  std::string scheme = lower(uri.substr(0, uri.find(':')));
  if (std::find(schemes_.begin(), schemes_.end(), scheme) == schemes_.end())
    return Error::bad_request("External sources are not supported: '" +
                              common::redact_credentials(uri) + "'");
  auto invalid = [uri] {
    return Error::bad_request("Invalid location: " + common::redact_credentials(uri));
  };
  auto url = boost::urls::parse_uri(uri);
  if (!url || !url->has_authority() || url->encoded_host().empty()) return invalid();
  // After an authority RFC 3986 wants an empty path or one starting with '/'. Boost.URL 1.81
  // does not backtrack and may end the authority early where a client library reads another
  // host: "http://a@b@example.com/" gives host "b" and path "@example.com/", and
  // "http://127.0.0.1.example.com/" gives 127.0.0.1 and path ".example.com/".
  if (!url->encoded_path().empty() && !url->encoded_path().starts_with('/')) return invalid();
  // Glance's stores refuse "host:" as well as a port that is not a number.
  if (url->has_port() && url->port_number() == 0) return invalid();
  // Without its own credentials an object store's URI could only be read with the
  // operator's, which would let a client copy whatever the operator's account holds.
  const bool account_scheme =
      std::find(kAccountSchemes.begin(), kAccountSchemes.end(), scheme) != kAccountSchemes.end();
  if (account_scheme && (!url->has_password() || url->encoded_user().empty()))
    return Error::bad_request("External source '" + common::redact_credentials(uri) +
                              "' carries no credentials of its own");
  std::string_view shown(url->encoded_host().data(), url->encoded_host().size());
  switch (url->host_type()) {
    case boost::urls::host_type::ipv4:
      return check_target(
          shown, {.literal = ip::address(ip::address_v4(url->host_ipv4_address().to_bytes()))},
          use);
    case boost::urls::host_type::ipv6:
      return check_target(
          shown, {.literal = ip::address(ip::address_v6(url->host_ipv6_address().to_bytes()))},
          use);
    case boost::urls::host_type::name: {
      std::string name = normal_name(url->host_name());
      if (ends_in_number(name)) return not_allowed(shown);
      if (!is_host_name(name)) return invalid();
      return check_target(shown, {.name = std::move(name)}, use);
    }
    default:  // IPvFuture: nothing connects to it
      return invalid();
  }
}

Result<void> SourcePolicy::check_address(std::string_view host, const ip::address& addr,
                                         SourceUse use) const {
  Target t{.resolved = addr};
  if (auto literal = parse_address(host))
    t.literal = literal;
  else
    t.name = normal_name(host);
  if (!t.literal && ends_in_number(t.name)) return not_allowed(host);
  return check_target(host, t, use);
}

}  // namespace glance::api
