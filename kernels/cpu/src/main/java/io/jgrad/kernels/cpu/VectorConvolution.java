package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;

/**
 * Float32 convolution (NCHW) and its gradients as matrix products over im2col columns, with the notation of
 * {@link ReferenceConvolution}. For image {@code n} and group {@code g}, let {@code col} be the
 * {@code K x P} matrix with {@code K = Cg·kH·kW} rows (one per input channel and kernel tap) and
 * {@code P = outH·outW} columns, {@code col[(c, kh, kw), (oh, ow)] = in[n, g·Cg + c, ih, iw]} (0 in the
 * padding), and {@code W_g} the {@code Og x K} rows of the weight of group g. Then
 *
 * <pre>
 * out[n, g]       = W_g · col                  (Og x P; bias first, then accumulated onto)
 * col-gradient    = W_g^T · gradOut[n, g]      (K x P), scattered back by col2im into gradInput[n, g]
 * gradWeight[g]   = Σ_n gradOut[n, g] · col^T  (Og x K)
 * </pre>
 *
 * computed by {@link VectorGemm#sgemm}. Forward and input gradient run one task per (image, group); the
 * weight gradient sums fixed chunks of {@link #IMAGES_PER_CHUNK} images into partial results that are added
 * in chunk order, so no result depends on the number of threads.
 */
final class VectorConvolution {

    /** Images per partial sum of the weight gradient (fixed, so the summation order is too). */
    static final int IMAGES_PER_CHUNK = 8;

    private VectorConvolution() {
    }

    /** The sizes of one convolution, read once from the arrays. */
    private record Geometry(int batch, int channels, int height, int width, int outChannels, int cg, int kH, int kW,
                            int outH, int outW, int groups, ConvParams p) {

        static Geometry of(int[] in, int[] w, int[] out, ConvParams p) {
            return new Geometry(in[0], in[1], in[2], in[3], w[0], w[1], w[2], w[3], out[2], out[3], p.groups(), p);
        }

        int og() {
            return outChannels / groups;
        }

        /** Rows of a column matrix. */
        int k() {
            return cg * kH * kW;
        }

        /** Columns of a column matrix. */
        int positions() {
            return outH * outW;
        }
    }

    static void forward(NDArray input, NDArray weight, NDArray bias, ConvParams p, NDArray out, KernelPool pool) {
        Geometry g = Geometry.of(input.shape(), weight.shape(), out.shape(), p);
        NDArray w = weight.contiguous(), o = out.isContiguous() ? out : null;
        NDArray target = o != null ? o : NDArray.zeros(out.dtype(), out.shape());
        float[] is = VectorGemm.floats(input), ws = VectorGemm.floats(w), os = VectorGemm.floats(target);
        float[] bs = bias == null ? null : VectorGemm.floats(bias);
        int k = g.k(), positions = g.positions(), og = g.og();
        pool.run(g.batch() * g.groups(), task -> {
            int n = task / g.groups(), group = task % g.groups();
            float[] col = Workspace.local().floats(Workspace.Slot.COLUMNS, k * positions);
            im2col(input, is, n, group, g, col);
            int outPos = target.offset() + n * target.stride(0) + group * og * positions;
            if (bs != null) {
                for (int oc = 0; oc < og; oc++) {
                    float b = bs[bias.offset() + (group * og + oc) * bias.stride(0)];
                    java.util.Arrays.fill(os, outPos + oc * positions, outPos + (oc + 1) * positions, b);
                }
            }
            VectorGemm.sgemm(og, positions, k, ws, w.offset() + group * og * k, k, 1, col, 0, positions, 1,
                    os, outPos, positions, 1, bs != null);
        }, (long) g.batch() * g.outChannels() * k * positions >= VectorGemm.MIN_PARALLEL_FMAS);
        if (o == null) out.assign(target);
    }

    static void backwardInput(NDArray gradOut, NDArray weight, ConvParams p, NDArray gradInput, KernelPool pool) {
        Geometry g = Geometry.of(gradInput.shape(), weight.shape(), gradOut.shape(), p);
        NDArray w = weight.contiguous(), go = gradOut.contiguous();
        float[] ws = VectorGemm.floats(w), gs = VectorGemm.floats(go), gis = VectorGemm.floats(gradInput);
        int k = g.k(), positions = g.positions(), og = g.og();
        pool.run(g.batch() * g.groups(), task -> {
            int n = task / g.groups(), group = task % g.groups();
            float[] col = Workspace.local().floats(Workspace.Slot.COLUMNS, k * positions);
            // col = W_g^T · gradOut[n, g]: W_g read transposed through its strides.
            VectorGemm.sgemm(k, positions, og, ws, w.offset() + group * og * k, 1, k,
                    gs, go.offset() + n * go.stride(0) + group * og * positions, positions, 1, col, 0, positions, 1, false);
            col2im(col, n, group, g, gradInput, gis);
        }, (long) g.batch() * g.outChannels() * k * positions >= VectorGemm.MIN_PARALLEL_FMAS);
    }

    static void backwardWeight(NDArray input, NDArray gradOut, ConvParams p, NDArray gradWeight, KernelPool pool) {
        Geometry g = Geometry.of(input.shape(), gradWeight.shape(), gradOut.shape(), p);
        NDArray go = gradOut.contiguous();
        float[] is = VectorGemm.floats(input), gs = VectorGemm.floats(go);
        int k = g.k(), positions = g.positions(), og = g.og(), size = g.outChannels() * k;
        int chunks = VectorGemm.ceilDiv(g.batch(), IMAGES_PER_CHUNK);
        // Partial sums, one [O, K] block per (chunk): filled by the tasks, added in chunk order below.
        float[] partial = Workspace.local().floats(Workspace.Slot.PARTIAL, chunks * size);
        pool.run(chunks * g.groups(), task -> {
            int chunk = task / g.groups(), group = task % g.groups();
            float[] col = Workspace.local().floats(Workspace.Slot.COLUMNS, k * positions);
            int first = chunk * IMAGES_PER_CHUNK, last = Math.min(g.batch(), first + IMAGES_PER_CHUNK);
            for (int n = first; n < last; n++) {
                im2col(input, is, n, group, g, col);
                // partial[chunk][g] (+)= gradOut[n, g] · col^T, col read transposed through its strides.
                VectorGemm.sgemm(og, k, positions, gs, go.offset() + n * go.stride(0) + group * og * positions, positions, 1,
                        col, 0, 1, positions, partial, chunk * size + group * og * k, k, 1, n > first);
            }
        }, (long) g.batch() * g.outChannels() * k * positions >= VectorGemm.MIN_PARALLEL_FMAS);
        float[] gws = VectorGemm.floats(gradWeight);
        boolean contiguous = gradWeight.isContiguous();
        pool.runRanges(size, chunks, 1 << 14, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float sum = partial[i];
                for (int c = 1; c < chunks; c++) sum += partial[c * size + i];
                if (contiguous) gws[gradWeight.offset() + i] = sum;
                else partial[i] = sum;
            }
        });
        if (!contiguous) {
            NDArray result = NDArray.zeros(gradWeight.dtype(), gradWeight.shape());
            System.arraycopy(partial, 0, VectorGemm.floats(result), 0, size);
            gradWeight.assign(result);
        }
    }

    /** Fills the {@code K x P} column matrix of image {@code n}, group {@code group} (see the class comment). */
    private static void im2col(NDArray input, float[] in, int n, int group, Geometry g, float[] col) {
        ConvParams p = g.p();
        int sc = input.stride(1), sh = input.stride(2), sw = input.stride(3);
        int base = input.offset() + n * input.stride(0) + group * g.cg() * sc;
        int outW = g.outW(), positions = g.positions();
        for (int c = 0, row = 0; c < g.cg(); c++) {
            for (int kh = 0; kh < g.kH(); kh++) {
                for (int kw = 0; kw < g.kW(); kw++, row++) {
                    int wShift = kw * p.dilationW() - p.padW();
                    // Output columns whose input column iw = ow*strideW + wShift lies inside the image.
                    int ow0 = Math.min(outW, ceilDivNonNegative(-wShift, p.strideW()));
                    int ow1 = Math.max(ow0, Math.min(outW, ceilDivNonNegative(g.width() - wShift, p.strideW())));
                    for (int oh = 0; oh < g.outH(); oh++) {
                        int ih = oh * p.strideH() - p.padH() + kh * p.dilationH();
                        int dst = row * positions + oh * outW;
                        if (ih < 0 || ih >= g.height()) {
                            java.util.Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = base + c * sc + ih * sh;
                        java.util.Arrays.fill(col, dst, dst + ow0, 0f);
                        if (p.strideW() == 1 && sw == 1) {
                            System.arraycopy(in, src + ow0 + wShift, col, dst + ow0, ow1 - ow0);
                        } else {
                            for (int ow = ow0; ow < ow1; ow++) col[dst + ow] = in[src + (ow * p.strideW() + wShift) * sw];
                        }
                        java.util.Arrays.fill(col, dst + ow1, dst + outW, 0f);
                    }
                }
            }
        }
    }

    /** Overwrites input channels of group {@code group} of image {@code n} with the sum of the column entries that read them. */
    private static void col2im(float[] col, int n, int group, Geometry g, NDArray gradInput, float[] gi) {
        ConvParams p = g.p();
        int sc = gradInput.stride(1), sh = gradInput.stride(2), sw = gradInput.stride(3);
        int base = gradInput.offset() + n * gradInput.stride(0) + group * g.cg() * sc;
        int outW = g.outW(), positions = g.positions();
        for (int c = 0; c < g.cg(); c++) {
            for (int ih = 0; ih < g.height(); ih++) {
                for (int iw = 0; iw < g.width(); iw++) gi[base + c * sc + ih * sh + iw * sw] = 0f;
            }
        }
        for (int c = 0, row = 0; c < g.cg(); c++) {
            for (int kh = 0; kh < g.kH(); kh++) {
                for (int kw = 0; kw < g.kW(); kw++, row++) {
                    int wShift = kw * p.dilationW() - p.padW();
                    int ow0 = Math.min(outW, ceilDivNonNegative(-wShift, p.strideW()));
                    int ow1 = Math.max(ow0, Math.min(outW, ceilDivNonNegative(g.width() - wShift, p.strideW())));
                    for (int oh = 0; oh < g.outH(); oh++) {
                        int ih = oh * p.strideH() - p.padH() + kh * p.dilationH();
                        if (ih < 0 || ih >= g.height()) continue;
                        int src = row * positions + oh * outW, dst = base + c * sc + ih * sh;
                        for (int ow = ow0; ow < ow1; ow++) gi[dst + (ow * p.strideW() + wShift) * sw] += col[src + ow];
                    }
                }
            }
        }
    }

    /** {@code ceil(a / b)} for {@code b > 0}, and 0 when {@code a <= 0}. */
    private static int ceilDivNonNegative(int a, int b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }
}
