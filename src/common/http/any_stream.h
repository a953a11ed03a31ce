#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace glance::common::http {

// A plain TCP stream or a TLS stream over one, behind one face, so that Beast's HTTP
// algorithms and the code around them are written once for both. Every timeout is the TCP
// layer's (`lowest()`): it bounds TLS records as well as plain reads and writes.
// Movable, not copyable; used from one strand at a time, like the streams it wraps.
class AnyStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  explicit AnyStream(boost::beast::tcp_stream plain) : plain_(std::move(plain)) {}
  explicit AnyStream(std::unique_ptr<TlsStream> tls) : tls_(std::move(tls)) {}

  executor_type get_executor() { return lowest().get_executor(); }
  boost::beast::tcp_stream& lowest() {
    return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
  }
  boost::asio::ip::tcp::socket& socket() { return lowest().socket(); }
  bool is_tls() const { return tls_ != nullptr; }
  // The TLS stream; only when is_tls().
  TlsStream& tls() { return *tls_; }

  template <class Duration>
  void expires_after(Duration d) {
    lowest().expires_after(d);
  }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return plain_->async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return plain_->async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  std::optional<boost::beast::tcp_stream> plain_;
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace glance::common::http
