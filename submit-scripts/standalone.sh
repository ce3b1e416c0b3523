#!/usr/bin/env bash
# Submits an mtlspark command to a Spark standalone cluster (client deploy mode: the driver runs
# here, so --config files and output paths on this machine's filesystems work as locally).
#
#   SPARK_HOME=/opt/spark MTL_MASTER=spark://master:7077 submit-scripts/standalone.sh \
#       train --prep hdfs:///mtl/prep --out hdfs:///mtl/runs/r1
#
# Environment: SPARK_HOME (required), MTL_MASTER (required), MTL_EXECUTOR_CORES (total cores;
# unset: the site's spark.cores.max, or every core the cluster offers), MTL_SUBMIT_ARGS (more spark-submit options).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${MTL_MASTER:-}" ]]; then
  echo "standalone.sh: set MTL_MASTER to the master's URL, e.g. spark://master:7077" >&2
  exit 2
fi
args=(--master "$MTL_MASTER" --deploy-mode client)
if [[ -n "${MTL_EXECUTOR_CORES:-}" ]]; then
  args+=(--total-executor-cores "$MTL_EXECUTOR_CORES")
fi
# shellcheck disable=SC2086
exec "$here/submit.sh" "${args[@]}" ${MTL_SUBMIT_ARGS:-} -- "$@"
