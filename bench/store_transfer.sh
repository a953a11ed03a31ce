#!/usr/bin/env bash
# Times a 1 GiB (or SIZE_MIB) upload and download through glance-api on the file, Swift and S3
# stores, next to the swift CLI and boto3 moving the same bytes directly to the same private
# Swift all-in-one (scripts/swift-aio.sh, tempauth + s3api), and samples the api's peak RSS.
#   bench/store_transfer.sh BUILD_DIR [SIZE_MIB] [RUNS]
# Prints one line per run and transfer, then the medians and the api/direct ratios.
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
size_mib=${2:-1024}
runs=${3:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-bench.XXXXXX)
api_pid=; reg_pid=
cleanup() {
  kill $api_pid $reg_pid 2>/dev/null || true
  "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  "$repo/scripts/swift-aio.sh" stop "$work/swift" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/scripts/swift-aio.sh" start "$work/swift" >/dev/null
# shellcheck disable=SC1091
. "$work/swift/cluster.env"
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_private_registry

start_api() {  # default_store
  kill $api_pid 2>/dev/null && wait $api_pid 2>/dev/null || true
  start_glance_api api "workers = 2" "stores = file, swift, s3
default_store = $1
filesystem_store_datadir = $work/images
swift_store_auth_address = $SWIFT_AUTH_URL
swift_store_auth_version = 1
swift_store_user = $SWIFT_USER
swift_store_key = $SWIFT_KEY
swift_store_container = glance-bench
swift_store_create_container_on_put = True
s3_store_host = $S3_ENDPOINT
s3_store_access_key = $S3_ACCESS_KEY
s3_store_secret_key = $S3_SECRET_KEY
s3_store_bucket = glance-bench-s3
s3_store_create_bucket_on_put = True
s3_store_bucket_url_format = path"
}

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
# shellcheck source=bench/transfer_timing.sh
. "$repo/bench/transfer_timing.sh"
swift_args=(-A "$SWIFT_AUTH_URL" -U "$SWIFT_USER" -K "$SWIFT_KEY")
swift_up() { swift "${swift_args[@]}" upload --object-name direct.bin glance-direct "$work/image.bin" >/dev/null; }
swift_down() { swift "${swift_args[@]}" download glance-direct direct.bin -o "$work/down.bin" >/dev/null; }
s3py() { /usr/bin/python3 - "$@" <<PY
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url="$S3_ENDPOINT", region_name="$S3_REGION",
                  aws_access_key_id="$S3_ACCESS_KEY", aws_secret_access_key="$S3_SECRET_KEY",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
op, path = sys.argv[1], sys.argv[2]
try: s3.create_bucket(Bucket="glance-direct-s3")
except Exception: pass
if op == "put-single":
    with open(path, "rb") as f: s3.put_object(Bucket="glance-direct-s3", Key="direct.bin", Body=f)
elif op == "put-multipart":
    s3.upload_file(path, "glance-direct-s3", "direct.bin")
else:
    body = s3.get_object(Bucket="glance-direct-s3", Key="direct.bin")["Body"]
    with open(path, "wb") as f:
        for chunk in iter(lambda: body.read(1 << 20), b""): f.write(chunk)
PY
}

for run in $(seq 1 "$runs"); do
  echo "run $run (load $(cut -d' ' -f1 /proc/loadavg))"
  for store in file swift s3; do
    start_api "$store"
    timed "api-$store-upload" api_upload
    timed "api-$store-download" api_download
    cmp -s "$work/image.bin" "$work/down.bin" || { echo "download differs ($store)"; exit 1; }
    api_delete
  done
  timed direct-swift-upload swift_up
  timed direct-swift-download swift_down
  timed direct-s3-upload-single s3py put-single "$work/image.bin"
  timed direct-s3-upload-multipart s3py put-multipart "$work/image.bin"
  timed direct-s3-download s3py get "$work/down.bin"
  rm -f "$work/down.bin"
done

print_medians 'print("api / direct: swift upload %.2f, swift download %.2f, s3 upload %.2f (vs single PUT) %.2f "
      "(vs multipart), s3 download %.2f" % (
          med["api-swift-upload"] / med["direct-swift-upload"],
          med["api-swift-download"] / med["direct-swift-download"],
          med["api-s3-upload"] / med["direct-s3-upload-single"],
          med["api-s3-upload"] / med["direct-s3-upload-multipart"],
          med["api-s3-download"] / med["direct-s3-download"]))'
