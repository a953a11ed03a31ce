#pragma once

// Requests and end-state checks for the scale-out tests, against a ScaleOutCluster. Check
// functions report through gtest (EXPECT_*) and return normally.

#include "tests/integration/scale_out/load_clients.h"
#include "tests/support/http_client.h"
#include "tests/support/process_health.h"
#include "tests/support/scale_out_cluster.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace glance::testing::scale_out {

// Creates a public raw image named `name` through `client`, with `data` (active) or without
// (queued); returns its id, or "" after a test failure when the api refused.
std::string create(const HttpClient& client, const std::string& name, const std::string& data);

// Connections HAProxy sent to `node`'s api (health checks excluded).
uint64_t api_sessions(ScaleOutCluster& cluster, size_t node);

// The image's status as the registries (through HAProxy) have it, "?" when unreadable.
std::string status_of(const ScaleOutCluster& cluster, const std::string& id);

// The uploads of `id` whose data the store holds: its data and any partial upload's.
size_t data_of(const ScaleOutCluster& cluster, const std::string& id);

// Every image the registries list, by id, with its status.
std::map<std::string, std::string> all_images(const ScaleOutCluster& cluster);

// One request of each kind through `node`'s api directly, so that the pools a daemon starts
// lazily exist before a baseline of its resources is taken.
void warm_up(ScaleOutCluster& cluster, size_t node);

// How far above its warmed-up baseline an api may stay after a load: its keep-alive pool to
// HAProxy's registry frontend grows with the load's concurrency (two clients, each request
// taking a registry connection while another is still on its way back to the pool) beyond
// what the sequential warm-up needed, and keeps those connections, which is no leak. A
// descriptor left per request would be hundreds over a load.
RecoveryLimits api_recovery_limits();

// What the requests that failed got, for messages.
std::string failures(const std::vector<Outcome>& outcomes);

// The load's uploads told active are active with their bytes; no image stays saving once the
// reaper had its time; queued images (a request cut between create and upload) are no more
// than the failed uploads and hold no data; killed images leave no data behind.
void expect_load_consistent(ScaleOutCluster& cluster, const std::vector<Outcome>& outcomes);

// Waits until HAProxy sees server `node` of `backend` ("api" or "registry") in `status` ("UP",
// "DOWN"); false after a test failure, with HAProxy's log, when it did not.
bool haproxy_sees(ScaleOutCluster& cluster, const char* backend, size_t node, const char* status);

// Drains `node` as an operator does before maintenance (its disable files) and waits until
// HAProxy has taken its api and registry out; false after a test failure when it did not.
bool drain_node(ScaleOutCluster& cluster, size_t node);
// Starts the stopped `node`'s registry and api again, undrains it and waits until HAProxy has
// both back; false after a test failure when it did not.
bool bring_back_node(ScaleOutCluster& cluster, size_t node);

// Every request that started and ended in the phases `first` to `last` succeeded, and there
// was at least one.
void expect_all_succeeded(const std::vector<Outcome>& outcomes, int first, int last);

}  // namespace glance::testing::scale_out
