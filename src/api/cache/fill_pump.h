#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace glance::api {

class CacheFillReader;
class FillFlight;

// Runs a fill of the cache on its own, detached on `executor` (the one the store's reader
// works on): reads the store through `fill`, which writes each chunk to the fill's incomplete/
// file and reports it to `flight`, as fast as the store and the disk go, with one buffer of
// its own (64 KiB). No client sets its pace: every download of the image, the one that started
// the fill included, follows the flight (FillFollower) and is served from the file as the
// bytes arrive, so a client that stops reading holds back nobody but itself.
//
// Between chunks it asks the flight whether any download still follows it; when none does,
// the flight fails and the fill is discarded, so the store is not read for nobody. The caller
// has joined the flight for its own download before starting the pump. `fill` must not be
// settled yet; the ImageCache it fills must outlive the pump.
void start_fill_pump(boost::asio::any_io_executor executor, std::unique_ptr<CacheFillReader> fill,
                     std::shared_ptr<FillFlight> flight);

}  // namespace glance::api
