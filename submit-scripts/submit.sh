#!/usr/bin/env bash
# Submits the mtlspark command line with spark-submit. spark-submit options go before "--", the
# command after it:
#
#   SPARK_HOME=/opt/spark submit-scripts/submit.sh --master spark://host:7077 -- \
#       demo --out hdfs:///user/me/mtl/demo
#
# The site's Spark settings apply: the installation's own spark-defaults.conf (event log, history
# server, queues, memory policy) is read by spark-submit as usual. The application adds what it
# relies on (Kryo and its registrators) where missing, and this script adds only the logging
# configuration. conf/spark-defaults.conf is the local-machine profile of submit-scripts/mtl and is
# not read here.
#
# Logging: conf/log4j2.properties. In client mode the driver reads it where it is. On YARN it is
# also shipped with --files, and the driver (cluster mode) and the executors read the shipped copy
# (YARN places it in each container's folder before the JVM starts). Elsewhere the executors keep
# the cluster's logging configuration. MTL_LOG_CONF=local:///path names a file that every machine
# (every container image) already has at that path instead: driver and executors read it there.
# The option is appended to spark.driver.extraJavaOptions and spark.executor.extraJavaOptions as
# given on the command line or, if not, in the site's spark-defaults.conf; --files given here are
# merged with the shipped file.
#
# The command `bench ...` submits the benchmarks (a program of their own, not in the application
# jar): bench/target/mtlspark-bench.jar, or MTL_BENCH_JAR, with the application jar added with --jars.
#
# Requires SPARK_HOME (a Spark 3.5 / Scala 2.12 installation). Builds the jars if they are missing.
# MTL_JAR names another application jar (e.g. local:///opt/mtlspark/mtlspark.jar inside a
# container image); MTL_CONF_DIR another conf/ folder. MTL_SUBMIT_DRY_RUN=1 prints the
# spark-submit options, one a line, instead of submitting.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${MTL_JAR:-$root/driver/target/mtlspark.jar}"
bench_jar="${MTL_BENCH_JAR:-$root/bench/target/mtlspark-bench.jar}"
conf_dir="${MTL_CONF_DIR:-$root/conf}"
log_conf="${MTL_LOG_CONF:-$conf_dir/log4j2.properties}"

if [[ -z "${SPARK_HOME:-}" ]]; then
  echo "submit.sh: set SPARK_HOME to a Spark 3.5 installation (or run locally with submit-scripts/mtl)" >&2
  exit 2
fi
site_conf="${SPARK_CONF_DIR:-$SPARK_HOME/conf}/spark-defaults.conf"

# The value the site's spark-defaults.conf gives a key ("key value", "key=value" or "key: value").
site_setting() {
  [[ -f "$site_conf" ]] || return 0
  awk -v key="$1" '
    { line = $0; sub(/^[ \t]+/, "", line) }
    index(line, key) == 1 {
      rest = substr(line, length(key) + 1)
      if (rest ~ /^[ \t=:]/) {
        sub(/^[ \t]*[=:]?[ \t]*/, "", rest)
        sub(/[ \t]+$/, "", rest)
        value = rest
      }
    }
    END { print value }' "$site_conf"
}

need_value() {
  if [[ $# -lt 2 ]]; then
    echo "submit.sh: $1 needs a value" >&2
    exit 2
  fi
}

spark_args=()
files=""
jars=""
master=""
deploy_mode=""
driver_opts=""
driver_opts_given=0
executor_opts=""
executor_opts_given=0
while [[ $# -gt 0 && "$1" != "--" ]]; do
  opt="$1"
  if [[ "$opt" == --*=* ]]; then
    set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
    opt="$1"
  fi
  case "$opt" in
    --files)
      need_value "$@"
      files="${files:+$files,}$2"
      shift 2
      ;;
    --jars)
      need_value "$@"
      jars="${jars:+$jars,}$2"
      shift 2
      ;;
    --driver-java-options)
      need_value "$@"
      driver_opts="$2"
      driver_opts_given=1
      shift 2
      ;;
    --conf)
      need_value "$@"
      case "$2" in
        spark.driver.extraJavaOptions=*) driver_opts="${2#*=}"; driver_opts_given=1 ;;
        spark.executor.extraJavaOptions=*) executor_opts="${2#*=}"; executor_opts_given=1 ;;
        *) spark_args+=("$1" "$2") ;;
      esac
      shift 2
      ;;
    --master | --deploy-mode | --properties-file)
      need_value "$@"
      case "$opt" in
        --master) master="$2" ;;
        --deploy-mode) deploy_mode="$2" ;;
        # spark-submit then reads this file instead of the site's: so do the lookups below.
        --properties-file) site_conf="$2" ;;
      esac
      spark_args+=("$1" "$2")
      shift 2
      ;;
    *)
      spark_args+=("$1")
      shift
      ;;
  esac
done
if [[ $# -gt 0 ]]; then
  shift
fi

# The benchmarks run from their own jar, with the application jar beside it.
main_class=org.mtlspark.driver.MtlCommand
app_jar="$jar"
if [[ "${1:-}" == "bench" ]]; then
  shift
  main_class=org.mtlspark.bench.BenchCommand
  app_jar="$bench_jar"
  jars="$jar${jars:+,$jars}"
fi

master="${master:-$(site_setting spark.master)}"
deploy_mode="${deploy_mode:-$(site_setting spark.submit.deployMode)}"
if [[ "$driver_opts_given" == 0 ]]; then
  driver_opts="$(site_setting spark.driver.extraJavaOptions)"
fi
if [[ "$executor_opts_given" == 0 ]]; then
  executor_opts="$(site_setting spark.executor.extraJavaOptions)"
fi

# Where the driver and the executors find the logging configuration (empty: not set).
driver_log=""
executor_log=""
if [[ "$log_conf" == local:* ]]; then
  path="$(printf '%s' "${log_conf#local:}" | sed 's#^/*#/#')"
  driver_log="$path"
  executor_log="$path"
else
  if [[ "${deploy_mode:-client}" == client ]]; then
    driver_log="$log_conf"
  fi
  if [[ "$master" == yarn* ]]; then
    files="$log_conf${files:+,$files}"
    executor_log="$(basename "$log_conf")"
    if [[ "$deploy_mode" == cluster ]]; then
      driver_log="$executor_log"
    fi
  fi
fi
if [[ -n "$driver_log" ]]; then
  driver_opts="${driver_opts:+$driver_opts }-Dlog4j2.configurationFile=$driver_log"
fi
if [[ -n "$executor_log" ]]; then
  executor_opts="${executor_opts:+$executor_opts }-Dlog4j2.configurationFile=$executor_log"
fi
if [[ -n "$driver_opts" ]]; then
  spark_args+=(--conf "spark.driver.extraJavaOptions=$driver_opts")
fi
if [[ -n "$executor_opts" ]]; then
  spark_args+=(--conf "spark.executor.extraJavaOptions=$executor_opts")
fi
if [[ -n "$files" ]]; then
  spark_args+=(--files "$files")
fi
if [[ -n "$jars" ]]; then
  spark_args+=(--jars "$jars")
fi

if [[ "${MTL_SUBMIT_DRY_RUN:-0}" == 1 ]]; then
  printf '%s\n' "${spark_args[@]}"
  exit 0
fi
if [[ ( -z "${MTL_JAR:-}" && ! -f "$jar" ) \
  || ( "$main_class" == org.mtlspark.bench.* && -z "${MTL_BENCH_JAR:-}" && ! -f "$bench_jar" ) ]]; then
  echo "submit.sh: building the jars (mvn -DskipTests package), once..." >&2
  (cd "$root" && mvn -q -B -DskipTests package) >&2
fi

exec "$SPARK_HOME/bin/spark-submit" \
  --class "$main_class" \
  "${spark_args[@]}" \
  "$app_jar" "$@"
