// Batched matrix product [..., M, K] x [..., K, N] -> [..., M, N] over any strides: one work-item per output
// element, a plain dot product. Simple and correct; the tuned SGEMM replaces it for speed.
kernel void matmul(global const T* a, global const T* b, global T* out,
                   const Layout aBatch, const Layout bBatch, const Layout outBatch,
                   int m, int n, int k, int aRow, int aCol, int bRow, int bCol, int oRow, int oCol, int total) {
    int gid = get_global_id(0);
    if (gid >= total) return;
    int j = gid % n;
    int rest = gid / n;
    int i = rest % m;
    int t = rest / m;
    int ap = layout_at(aBatch, t) + i * aRow;
    int bp = layout_at(bBatch, t) + j * bCol;
    T sum = 0;
    for (int p = 0; p < k; p++) sum += a[ap + p * aCol] * b[bp + p * bRow];
    out[layout_at(outBatch, t) + i * oRow + j * oCol] = sum;
}
