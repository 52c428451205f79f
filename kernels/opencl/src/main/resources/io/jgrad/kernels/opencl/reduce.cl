// Reductions (sum, mean, amax, amin over any set of dims), arg-max/min along one dim, and softmax rows.
// The host splits x's layout in two: `outer` walks the kept dims (one position per output element) and
// `inner` (offset 0) walks the reduced dims relative to it. The host passes ReduceOp's size: a constant added in
// Java without its case in reduce_combine stops the build here (see elementwise.cl).
#define REDUCE_CASES 4
#if REDUCE_COUNT != REDUCE_CASES
#error "ReduceOp has a constant without its case in reduce.cl: add the case and count it in REDUCE_CASES"
#endif

FN T reduce_init(int op) {
#ifdef INTEGRAL
    return op == REDUCE_AMAX ? LONG_MIN : op == REDUCE_AMIN ? LONG_MAX : 0;
#else
    return op == REDUCE_AMAX ? (T) -INFINITY : op == REDUCE_AMIN ? (T) INFINITY : (T) 0;
#endif
}

// A NaN wins amax/amin and then stays, as in the reference backend.
FN T reduce_combine(int op, T acc, T v) {
    switch (op) {
        case REDUCE_AMAX: return (v > acc || IS_NAN(v)) && !IS_NAN(acc) ? v : acc;
        case REDUCE_AMIN: return (v < acc || IS_NAN(v)) && !IS_NAN(acc) ? v : acc;
        case REDUCE_SUM: case REDUCE_MEAN:
        default: return acc + v;
    }
}

FN T reduce_finish(int op, T acc, T count) {
    return op == REDUCE_MEAN ? acc / count : acc;
}

// One work-item per output element: for short reductions (or many outputs).
KERNEL void reduce_serial(GLOBAL const T* x, GLOBAL T* out, const Layout outer, const Layout inner, const Layout ol,
                          int nOut, int nInner, int op, T count) {
    int o = get_global_id(0);
    if (o >= nOut) return;
    int base = layout_at(outer, o);
    T acc = reduce_init(op);
    for (int k = 0; k < nInner; k++) acc = reduce_combine(op, acc, x[base + layout_at(inner, k)]);
    out[layout_at(ol, o)] = reduce_finish(op, acc, count);
}

// One work-group per output element: each work-item strides over the reduced elements, then a tree in local
// memory combines the partial results. The host launches work-groups of REDUCE_GROUP items, a power of two
// (defined by the host, from the Java constant).
KERNEL void reduce_group(GLOBAL const T* x, GLOBAL T* out, const Layout outer, const Layout inner, const Layout ol,
                         int nOut, int nInner, int op, T count) {
    LOCAL T partial[REDUCE_GROUP];
    int o = get_group_id(0), lid = get_local_id(0), size = REDUCE_GROUP;
    int base = layout_at(outer, o);
    T acc = reduce_init(op);
    for (int k = lid; k < nInner; k += size) acc = reduce_combine(op, acc, x[base + layout_at(inner, k)]);
    partial[lid] = acc;
    LOCAL_BARRIER();
    for (int active = size / 2; active > 0; active /= 2) {
        if (lid < active) partial[lid] = reduce_combine(op, partial[lid], partial[lid + active]);
        LOCAL_BARRIER();
    }
    if (lid == 0) out[layout_at(ol, o)] = reduce_finish(op, partial[0], count);
}

// Index of the first largest (isMax) or smallest element along one dim; a NaN wins and ends the scan.
KERNEL void arg_reduce(GLOBAL const T* x, GLOBAL long* out, const Layout xl, const Layout ol, int nOut, int len, int stride, int isMax) {
    int o = get_global_id(0);
    if (o >= nOut) return;
    int base = layout_at(xl, o);
    int best = 0;
    T bestValue = x[base];
    for (int k = 1; k < len && !IS_NAN(bestValue); k++) {
        T v = x[base + k * stride];
        if (IS_NAN(v) || (isMax ? v > bestValue : v < bestValue)) {
            best = k;
            bestValue = v;
        }
    }
    out[layout_at(ol, o)] = best;
}

#ifndef INTEGRAL
// Softmax (or log-softmax) of one row per work-item: subtract the row maximum so nothing overflows; a row of
// -inf keeps max 0 so that exp(-inf) = 0. xl and ol locate each row's first element.
KERNEL void softmax_rows(GLOBAL const T* x, GLOBAL T* out, const Layout xl, const Layout ol,
                         int rows, int len, int xStride, int outStride, int logOut) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int xp = layout_at(xl, r), op = layout_at(ol, r);
    T m = -INFINITY;
    for (int k = 0; k < len; k++) {
        T v = x[xp + k * xStride];
        m = (v > m || isnan(v)) && !isnan(m) ? v : m;
    }
    if (m == -INFINITY) m = 0;
    T sum = 0;
    for (int k = 0; k < len; k++) sum += exp(x[xp + k * xStride] - m);
    T logSum = log(sum);
    for (int k = 0; k < len; k++) {
        T shifted = x[xp + k * xStride] - m;
        out[op + k * outStride] = logOut ? shifted - logSum : exp(shifted) / sum;
    }
}
#endif
