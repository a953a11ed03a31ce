#pragma once

#include <string_view>

namespace glance::common {

// Tells the service manager about the daemon's state (sd_notify(3) protocol): "READY=1" once
// the daemon serves, "RELOADING=1" and then "READY=1" around a SIGHUP reload, "STOPPING=1"
// when it starts draining. Sends one datagram to $NOTIFY_SOCKET (a path, or an abstract
// socket when it starts with '@'); does nothing and returns false when the variable is unset
// or the send fails, so a daemon started outside systemd runs the same. Thread-safe.
bool notify_service_manager(std::string_view state);

}  // namespace glance::common
