// The dialect of the portable kernel sources (common.cl, elementwise.cl, reduce.cl, indexing.cl, pool.cl,
// im2col.cl, optim.cl): one source per family, compiled as OpenCL C by ClRuntime (which prepends this file
// and common.cl) and as CUDA C by nvcc (scripts/build-ptx.sh: nvcc -x cu -include dialect.h -include common.cl).
// The sources write OpenCL C through these macros where the two languages differ in spelling:
//   KERNEL     an entry point                      FN        a device helper function
//   GLOBAL     a pointer into device memory        LOCAL     an array shared by a work-group / block
//   LOCAL_BARRIER()  work-group barrier over local memory
// and call OpenCL's built-ins (get_global_id, get_local_id, get_group_id, get_local_size, atomic_cmpxchg,
// convert_long_sat, isnan, fmin, ...), which the CUDA half defines below with OpenCL's semantics.
#ifndef JGRAD_DIALECT_H
#define JGRAD_DIALECT_H

#ifdef __CUDACC__

#define KERNEL extern "C" __global__
#define FN __device__ inline
#define GLOBAL
#define LOCAL __shared__
#define LOCAL_BARRIER() __syncthreads()

// OpenCL's work-item functions; launches are at most 3-D and every portable kernel is 1-D.
__device__ inline int get_global_id(int d) {
    return d == 0 ? (int) (blockIdx.x * blockDim.x + threadIdx.x)
         : d == 1 ? (int) (blockIdx.y * blockDim.y + threadIdx.y)
                  : (int) (blockIdx.z * blockDim.z + threadIdx.z);
}
__device__ inline int get_local_id(int d) { return d == 0 ? (int) threadIdx.x : d == 1 ? (int) threadIdx.y : (int) threadIdx.z; }
__device__ inline int get_group_id(int d) { return d == 0 ? (int) blockIdx.x : d == 1 ? (int) blockIdx.y : (int) blockIdx.z; }
__device__ inline int get_local_size(int d) { return d == 0 ? (int) blockDim.x : d == 1 ? (int) blockDim.y : (int) blockDim.z; }

__device__ inline int atomic_cmpxchg(int* p, int expected, int value) { return atomicCAS(p, expected, value); }

// OpenCL's saturating float-to-long conversion (NaN to 0), Java's (long) cast.
__device__ inline long convert_long_sat(double x) {
    return x != x ? 0L : x >= 9.2233720368547758e18 ? LONG_MAX : x <= -9.2233720368547758e18 ? LONG_MIN : (long) x;
}

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#else // OpenCL C

#define KERNEL kernel
#define FN inline
#define GLOBAL global
#define LOCAL local
#define LOCAL_BARRIER() barrier(CLK_LOCAL_MEM_FENCE)

#endif
#endif
