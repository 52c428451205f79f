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

// out[n, o, oh, ow] += bias[o]; one work-item per output element.
KERNEL void add_bias(GLOBAL T* out, GLOBAL const T* bias, const Layout ol, const int biasOffset, const int biasStride, const int total) {
    const int gid = get_global_id(0);
    if (gid >= total) return;
    const int o = layout_coord(ol, gid, 1);
    out[layout_at(ol, gid)] += bias[biasOffset + o * biasStride];
}
