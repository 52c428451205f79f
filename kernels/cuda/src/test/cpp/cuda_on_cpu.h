// The CUDA C++ that gemm.cu uses, on the CPU, so that its kernels run where no GPU is (GemmKernelsOnTheCpuTest):
// a block is its threads as real threads, __syncthreads a barrier among them, __shared__ arrays statics (blocks
// run one at a time, so a block's threads share them and the next block finds the last one's values, not zeros),
// and the two tensor-core instructions (cvt.rna.tf32.f32, mma.sync.m16n8k8 TF32) are computed as the PTX ISA
// specifies them, lane by lane: each lane hands its fragment registers to its warp, the warp meets, each lane
// computes its own accumulators from everyone's fragments. Built with g++ -std=c++20 and, where available,
// AddressSanitizer (an index past a buffer or a shared array fails the run) and UBSan (a float4 load from an
// address that is not 16-byte aligned fails it, as it would fault on the GPU).
#ifndef JGRAD_CUDA_ON_CPU_H
#define JGRAD_CUDA_ON_CPU_H

#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#define JGRAD_CPU_EMULATION 1
#define __global__
#define __device__
#define __launch_bounds__(n)
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ static

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
struct alignas(16) float4 {
    float x, y, z, w;
};
struct alignas(16) uint4 {
    unsigned x, y, z, w;
};

inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }

inline unsigned __float_as_uint(float f) {
    unsigned u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float __uint_as_float(unsigned u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline thread_local uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

namespace cpu {

// The barriers of the block this thread is running: __syncthreads, and its warp's for mma.
inline thread_local std::barrier<>* block_barrier;
inline thread_local std::barrier<>* warp_barrier;

inline int linear_thread() { return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z); }

// A warp's fragment registers, as its lanes hand them in for one mma.
struct WarpFragments {
    unsigned a[32][4];
    unsigned b[32][2];
};
inline std::vector<WarpFragments> warp_fragments;

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "block (%u, %u, %u) thread (%u, %u, %u): %s\n", blockIdx.x, blockIdx.y, blockIdx.z, threadIdx.x, threadIdx.y, threadIdx.z, what);
    std::exit(3);
}

// Runs `kernel` over the grid, block after block, each block's threads in parallel: one team of threads for the
// launch, which meets between blocks (shared memory is one block's at a time). Each block has barriers of its
// own, so that a thread that returns early drops out of its block's barriers only.
inline void launch(dim3 grid, dim3 block, const std::function<void()>& kernel) {
    const unsigned threads = block.x * block.y * block.z;
    if (threads == 0 || threads > 1024) fail("block of 0 or more than 1024 threads");
    gridDim = grid;
    blockDim = block;
    const unsigned warps = (threads + 31) / 32;
    const unsigned long blocks = (unsigned long) grid.x * grid.y * grid.z;
    warp_fragments.assign(warps, WarpFragments{});
    std::vector<std::unique_ptr<std::barrier<>>> syncs, warpSyncs;
    for (unsigned long b = 0; b < blocks; b++) {
        syncs.push_back(std::make_unique<std::barrier<>>(threads));
        for (unsigned w = 0; w < warps; w++) warpSyncs.push_back(std::make_unique<std::barrier<>>(std::min(32u, threads - 32 * w)));
    }
    std::barrier<> between(threads);
    std::vector<std::thread> team;
    for (unsigned t = 0; t < threads; t++) {
        team.emplace_back([&, t] {
            threadIdx = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
            for (unsigned long b = 0; b < blocks; b++) {
                blockIdx = {(unsigned) (b % grid.x), (unsigned) ((b / grid.x) % grid.y), (unsigned) (b / ((unsigned long) grid.x * grid.y))};
                block_barrier = syncs[b].get();
                warp_barrier = warpSyncs[b * warps + t / 32].get();
                kernel();
                // A thread that has returned no longer holds back the barriers of those still running.
                warp_barrier->arrive_and_drop();
                block_barrier->arrive_and_drop();
                between.arrive_and_wait();
            }
        });
    }
    for (std::thread& t : team) t.join();
}

} // namespace cpu

inline void __syncthreads() { cpu::block_barrier->arrive_and_wait(); }

// cvt.rna.tf32.f32: to 10 mantissa bits, to nearest with ties away from zero; NaN and infinity unchanged.
inline unsigned cpu_cvt_rna_tf32(float x) {
    unsigned u = __float_as_uint(x);
    if ((u & 0x7f800000u) == 0x7f800000u) return u;
    return (u + 0x1000u) & 0xffffe000u;
}

// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 for this lane: d += A (16 x 8) * B (8 x 8), with the
// PTX ISA's fragments (g = lane / 4, t = lane % 4): a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4);
// b0 (k = t, n = g), b1 (k = t + 4, n = g); d0 (g, 2t), d1 (g, 2t + 1), d2 (g + 8, 2t), d3 (g + 8, 2t + 1).
// Every operand must be a TF32 value (low 13 bits clear): the kernel's rounding is checked, not redone.
inline void cpu_mma_m16n8k8_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    const int thread = cpu::linear_thread(), warp = thread / 32, lane = thread % 32;
    cpu::WarpFragments& f = cpu::warp_fragments[warp];
    for (int i = 0; i < 4; i++) {
        if (a[i] & 0x1fffu) cpu::fail("mma: an A operand is not rounded to TF32");
        f.a[lane][i] = a[i];
    }
    for (int i = 0; i < 2; i++) {
        if (b[i] & 0x1fffu) cpu::fail("mma: a B operand is not rounded to TF32");
        f.b[lane][i] = b[i];
    }
    cpu::warp_barrier->arrive_and_wait();
    const int g = lane / 4, t = lane % 4;
    for (int r = 0; r < 4; r++) {
        const int row = g + (r >= 2 ? 8 : 0), col = 2 * t + (r & 1);
        float sum = 0.f;
        for (int k = 0; k < 8; k++) {
            const float av = __uint_as_float(f.a[(row % 8) * 4 + k % 4][(row >= 8 ? 1 : 0) + (k >= 4 ? 2 : 0)]);
            const float bv = __uint_as_float(f.b[col * 4 + k % 4][k >= 4 ? 1 : 0]);
            sum += av * bv;
        }
        d[r] += sum;
    }
    cpu::warp_barrier->arrive_and_wait();   // no lane hands in its next fragments before all have read these
}

#endif
