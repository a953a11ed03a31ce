#pragma once

#include "tests/support/raw_connection.h"
#include "tests/support/test_data.h"

#include <chrono>
#include <string>

namespace glance::testing::scale_out {

// An upload fed by hand through HAProxy: the request and half the body, the rest later, so that
// a test can kill the node serving it meanwhile.
struct HalfUpload {
  HalfUpload(int port, std::string image, unsigned seed)
      : id(std::move(image)), data(random_bytes(512 * 1024, seed)), conn(port) {
    conn.send("PUT /v1/images/" + id +
              " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
              "Content-Length: " +
              std::to_string(data.size()) + "\r\n\r\n" + data.substr(0, data.size() / 2));
  }
  // True when the api answered 200 to the whole body; `answer` keeps what came back.
  bool finish() {
    if (!conn.send(data.substr(data.size() / 2))) return false;
    answer = conn.read(12, std::chrono::seconds(60));
    return answer == "HTTP/1.1 200";
  }

  std::string id;
  std::string data;
  RawConnection conn;
  std::string answer;
};

}  // namespace glance::testing::scale_out
