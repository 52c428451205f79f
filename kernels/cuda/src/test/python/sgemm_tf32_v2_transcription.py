# Transcription of sgemm_tf32_v2 (kernels/cuda/src/main/cuda/gemm.cu) into numpy, thread by thread, to check its
# indexing where no GPU is at hand: tiles, the register-staged prefetch, bounds and partial float4 loads, the
# mma.sync.m16n8k8 fragments (as the PTX ISA lays them out per lane), the epilogue. TF32 rounding is left out (exact
# float64 values), so every case must match a plain product to rounding. Keep it in step with the kernel.
#   python3 kernels/cuda/src/test/python/sgemm_tf32_v2_transcription.py     (numpy; about 15 s)
# The GPU test of the kernel itself is CudaEquivalenceTest.secondTf32KernelMatchesTheCpu (gpu-check's tests_cuda).
import numpy as np
BM = BN = 128; BK = 32; PAD_A = 4; PAD_B = 8
LDA = BK + PAD_A; LDB = BN + PAD_B

def load4(p, at, full, valid):
    if full: return list(p[at:at+4])
    return [p[at+j] if j < valid else 0.0 for j in range(4)]

def load_slice(a, b, A, B, M, N, K, m0, n0, k0, tid):
    ra, rb = [], []
    for s in range(4):
        q = tid + 256*s
        am, ak = m0 + q//8, k0 + (q % 8)*4
        ra.append(load4(a, A['offset'] + am*A['rowStride'] + ak, ak+3 < K, K-ak) if (am < M and ak < K) else [0.0]*4)
        bk, bn = k0 + q//32, n0 + (q % 32)*4
        rb.append(load4(b, B['offset'] + bk*B['rowStride'] + bn, bn+3 < N, N-bn) if (bk < K and bn < N) else [0.0]*4)
    return ra, rb

def store_slice(As, Bs, r, tid):
    ra, rb = r
    for s in range(4):
        q = tid + 256*s
        base = (q//8)*LDA + (q % 8)*4
        As[base:base+4] = ra[s]
        base = (q//32)*LDB + (q % 32)*4
        Bs[base:base+4] = rb[s]

def mma_k8(As, Bs, kk, warp, acc):
    wm, wn = (warp//4)*64, (warp % 4)*32
    for i in range(4):
        for j in range(4):
            A16 = np.zeros((16, 8)); B8 = np.zeros((8, 8)); frags = {}
            for lane in range(32):
                g, t = lane//4, lane % 4
                r = wm + i*16 + g
                af = [As[r*LDA + kk + t], As[(r+8)*LDA + kk + t], As[r*LDA + kk + t + 4], As[(r+8)*LDA + kk + t + 4]]
                col = wn + j*8 + g
                bf = [Bs[(kk+t)*LDB + col], Bs[(kk+t+4)*LDB + col]]
                A16[g][t], A16[g+8][t], A16[g][t+4], A16[g+8][t+4] = af
                B8[t][g], B8[t+4][g] = bf
            D = A16 @ B8
            for lane in range(32):
                g, t = lane//4, lane % 4
                acc[warp][lane][i][j] += np.array([D[g][2*t], D[g][2*t+1], D[g+8][2*t], D[g+8][2*t+1]])

def kernel(a, b, c, A, B, C, M, N, K, alpha, beta, grid):
    for bz in range(grid[2]):
        for by in range(grid[1]):
            for bx in range(grid[0]):
                A2, B2, C2 = dict(A), dict(B), dict(C)
                A2['offset'] += bz*A['batchStride']; B2['offset'] += bz*B['batchStride']; C2['offset'] += bz*C['batchStride']
                m0, n0 = by*BM, bx*BN
                acc = np.zeros((8, 32, 4, 4, 4))
                As = np.full(BM*LDA, np.nan); Bs = np.full(BK*LDB, np.nan)
                regs = [load_slice(a, b, A2, B2, M, N, K, m0, n0, 0, tid) for tid in range(256)]
                for tid in range(256): store_slice(As, Bs, regs[tid], tid)
                k0 = 0
                while k0 < K:
                    more = k0 + BK < K
                    if more: regs = [load_slice(a, b, A2, B2, M, N, K, m0, n0, k0 + BK, tid) for tid in range(256)]
                    for kk in range(0, BK, 8):
                        for warp in range(8): mma_k8(As, Bs, kk, warp, acc)
                    if more:
                        for tid in range(256): store_slice(As, Bs, regs[tid], tid)
                    k0 += BK
                for warp in range(8):
                    wm, wn = (warp//4)*64, (warp % 4)*32
                    for lane in range(32):
                        g, t = lane//4, lane % 4
                        for i in range(4):
                            for j in range(4):
                                for r in range(4):
                                    gm = m0 + wm + i*16 + g + (8 if r >= 2 else 0)
                                    gn = n0 + wn + j*8 + 2*t + (r & 1)
                                    if gm < M and gn < N:
                                        at = C2['offset'] + gm*C2['rowStride'] + gn*C2['colStride']
                                        v = acc[warp][lane][i][j][r]
                                        c[at] = alpha*v if beta == 0 else alpha*v + beta*c[at]

def check(M, K, N, batches=1, lda=None, ldb=None, aoff=0, boff=0, alpha=1.0, beta=0.0, seed=0):
    rng = np.random.default_rng(seed)
    lda = lda or K; ldb = ldb or N
    assert lda % 4 == 0 and ldb % 4 == 0 and aoff % 4 == 0 and boff % 4 == 0   # CudaGemm's vectorizable()
    abs_, bbs = M*lda + 4, K*ldb + 4
    abs_ += (-abs_) % 4; bbs += (-bbs) % 4
    a = rng.standard_normal(aoff + batches*abs_ + 8); b = rng.standard_normal(boff + batches*bbs + 8)
    c = rng.standard_normal(batches*M*N)
    c0 = c.copy()
    A = dict(offset=aoff, rowStride=lda, colStride=1, batchStride=abs_)
    B = dict(offset=boff, rowStride=ldb, colStride=1, batchStride=bbs)
    C = dict(offset=0, rowStride=N, colStride=1, batchStride=M*N)
    grid = ((N + BN - 1)//BN, (M + BM - 1)//BM, batches)
    kernel(a, b, c, A, B, C, M, N, K, alpha, beta, grid)
    worst = 0
    for z in range(batches):
        Am = np.array([[a[aoff + z*abs_ + i*lda + k] for k in range(K)] for i in range(M)])
        Bm = np.array([[b[boff + z*bbs + k*ldb + j] for j in range(N)] for k in range(K)])
        ref = alpha*(Am @ Bm) + beta*c0[z*M*N:(z+1)*M*N].reshape(M, N)
        worst = max(worst, np.abs(c[z*M*N:(z+1)*M*N].reshape(M, N) - ref).max())
    print(f"M={M} K={K} N={N} batches={batches} lda={lda} ldb={ldb} aoff={aoff} boff={boff} beta={beta}: max error {worst:.2e}", flush=True)
    assert worst < 1e-9, worst

check(128, 64, 128)
check(129, 132, 260)
check(77, 8, 132)
check(200, 61, 140, lda=68, aoff=4)          # K = 61: a partial float4 at each row's end, rows 68 apart
check(130, 68, 141 - 1, batches=2, ldb=144, boff=8, alpha=0.5, beta=1.0)
check(64, 33, 36, lda=36, ldb=40)             # N = 36 < one tile, K = 33: the second slice has one column
