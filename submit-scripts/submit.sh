#!/usr/bin/env bash
# Submits the mtlspark command line to a cluster with spark-submit, using conf/spark-defaults.conf
# and conf/log4j2.properties. spark-submit options go before "--", the command after it:
#
#   SPARK_HOME=/opt/spark submit-scripts/submit.sh --master spark://host:7077 -- \
#       demo --out hdfs:///user/me/mtl/demo
#
# Requires SPARK_HOME (a Spark 3.5 / Scala 2.12 installation). Builds the jar if it is missing.
# MTL_JAR names another application jar (e.g. local:///opt/mtlspark/mtlspark.jar inside a
# container image); MTL_CONF_DIR another conf/ folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${MTL_JAR:-$root/driver/target/mtlspark.jar}"
conf_dir="${MTL_CONF_DIR:-$root/conf}"

if [[ -z "${SPARK_HOME:-}" ]]; then
  echo "submit.sh: set SPARK_HOME to a Spark 3.5 installation (or run locally with submit-scripts/mtl)" >&2
  exit 2
fi
if [[ -z "${MTL_JAR:-}" && ! -f "$jar" ]]; then
  echo "submit.sh: building the application jar (mvn -DskipTests package), once..." >&2
  (cd "$root" && mvn -q -B -DskipTests package) >&2
fi

spark_args=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
  spark_args+=("$1")
  shift
done
if [[ $# -gt 0 ]]; then
  shift
fi

exec "$SPARK_HOME/bin/spark-submit" \
  --properties-file "$conf_dir/spark-defaults.conf" \
  --files "$conf_dir/log4j2.properties" \
  --driver-java-options "-Dlog4j2.configurationFile=$conf_dir/log4j2.properties -Dmtl.conf.dir=$conf_dir" \
  --class org.mtlspark.driver.MtlCommand \
  "${spark_args[@]}" \
  "$jar" "$@"
