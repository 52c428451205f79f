#!/usr/bin/env bash
# Recompiles every CUDA kernel module to PTX with nvcc and writes the committed resources
# kernels/cuda/src/main/resources/io/jgrad/kernels/cuda/ptx/{compute_90,compute_75}/NAME.ptx, then prints
# ptxas -v (registers, shared memory, spills) of the GEMM kernels for sm_90. The module list and the nvcc command
# are defined once, in kernels/cuda's PtxBuild (test sources), which PtxStalenessTest also runs.
# Needs nvcc (CUDA_HOME, /usr/local/cuda/bin or PATH). Run after changing a kernel source or an op enum; commit
# the changed .ptx files. See docs/cuda.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl kernels/cuda -am test-compile
java -cp tensor/target/classes:kernels/cuda/target/classes:kernels/cuda/target/test-classes io.jgrad.kernels.cuda.PtxBuild write
git status --short kernels/cuda/src/main/resources
