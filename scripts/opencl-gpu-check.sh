#!/usr/bin/env bash
# The OpenCL tests, the SGEMM tuner and the SGEMM bench on a machine without Java or Maven (the H100 test
# machine), in two steps:
#
#   scripts/opencl-gpu-check.sh prepare     on the development machine: builds everything the GPU machine needs
#                                           into target/gpu-check/ (a jlinked runtime, the jars, the test
#                                           classes and a JUnit launcher; about 40 MB)
#   scripts/opencl-gpu-check.sh run [SIZES] on the GPU machine, from the repository root with target/gpu-check
#                                           carried along: registers NVIDIA's OpenCL ICD, runs the OpenCL tests,
#                                           tunes the SGEMM (cache in target/gpu-check/out/), benches it at SIZES
#                                           (default 1024,2048,4096) and, where PyTorch is installed, measures
#                                           cuBLAS SGEMM at the same sizes for the ratio. Logs go to $OUT when set.
#
# With the device tool: run(command="scripts/opencl-gpu-check.sh run", carry=["target/gpu-check"]).
# The NVIDIA platform only appears with its ICD registered (see docs/ARCHITECTURE.md, GPU specifics); the
# device is then chosen automatically (a GPU first) or with JGRAD_JAVA_OPTS=-Djgrad.opencl.device=N.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/target/gpu-check"

prepare() {
    cd "$ROOT"
    mvn -q -B -o -Dmaven.test.skip=true package -pl bench -am
    mvn -q -B -o test-compile -pl kernels/opencl -am
    rm -rf "$DIR" && mkdir -p "$DIR/lib" "$DIR/classes"
    mvn -q -B -o dependency:build-classpath -pl kernels/opencl -Dmdep.includeScope=test -Dmdep.outputFile="$DIR/cp.txt"
    # Third-party jars from the local repository; jgrad's own from this build (not from ~/.m2, which may be stale).
    tr ':' '\n' < "$DIR/cp.txt" | grep -v '/io/jgrad/' | while read -r jar; do [[ -f "$jar" ]] && cp "$jar" "$DIR/lib/"; done
    cp tensor/target/jgrad-tensor-*.jar kernels/cpu/target/jgrad-kernels-cpu-*.jar "$DIR/lib/"
    cp -r kernels/opencl/target/classes/. kernels/opencl/target/test-classes/. "$DIR/classes/"
    # The JUnit platform engine and launcher API of the same version (surefire brings its own, so the module
    # does not depend on them).
    local version m2="$HOME/.m2/repository/org/junit/platform"
    version=$(ls "$DIR"/lib/junit-platform-commons-*.jar | sed 's/.*commons-\(.*\)\.jar/\1/')
    for artifact in junit-platform-engine junit-platform-launcher; do
        cp "$m2/$artifact/$version/$artifact-$version.jar" "$DIR/lib/"
    done
    # The runnable jar and the bench plug-in jar ('jgrad bench', found by the cli through ServiceLoader).
    cp cli/target/jgrad.jar bench/target/jgrad-bench.jar "$DIR/"
    javac -d "$DIR/classes" -cp "$DIR/lib/*" scripts/OpenClTestMain.java
    "$ROOT/../shared/device/make-jre.sh" "$DIR" >/dev/null 2>&1 || /work/shared/device/make-jre.sh "$DIR"
    rm -f "$DIR/cp.txt"
    du -sh "$DIR"
}

run() {
    local sizes="${1:-1024,2048,4096}" out="${OUT:-$DIR/out}"
    mkdir -p "$out"
    cd "$DIR"
    [[ -x jre/bin/java ]] || tar xzf jre.tgz
    if ldconfig -p 2>/dev/null | grep -q libnvidia-opencl.so.1; then
        mkdir -p /tmp/icd && echo libnvidia-opencl.so.1 > /tmp/icd/nvidia.icd
        # PoCL stays visible too when its ICD file exists, so the device list shows both.
        [[ -f /etc/OpenCL/vendors/pocl.icd ]] && cp /etc/OpenCL/vendors/pocl.icd /tmp/icd/
        export OCL_ICD_VENDORS=/tmp/icd
    fi
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv | tee "$out/gpu.txt"
    local java=(./jre/bin/java ${JGRAD_JAVA_OPTS:-} -Djgrad.opencl.tuningCache="$out/opencl-tuning.json")
    echo "== OpenCL tests" | tee "$out/tests.txt"
    "${java[@]}" --add-modules jdk.incubator.vector -cp "classes:lib/*" OpenClTestMain 2>&1 | tee -a "$out/tests.txt" || echo "TESTS FAILED" | tee -a "$out/tests.txt"
    echo "== tune-opencl" | tee "$out/tune.txt"
    "${java[@]}" -cp jgrad.jar:jgrad-bench.jar io.jgrad.cli.Jgrad bench tune-opencl 2>&1 | tee -a "$out/tune.txt"
    echo "== bench gemm --backend opencl --sizes $sizes" | tee "$out/bench.txt"
    "${java[@]}" --add-modules jdk.incubator.vector -cp jgrad.jar:jgrad-bench.jar io.jgrad.cli.Jgrad bench gemm --backend opencl --sizes "$sizes" 2>&1 | tee -a "$out/bench.txt"
    if command -v python3 >/dev/null && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
        echo "== cuBLAS SGEMM (PyTorch, TF32 off)" | tee "$out/cublas.txt"
        python3 - "$sizes" <<'PY' 2>&1 | tee -a "$out/cublas.txt"
import sys, torch
torch.backends.cuda.matmul.allow_tf32 = False
for n in map(int, sys.argv[1].split(',')):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    for _ in range(3): a @ b
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(10):
        start.record(); a @ b; end.record(); torch.cuda.synchronize(); times.append(start.elapsed_time(end) / 1e3)
    times.sort()
    print('%6d | cuBLAS %10.1f GFLOP/s' % (n, 2 * n ** 3 / times[len(times) // 2] / 1e9))
PY
    fi
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@" ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
esac
