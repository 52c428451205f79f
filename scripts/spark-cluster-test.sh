#!/usr/bin/env bash
# Data-parallel training on a real Spark standalone cluster on loopback, with a lost executor.
#
# Starts a Spark Master and two Workers as separate JVMs from the Spark jars Maven fetched (no Spark
# distribution: a SPARK_HOME whose jars/ holds spark-core's dependencies), then trains the digits MLP twice
# with io.jgrad.spark.SparkTrain against spark://127.0.0.1:PORT: once undisturbed, once with one worker's
# executor killed (kill -9) mid-training. Spark re-runs the lost tasks on the surviving executor and a
# replacement; since every task's work depends only on the round's broadcast and its partition, the two runs
# must end with the same weights (their weights.sha256 files are compared). Every process started here is
# stopped at the end, pass or fail. Needs JDK 17 or 21 (Spark 4.0 does not start on JDK 25).
#
# usage: scripts/spark-cluster-test.sh [--keep DIR] [--measure]
#   --keep DIR   keep the logs and outputs in DIR (default: a temporary directory)
#   --measure    afterwards, measure round times on the same cluster (io.jgrad.spark.RoundTimes, for
#                docs/distributed.md) into DIR/round-times.csv
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WORK=""
MEASURE=0
while (( $# > 0 )); do
  case "$1" in
    --keep) WORK=$2; mkdir -p "$WORK"; shift 2 ;;
    --measure) MEASURE=1; shift ;;
    *) echo "usage: $0 [--keep DIR] [--measure]"; exit 2 ;;
  esac
done
[[ -n "$WORK" ]] || WORK=$(mktemp -d /tmp/jgrad-spark-cluster.XXXXXX)
echo "== Spark cluster test in $WORK ($(java -version 2>&1 | head -1))"
JDK=$(java -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')
if (( JDK > 21 )); then echo "== FAIL: Spark 4.0 needs JDK 17 or 21, this is JDK $JDK (set JAVA_HOME)"; exit 1; fi

PIDS=()
cleanup() {
  local status=$?
  # Executors are children of the Workers; stop them by their ids first, then everything this script started.
  for pid in "${PIDS[@]}"; do
    for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill "$child" 2>/dev/null || true; done
  done
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do
    for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill -9 "$child" 2>/dev/null || true; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if (( status != 0 )); then
    echo "== FAIL (exit $status); logs in $WORK:"
    for f in "$WORK"/*.log; do echo "--- $f (last lines)"; tail -n 25 "$f"; done
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building the jars and the SPARK_HOME (mvn package, no install)"
SPARK_HOME=$ROOT/spark/target/spark-home
mvn -B -q -pl spark -am -DskipTests package dependency:copy-dependencies -DincludeScope=provided -DoutputDirectory="$SPARK_HOME/jars" >"$WORK/build.log" 2>&1
APP_JAR=$ROOT/spark/target/jgrad-spark-app.jar   # every jgrad module, Spark left out (the cluster's own)
echo "== $(ls "$SPARK_HOME/jars" | wc -l) Spark jars in $SPARK_HOME/jars; application jar $APP_JAR ($(( $(stat -c %s "$APP_JAR") / 1024 )) KiB)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || echo $(( 20000 + RANDOM % 20000 )); }
wait_for_line() {   # file pattern seconds
  for _ in $(seq 1 $(( $3 * 5 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "== timed out waiting for '$2' in $1"; return 1
}

export SPARK_HOME SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
MASTER_PORT=$(free_port)
MASTER=spark://127.0.0.1:$MASTER_PORT
SPARK_CP="$SPARK_HOME/jars/*"
java -Xmx512m -cp "$SPARK_CP" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$(free_port)" \
  >"$WORK/master.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/master.log" "I have been elected leader" 60
WORKER_PIDS=()
for w in 1 2; do
  mkdir -p "$WORK/worker$w"
  java -Xmx512m -cp "$SPARK_CP" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 1g \
    --work-dir "$WORK/worker$w" --webui-port "$(free_port)" "$MASTER" >"$WORK/worker$w.log" 2>&1 &
  PIDS+=($!)
  WORKER_PIDS+=($!)
done
for w in 1 2; do wait_for_line "$WORK/worker$w.log" "Successfully registered with master" 60; done
echo "== master $MASTER and two workers up"

ROUNDS=20
KILL_AFTER=5   # rounds (a checkpoint every 5 rounds tells how far the run is)
train() {   # name
  java -Xmx1g --add-modules jdk.incubator.vector -cp "$APP_JAR:$SPARK_CP" \
    -Dspark.jars="$APP_JAR" -Dspark.ui.enabled=false -Dspark.executor.memory=512m -Dspark.executor.cores=1 \
    -Dspark.driver.host=127.0.0.1 -Dspark.executor.extraJavaOptions="--add-modules jdk.incubator.vector" \
    io.jgrad.spark.SparkTrain --master "$MASTER" --rounds $ROUNDS --batch-size 64 --partitions 4 --sync-every 1 --lr 2e-3 \
      --checkpoint-every 5 --out "$WORK/$1" --no-progress >"$WORK/$1.log" 2>&1
}

START=$(date +%s)
echo "== run 1: undisturbed, $ROUNDS rounds of gradient averaging over 4 partitions on 2 executors"
train undisturbed &
DRIVER=$!; PIDS+=($DRIVER)
wait $DRIVER
grep -E "^training|rounds in this run|test accuracy|weights sha256" "$WORK/undisturbed.log"

echo "== run 2: the executor of worker 1 is killed with kill -9 after round $KILL_AFTER"
train killed &
DRIVER=$!; PIDS+=($DRIVER)
for _ in $(seq 1 600); do
  [[ -d "$WORK/killed/checkpoints/$(printf round-%08d $KILL_AFTER)" ]] && break
  kill -0 $DRIVER 2>/dev/null || break
  sleep 0.1
done
sleep 0.5   # into the next round, while its tasks run (rather than while the driver writes the checkpoint)
EXECUTOR=$(pgrep -P "${WORKER_PIDS[0]}" || true)
if [[ -z "$EXECUTOR" || ! -d "$WORK/killed/checkpoints/$(printf round-%08d $KILL_AFTER)" ]]; then
  echo "== FAIL: no executor of worker 1 to kill after round $KILL_AFTER (executor '$EXECUTOR')"; exit 1
fi
LAST=$(ls "$WORK/killed/checkpoints" | grep -v tmp | tail -1)
kill -9 "$EXECUTOR"
echo "== killed executor process $EXECUTOR of worker 1 (newest checkpoint then: $LAST of $ROUNDS rounds)"
wait $DRIVER
grep -E "rounds in this run|test accuracy|weights sha256" "$WORK/killed.log"

KILLED_LINE=$(grep -m1 "finished with state .*exitStatus 137" "$WORK/worker1.log" || true)
if [[ -z "$KILLED_LINE" ]]; then echo "== FAIL: worker 1 did not report its executor's death by SIGKILL (exit status 137)"; exit 1; fi
echo "== worker 1: ${KILLED_LINE#*Worker: }"
LOST_TASKS=$(grep -c "Lost task" "$WORK/killed.log" || true)
echo "== the driver lost $LOST_TASKS running task(s) with the executor (and its cached partitions) and ran them again"
if cmp "$WORK/undisturbed/weights.sha256" "$WORK/killed/weights.sha256"; then
  echo "== PASS: same weights after losing an executor ($(cut -c1-16 "$WORK/undisturbed/weights.sha256")...), $(( $(date +%s) - START )) s of training"
else
  echo "== FAIL: the weights differ:"; cat "$WORK/undisturbed/weights.sha256" "$WORK/killed/weights.sha256"; exit 1
fi

if (( MEASURE )); then
  echo "== round times on this cluster (2 executors, 1 core each): $WORK/round-times.csv"
  java -Xmx2g --add-modules jdk.incubator.vector -cp "$APP_JAR:$SPARK_CP" \
    -Dspark.jars="$APP_JAR" -Dspark.ui.enabled=false -Dspark.executor.memory=512m -Dspark.executor.cores=1 \
    -Dspark.driver.host=127.0.0.1 -Dspark.executor.extraJavaOptions="--add-modules jdk.incubator.vector" \
    io.jgrad.spark.RoundTimes --master "$MASTER" --rounds 20 2>"$WORK/round-times.log" | tee "$WORK/round-times.csv"
fi
