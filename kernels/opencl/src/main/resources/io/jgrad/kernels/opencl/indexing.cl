// gather / scatter-add and index-select / index-add. The adding kernels run one work-item per target element
// and scan the index for the positions that point at it, in the reference backend's order: deterministic,
// no atomics. Index values are int64. NDArray checks host indices; device indices are not read back (that
// would block), so an index outside the dim is skipped and reported through err (report_bad_index), and the
// host throws at its next read. Op codes: 1 gather, 2 scatterAdd, 3 indexSelect, 4 indexAdd.

// out[i] = x[i with i[dim] replaced by index[i]]. xl is x "pinned": the index's shape, x's strides with the
// stride of dim set to 0; xDimStride steps along dim.
KERNEL void gather(GLOBAL const T* x, GLOBAL const long* index, GLOBAL T* out,
                   const Layout xl, const Layout il, const Layout ol, int n, int xDimStride, int dimSize, GLOBAL int* err) {
    int i = get_global_id(0);
    if (i >= n) return;
    long j = index[layout_at(il, i)];
    if (j < 0 || j >= dimSize) report_bad_index(err, 1, j, dimSize);
    out[layout_at(ol, i)] = j >= 0 && j < dimSize ? x[layout_at(xl, i) + (int) j * xDimStride] : (T) 0;
}

// target[c] += src[c'] for every index position c' (c' equal to c outside dim) with index[c'] == c[dim].
// tl, il, sl are target, index and src with their own shapes.
KERNEL void scatter_add(GLOBAL T* target, GLOBAL const long* index, GLOBAL const T* src,
                        const Layout tl, const Layout il, const Layout sl, int n, int dim, GLOBAL int* err) {
    int t = get_global_id(0);
    if (t >= n) return;
    int coord[MAX_RANK];
    layout_coords(tl, t, coord);
    for (int d = 0; d < tl.rank; d++) {
        if (d != dim && coord[d] >= il.shape[d]) return; // no index position reaches this element
    }
    int target_at = layout_at_coords(tl, coord);
    int j = tl.rank == 0 ? 0 : coord[dim];
    int len = il.rank == 0 ? 1 : il.shape[dim];
    T acc = target[target_at];
    int dimSize = tl.rank == 0 ? 1 : tl.shape[dim];
    for (int p = 0; p < len; p++) {
        if (il.rank > 0) coord[dim] = p;
        long k = index[layout_at_coords(il, coord)];
        if (k == j) acc += src[layout_at_coords(sl, coord)];
        else if (j == 0 && (k < 0 || k >= dimSize)) report_bad_index(err, 2, k, dimSize); // checked by the dim's first element only
    }
    target[target_at] = acc;
}

// Slice c[dim] of out is slice index[c[dim]] of x. ol and xl have out's shape (xl with x's strides).
KERNEL void index_select(GLOBAL const T* x, GLOBAL const long* index, GLOBAL T* out,
                         const Layout xl, const Layout ol, int n, int dim, int indexOffset, int indexStride, int dimSize,
                         GLOBAL int* err) {
    int i = get_global_id(0);
    if (i >= n) return;
    int coord[MAX_RANK];
    layout_coords(ol, i, coord);
    long j = index[indexOffset + coord[dim] * indexStride];
    if (j < 0 || j >= dimSize) {
        report_bad_index(err, 3, j, dimSize);
        out[layout_at(ol, i)] = 0;
        return;
    }
    coord[dim] = (int) j;
    out[layout_at(ol, i)] = x[layout_at_coords(xl, coord)];
}

// target[c] += src[c with dim = i] for every i with index[i] == c[dim], in increasing i.
KERNEL void index_add(GLOBAL T* target, GLOBAL const long* index, GLOBAL const T* src,
                      const Layout tl, const Layout sl, int n, int dim, int indexOffset, int indexStride, int indexCount,
                      GLOBAL int* err) {
    int t = get_global_id(0);
    if (t >= n) return;
    int coord[MAX_RANK];
    layout_coords(tl, t, coord);
    int target_at = layout_at_coords(tl, coord);
    int j = coord[dim];
    T acc = target[target_at];
    int dimSize = tl.shape[dim];
    for (int i = 0; i < indexCount; i++) {
        long k = index[indexOffset + i * indexStride];
        if (k == j) {
            coord[dim] = i;
            acc += src[layout_at_coords(sl, coord)];
        } else if (j == 0 && (k < 0 || k >= dimSize)) {
            report_bad_index(err, 4, k, dimSize); // checked by the dim's first element only
        }
    }
    target[target_at] = acc;
}
