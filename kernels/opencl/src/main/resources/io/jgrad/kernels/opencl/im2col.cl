// The column matrices of a convolution and their adjoint, for ClConvolution's im2col + GEMM formulation.
// For a chunk of `images` images starting at `firstImage`, col is laid out [groups][K][images][P]: K = Cg*kH*kW
// rows (c, kh, kw) per group, P = outH*outW positions (oh, ow) per image, so that one group's rows hold every
// image of the chunk side by side (the weight gradient sums over all of them in one product).

// Filled by ClConvolution.shape in this order.
typedef struct {
    int n, c, h, w, groups, cg, kH, kW, outH, outW, strideH, strideW, padH, padW, dilationH, dilationW;
} ConvShape;

// col[g][(c, kh, kw)][img][(oh, ow)] = input[firstImage + img, g*Cg + c, ih, iw], 0 in the padding,
// with ih = oh*strideH - padH + kh*dilationH (likewise iw). One work-item per column entry.
KERNEL void im2col(GLOBAL const T* input, GLOBAL T* col, const Layout il, const ConvShape s, const int firstImage, const int images) {
    const int P = s.outH * s.outW, K = s.cg * s.kH * s.kW;
    const int gid = get_global_id(0);
    if (gid >= s.groups * K * images * P) return;
    const int q = gid % P, img = (gid / P) % images, r = (gid / (P * images)) % K, g = gid / (P * images * K);
    const int kw = r % s.kW, kh = (r / s.kW) % s.kH, c = r / (s.kW * s.kH);
    const int ih = (q / s.outW) * s.strideH - s.padH + kh * s.dilationH;
    const int iw = (q % s.outW) * s.strideW - s.padW + kw * s.dilationW;
    const bool inside = ih >= 0 && ih < s.h && iw >= 0 && iw < s.w;
    col[gid] = inside ? input[layout_at4(il, firstImage + img, g * s.cg + c, ih, iw)] : (T) 0;
}

// The output index whose window reaches input cell `in` through tap k (shifted = in + pad - k*dilation),
// or -1: shifted must be a non-negative multiple of the stride and the quotient inside the output.
FN int output_index(const int shifted, const int stride, const int outSize) {
    if (shifted < 0 || shifted % stride != 0) return -1;
    const int out = shifted / stride;
    return out < outSize ? out : -1;
}

// The adjoint of im2col as a gather: each input cell of the chunk sums the column entries that read it, in
// (kh, kw) order, and overwrites gradInput. No atomics, so the result is the same on every run.
KERNEL void col2im(GLOBAL const T* col, GLOBAL T* gradInput, const Layout gl, const ConvShape s, const int firstImage, const int images) {
    const int P = s.outH * s.outW, K = s.cg * s.kH * s.kW;
    const int gid = get_global_id(0);
    if (gid >= images * s.c * s.h * s.w) return;
    const int iw = gid % s.w, ih = (gid / s.w) % s.h, ci = (gid / (s.w * s.h)) % s.c, img = gid / (s.w * s.h * s.c);
    const int g = ci / s.cg, c = ci % s.cg;
    T sum = 0;
    for (int kh = 0; kh < s.kH; kh++) {
        const int oh = output_index(ih + s.padH - kh * s.dilationH, s.strideH, s.outH);
        if (oh < 0) continue;
        for (int kw = 0; kw < s.kW; kw++) {
            const int ow = output_index(iw + s.padW - kw * s.dilationW, s.strideW, s.outW);
            if (ow < 0) continue;
            const int r = (c * s.kH + kh) * s.kW + kw;
            sum += col[((g * K + r) * images + img) * P + oh * s.outW + ow];
        }
    }
    gradInput[layout_at4(gl, firstImage + img, ci, ih, iw)] = sum;
}

// out[n, o, oh, ow] += bias[o], then, when relu is set, the ReLU of the sum (as elementwise.cl's UNARY_RELU: NaN
// stays NaN): conv2d's bias and activation in one pass over the output. One work-item per output element.
KERNEL void add_bias(GLOBAL T* out, GLOBAL const T* bias, const Layout ol, const int biasOffset, const int biasStride, const int total,
                     const int relu) {
    const int gid = get_global_id(0);
    if (gid >= total) return;
    const int o = layout_coord(ol, gid, 1);
    const int at = layout_at(ol, gid);
    const T x = out[at] + bias[biasOffset + o * biasStride];
    out[at] = !relu || x > 0 || isnan(x) ? x : (T) 0;
}

// conv2d as an implicit GEMM (opt-in: -Djgrad.conv.implicit=true): out[n, g*Og + o, oh, ow] is the sum over
// k = (c, kh, kw) of weight[g*Og + o, k] * input[n, g*Cg + c, oh*strideH - padH + kh*dilationH, ...] (0 in the
// padding), plus bias[g*Og + o] when hasBias, then ReLU when relu (as add_bias: NaN stays NaN). The column matrix
// of im2col is never written: a work-group stages a CONV_TK-deep slice of the weights (CONV_TO output channels)
// and of the columns (CONV_TQ of the N*P output positions of all images, gathered from the input) in local
// memory, and each of its 16 x 16 work-items keeps 4 x 4 sums, rows ly + 16i and columns lx + 16j, so that
// column loads and stores run along consecutive positions. One launch does what im2col, the GEMM and the bias
// pass did. NDRange: (ceil(N*P / CONV_TQ) * 16, ceil(Og / CONV_TO) * 16, groups), work-groups of 16 x 16.
// The weight is flat from dim 1: row o at wOff + o*wRow.
#define CONV_TO 64
#define CONV_TQ 64
#define CONV_TK 16
KERNEL void conv2d_implicit(GLOBAL const T* input, GLOBAL const T* weight, GLOBAL const T* bias, GLOBAL T* out,
                            const Layout il, const Layout ol, const ConvShape s, const int og, const int wOff, const int wRow,
                            const int bOff, const int bStride, const int hasBias, const int relu) {
    LOCAL T Wl[CONV_TK][CONV_TO];
    LOCAL T Xl[CONV_TK][CONV_TQ];
    const int P = s.outH * s.outW, K = s.cg * s.kH * s.kW, Q = s.n * P;
    const int lx = get_local_id(0), ly = get_local_id(1), lid = ly * 16 + lx;
    const int q0 = get_group_id(0) * CONV_TQ, o0 = get_group_id(1) * CONV_TO, g = get_group_id(2);
    // The column this work-item gathers in every slice (lid % CONV_TQ), decoded once.
    const int myQ = q0 + lid % CONV_TQ;
    const int myImg = myQ / P, myP = myQ % P;
    const int ih0 = (myP / s.outW) * s.strideH - s.padH, iw0 = (myP % s.outW) * s.strideW - s.padW;
    T acc[4][4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) acc[i][j] = 0;
    }
    for (int k0 = 0; k0 < K; k0 += CONV_TK) {
        // Weights: CONV_TO x CONV_TK, consecutive work-items along k (a row of the weight).
        for (int e = lid; e < CONV_TO * CONV_TK; e += 256) {
            const int kk = e % CONV_TK, o = o0 + e / CONV_TK, k = k0 + kk;
            Wl[kk][e / CONV_TK] = o < og && k < K ? weight[wOff + (g * og + o) * wRow + k] : (T) 0;
        }
        // Columns: CONV_TK x CONV_TQ, consecutive work-items along positions.
        for (int kk = lid / CONV_TQ; kk < CONV_TK; kk += 256 / CONV_TQ) {
            const int k = k0 + kk;
            T v = 0;
            if (myQ < Q && k < K) {
                const int kw = k % s.kW, kh = (k / s.kW) % s.kH, c = k / (s.kW * s.kH);
                const int ih = ih0 + kh * s.dilationH, iw = iw0 + kw * s.dilationW;
                if (ih >= 0 && ih < s.h && iw >= 0 && iw < s.w) v = input[layout_at4(il, myImg, g * s.cg + c, ih, iw)];
            }
            Xl[kk][lid % CONV_TQ] = v;
        }
        LOCAL_BARRIER();
        for (int kk = 0; kk < CONV_TK; kk++) {
            T a[4], b[4];
            for (int i = 0; i < 4; i++) a[i] = Wl[kk][ly + 16 * i];
            for (int j = 0; j < 4; j++) b[j] = Xl[kk][lx + 16 * j];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
            }
        }
        LOCAL_BARRIER();
    }
    for (int j = 0; j < 4; j++) {
        const int q = q0 + lx + 16 * j;
        if (q >= Q) continue;
        const int img = q / P, p = q % P, oh = p / s.outW, ow = p % s.outW;
        for (int i = 0; i < 4; i++) {
            const int o = o0 + ly + 16 * i;
            if (o >= og) continue;
            T x = acc[i][j];
            if (hasBias) x += bias[bOff + (g * og + o) * bStride];
            out[layout_at4(ol, img, g * og + o, oh, ow)] = !relu || x > 0 || isnan(x) ? x : (T) 0;
        }
    }
}
