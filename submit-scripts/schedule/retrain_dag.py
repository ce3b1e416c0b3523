"""Airflow DAG: nightly retraining of the mtlspark model "events" on the day's partition.

Uses SparkSubmitOperator (apache-airflow-providers-apache-spark) with the connection
"spark_default" pointing at the cluster (YARN, standalone or Kubernetes). SparkSubmitOperator
fails a task on any non-zero exit code, so retrain is told to exit 0 also when it registered the
new version without promoting it (the reason is in the task log); failures still fail the task.
The cluster's own Spark settings (its spark-defaults.conf) apply, as for any spark-submit; the
application adds Kryo and its registrators where they are missing. The project's
conf/spark-defaults.conf is a local-machine profile: do not pass it as properties_file, which
would replace the site's settings. Copy this file into the DAGs folder and adjust the paths.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MTL_HOME = "/opt/mtlspark"

with DAG(
    dag_id="mtlspark_retrain",
    schedule="30 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=20)},
) as dag:
    SparkSubmitOperator(
        task_id="retrain",
        conn_id="spark_default",
        application=f"{MTL_HOME}/driver/target/mtlspark.jar",
        java_class="org.mtlspark.driver.MtlCommand",
        application_args=[
            "retrain",
            "--config", f"{MTL_HOME}/conf/examples/quick.yaml",
            "--data", "hdfs:///data/events/date={date}",
            # The run's logical date: a rerun of the same day does not train twice.
            "--date", "{{ ds }}",
            "--run-id", "{{ ds }}",
            "--registry", "hdfs:///mtl/registry",
            "--name", "events",
            "--work", "hdfs:///mtl/work",
            "--not-promoted-exit-code", "0",
        ],
    )
