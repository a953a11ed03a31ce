#pragma once

#include "tests/support/raw_connection.h"
#include "tests/support/scale_out_cluster.h"

#include <memory>
#include <string>
#include <vector>

namespace glance::testing::scale_out {

// An upload fed by hand through HAProxy: the request and half the body, the rest later, so that
// a test can kill the node serving it meanwhile.
struct HalfUpload {
  HalfUpload(int port, std::string image, unsigned seed);
  // True when the api answered 200 to the whole body; `answer` keeps what came back.
  bool finish();

  std::string id;
  std::string data;
  RawConnection conn;
  std::string answer;
};

// Four half uploads through HAProxy, two on each of two api nodes, so that killing one node
// cuts two of them.
class HalfUploads {
 public:
  // Creates four queued images, then starts their uploads (HAProxy takes turns, so the four
  // connections follow each other, the creates first); returns once all four are saving
  // (a test failure otherwise). `seed` numbers their data.
  HalfUploads(ScaleOutCluster& cluster, unsigned seed);
  // After one api node died: sends the rest of each; two must be answered 200, two not.
  void finish();
  // The two answered are active with their bytes; the two cut end killed (by the reaper of
  // the node left) with no data left in the store.
  void expect_settled(ScaleOutCluster& cluster) const;

 private:
  std::vector<std::unique_ptr<HalfUpload>> uploads_;
  std::vector<const HalfUpload*> died_;
  std::vector<const HalfUpload*> survived_;
};

}  // namespace glance::testing::scale_out
