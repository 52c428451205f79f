// Batched strided GEMM, C = alpha * A * B + beta * C, in the manner of CLBlast's xgemm (Cedric Nugteren):
// a work-group computes an MWG x NWG tile of C, stepping through K in slices of KWG staged in local memory;
// each of its MDIMC x NDIMC work-items keeps an MWI x NWI register tile of accumulators. Vector loads of
// VWM (A) and VWN (B) elements run along whichever dimension of an operand is contiguous.
//
// Every matrix is addressed through two strides, element (r, c) at base + r*rowStride + c*colStride, and a
// batch stride, so transposed and column-major operands need no copy: the host passes their strides.
// Work-group tiles that reach past M, N or K take a guarded scalar load path that fills the local tiles
// with zeros, and stores are guarded, so no size needs padding.
//
// Compile-time parameters (-D): PRECISION (32 or 64), MWG NWG KWG MDIMC NDIMC VWM VWN PADA PADB.
// Checked on the host: MWG % (MDIMC*VWM) == 0, NWG % (NDIMC*VWN) == 0, KWG % VWM == 0, KWG % VWN == 0,
// the tiles divide evenly into vector loads over the work-group, PADA % VWM == 0, PADB % VWN == 0.

#if PRECISION == 64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#ifndef MWG
// Defaults let the tiny-matrix kernel be built without tiling parameters.
#define MWG 8
#define NWG 8
#define KWG 8
#define MDIMC 8
#define NDIMC 8
#define VWM 1
#define VWN 1
#define PADA 0
#define PADB 0
#endif

#define MWI (MWG / MDIMC)           // rows of C per work-item
#define NWI (NWG / NDIMC)           // columns of C per work-item
#define WGS (MDIMC * NDIMC)         // work-items per work-group
#define LDAL (MWG + PADA)           // row length of the local A tile (padding spreads the banks)
#define LDBL (NWG + PADB)

// Vector loads and stores of VWM / VWN reals; width 1 is a plain access (there is no vload1).
#if VWM == 1
#define LOAD_M(p) (*(p))
#define STORE_M(x, p) (*(p) = (x))
#else
#define LOAD_M(p) CAT(vload, VWM)(0, p)
#define STORE_M(x, p) CAT(vstore, VWM)(x, 0, p)
#endif
#if VWN == 1
#define LOAD_N(p) (*(p))
#define STORE_N(x, p) (*(p) = (x))
#else
#define LOAD_N(p) CAT(vload, VWN)(0, p)
#define STORE_N(x, p) CAT(vstore, VWN)(x, 0, p)
#endif

// Stages the XWG x KWG slice of an operand that starts at (x0, k0) into dst[k * LDL + x]: rows x of A
// (x = m) or columns x of B (x = n). xs and ks are the operand's strides along x and k. When the whole
// slice lies inside the matrix and one stride is 1, work-items read VW-wide vectors along that dimension,
// consecutive work-items reading consecutive vectors (coalesced); otherwise each element is read on its
// own, guarded, with zeros past the edge. One body for A and B, instantiated with their widths.
#define DEFINE_LOAD_TILE(NAME, XWG, LDL, VW, LOADV, STOREV)                                                 \
inline void NAME(const __global real* src, const int xs, const int ks, const int X, const int K,             \
                 const int x0, const int k0, __local real* dst, const int tid) {                            \
    const bool inside = x0 + XWG <= X && k0 + KWG <= K;                                                     \
    if (inside && ks == 1) {                                                                                \
        /* contiguous along k: load along k, transpose into the tile */                                     \
        for (int v = tid; v < XWG * KWG / VW; v += WGS) {                                                   \
            const int x = v / (KWG / VW), k = (v % (KWG / VW)) * VW;                                        \
            real part[VW];                                                                                  \
            STOREV(LOADV(src + (x0 + x) * xs + (k0 + k)), part);                                            \
            for (int i = 0; i < VW; i++) dst[(k + i) * LDL + x] = part[i];                                  \
        }                                                                                                   \
    } else if (inside && xs == 1) {                                                                         \
        /* contiguous along x: vectors go straight into the tile row */                                     \
        for (int v = tid; v < XWG * KWG / VW; v += WGS) {                                                   \
            const int k = v / (XWG / VW), x = (v % (XWG / VW)) * VW;                                        \
            STOREV(LOADV(src + (k0 + k) * ks + (x0 + x)), dst + k * LDL + x);                               \
        }                                                                                                   \
    } else {                                                                                                \
        /* an edge slice or a general strided view: one guarded element at a time, the unit-stride */       \
        /* dimension fastest so that neighbouring work-items still read neighbouring addresses */          \
        for (int e = tid; e < XWG * KWG; e += WGS) {                                                        \
            const int x = ks == 1 ? e / KWG : e % XWG, k = ks == 1 ? e % KWG : e / XWG;                     \
            const int gx = x0 + x, gk = k0 + k;                                                             \
            dst[k * LDL + x] = gx < X && gk < K ? src[gx * xs + gk * ks] : (real) 0;                        \
        }                                                                                                   \
    }                                                                                                       \
}

DEFINE_LOAD_TILE(loadTileA, MWG, LDAL, VWM, LOAD_M, STORE_M)
DEFINE_LOAD_TILE(loadTileB, NWG, LDBL, VWN, LOAD_N, STORE_N)

// C[m, n] = alpha * acc + beta * C[m, n]; C is not read when beta == 0, so it may hold NaN garbage.
inline void storeResult(__global real* c, const int index, const real alpha, const real beta, const real acc) {
    c[index] = beta == (real) 0 ? alpha * acc : alpha * acc + beta * c[index];
}

// The tiled kernel. NDRange: (ceil(M/MWG)*MDIMC, ceil(N/NWG)*NDIMC, batches), local (MDIMC, NDIMC, 1).
// Work-item (tm, tn) owns rows m0 + (i / VWM)*MDIMC*VWM + tm*VWM + i % VWM (i < MWI), and likewise columns:
// in every vector step the work-items of a row read consecutive vectors of the local tile.
__kernel __attribute__((reqd_work_group_size(MDIMC, NDIMC, 1)))
void gemm_tiled(const int M, const int N, const int K, const real alpha, const real beta,
                const __global real* restrict A, const int aOff, const int ams, const int aks, const int aBatch,
                const __global real* restrict B, const int bOff, const int bks, const int bns, const int bBatch,
                __global real* C, const int cOff, const int cms, const int cns, const int cBatch) {
    __local real als[KWG * LDAL];
    __local real bls[KWG * LDBL];
    const int tm = get_local_id(0), tn = get_local_id(1), tid = tn * MDIMC + tm;
    const int m0 = get_group_id(0) * MWG, n0 = get_group_id(1) * NWG, batch = get_group_id(2);
    const __global real* a = A + aOff + batch * aBatch;
    const __global real* b = B + bOff + batch * bBatch;

    real acc[MWI][NWI];
    #pragma unroll
    for (int i = 0; i < MWI; i++) {
        #pragma unroll
        for (int j = 0; j < NWI; j++) acc[i][j] = (real) 0;
    }

    for (int k0 = 0; k0 < K; k0 += KWG) {
        loadTileA(a, ams, aks, M, K, m0, k0, als, tid);
        loadTileB(b, bns, bks, N, K, n0, k0, bls, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
        #pragma unroll
        for (int kk = 0; kk < KWG; kk++) {
            real ar[MWI], br[NWI];
            #pragma unroll
            for (int v = 0; v < MWI / VWM; v++) STORE_M(LOAD_M(als + kk * LDAL + (v * MDIMC + tm) * VWM), ar + v * VWM);
            #pragma unroll
            for (int v = 0; v < NWI / VWN; v++) STORE_N(LOAD_N(bls + kk * LDBL + (v * NDIMC + tn) * VWN), br + v * VWN);
            #pragma unroll
            for (int i = 0; i < MWI; i++) {
                #pragma unroll
                for (int j = 0; j < NWI; j++) acc[i][j] = fma(ar[i], br[j], acc[i][j]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    __global real* c = C + cOff + batch * cBatch;
    #pragma unroll
    for (int i = 0; i < MWI; i++) {
        const int m = m0 + (i / VWM * MDIMC + tm) * VWM + i % VWM;
        if (m >= M) continue;
        #pragma unroll
        for (int j = 0; j < NWI; j++) {
            const int n = n0 + (j / VWN * NDIMC + tn) * VWN + j % VWN;
            if (n < N) storeResult(c, m * cms + n * cns, alpha, beta, acc[i][j]);
        }
    }
}

// The fallback for small products, where a tile would be mostly empty: one work-item per element of C.
// NDRange: (M, N, batches) rounded up to the local size.
__kernel void gemm_small(const int M, const int N, const int K, const real alpha, const real beta,
                         const __global real* restrict A, const int aOff, const int ams, const int aks, const int aBatch,
                         const __global real* restrict B, const int bOff, const int bks, const int bns, const int bBatch,
                         __global real* C, const int cOff, const int cms, const int cns, const int cBatch) {
    const int m = get_global_id(0), n = get_global_id(1), batch = get_global_id(2);
    if (m >= M || n >= N) return;
    const __global real* a = A + aOff + batch * aBatch + m * ams;
    const __global real* b = B + bOff + batch * bBatch + n * bns;
    real sum = (real) 0;
    for (int k = 0; k < K; k++) sum = fma(a[k * aks], b[k * bks], sum);
    storeResult(C + cOff + batch * cBatch, m * cms + n * cns, alpha, beta, sum);
}

// Split-K's second pass (ClGemm, GemmSplit): the slices' partial products are `slices` row-major R x Q blocks of W;
// one work-item per element of C adds them in slice order (deterministic, no atomics) and applies alpha and beta.
// C is addressed by (row, column) strides; it is not read when beta is 0. NDRange: R * Q.
__kernel void gemm_split_sum(const int R, const int Q, const int slices, const real alpha, const real beta,
                             const __global real* restrict W, __global real* C, const int cOff, const int crs, const int cqs) {
    const int id = get_global_id(0);
    if (id >= R * Q) return;
    const int block = R * Q;
    real sum = W[id];
    for (int s = 1; s < slices; s++) sum += W[s * block + id];
    storeResult(C + cOff, id / Q * crs + id % Q * cqs, alpha, beta, sum);
}
