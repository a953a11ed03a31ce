#pragma once

#include <boost/asio/io_context.hpp>

namespace glance::common {

// The io_context of a daemon's main, which can destroy its pending work before it is itself
// destroyed.
//
// main() declares the io_context first, so that the sockets held by later objects (pooled
// connections, the server's) are closed while it still exists. But the coroutines still
// suspended when its threads stop refer to those later objects, and the io_context's own
// destructor would destroy their frames, running their destructors, after the objects are
// gone. destroy_pending_work() destroys them while everything still exists.
class DaemonIoContext : public boost::asio::io_context {
 public:
  using io_context::io_context;

  // Destroys every handler still queued or waiting on an operation (and with them the
  // suspended coroutines' frames). Call once no thread runs the context any more and nothing
  // else will post to it (blocking pools joined); the context cannot run again. Asio's own
  // destructor shuts down the same way, so doing it early is safe.
  void destroy_pending_work() { shutdown(); }
};

}  // namespace glance::common
