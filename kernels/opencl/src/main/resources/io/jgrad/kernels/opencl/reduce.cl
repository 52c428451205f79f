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
// The maximum of a row of len elements step apart (NaN if one is NaN), or 0 for a row of -inf so that
// exp(-inf - 0) = 0: what softmax and cross-entropy subtract before exponentiating.
FN T row_shift(GLOBAL const T* x, int at, int len, int step) {
    T m = -INFINITY;
    for (int k = 0; k < len; k++) {
        T v = x[at + k * step];
        m = (v > m || isnan(v)) && !isnan(m) ? v : m;
    }
    return m == -INFINITY ? (T) 0 : m;
}

// Softmax (or log-softmax) of one row per work-item: subtract the row maximum so nothing overflows; a row of
// -inf keeps max 0 so that exp(-inf) = 0. xl and ol locate each row's first element.
KERNEL void softmax_rows(GLOBAL const T* x, GLOBAL T* out, const Layout xl, const Layout ol,
                         int rows, int len, int xStride, int outStride, int logOut) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int xp = layout_at(xl, r), op = layout_at(ol, r);
    T m = row_shift(x, xp, len, xStride);
    T sum = 0;
    for (int k = 0; k < len; k++) sum += exp(x[xp + k * xStride] - m);
    T logSum = log(sum);
    for (int k = 0; k < len; k++) {
        T shifted = x[xp + k * xStride] - m;
        out[op + k * outStride] = logOut ? shifted - logSum : exp(shifted) / sum;
    }
}
// Class-index cross-entropy (Backend.crossEntropy): the three kernels of a classification loss. Rows are the
// logits' [...rows, C] views: xl locates each row's first logit (the classes xStep apart), tl its target, and the
// other row arrays are contiguous (loss [rows], stats [rows, 3]: max, log-sum, target weight) or, in the backward,
// their own layouts. wl is the class weights' layout when hasWeight. A target outside [0, C) that is not
// ignoreIndex is reported (op code 5; the host throws at its next read) and gives that row a NaN loss.

FN T class_weight(GLOBAL const T* weight, const Layout wl, int hasWeight, int c) {
    return hasWeight ? weight[layout_at(wl, c)] : (T) 1;
}

// Row r's loss, its stats written: the row's log-sum-exp as softmax_rows computes it, then the weighted, smoothed loss.
FN T cross_entropy_row(GLOBAL const T* x, GLOBAL const long* target, GLOBAL const T* weight, GLOBAL T* stats,
                       const Layout xl, const Layout tl, const Layout wl, int r, int classes, int xStep,
                       int hasWeight, long ignoreIndex, T eps, GLOBAL int* err) {
    int at = layout_at(xl, r);
    T m = row_shift(x, at, classes, xStep);
    T sum = 0;
    for (int k = 0; k < classes; k++) sum += exp(x[at + k * xStep] - m);
    T logSum = log(sum);
    long t = target[layout_at(tl, r)];
    int kept = t != ignoreIndex, bad = kept && (t < 0 || t >= classes);
    if (bad) report_bad_index(err, 5, t, classes);
    T wt = 0, value = 0;
    if (kept && !bad) {
        wt = class_weight(weight, wl, hasWeight, (int) t);
        value = -wt * ((x[at + (int) t * xStep] - m) - logSum) * ((T) 1 - eps);
        if (eps > 0) {
            T uniform = 0;
            for (int k = 0; k < classes; k++) uniform -= class_weight(weight, wl, hasWeight, k) * ((x[at + k * xStep] - m) - logSum);
            value += eps / classes * uniform;
        }
    }
    stats[3 * r] = m;
    stats[3 * r + 1] = logSum;
    stats[3 * r + 2] = bad ? (T) NAN : wt;
    return bad ? (T) NAN : value;
}

// One row per work-item.
KERNEL void cross_entropy_rows(GLOBAL const T* x, GLOBAL const long* target, GLOBAL const T* weight, GLOBAL T* loss, GLOBAL T* stats,
                               const Layout xl, const Layout tl, const Layout wl, int rows, int classes, int xStep,
                               int hasWeight, long ignoreIndex, T eps, GLOBAL int* err) {
    int r = get_global_id(0);
    if (r >= rows) return;
    loss[r] = cross_entropy_row(x, target, weight, stats, xl, tl, wl, r, classes, xStep, hasWeight, ignoreIndex, eps, err);
}

// One work-group of REDUCE_GROUP items: total = {Σ loss (/ Σ w_t for the mean; NaN when that is 0), divisor}. With
// computeRows, the work-group first computes every row's loss and stats itself (cross_entropy_rows' work, strided
// over its items: the whole forward of a small batch's loss in one launch); without, it reads what
// cross_entropy_rows wrote, and x, target and weight are not read.
KERNEL void cross_entropy_total(GLOBAL const T* x, GLOBAL const long* target, GLOBAL const T* weight, GLOBAL T* loss, GLOBAL T* stats,
                                GLOBAL T* total, const Layout xl, const Layout tl, const Layout wl, int rows, int classes, int xStep,
                                int hasWeight, long ignoreIndex, T eps, GLOBAL int* err, int mean, int computeRows) {
    LOCAL T partial[2 * REDUCE_GROUP];
    int lid = get_local_id(0), size = REDUCE_GROUP;
    T sum = 0, weights = 0;
    for (int r = lid; r < rows; r += size) {
        if (computeRows) loss[r] = cross_entropy_row(x, target, weight, stats, xl, tl, wl, r, classes, xStep, hasWeight, ignoreIndex, eps, err);
        sum += loss[r];
        weights += stats[3 * r + 2];
    }
    partial[lid] = sum;
    partial[size + lid] = weights;
    LOCAL_BARRIER();
    for (int active = size / 2; active > 0; active /= 2) {
        if (lid < active) {
            partial[lid] += partial[lid + active];
            partial[size + lid] += partial[size + lid + active];
        }
        LOCAL_BARRIER();
    }
    if (lid == 0) {
        T s = partial[0], w = partial[size];
        T divisor = !mean || w == 0 ? (T) 1 : w;
        total[0] = mean && w == 0 ? (T) NAN : s / divisor;
        total[1] = divisor;
    }
}

// One row per work-item: gradX[c] = s·((1 - ε)·w_t·(p_c - [c = t]) + ε/C·(W·p_c - w_c)), s = gradLoss / divisor.
KERNEL void cross_entropy_backward(GLOBAL const T* x, GLOBAL const long* target, GLOBAL const T* weight, GLOBAL const T* stats,
                                   GLOBAL const T* gradLoss, GLOBAL const T* divisor, GLOBAL T* gradX,
                                   const Layout xl, const Layout tl, const Layout wl, const Layout gl, const Layout dl, const Layout gxl,
                                   int rows, int classes, int xStep, int gxStep, int hasWeight, int hasDivisor, long ignoreIndex, T eps) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int at = layout_at(xl, r), gat = layout_at(gxl, r);
    T m = stats[3 * r], logSum = stats[3 * r + 1], wt = stats[3 * r + 2];
    T scale = gradLoss[layout_at(gl, r)] / (hasDivisor ? divisor[layout_at(dl, r)] : (T) 1);
    long t = target[layout_at(tl, r)];
    int smoothed = t != ignoreIndex && eps > 0;
    T all = 0;
    if (smoothed) for (int k = 0; k < classes; k++) all += class_weight(weight, wl, hasWeight, k);
    for (int k = 0; k < classes; k++) {
        T p = exp((x[at + k * xStep] - m) - logSum);
        T g = ((T) 1 - eps) * wt * (p - (k == t ? (T) 1 : (T) 0));
        if (smoothed) g += eps / classes * (all * p - class_weight(weight, wl, hasWeight, k));
        gradX[gat + k * gxStep] = scale * g;
    }
}
#endif
