#pragma once

#include "common/error.h"

#include <boost/asio/ip/address.hpp>

#include <functional>
#include <string_view>

namespace glance::common::http {

// Consulted for every address an outbound connection is about to use, after name resolution,
// so that a host name cannot resolve its way around a policy checked on the name alone. An
// error refuses that address; when every address is refused the error is the call's answer.
using AddressCheck =
    std::function<Result<void>(std::string_view host, const boost::asio::ip::address& address)>;

}  // namespace glance::common::http
