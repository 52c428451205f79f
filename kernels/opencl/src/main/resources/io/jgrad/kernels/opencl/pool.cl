// Max and average pooling (NCHW, floor mode) and their gradients, following the reference backend's scan
// orders so that ties, NaNs and sums come out the same. Any strides (rank-4 layouts).

// Filled by ClPooling.geometry in this order.
typedef struct {
    int n, c, h, w, oh, ow;
    int kernelH, kernelW, strideH, strideW, padH, padW;
} PoolGeometry;

// Max of each window and its flat position h*W + w: start from -inf at the window's first in-range cell, take
// a cell when value > max or value is NaN (PyTorch's CPU rule; padding never wins).
KERNEL void max_pool_forward(GLOBAL const T* input, GLOBAL T* out, GLOBAL long* indices,
                             const Layout il, const Layout ol, const Layout xl, const PoolGeometry g) {
    int gid = get_global_id(0);
    if (gid >= g.n * g.c * g.oh * g.ow) return;
    int ow = gid % g.ow, oh = (gid / g.ow) % g.oh, c = (gid / (g.ow * g.oh)) % g.c, n = gid / (g.ow * g.oh * g.c);
    int hStart = oh * g.strideH - g.padH, wStart = ow * g.strideW - g.padW;
    int h0 = max(hStart, 0), h1 = min(hStart + g.kernelH, g.h), w0 = max(wStart, 0), w1 = min(wStart + g.kernelW, g.w);
    long maxIndex = (long) h0 * g.w + w0;
    T best = -INFINITY;
    for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
            T v = input[layout_at4(il, n, c, h, w)];
            if (v > best || isnan(v)) {
                best = v;
                maxIndex = (long) h * g.w + w;
            }
        }
    }
    out[layout_at4(ol, n, c, oh, ow)] = best;
    indices[layout_at4(xl, n, c, oh, ow)] = maxIndex;
}

// One work-item per (n, c) plane: zero the plane, then add every output gradient at its recorded position in
// output order, so overlapping windows add up deterministically.
KERNEL void max_pool_backward(GLOBAL const T* gradOut, GLOBAL const long* indices, GLOBAL T* gradInput,
                              const Layout gl, const Layout xl, const Layout gil, const PoolGeometry g) {
    int plane = get_global_id(0);
    if (plane >= g.n * g.c) return;
    int n = plane / g.c, c = plane % g.c;
    for (int h = 0; h < g.h; h++) {
        for (int w = 0; w < g.w; w++) gradInput[layout_at4(gil, n, c, h, w)] = 0;
    }
    for (int oh = 0; oh < g.oh; oh++) {
        for (int ow = 0; ow < g.ow; ow++) {
            int flat = (int) indices[layout_at4(xl, n, c, oh, ow)];
            gradInput[layout_at4(gil, n, c, flat / g.w, flat % g.w)] += gradOut[layout_at4(gl, n, c, oh, ow)];
        }
    }
}

// The same gradient by input cell, for indices that max_pool_forward made with this geometry (each window's choice
// lies in the window): one work-item per cell sums, in output order, the gradients of the windows that cover it
// and chose it, so overlapping windows add up in max_pool_backward's order without atomics, and every cell is
// written once (no clearing pass) by a thread of its own. With masked set, each gradient is first multiplied by
// ReLU's mask at the window's maximum, reluOut > 0 (a product, as BINARY_RELU_BACKWARD: NaN stays NaN).
KERNEL void max_pool_backward_cells(GLOBAL const T* gradOut, GLOBAL const long* indices, GLOBAL const T* reluOut, GLOBAL T* gradInput,
                                    const Layout gl, const Layout xl, const Layout rl, const Layout gil, const PoolGeometry g,
                                    const int masked) {
    int gid = get_global_id(0);
    if (gid >= g.n * g.c * g.h * g.w) return;
    int iw = gid % g.w, ih = (gid / g.w) % g.h, c = (gid / (g.w * g.h)) % g.c, n = gid / (g.w * g.h * g.c);
    int hFirst = ih + g.padH - g.kernelH < 0 ? 0 : (ih + g.padH - g.kernelH) / g.strideH + 1;
    int hLast = min(g.oh - 1, (ih + g.padH) / g.strideH);
    int wFirst = iw + g.padW - g.kernelW < 0 ? 0 : (iw + g.padW - g.kernelW) / g.strideW + 1;
    int wLast = min(g.ow - 1, (iw + g.padW) / g.strideW);
    long self = (long) ih * g.w + iw;
    T sum = 0;
    for (int oh = hFirst; oh <= hLast; oh++) {
        for (int ow = wFirst; ow <= wLast; ow++) {
            if (indices[layout_at4(xl, n, c, oh, ow)] != self) continue;
            T grad = gradOut[layout_at4(gl, n, c, oh, ow)];
            sum += masked ? grad * (reluOut[layout_at4(rl, n, c, oh, ow)] > 0 ? (T) 1 : (T) 0) : grad;
        }
    }
    gradInput[layout_at4(gil, n, c, ih, iw)] = sum;
}

// Sum of the window's in-range cells over kernelH*kernelW (padding counts in the divisor).
KERNEL void avg_pool_forward(GLOBAL const T* input, GLOBAL T* out, const Layout il, const Layout ol, const PoolGeometry g) {
    int gid = get_global_id(0);
    if (gid >= g.n * g.c * g.oh * g.ow) return;
    int ow = gid % g.ow, oh = (gid / g.ow) % g.oh, c = (gid / (g.ow * g.oh)) % g.c, n = gid / (g.ow * g.oh * g.c);
    int hStart = oh * g.strideH - g.padH, wStart = ow * g.strideW - g.padW;
    int h0 = max(hStart, 0), h1 = min(hStart + g.kernelH, g.h), w0 = max(wStart, 0), w1 = min(wStart + g.kernelW, g.w);
    T sum = 0;
    for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) sum += input[layout_at4(il, n, c, h, w)];
    }
    out[layout_at4(ol, n, c, oh, ow)] = sum / (T) (g.kernelH * g.kernelW);
}

// One work-item per input cell: the sum of the shares of every window that covers it, in output order.
KERNEL void avg_pool_backward(GLOBAL const T* gradOut, GLOBAL T* gradInput, const Layout gl, const Layout gil, const PoolGeometry g) {
    int gid = get_global_id(0);
    if (gid >= g.n * g.c * g.h * g.w) return;
    int iw = gid % g.w, ih = (gid / g.w) % g.h, c = (gid / (g.w * g.h)) % g.c, n = gid / (g.w * g.h * g.c);
    // Windows oh with oh*strideH - padH <= ih < oh*strideH - padH + kernelH (likewise for w).
    int hFirst = ih + g.padH - g.kernelH < 0 ? 0 : (ih + g.padH - g.kernelH) / g.strideH + 1;
    int hLast = min(g.oh - 1, (ih + g.padH) / g.strideH);
    int wFirst = iw + g.padW - g.kernelW < 0 ? 0 : (iw + g.padW - g.kernelW) / g.strideW + 1;
    int wLast = min(g.ow - 1, (iw + g.padW) / g.strideW);
    T divisor = (T) (g.kernelH * g.kernelW);
    T sum = 0;
    for (int oh = hFirst; oh <= hLast; oh++) {
        for (int ow = wFirst; ow <= wLast; ow++) sum += gradOut[layout_at4(gl, n, c, oh, ow)] / divisor;
    }
    gradInput[layout_at4(gil, n, c, ih, iw)] = sum;
}
