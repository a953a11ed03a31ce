# A notification consumer for the tests: oslo.messaging's own notification listener, which
# decodes what glance-api publishes exactly as a real consumer (Ceilometer, Searchlight) would.
# Usage: notification_listener.py TRANSPORT_URL EXCHANGE POOL OUT_FILE
# Writes one JSON object per event to OUT_FILE ({"priority", "publisher_id", "event_type",
# "payload", "metadata"}), after a first line {"ready": true} once its queue is bound.
import json
import signal
import sys
import threading

from oslo_config import cfg
import oslo_messaging as om

url, exchange, pool, out_path = sys.argv[1:5]
out = open(out_path, "a", buffering=1)
lock = threading.Lock()


def record(priority):
    def handler(self, ctxt, publisher_id, event_type, payload, metadata):
        with lock:
            out.write(json.dumps({"priority": priority, "publisher_id": publisher_id,
                                  "event_type": event_type, "payload": payload,
                                  "metadata": metadata}) + "\n")
        return om.NotificationResult.HANDLED
    return handler


class Endpoint:
    info = record("INFO")
    warn = record("WARN")
    error = record("ERROR")


# One dispatch thread: events are recorded in the order the broker delivers them, which is
# the order they were published (a larger pool handles them concurrently, in any order).
conf_path = out_path + ".conf"
with open(conf_path, "w") as f:
    f.write("[DEFAULT]\nexecutor_thread_pool_size = 1\n")
conf = cfg.ConfigOpts()
conf(["--config-file", conf_path])
transport = om.get_notification_transport(conf, url=url)
listener = om.get_notification_listener(
    transport, [om.Target(topic="notifications", exchange=exchange)], [Endpoint()],
    executor="threading", pool=pool)
listener.start()
out.write(json.dumps({"ready": True}) + "\n")
stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
stopped.wait()
listener.stop()
listener.wait()
