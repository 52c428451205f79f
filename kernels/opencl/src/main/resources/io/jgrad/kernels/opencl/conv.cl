// Direct 2-D convolution (NCHW) and its two gradients, one work-item per element written, each a single sum
// in the order of the reference backend. Any strides (rank-4 layouts).

// Filled by ClConvolution.geometry in this order.
typedef struct {
    int n, c, h, w;        // input
    int o, cg, og;         // output channels, input channels per group, output channels per group
    int kh, kw, oh, ow;    // kernel and output plane
    int strideH, strideW, padH, padW, dilationH, dilationW;
} ConvGeometry;

kernel void conv2d_forward(global const T* input, global const T* weight, global const T* bias, global T* out,
                           const Layout il, const Layout wl, const Layout ol, int biasOffset, int biasStride, int hasBias,
                           const ConvGeometry g) {
    int gid = get_global_id(0);
    if (gid >= g.n * g.o * g.oh * g.ow) return;
    int ow = gid % g.ow, oh = (gid / g.ow) % g.oh, o = (gid / (g.ow * g.oh)) % g.o, n = gid / (g.ow * g.oh * g.o);
    int firstChannel = (o / g.og) * g.cg;
    T sum = hasBias ? bias[biasOffset + o * biasStride] : (T) 0;
    for (int c = 0; c < g.cg; c++) {
        for (int kh = 0; kh < g.kh; kh++) {
            int ih = oh * g.strideH - g.padH + kh * g.dilationH;
            if (ih < 0 || ih >= g.h) continue;
            for (int kw = 0; kw < g.kw; kw++) {
                int iw = ow * g.strideW - g.padW + kw * g.dilationW;
                if (iw < 0 || iw >= g.w) continue;
                sum += input[layout_at4(il, n, firstChannel + c, ih, iw)] * weight[layout_at4(wl, o, c, kh, kw)];
            }
        }
    }
    out[layout_at4(ol, n, o, oh, ow)] = sum;
}

// The output position that tap k of the forward formula maps onto input position `shifted` = in + pad - k*dilation,
// or -1 when the division by the stride is not exact or lands outside the output.
inline int conv_output_index(int shifted, int stride, int outSize) {
    if (shifted < 0 || shifted % stride != 0) return -1;
    int o = shifted / stride;
    return o < outSize ? o : -1;
}

kernel void conv2d_backward_input(global const T* gradOut, global const T* weight, global T* gradInput,
                                  const Layout gl, const Layout wl, const Layout gil, const ConvGeometry g) {
    int gid = get_global_id(0);
    if (gid >= g.n * g.c * g.h * g.w) return;
    int iw = gid % g.w, ih = (gid / g.w) % g.h, ci = (gid / (g.w * g.h)) % g.c, n = gid / (g.w * g.h * g.c);
    int group = ci / g.cg, c = ci % g.cg;
    T sum = 0;
    for (int o = group * g.og; o < (group + 1) * g.og; o++) {
        for (int kh = 0; kh < g.kh; kh++) {
            int oh = conv_output_index(ih + g.padH - kh * g.dilationH, g.strideH, g.oh);
            if (oh < 0) continue;
            for (int kw = 0; kw < g.kw; kw++) {
                int ow = conv_output_index(iw + g.padW - kw * g.dilationW, g.strideW, g.ow);
                if (ow < 0) continue;
                sum += gradOut[layout_at4(gl, n, o, oh, ow)] * weight[layout_at4(wl, o, c, kh, kw)];
            }
        }
    }
    gradInput[layout_at4(gil, n, ci, ih, iw)] = sum;
}

kernel void conv2d_backward_weight(global const T* input, global const T* gradOut, global T* gradWeight,
                                   const Layout il, const Layout gl, const Layout gwl, const ConvGeometry g) {
    int gid = get_global_id(0);
    if (gid >= g.o * g.cg * g.kh * g.kw) return;
    int kw = gid % g.kw, kh = (gid / g.kw) % g.kh, c = (gid / (g.kw * g.kh)) % g.cg, o = gid / (g.kw * g.kh * g.cg);
    int ci = (o / g.og) * g.cg + c;
    T sum = 0;
    for (int n = 0; n < g.n; n++) {
        for (int oh = 0; oh < g.oh; oh++) {
            int ih = oh * g.strideH - g.padH + kh * g.dilationH;
            if (ih < 0 || ih >= g.h) continue;
            for (int ow = 0; ow < g.ow; ow++) {
                int iw = ow * g.strideW - g.padW + kw * g.dilationW;
                if (iw < 0 || iw >= g.w) continue;
                sum += input[layout_at4(il, n, ci, ih, iw)] * gradOut[layout_at4(gl, n, o, oh, ow)];
            }
        }
    }
    gradWeight[layout_at4(gwl, o, c, kh, kw)] = sum;
}
