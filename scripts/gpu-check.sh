#!/usr/bin/env bash
# The GPU check: both GPU backends (cuda, opencl) verified on a machine without Java, Maven or network (the
# H200 test machine), in two steps. docs/gpu-check.md says what each step checks and how to read the summary.
#
#   scripts/gpu-check.sh prepare   here: builds the jars and packs everything the GPU machine needs into
#                                  target/gpu-check/ (a jlinked runtime, the runnable jars, the test classes, the
#                                  JUnit console launcher, the public PyTorch fixtures, full MNIST gzipped when
#                                  this machine has it; at most 56 MB, under the device tool's 64 MiB)
#   scripts/gpu-check.sh run       there, from the repository root with target/gpu-check carried along: registers
#                                  NVIDIA's OpenCL ICD, then runs each step under its own timeout, all within
#                                  GPU_CHECK_BUDGET seconds (default 500); prints one summary table and writes it,
#                                  with every step's log, to $OUT (else target/gpu-check/out)
#
# With the device tool: run(command="scripts/gpu-check.sh run", carry=["target/gpu-check"], timeout_s=590).
# Without a GPU every GPU step reports "skipped: no GPU" and the run exits with status 3; GPU_CHECK_FORCE=1 runs
# the steps anyway (on PoCL here: a dry run of the script itself). Exit status: 0 when every step passed, 1 when
# one failed or timed out, 3 when there was no GPU.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/target/gpu-check"
MAX_MB=56
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
JUNIT_CONSOLE="org.junit.platform:junit-platform-console-standalone"

prepare() {
    set -e
    cd "$ROOT"
    mvn -q -B -DskipTests package
    rm -rf "$DIR" && mkdir -p "$DIR/test-classes" "$DIR/fixtures"
    # The runnable jar (every module, JOCL, and the cuda module with JCuda wherever kernels/cuda exists) and the
    # bench plug-in ('jgrad bench', found by the cli through ServiceLoader).
    cp cli/target/jgrad.jar bench/target/jgrad-bench.jar "$DIR/"
    # Test classes: the OpenCL and CUDA kernel tests and the cross-module device tests (tag 'gpu').
    cp -r kernels/opencl/target/test-classes/. "$DIR/test-classes/"
    [[ -d kernels/cuda/target/test-classes ]] && cp -r kernels/cuda/target/test-classes/. "$DIR/test-classes/"
    mkdir -p "$DIR/test-classes/io/jgrad/tests"
    cp -r tests/target/test-classes/io/jgrad/tests/device "$DIR/test-classes/io/jgrad/tests/"
    cp tests/src/test/resources/fixtures/pytorch/*.safetensors "$DIR/fixtures/"
    # Full MNIST for the time-to-accuracy step (about 11 MB gzipped), from where 'jgrad train --dataset mnist' reads it.
    local mnist="${JGRAD_MNIST_DIR:-$HOME/.cache/jgrad/mnist}" f
    if [[ -f "$mnist/${MNIST_FILES[0]}" || -f "$mnist/${MNIST_FILES[0]}.gz" ]]; then
        mkdir -p "$DIR/mnist"
        for f in "${MNIST_FILES[@]}"; do
            if [[ -f "$mnist/$f.gz" ]]; then cp "$mnist/$f.gz" "$DIR/mnist/"; else gzip -c "$mnist/$f" > "$DIR/mnist/$f.gz"; fi
        done
    else
        echo "gpu-check: no MNIST in $mnist (scripts/fetch-mnist.sh $mnist): the mnist_cuda step will be skipped" >&2
    fi
    # The JUnit console launcher of the JUnit platform the project tests with (JUnit 5.x <-> platform 1.x).
    local junit platform
    junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)
    platform="1.${junit#5.}"
    mvn -q -B dependency:copy -Dartifact="$JUNIT_CONSOLE:$platform" -DoutputDirectory="$DIR"
    mv "$DIR"/junit-platform-console-standalone-*.jar "$DIR/junit-console.jar"
    "$ROOT/../shared/device/make-jre.sh" "$DIR" >/dev/null
    local mb
    mb=$(du -sm "$DIR" | cut -f1)
    du -sh "$DIR"
    if (( mb > MAX_MB )); then echo "gpu-check: $DIR is $mb MB, over the $MAX_MB MB limit" >&2; exit 1; fi
}

# ---- run ----------------------------------------------------------------------------------------------------

BUDGET="${GPU_CHECK_BUDGET:-500}"
START=$SECONDS
SUMMARY=()
FAILED=0

java_cmd() {
    "$JRE/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djgrad.opencl.tuningCache="$WORK/opencl-tuning.json" ${JGRAD_JAVA_OPTS:-} "$@"
}

jgrad() {
    java_cmd -cp jgrad.jar:jgrad-bench.jar io.jgrad.cli.Jgrad "$@"
}

# The JUnit console launcher over the carried test classes (only they are scanned: the runtime has no jar file
# system to scan jgrad.jar with), for the packages given with --include-package.
junit() {
    java_cmd -jar junit-console.jar execute --disable-banner --details=summary --disable-ansi-colors \
        --class-path "test-classes:jgrad.jar" --scan-classpath test-classes "$@"
}

# step NAME TIMEOUT COMMAND...: runs COMMAND under its timeout (cut to what is left of the budget), its output
# to the step's log; records status, seconds and the headline that headline_NAME (if defined) makes of the log.
# Extras (profile_* and the opt-in paths' *_v2, *_implicit, *_recorded) come last: one that finds no time left is
# skipped without failing the run.
step() {
    local name=$1 limit=$2; shift 2
    local log="$WORK/$name.log" left=$((BUDGET - (SECONDS - START)))
    if [[ $GPU == no ]]; then record "$name" "skipped: no GPU" 0 ""; return; fi
    if (( left < 15 )); then
        record "$name" "skipped: out of time" 0 "budget of ${BUDGET}s spent"
        [[ $name == profile_* || $name == *_v2 || $name == *_implicit || $name == *_recorded ]] || FAILED=1
        return
    fi
    (( limit > left )) && limit=$left
    echo "== $name (timeout ${limit}s)"
    local t0=$SECONDS rc
    # timeout runs programs, not shell functions: the command runs in a bash that inherits the exported functions.
    timeout --kill-after=5 "$limit" bash -c '"$@"' step "$@" >"$log" 2>&1
    rc=$?
    local status=pass
    if (( rc == 124 || rc == 137 )); then status="TIMEOUT (${limit}s)"; FAILED=1
    elif (( rc != 0 )); then status="FAIL (exit $rc)"; FAILED=1; fi
    local headline=""
    if declare -F "headline_$name" >/dev/null; then headline=$("headline_$name" "$log"); else headline=$(tail -n 1 "$log"); fi
    record "$name" "$status" $((SECONDS - t0)) "$headline"
    tail -n 3 "$log" | sed 's/^/   /'
}

record() {
    SUMMARY+=("$(printf '| %-18s | %-16s | %5s | %s |' "$1" "$2" "$3" "$4")")
}

# Headlines: the one line of a step's log that says how it went.
headline_tests() { grep -E 'tests (found|successful|skipped|aborted|failed)' "$1" | tr -s ' []' ' ' | sed 's/^ //; s/ $//' | paste -sd, -; }
headline_tests_cuda() { headline_tests "$1"; }
headline_tests_opencl() { headline_tests "$1"; }
headline_info() { grep -E '^(cuda|opencl) +(available|unavailable|not found)' "$1" | tr -s ' ' | paste -sd';' -; }
headline_tune_opencl() { grep -E '^chosen:' "$1" | head -n 1; }
headline_train_cuda() { cat "$WORK/train-compare.txt" 2>/dev/null || tail -n 1 "$1"; }
headline_profile_step_cuda() { grep -E '^(step profile:|ncu unavailable)' "$1" | head -n 1; }
headline_profile_gemm_cuda() { grep -E '^(gemm profile|ncu unavailable)' "$1" | paste -sd';' -; }

# The opt-in second FP32 SIMT kernel (sgemm_128x128_v2) beside the first, to choose the default by measurement.
gemm_v2() {
    JGRAD_JAVA_OPTS="-Djgrad.cuda.sgemm=v2 ${JGRAD_JAVA_OPTS:-}" jgrad bench gemm --backend cuda --sizes 4096,8192 "$@"
}

# The ConvNet step with conv2d's forward as one implicit-GEMM launch (opt-in), beside epoch_cuda.
epoch_implicit() {
    JGRAD_JAVA_OPTS="-Djgrad.conv.implicit=true ${JGRAD_JAVA_OPTS:-}" jgrad bench epoch --backend cuda --batch 128,512
}

# Nsight Compute, where the GPU machine has it and lets it read the counters (Firecracker machines do; gVisor ones
# do not). Never the cause of a failed run: without it the profile steps say why in their headline.
ncu_cmd() {
    local ncu
    ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null) || { echo "ncu unavailable: not on the PATH"; return 1; }
    "$ncu" --clock-control none --target-processes application-only "$@"
}

# Where the time of a ConvNet training step goes: ncu times every kernel of about five steps (batch 128) after the
# bench's warm-up, and the table sums GPU time per kernel, largest first, over the kernels profiled.
profile_step() {
    local csv="$WORK/profile-step.csv" rc=0
    ncu_cmd --metrics gpu__time_duration.sum --csv --print-units base --launch-skip 800 --launch-count 220 \
        "$JRE/bin/java" --add-modules jdk.incubator.vector -cp jgrad.jar:jgrad-bench.jar io.jgrad.cli.Jgrad \
        bench epoch --backend cuda --batch 128 > "$csv" 2>&1 || rc=$?
    if (( rc != 0 )); then tail -n 5 "$csv"; echo "ncu unavailable: exit status $rc"; return 0; fi
    # Columns found by name in the header; values may carry thousands separators. Plain awk (mawk): sorted by sort.
    awk -F'","' '
        /"Kernel Name"/ { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i }; next }
        col["Metric Name"] && $col["Metric Name"] == "gpu__time_duration.sum" {
            name = $col["Kernel Name"]; v = $col["Metric Value"]; gsub(/[",]/, "", v)
            if (!(name in t)) kinds++
            t[name] += v; n[name]++; total += v
        }
        END {
            if (total == 0) { print "ncu unavailable: no kernel times in its output"; exit }
            printf "step profile: %d kernels, %d launches, %.1f us of GPU time in all\n", kinds, 0 + launches(n), total / 1e3
            printf "%-40s | %8s | %12s | %6s\n", "kernel", "launches", "total us", "share"
            for (k in t) printf "%-40s | %8d | %12.1f | %5.1f%%\n", k, n[k], t[k] / 1e3, 100 * t[k] / total | "sort -t\"|\" -k3 -nr"
        }
        function launches(a,   k, c) { for (k in a) c += a[k]; return c }' "$csv"
}

# The SGEMM kernels at n = 4096 (FP32 and TF32), one launch each, through ncu's throughput, occupancy and stall
# sections: what bounds them when they trail cuBLAS.
profile_gemm() {
    local kind
    for kind in fp32 tf32; do
        local flag=""; [[ $kind == tf32 ]] && flag=--tf32
        local rc=0
        ncu_cmd -k regex:'sgemm_(128x128|tf32)' --launch-skip 2 --launch-count 1 --section SpeedOfLight --section Occupancy \
            --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis \
            "$JRE/bin/java" --add-modules jdk.incubator.vector -cp jgrad.jar:jgrad-bench.jar io.jgrad.cli.Jgrad \
            bench gemm --backend cuda $flag --sizes 4096 > "$WORK/profile-gemm-$kind.txt" 2>&1 || rc=$?
        if (( rc != 0 )); then tail -n 5 "$WORK/profile-gemm-$kind.txt"; echo "ncu unavailable: exit status $rc"; return 0; fi
        cat "$WORK/profile-gemm-$kind.txt"
        awk -v kind="$kind" '
            /Compute \(SM\) Throughput/ { sm = $NF } /^ *Memory Throughput/ { mem = $NF } /Achieved Occupancy/ { occ = $NF }
            END { printf "gemm profile %s: SM throughput %s%%, memory throughput %s%%, achieved occupancy %s%%\n", kind, sm, mem, occ }' \
            "$WORK/profile-gemm-$kind.txt"
    done
}

# train --device cuda and --device cpu on the embedded digits, same seed: the epoch losses must agree to float32
# rounding (as OpenClTrainingTest checks for opencl).
train_compare() {
    local cpu gpu
    jgrad train --device cpu --epochs 1 --no-progress --out "$WORK/train-cpu" > "$WORK/train-cpu.txt" 2>&1; local rc=$?
    cat "$WORK/train-cpu.txt"
    (( rc == 0 )) || { echo "train --device cpu failed: $(tail -n 1 "$WORK/train-cpu.txt")" > "$WORK/train-compare.txt"; return 1; }
    jgrad train --device cuda --epochs 1 --no-progress --out "$WORK/train-cuda" > "$WORK/train-cuda.txt" 2>&1; rc=$?
    cat "$WORK/train-cuda.txt"
    (( rc == 0 )) || { echo "train --device cuda failed: $(tail -n 1 "$WORK/train-cuda.txt")" > "$WORK/train-compare.txt"; return 1; }
    cpu=$(sed -n 's/^epoch 1\/1  train loss \([0-9.]*\).*/\1/p' "$WORK/train-cpu.txt")
    gpu=$(sed -n 's/^epoch 1\/1  train loss \([0-9.]*\).*/\1/p' "$WORK/train-cuda.txt")
    awk -v a="$cpu" -v b="$gpu" 'BEGIN {
        d = a - b; if (d < 0) d = -d
        ok = a != "" && b != "" && d <= 2e-3
        printf "train loss cpu %s, cuda %s, |diff| %.4f (tolerance 0.002): %s\n", a, b, d, ok ? "same" : "DIFFERENT"
        exit ok ? 0 : 1 }' > "$WORK/train-compare.txt"; rc=$?
    cat "$WORK/train-compare.txt"
    return $rc
}

run() {
    OUT="${OUT:-$DIR/out}"
    mkdir -p "$OUT"
    WORK=$(mktemp -d)
    cd "$DIR" || { echo "gpu-check: no $DIR; run 'scripts/gpu-check.sh prepare' first" >&2; exit 2; }
    # The runtime is unpacked outside the carried folder, which must stay small enough to travel.
    JRE="$WORK/jre"
    tar xzf jre.tgz -C "$WORK" || { echo "gpu-check: cannot unpack jre.tgz" >&2; exit 2; }
    export JRE
    # OpenCL drivers install signal handlers of their own; libjsig chains them with the JVM's (see README).
    [[ -f "$JRE/lib/libjsig.so" ]] && export LD_PRELOAD="$JRE/lib/libjsig.so${LD_PRELOAD:+:$LD_PRELOAD}"
    GPU=no
    if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then GPU=yes; fi
    [[ "${GPU_CHECK_FORCE:-0}" == 1 ]] && GPU=forced
    if ldconfig -p 2>/dev/null | grep -q libnvidia-opencl.so.1; then
        # The NVIDIA platform appears only with its ICD registered; PoCL stays visible too when it is installed.
        mkdir -p /tmp/icd && echo libnvidia-opencl.so.1 > /tmp/icd/nvidia.icd
        [[ -f /etc/OpenCL/vendors/pocl.icd ]] && cp /etc/OpenCL/vendors/pocl.icd /tmp/icd/
        export OCL_ICD_VENDORS=/tmp/icd
    fi
    # PyTorch (the cuBLAS and eager anchors) is the python3 on the PATH there, in a virtual environment.
    JGRAD_PYTHON="$(command -v python3 || echo /usr/bin/python3)"
    export JGRAD_PYTHON

    {
        echo "gpu-check $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname), GPU: $GPU"
        if [[ $GPU == yes ]]; then nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader; fi
        "$JRE/bin/java" -version 2>&1 | head -1
    } | tee "$WORK/header.txt"

    export -f java_cmd jgrad junit train_compare gemm_v2 epoch_implicit ncu_cmd profile_step profile_gemm
    export WORK
    local gpu=$GPU
    GPU=yes; step info 30 jgrad info; GPU=$gpu   # runs everywhere: it says why a backend cannot start
    # Not the three CUDA tests that need no GPU and run in CI: PTX staleness compares with this machine's nvcc
    # (another nvcc may print other PTX), and the GEMM plan replay and gemm.cu on the CPU (g++, sources) are CPU work.
    step tests_cuda 90 junit --include-package io.jgrad.kernels.cuda --include-package io.jgrad.tests.device \
        --exclude-classname '.*\.(PtxStalenessTest|CudaGemmPlanTest|GemmKernelsOnTheCpuTest)'
    step tests_opencl 90 junit --include-package io.jgrad.kernels.opencl
    step parity_cuda 45 jgrad parity --backend cuda fixtures
    step parity_opencl 45 jgrad parity --backend opencl fixtures
    step train_cuda 90 train_compare
    step memory_cuda 75 jgrad bench memory --backend cuda --steps 10000 --model mlp --batch 128
    step gemm_cuda_fp32 45 jgrad bench gemm --backend cuda --sizes 1024,4096,8192
    step gemm_cuda_tf32 45 jgrad bench gemm --backend cuda --tf32 --sizes 1024,4096,8192
    step epoch_cuda 60 jgrad bench epoch --backend cuda --batch 128,512
    if [[ -d mnist ]]; then
        step mnist_cuda 90 jgrad bench mnist --backend cuda --data-dir mnist --max-epochs 6
    else
        record mnist_cuda "skipped: no data" 0 "prepare found no MNIST to carry"
    fi
    # The OpenCL SGEMM tuned for the GPU first (cached in the work folder), as its target asks: tuner + cache.
    step tune_opencl 60 jgrad bench tune-opencl
    step gemm_opencl_fp32 30 jgrad bench gemm --backend opencl --sizes 1024,4096
    step epoch_opencl 60 jgrad bench epoch --backend opencl --batch 128,512
    # Extras with what is left of the budget: the opt-in paths beside the defaults measured above, then where the
    # time goes (informational; none fails the run for lack of time).
    step gemm_cuda_fp32_v2 40 gemm_v2
    step gemm_cuda_tf32_v2 40 gemm_v2 --tf32
    step epoch_cuda_implicit 60 epoch_implicit
    if [[ -d mnist ]]; then step mnist_cuda_recorded 90 jgrad bench mnist --backend cuda --data-dir mnist --max-epochs 6 --record; fi
    step profile_step_cuda 75 profile_step
    step profile_gemm_cuda 60 profile_gemm

    local summary="$OUT/summary.txt"
    {
        cat "$WORK/header.txt"
        echo
        printf '| %-18s | %-16s | %5s | %s |\n' step status s headline
        printf '|%s|%s|%s|%s|\n' "--------------------" "------------------" "-------" "----------"
        printf '%s\n' "${SUMMARY[@]}"
        echo
        echo "total $((SECONDS - START)) s of a ${BUDGET} s budget"
        # The tables behind the headlines.
        for name in gemm_cuda_fp32 gemm_cuda_tf32 gemm_cuda_fp32_v2 gemm_cuda_tf32_v2 gemm_opencl_fp32 epoch_cuda epoch_cuda_implicit epoch_opencl mnist_cuda mnist_cuda_recorded tune_opencl memory_cuda profile_step_cuda profile_gemm_cuda; do
            [[ -f "$WORK/$name.log" ]] || continue
            echo; echo "== $name"; grep -E '^ *[0-9]+ \||^ *n \||^(jgrad|pytorch|recorded|gemm|epoch|mnist|memory|device|torch|chosen:|step|kernel) |^[a-z_0-9]+ +\| +[0-9]+ \||^ *step \|' "$WORK/$name.log"
        done
    } > "$summary"
    # Every step's log in one file (what comes back from $OUT is limited to a few files).
    for f in "$WORK"/*.log; do echo "==== $(basename "$f" .log)"; cat "$f"; done > "$OUT/gpu-check.log"
    echo
    cat "$summary"
    rm -rf "$WORK"
    if [[ $GPU == no ]]; then echo "gpu-check: no GPU here (nvidia-smi found none): nothing on a GPU was checked"; exit 3; fi
    exit $FAILED
}

case "${1:-}" in
    prepare) prepare ;;
    run) run ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
esac
