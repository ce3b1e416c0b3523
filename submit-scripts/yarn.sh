#!/usr/bin/env bash
# Submits an mtlspark command to YARN in cluster deploy mode: the driver runs in the YARN
# application master, so every path it uses (data, --out, the registry) must be on a cluster
# filesystem (hdfs://, s3a://), and a --config file is shipped with --files and named by its
# file name:
#
#   HADOOP_CONF_DIR=/etc/hadoop/conf SPARK_HOME=/opt/spark \
#   MTL_SUBMIT_ARGS="--files conf/examples/quick.yaml" submit-scripts/yarn.sh \
#       retrain --config quick.yaml --data 'hdfs:///data/events/date={date}' \
#       --registry hdfs:///mtl/registry --name events --work hdfs:///mtl/work
#
# Environment: SPARK_HOME and HADOOP_CONF_DIR (or YARN_CONF_DIR) (required); MTL_QUEUE (YARN
# queue) and MTL_EXECUTORS (executors), both as the site's Spark settings say if unset; MTL_PRINCIPAL and MTL_KEYTAB (Kerberos:
# passed as --principal and --keytab so that long jobs renew their tickets); MTL_DEPLOY_MODE
# (cluster or client, default cluster); MTL_SUBMIT_ARGS (more spark-submit options).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${HADOOP_CONF_DIR:-}${YARN_CONF_DIR:-}" ]]; then
  echo "yarn.sh: set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the folder with the cluster's core-site.xml and yarn-site.xml" >&2
  exit 2
fi
args=(--master yarn --deploy-mode "${MTL_DEPLOY_MODE:-cluster}")
# The site's queue and executor policy (spark.yarn.queue, dynamic allocation) apply unless set here.
if [[ -n "${MTL_QUEUE:-}" ]]; then
  args+=(--queue "$MTL_QUEUE")
fi
if [[ -n "${MTL_EXECUTORS:-}" ]]; then
  args+=(--num-executors "$MTL_EXECUTORS")
fi
if [[ -n "${MTL_PRINCIPAL:-}" || -n "${MTL_KEYTAB:-}" ]]; then
  if [[ -z "${MTL_PRINCIPAL:-}" || -z "${MTL_KEYTAB:-}" ]]; then
    echo "yarn.sh: set both MTL_PRINCIPAL and MTL_KEYTAB for Kerberos" >&2
    exit 2
  fi
  args+=(--principal "$MTL_PRINCIPAL" --keytab "$MTL_KEYTAB")
fi
# shellcheck disable=SC2086
exec "$here/submit.sh" "${args[@]}" ${MTL_SUBMIT_ARGS:-} -- "$@"
