// Batched strided GEMM for the CUDA backend: C = alpha * A * B + beta * C for `batches` products of M x K by
// K x N. Every operand comes as (offset, row stride, column stride, batch stride) in elements, so transposed and
// sliced views go in without copies (CudaGemm passes them as ClGemm does). CUDA-specific (the portable kernel
// families are in kernels/opencl): the ladder of tiling in shared memory, 2-D register tiles, vectorised float4
// loads where an operand is row-major and 16-byte aligned, and an opt-in TF32 tensor-core kernel (mma.sync).
//
// Tuned for Hopper (H100/H200: 132 SMs, 228 KB shared memory per SM): 128x128 block tiles of 256 threads, each
// computing 8x8 outputs, double-buffered in shared memory, give 2 resident blocks per SM with registers to spare.
// The grid is (N tiles, M tiles, batches); gridDim.z is at most 65535, CudaGemm launches more batches in turns.

// Unlike the portable kernels (built with -fmad=false), GEMM accumulates with fma, as cuBLAS and the vector
// backend do; tests compare it with the reference backend at the usual matmul tolerance.

// Tensor-core code: compiled for sm_80 and up, and where the tests run this file on the CPU
// (src/test/cpp/cuda_on_cpu.h defines JGRAD_CPU_EMULATION and computes the two tensor-core instructions).
#if defined(JGRAD_CPU_EMULATION) || __CUDA_ARCH__ >= 800
#define GEMM_TENSOR_CORES 1
#else
#define GEMM_TENSOR_CORES 0
#endif

struct Operand {
    long offset;
    long rowStride;
    long colStride;
    long batchStride;
};

// ---- SIMT kernel: shared-memory tiles, a TM x TN register tile per thread ------------------------------------

// Loads the BK x BM slice of A (transposed into As[k][m], so that a thread reads its TM rows as one vector) and
// the BK x BN slice of B into Bs[k][n]. VEC: A and B row-major (colStride 1), leading dims multiples of 4 and
// 16-byte aligned bases, read as float4 (only for float).
template <typename T, int BM, int BN, int BK, bool VEC>
__device__ inline void load_tiles(const T* __restrict__ a, const T* __restrict__ b, Operand A, Operand B,
                                  int M, int N, int K, int m0, int n0, int k0,
                                  T (*As)[BM], T (*Bs)[BN]) {
    const int tid = threadIdx.x, threads = blockDim.x;
    if (VEC) {
        // A: BM rows x BK cols, as BK/4 float4 per row.
        for (int v = tid; v < BM * BK / 4; v += threads) {
            int row = v / (BK / 4), col = (v % (BK / 4)) * 4;
            int gm = m0 + row, gk = k0 + col;
            const T* p = a + A.offset + (long) gm * A.rowStride + gk;
            if (gm < M && gk + 3 < K) {
                float4 f = *reinterpret_cast<const float4*>(p);
                As[col][row] = f.x; As[col + 1][row] = f.y; As[col + 2][row] = f.z; As[col + 3][row] = f.w;
            } else {
                for (int j = 0; j < 4; j++) As[col + j][row] = gm < M && gk + j < K ? p[j] : (T) 0;
            }
        }
        // B: BK rows x BN cols, as BN/4 float4 per row.
        for (int v = tid; v < BK * BN / 4; v += threads) {
            int row = v / (BN / 4), col = (v % (BN / 4)) * 4;
            int gk = k0 + row, gn = n0 + col;
            const T* p = b + B.offset + (long) gk * B.rowStride + gn;
            if (gk < K && gn + 3 < N) {
                float4 f = *reinterpret_cast<const float4*>(p);
                Bs[row][col] = f.x; Bs[row][col + 1] = f.y; Bs[row][col + 2] = f.z; Bs[row][col + 3] = f.w;
            } else {
                for (int j = 0; j < 4; j++) Bs[row][col + j] = gk < K && gn + j < N ? p[j] : (T) 0;
            }
        }
    } else {
        for (int v = tid; v < BM * BK; v += threads) {
            int row = v % BM, col = v / BM; // consecutive threads walk M: coalesced for column-major A
            int gm = m0 + row, gk = k0 + col;
            As[col][row] = gm < M && gk < K ? a[A.offset + (long) gm * A.rowStride + (long) gk * A.colStride] : (T) 0;
        }
        for (int v = tid; v < BK * BN; v += threads) {
            int row = v / BN, col = v % BN;
            int gk = k0 + row, gn = n0 + col;
            Bs[row][col] = gk < K && gn < N ? b[B.offset + (long) gk * B.rowStride + (long) gn * B.colStride] : (T) 0;
        }
    }
}

template <typename T, int BM, int BN, int BK, int TM, int TN, bool VEC>
__device__ inline void gemm_tiled(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ c,
                                  Operand A, Operand B, Operand C, int M, int N, int K, T alpha, T beta) {
    __shared__ T As[2][BK][BM];
    __shared__ T Bs[2][BK][BN];
    const long batch = blockIdx.z;
    A.offset += batch * A.batchStride;
    B.offset += batch * B.batchStride;
    C.offset += batch * C.batchStride;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int tx = threadIdx.x % (BN / TN), ty = threadIdx.x / (BN / TN);
    T acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0;

    int stage = 0;
    load_tiles<T, BM, BN, BK, VEC>(a, b, A, B, M, N, K, m0, n0, 0, As[0], Bs[0]);
    __syncthreads();
    for (int k0 = 0; k0 < K; k0 += BK) {
        // Fill the other stage while this one is consumed: one barrier per BK step.
        if (k0 + BK < K) load_tiles<T, BM, BN, BK, VEC>(a, b, A, B, M, N, K, m0, n0, k0 + BK, As[stage ^ 1], Bs[stage ^ 1]);
#pragma unroll
        for (int k = 0; k < BK; k++) {
            T ra[TM], rb[TN];
            // Each thread's rows and columns are strided by the thread grid, so a warp reads consecutive
            // shared-memory words (no bank conflicts) and the outputs it writes are coalesced.
#pragma unroll
            for (int i = 0; i < TM; i++) ra[i] = As[stage][k][ty + i * (BM / TM)];
#pragma unroll
            for (int j = 0; j < TN; j++) rb[j] = Bs[stage][k][tx + j * (BN / TN)];
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TN; j++) acc[i][j] += ra[i] * rb[j];
        }
        __syncthreads();
        stage ^= 1;
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
        int gm = m0 + ty + i * (BM / TM);
        if (gm >= M) continue;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int gn = n0 + tx + j * (BN / TN);
            if (gn >= N) continue;
            long at = C.offset + (long) gm * C.rowStride + (long) gn * C.colStride;
            // beta == 0 never reads C: it may hold NaN (uninitialised memory), as BLAS specifies.
            c[at] = beta == (T) 0 ? alpha * acc[i][j] : alpha * acc[i][j] + beta * c[at];
        }
    }
}

// The SIMT entry points: one instantiation of gemm_tiled each, 256 threads, BK = 8.
#define SIMT_GEMM(name, T, BM, BN, TM, TN, VEC)                                                                      \
    extern "C" __global__ void __launch_bounds__(256) name(const T* a, const T* b, T* c, Operand A, Operand B, Operand C, \
                                                           int M, int N, int K, T alpha, T beta) {                      \
        gemm_tiled<T, BM, BN, 8, TM, TN, VEC>(a, b, c, A, B, C, M, N, K, alpha, beta);                                \
    }

// 128x128 tiles, 8x8 per thread (float); 64x64 tiles, 4x4 per thread (double).
SIMT_GEMM(sgemm_128x128, float, 128, 128, 8, 8, false)
SIMT_GEMM(sgemm_128x128_vec4, float, 128, 128, 8, 8, true)
// 64x128 tiles, 4x8 per thread (float): products of at most 64 rows, as a convolution's with 64 or fewer output
// channels (the weight rows), which would leave half of every 128-row tile empty.
SIMT_GEMM(sgemm_64x128, float, 64, 128, 4, 8, false)
SIMT_GEMM(sgemm_64x128_vec4, float, 64, 128, 4, 8, true)
SIMT_GEMM(dgemm_64x64, double, 64, 64, 4, 4, false)

// ---- FP32 SIMT, second variant (experimental: -Djgrad.cuda.sgemm=v2, row-major aligned operands only) ---------
// The same 128x128 block tile, BK = 8 and 8x8 outputs per thread, with two changes that published SGEMM kernels
// credit with much of the way to cuBLAS: each thread's outputs are 2x2 sub-tiles of 4x4 (rows ty*4 and 64 + ty*4,
// columns tx*4 and 64 + tx*4), so that it reads its A and B fragments from shared memory as four float4 instead
// of sixteen scalars; and the next K slice goes from global memory into registers before the current slice is
// computed, and into the other shared buffer after it, so global latency overlaps the arithmetic (one barrier per
// slice). A's rows are padded by 4 floats so that its transposing stores do not collide in a bank.

#define V2_BM 128
#define V2_BN 128
#define V2_BK 8
#define V2_PAD 4

// This thread's float4 of a slice: A row m0 + tid/2, k columns (tid%2)*4 .. +3; B k row tid/32, columns (tid%32)*4 .. +3.
__device__ inline float4 v2_load4(const float* p, long at, bool full, int valid) {
    if (full) return *reinterpret_cast<const float4*>(p + at);
    float v[4];
#pragma unroll
    for (int j = 0; j < 4; j++) v[j] = j < valid ? p[at + j] : 0.f;
    return make_float4(v[0], v[1], v[2], v[3]);
}

__device__ inline void v2_load_slice(const float* __restrict__ a, const float* __restrict__ b, const Operand& A, const Operand& B,
                                     int M, int N, int K, int m0, int n0, int k0, float4& ra, float4& rb) {
    const int tid = threadIdx.x;
    const int am = m0 + tid / 2, ak = k0 + (tid % 2) * 4;
    ra = am < M ? v2_load4(a, A.offset + (long) am * A.rowStride + ak, ak + 3 < K, K - ak) : make_float4(0.f, 0.f, 0.f, 0.f);
    const int bk = k0 + tid / 32, bn = n0 + (tid % 32) * 4;
    rb = bk < K ? v2_load4(b, B.offset + (long) bk * B.rowStride + bn, bn + 3 < N, N - bn) : make_float4(0.f, 0.f, 0.f, 0.f);
}

__device__ inline void v2_store_slice(float (*As)[V2_BM + V2_PAD], float (*Bs)[V2_BN], const float4& ra, const float4& rb) {
    const int tid = threadIdx.x;
    const int am = tid / 2, ak = (tid % 2) * 4;
    As[ak][am] = ra.x;
    As[ak + 1][am] = ra.y;
    As[ak + 2][am] = ra.z;
    As[ak + 3][am] = ra.w;
    *reinterpret_cast<float4*>(&Bs[tid / 32][(tid % 32) * 4]) = rb;
}

extern "C" __global__ void __launch_bounds__(256) sgemm_128x128_v2(const float* a, const float* b, float* c, Operand A, Operand B, Operand C,
                                                                    int M, int N, int K, float alpha, float beta) {
    __shared__ __align__(16) float As[2][V2_BK][V2_BM + V2_PAD];
    __shared__ __align__(16) float Bs[2][V2_BK][V2_BN];
    const long batch = blockIdx.z;
    A.offset += batch * A.batchStride;
    B.offset += batch * B.batchStride;
    C.offset += batch * C.batchStride;
    const int m0 = blockIdx.y * V2_BM, n0 = blockIdx.x * V2_BN;
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.f;

    float4 ra, rb;
    v2_load_slice(a, b, A, B, M, N, K, m0, n0, 0, ra, rb);
    v2_store_slice(As[0], Bs[0], ra, rb);
    __syncthreads();
    int stage = 0;
    for (int k0 = 0; k0 < K; k0 += V2_BK) {
        const bool more = k0 + V2_BK < K;
        if (more) v2_load_slice(a, b, A, B, M, N, K, m0, n0, k0 + V2_BK, ra, rb);
#pragma unroll
        for (int k = 0; k < V2_BK; k++) {
            const float4 a0 = *reinterpret_cast<const float4*>(&As[stage][k][ty * 4]);
            const float4 a1 = *reinterpret_cast<const float4*>(&As[stage][k][64 + ty * 4]);
            const float4 b0 = *reinterpret_cast<const float4*>(&Bs[stage][k][tx * 4]);
            const float4 b1 = *reinterpret_cast<const float4*>(&Bs[stage][k][64 + tx * 4]);
            const float fa[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float fb[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] += fa[i] * fb[j];
        }
        // The other buffer was last read before the previous barrier: safe to fill now.
        if (more) v2_store_slice(As[stage ^ 1], Bs[stage ^ 1], ra, rb);
        __syncthreads();
        stage ^= 1;
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        const int gm = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4);
        if (gm >= M) continue;
#pragma unroll
        for (int j = 0; j < 8; j++) {
            const int gn = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + j - 4);
            if (gn >= N) continue;
            const long at = C.offset + (long) gm * C.rowStride + (long) gn * C.colStride;
            c[at] = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * c[at];
        }
    }
}

// One thread per output: products too small for a 128x128 tile (CudaGemm picks by size). Within a block,
// threadIdx.x walks columns (coalesced for row-major C); the grid's x dimension walks row blocks, which may be
// many (a batch of a million rows times 10 logits; gridDim.x allows 2^31 - 1), the y dimension column blocks.
template <typename T>
__device__ inline void gemm_small(const T* a, const T* b, T* c, Operand A, Operand B, Operand C, int M, int N, int K, T alpha, T beta) {
    const int n = blockIdx.y * blockDim.x + threadIdx.x, m = blockIdx.x * blockDim.y + threadIdx.y;
    if (m >= M || n >= N) return;
    const long batch = blockIdx.z;
    const T* ap = a + A.offset + batch * A.batchStride + (long) m * A.rowStride;
    const T* bp = b + B.offset + batch * B.batchStride + (long) n * B.colStride;
    T acc = 0;
    for (int k = 0; k < K; k++) acc += ap[(long) k * A.colStride] * bp[(long) k * B.rowStride];
    long at = C.offset + batch * C.batchStride + (long) m * C.rowStride + (long) n * C.colStride;
    c[at] = beta == (T) 0 ? alpha * acc : alpha * acc + beta * c[at];
}

extern "C" __global__ void sgemm_small(const float* a, const float* b, float* c, Operand A, Operand B, Operand C,
                                       int M, int N, int K, float alpha, float beta) {
    gemm_small<float>(a, b, c, A, B, C, M, N, K, alpha, beta);
}

extern "C" __global__ void dgemm_small(const double* a, const double* b, double* c, Operand A, Operand B, Operand C,
                                       int M, int N, int K, double alpha, double beta) {
    gemm_small<double>(a, b, c, A, B, C, M, N, K, alpha, beta);
}

// ---- split-K: the second pass ----------------------------------------------------------------------------------
// CudaGemm splits the K of a product whose few output tiles would leave most SMs idle (GemmSplit): the slices'
// partial products are `slices` row-major M x N blocks of w; one thread per element of C adds them in slice order
// (deterministic, no atomics) and applies alpha and beta. C is not read when beta is 0.
template <typename T>
__device__ inline void gemm_split_sum(const T* __restrict__ w, T* __restrict__ c, Operand C, int M, int N, int slices, T alpha, T beta) {
    const long block = (long) M * N;
    const long id = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (id >= block) return;
    T acc = w[id];
    for (int s = 1; s < slices; s++) acc += w[s * block + id];
    const long at = C.offset + (id / N) * C.rowStride + (id % N) * C.colStride;
    c[at] = beta == (T) 0 ? alpha * acc : alpha * acc + beta * c[at];
}

extern "C" __global__ void sgemm_split_sum(const float* w, float* c, Operand C, int M, int N, int slices, float alpha, float beta) {
    gemm_split_sum<float>(w, c, C, M, N, slices, alpha, beta);
}

extern "C" __global__ void dgemm_split_sum(const double* w, double* c, Operand C, int M, int N, int slices, double alpha, double beta) {
    gemm_split_sum<double>(w, c, C, M, N, slices, alpha, beta);
}

// ---- TF32 tensor cores (opt-in, like PyTorch's allow_tf32) ---------------------------------------------------
// 128x128 block tile, BK = 16, 8 warps as a 2 x 4 grid of 64 x 32 warp tiles; each warp issues 4 x 4
// mma.sync.m16n8k8 (TF32 inputs rounded with cvt.rna, FP32 accumulation) per k-step of 8. Needs sm_80 or newer:
// the entry exists in every PTX target, but below compute_80 its body is empty and CudaGemm never launches it.

#define TC_BM 128
#define TC_BN 128
#define TC_BK 16
#define TC_PAD 4 // shared-memory rows padded so the fragment loads of a warp hit 32 different banks

__device__ inline unsigned to_tf32(float x) {
    unsigned r;
#if defined(JGRAD_CPU_EMULATION)
    r = cpu_cvt_rna_tf32(x);
#elif __CUDA_ARCH__ >= 800
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
#else
    r = __float_as_uint(x);
#endif
    return r;
}

// One k-step of 8 of a warp's 64 x 32 tile: A fragments from As (row-major [m][k], rows LDA words apart), B
// fragments from Bs ([k][n], rows LDB words apart), 4 x 4 mma.sync.m16n8k8 into acc. (g, t) are the lane's
// fragment coordinates (lane / 4, lane % 4), (wm, wn) the warp's tile within the block tile.
template <int LDA, int LDB>
__device__ inline void tc_mma_k8(const unsigned* As, const unsigned* Bs, int kk, int wm, int wn, int g, int t, float (&acc)[4][4][4]) {
#if GEMM_TENSOR_CORES
    unsigned af[4][4], bf[4][2];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int r = wm + i * 16 + g;
        af[i][0] = As[r * LDA + kk + t];
        af[i][1] = As[(r + 8) * LDA + kk + t];
        af[i][2] = As[r * LDA + kk + t + 4];
        af[i][3] = As[(r + 8) * LDA + kk + t + 4];
    }
#pragma unroll
    for (int j = 0; j < 4; j++) {
        const int col = wn + j * 8 + g;
        bf[j][0] = Bs[(kk + t) * LDB + col];
        bf[j][1] = Bs[(kk + t + 4) * LDB + col];
    }
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) {
#if defined(JGRAD_CPU_EMULATION)
            cpu_mma_m16n8k8_tf32(acc[i][j], af[i], bf[j]);
#else
            asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
                         "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                         : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
                         : "r"(af[i][0]), "r"(af[i][1]), "r"(af[i][2]), "r"(af[i][3]), "r"(bf[j][0]), "r"(bf[j][1]));
#endif
        }
#endif
}

// The warp's accumulators to C (alpha, beta). Accumulator fragment: c0 (g, 2t), c1 (g, 2t+1), c2 (g+8, 2t), c3 (g+8, 2t+1).
__device__ inline void tc_store(float* c, const Operand& C, int M, int N, int m0, int n0, int wm, int wn, int g, int t,
                                const float (&acc)[4][4][4], float alpha, float beta) {
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int r = 0; r < 4; r++) {
                int gm = m0 + wm + i * 16 + g + (r >= 2 ? 8 : 0);
                int gn = n0 + wn + j * 8 + 2 * t + (r & 1);
                if (gm < M && gn < N) {
                    long at = C.offset + (long) gm * C.rowStride + (long) gn * C.colStride;
                    c[at] = beta == 0.f ? alpha * acc[i][j][r] : alpha * acc[i][j][r] + beta * c[at];
                }
            }
}

extern "C" __global__ void __launch_bounds__(256) sgemm_tf32_128x128(const float* a, const float* b, float* c, Operand A, Operand B, Operand C,
                                                                       int M, int N, int K, float alpha, float beta) {
#if GEMM_TENSOR_CORES
    __shared__ unsigned As[TC_BM][TC_BK + TC_PAD];  // [m][k], TF32 bits
    __shared__ unsigned Bs[TC_BK][TC_BN + TC_PAD];  // [k][n]
    const long batch = blockIdx.z;
    A.offset += batch * A.batchStride;
    B.offset += batch * B.batchStride;
    C.offset += batch * C.batchStride;
    const int m0 = blockIdx.y * TC_BM, n0 = blockIdx.x * TC_BN;
    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int wm = (warp / 4) * 64, wn = (warp % 4) * 32;   // the warp's tile within the block tile
    const int g = lane / 4, t = lane % 4;                    // mma fragment coordinates
    float acc[4][4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int r = 0; r < 4; r++) acc[i][j][r] = 0.f;

    for (int k0 = 0; k0 < K; k0 += TC_BK) {
        for (int v = tid; v < TC_BM * TC_BK; v += 256) {
            int row = v / TC_BK, col = v % TC_BK, gm = m0 + row, gk = k0 + col;
            As[row][col] = to_tf32(gm < M && gk < K ? a[A.offset + (long) gm * A.rowStride + (long) gk * A.colStride] : 0.f);
        }
        for (int v = tid; v < TC_BK * TC_BN; v += 256) {
            int row = v / TC_BN, col = v % TC_BN, gk = k0 + row, gn = n0 + col;
            Bs[row][col] = to_tf32(gk < K && gn < N ? b[B.offset + (long) gk * B.rowStride + (long) gn * B.colStride] : 0.f);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TC_BK; kk += 8) tc_mma_k8<TC_BK + TC_PAD, TC_BN + TC_PAD>(&As[0][0], &Bs[0][0], kk, wm, wn, g, t, acc);
        __syncthreads();
    }
    tc_store(c, C, M, N, m0, n0, wm, wn, g, t, acc, alpha, beta);
#endif
}

// ---- TF32 tensor cores, second variant (experimental: with -Djgrad.cuda.sgemm=v2, row-major aligned operands) ----
// The same block tile, warps and fragments, with BK = 32 (four k-steps of 8 per slice instead of two), A and B
// read as float4 (four of each per thread per slice) into registers while the current slice is computed, rounded
// to TF32 as they go to shared memory, and B's rows padded by 8 words instead of 4 so that a warp's B fragment
// loads (rows kk + t, columns g) hit 32 different banks too: 8t + g, where a pad of 4 gives 4t + g (two-way).

#define TC2_BK 32
#define TC2_PAD_A 4
#define TC2_PAD_B 8

// This thread's four float4 of A (slice rows q / 8, k columns (q % 8) * 4 ..) and of B (k rows q / 32, columns
// (q % 32) * 4 ..), q = threadIdx.x + 256 s: 128 x 32 and 32 x 128 floats in all.
struct Tc2Slice {
    float4 a[4], b[4];
};

__device__ inline void tc2_load_slice(const float* __restrict__ a, const float* __restrict__ b, const Operand& A, const Operand& B,
                                      int M, int N, int K, int m0, int n0, int k0, Tc2Slice& r) {
    const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
    for (int s = 0; s < 4; s++) {
        const int q = threadIdx.x + 256 * s;
        const int am = m0 + q / 8, ak = k0 + (q % 8) * 4;
        r.a[s] = am < M && ak < K ? v2_load4(a, A.offset + (long) am * A.rowStride + ak, ak + 3 < K, K - ak) : zero;
        const int bk = k0 + q / 32, bn = n0 + (q % 32) * 4;
        r.b[s] = bk < K && bn < N ? v2_load4(b, B.offset + (long) bk * B.rowStride + bn, bn + 3 < N, N - bn) : zero;
    }
}

__device__ inline uint4 tc2_round4(const float4& v) {
    return make_uint4(to_tf32(v.x), to_tf32(v.y), to_tf32(v.z), to_tf32(v.w));
}

__device__ inline void tc2_store_slice(unsigned (*As)[TC2_BK + TC2_PAD_A], unsigned (*Bs)[TC_BN + TC2_PAD_B], const Tc2Slice& r) {
#pragma unroll
    for (int s = 0; s < 4; s++) {
        const int q = threadIdx.x + 256 * s;
        *reinterpret_cast<uint4*>(&As[q / 8][(q % 8) * 4]) = tc2_round4(r.a[s]);
        *reinterpret_cast<uint4*>(&Bs[q / 32][(q % 32) * 4]) = tc2_round4(r.b[s]);
    }
}

extern "C" __global__ void __launch_bounds__(256) sgemm_tf32_v2(const float* a, const float* b, float* c, Operand A, Operand B, Operand C,
                                                                 int M, int N, int K, float alpha, float beta) {
#if GEMM_TENSOR_CORES
    __shared__ __align__(16) unsigned As[TC_BM][TC2_BK + TC2_PAD_A];  // [m][k], TF32 bits
    __shared__ __align__(16) unsigned Bs[TC2_BK][TC_BN + TC2_PAD_B];  // [k][n]
    const long batch = blockIdx.z;
    A.offset += batch * A.batchStride;
    B.offset += batch * B.batchStride;
    C.offset += batch * C.batchStride;
    const int m0 = blockIdx.y * TC_BM, n0 = blockIdx.x * TC_BN;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int wm = (warp / 4) * 64, wn = (warp % 4) * 32;
    const int g = lane / 4, t = lane % 4;
    float acc[4][4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int r = 0; r < 4; r++) acc[i][j][r] = 0.f;

    Tc2Slice slice;
    tc2_load_slice(a, b, A, B, M, N, K, m0, n0, 0, slice);
    tc2_store_slice(As, Bs, slice);
    __syncthreads();
    for (int k0 = 0; k0 < K; k0 += TC2_BK) {
        const bool more = k0 + TC2_BK < K;
        if (more) tc2_load_slice(a, b, A, B, M, N, K, m0, n0, k0 + TC2_BK, slice);   // in flight during the mma below
#pragma unroll
        for (int kk = 0; kk < TC2_BK; kk += 8) tc_mma_k8<TC2_BK + TC2_PAD_A, TC_BN + TC2_PAD_B>(&As[0][0], &Bs[0][0], kk, wm, wn, g, t, acc);
        __syncthreads();   // every warp is done reading this slice
        if (more) {
            tc2_store_slice(As, Bs, slice);
            __syncthreads();
        }
    }
    tc_store(c, C, M, N, m0, n0, wm, wn, g, t, acc, alpha, beta);
#endif
}
