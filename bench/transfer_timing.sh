# shellcheck shell=bash
# Sourced by the transfer benchmarks (store_transfer.sh, rbd.sh): times one transfer at a time
# and prints their medians. Needs $work (the run's temporary directory), $size_mib, and for
# the api transfers $api_port and $api_pid; the image to send is $work/image.bin, what comes
# back lands in $work/down.bin.
# The caller sets those and reads $id after api_upload:
# shellcheck disable=SC2034,SC2154
results="$work/results"
: >"$results"

# label, command...: runs the command and appends "label seconds peak_rss_mib" to $results
# (the api's peak RSS for labels starting with api-, else -).
timed() {
  local label=$1; shift
  local t0; t0=$(date +%s.%N)
  "$@"
  local t1; t1=$(date +%s.%N)
  local rss=-
  if [[ $label == api-* ]]; then rss=$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$api_pid/status"); fi
  local s; s=$(echo "$t1 - $t0" | bc)
  echo "$label $s $rss" >>"$results"
  awk -v l="$label" -v t="$s" -v m="$size_mib" -v r="$rss" \
    'BEGIN { printf "%-28s %6.2f s %6.0f MB/s  api peak RSS %s MiB\n", l, t, m * 1.048576 / t, r }'
}

# The image through glance-api's v1 routes; api_upload sets $id.
api_upload() {
  curl -fsS -o "$work/created.json" -X POST -H 'Content-Type: application/octet-stream' \
    -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -T "$work/image.bin" \
    "http://127.0.0.1:$api_port/v1/images"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["id"])' "$work/created.json")
}
api_download() { curl -fsS -o "$work/down.bin" "http://127.0.0.1:$api_port/v1/images/$id"; }
api_delete() { curl -fsS -o /dev/null -X DELETE "http://127.0.0.1:$api_port/v1/images/$id"; }

# Prints the median time of each label over $runs runs, with the api's peak RSS, then runs the
# Python statements $1 with `med` (label -> median seconds) to print the ratios.
print_medians() {
  echo "medians over $runs runs:"
  python3 - "$results" "$1" <<'PY'
import statistics, sys
times, rss = {}, {}
for line in open(sys.argv[1]):
    label, seconds, peak = line.split()
    times.setdefault(label, []).append(float(seconds))
    if peak != "-": rss[label] = max(rss.get(label, 0.0), float(peak))
med = {k: statistics.median(v) for k, v in times.items()}
for k in sorted(med):
    extra = f"  peak RSS {rss[k]:.1f} MiB" if k in rss else ""
    print(f"  {k:28s} {med[k]:6.2f} s{extra}")
exec(sys.argv[2])
PY
}
