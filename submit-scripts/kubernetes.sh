#!/usr/bin/env bash
# Submits an mtlspark command to Kubernetes in cluster deploy mode. The driver and executors run
# in pods of MTL_IMAGE, an image with Spark 3.5 (Scala 2.12, Java 17) and the application jar at
# /opt/mtlspark/mtlspark.jar (copy driver/target/mtlspark.jar there when building the image; for
# `bench ...`, bench/target/mtlspark-bench.jar at /opt/mtlspark/mtlspark-bench.jar too) and
# conf/ at /opt/mtlspark/conf (driver and executors log with its log4j2.properties); paths must be
# on a filesystem the pods reach (s3a://, hdfs://):
#
#   SPARK_HOME=/opt/spark MTL_K8S_MASTER=k8s://https://api.example:6443 \
#   MTL_IMAGE=registry.example/mtlspark:0.1.0 submit-scripts/kubernetes.sh \
#       score --registry s3a://models/registry --name events --data s3a://data/new --out s3a://data/scored
#
# Environment: SPARK_HOME, MTL_K8S_MASTER and MTL_IMAGE (required); MTL_NAMESPACE (default
# "default"); MTL_SERVICE_ACCOUNT (the driver's, default "spark"); MTL_EXECUTORS (unset: the
# site's spark.executor.instances or dynamic allocation); MTL_LOG_CONF (see submit.sh);
# MTL_SUBMIT_ARGS (more spark-submit options).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${MTL_K8S_MASTER:-}" || -z "${MTL_IMAGE:-}" ]]; then
  echo "kubernetes.sh: set MTL_K8S_MASTER (k8s://https://host:port) and MTL_IMAGE" >&2
  exit 2
fi
export MTL_JAR="${MTL_JAR:-local:///opt/mtlspark/mtlspark.jar}"
export MTL_BENCH_JAR="${MTL_BENCH_JAR:-local:///opt/mtlspark/mtlspark-bench.jar}"
export MTL_LOG_CONF="${MTL_LOG_CONF:-local:///opt/mtlspark/conf/log4j2.properties}"
args=(--master "$MTL_K8S_MASTER" --deploy-mode cluster
  --conf spark.kubernetes.container.image="$MTL_IMAGE"
  --conf spark.kubernetes.namespace="${MTL_NAMESPACE:-default}"
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${MTL_SERVICE_ACCOUNT:-spark}")
if [[ -n "${MTL_EXECUTORS:-}" ]]; then
  args+=(--conf spark.executor.instances="$MTL_EXECUTORS")
fi
# shellcheck disable=SC2086
exec "$here/submit.sh" "${args[@]}" ${MTL_SUBMIT_ARGS:-} -- "$@"
