package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 convolution (NCHW) and its gradients as matrix products over im2col columns, with the notation of
 * {@link ReferenceConvolution}. For image {@code n} and group {@code g}, {@code col} is the {@code K x P}
 * matrix with {@code K = Cg·kH·kW} rows (one per input channel and kernel tap) and {@code P = outH·outW}
 * columns, {@code col[(c, kh, kw), (oh, ow)] = in[n, g·Cg + c, ih, iw]} (0 in the padding), and {@code W_g}
 * the {@code Og x K} weight rows of group g. Then
 *
 * <pre>
 * out[n, g]     = W_g · col                   (Og x P, onto the bias)
 * gradIn[n, g]  = the same product for the transposed convolution: gradOut as input, W_g flipped in space
 *                 with in and out channels swapped, padding dilation·(k-1) - pad    (stride 1)
 *               = col2im(W_g^T · gradOut[n, g])                                     (other strides)
 * gradW[g]      = Σ_n gradOut[n, g] · col^T    (Og x K)
 * </pre>
 *
 * The weights are packed once per call ({@link VectorGemm#packAllA}); the columns are produced one GEMM
 * micro-panel at a time ({@link VectorGemm#multiplyPanels}): for the common "same" convolution with stride 1
 * straight from the input by masked vector loads, otherwise from a row-major im2col buffer.
 * Forward and input gradient run one task per (image, group). The weight gradient contracts over positions,
 * the contiguous dimension of both gradOut and col, so it runs as dot products ({@link #dot4x4}) rather than
 * as a GEMM that would first transpose both; it sums fixed chunks of images ({@link #imagesPerChunk}) into
 * partial results added in chunk order, so no result depends on the number of threads.
 */
final class VectorConvolution {

    /** Images per partial sum of the weight gradient (fixed, so the summation order is too). */
    static final int IMAGES_PER_CHUNK = 8;
    /**
     * Output planes of at most this many positions (16x16) are small: their weight gradient sums twice the images
     * per chunk in one segment. Each chunk ends with a horizontal sum per weight, and each segment with a reload
     * and store of the partial sums: on small planes those were a fifth of the work (MNIST conv2, 14x14, Zen 5,
     * 1 thread, CPU time: 14.4-14.7 ms with chunks of 8 images in segments of 512, 11.7-13.9 ms with 16 in one;
     * 7x7 with 128 channels: 23.5-24.5 -> 19.5-22 ms). Larger planes keep chunks of 8 and segments of 512, which
     * keep the chunk's rows and partial sums in cache (they were no faster with 16).
     */
    static final int SMALL_PLANE = 256;

    /** Images per chunk of the weight gradient of {@code s}: a function of the geometry alone. */
    static int imagesPerChunk(ConvGeometry s) {
        return s.positions() <= SMALL_PLANE ? 2 * IMAGES_PER_CHUNK : IMAGES_PER_CHUNK;
    }

    /** Positions per segment of the weight gradient's dot products for {@code s} (see {@link #SMALL_PLANE}). */
    static int dotSegment(ConvGeometry s) {
        return s.positions() <= SMALL_PLANE ? Integer.MAX_VALUE : DOT_SEGMENT;
    }

    private VectorConvolution() {
    }

    // ---- the three kernels ----------------------------------------------------------------------

    /** The forward convolution; with {@code relu}, {@code out = max(conv + bias, 0)} written once. */
    static void forward(NDArray input, NDArray weight, NDArray bias, ConvGeometry p, boolean relu, NDArray out, KernelPool pool) {
        Product job = Product.LOCAL.get();
        job.shape = p;
        job.weights(weight.storage(), VectorGemm.floats(weight), weight.offset(), p.og() * weight.stride(0), weight.stride(0),
                p.cg(), p.kH(), p.kW(), weight.stride(1), weight.stride(2), weight.stride(3));
        job.run(input, bias, relu, out, pool);
    }

    static void backwardInput(NDArray gradOut, NDArray weight, ConvGeometry p, NDArray gradInput, KernelPool pool) {
        int og = p.og(), cg = p.cg(), kH = p.kH(), kW = p.kW();
        // The transposed form has cg rows per product: with few (cg = 1: a first layer) most of each MR-row
        // block would be padding, and the col2im form wastes less.
        int rows = VectorGemm.block(cg, p.height() * p.width()).mr;
        boolean fewRows = VectorGemm.roundUp(cg, rows) > 1.25 * cg;
        Product job = Product.LOCAL.get();
        ConvGeometry transposed = p.strideH() == 1 && p.strideW() == 1 ? job.transposedOf(p) : null;
        if (transposed == null || transposed.padH() < 0 || transposed.padW() < 0 || fewRows) {
            Col2imInputGradient.LOCAL.get().run(gradOut, weight, p, gradInput, pool);
            return;
        }
        // The transposed convolution: source gradOut (og channels per group), destination gradInput (cg per
        // group), weight rows c and columns (o, kh', kw') reading w[o, c, kH-1-kh', kW-1-kw'].
        job.shape = transposed;
        int flippedBase = weight.offset() + (kH - 1) * weight.stride(2) + (kW - 1) * weight.stride(3);
        job.weights(weight.storage(), VectorGemm.floats(weight), flippedBase, og * weight.stride(0), weight.stride(1),
                og, kH, kW, weight.stride(0), -weight.stride(2), -weight.stride(3));
        job.run(gradOut, null, false, gradInput, pool);
    }

    static void backwardWeight(NDArray input, NDArray gradOut, ConvGeometry p, NDArray gradWeight, KernelPool pool) {
        WeightGradient.LOCAL.get().run(input, gradOut, p, gradWeight, pool);
    }

    /**
     * {@code dst[n, g] = W_g · col(src[n, g])} (+ bias, then ReLU if asked) for every image and group: the forward
     * convolution, and the input gradient as a transposed convolution. One task per (image, group).
     */
    private static final class Product implements KernelPool.Body {
        static final ThreadLocal<Product> LOCAL = ThreadLocal.withInitial(Product::new);

        /** The convolution this call computes (for the input gradient, the transposed one); read by the tasks. */
        private ConvGeometry shape;
        // The last geometry whose transposed form was asked for, and that form: a training loop asks for the
        // same one every step, so the input gradient allocates nothing once warm.
        private ConvGeometry transposedFrom, transposed;
        // Weight element (row r, column (a, b, c)) of group g: wBase + g·wGroupStride + r·wRowStride + a·wStrideA
        // + b·wStrideB + c·wStrideC, with (a, b, c) < (wSizeA, wSizeB, wSizeC).
        private io.jgrad.tensor.spi.Storage wStorage;
        private float[] wData;
        private int wBase, wGroupStride, wRowStride, wSizeA, wSizeB, wSizeC, wStrideA, wStrideB, wStrideC;
        // The current call
        private NDArray src, target, bias;
        private float[] in, out, bs, packedW;
        private boolean[] masks;
        private int[] taps;
        private boolean relu;
        private VectorGemm.Block block;
        private int packedSize, rowStride;

        ConvGeometry transposedOf(ConvGeometry p) {
            if (!p.equals(transposedFrom)) {
                transposed = p.transposed();
                transposedFrom = p;
            }
            return transposed;
        }

        void weights(io.jgrad.tensor.spi.Storage storage, float[] data, int base, int groupStride, int rowStride, int sizeA, int sizeB, int sizeC,
                     int strideA, int strideB, int strideC) {
            wStorage = storage;
            wData = data;
            wBase = base;
            wGroupStride = groupStride;
            wRowStride = rowStride;
            wSizeA = sizeA;
            wSizeB = sizeB;
            wSizeC = sizeC;
            wStrideA = strideA;
            wStrideB = strideB;
            wStrideC = strideC;
        }

        void run(NDArray src, NDArray bias, boolean relu, NDArray dst, KernelPool pool) {
            ConvGeometry s = shape;
            this.src = src;
            this.bias = bias;
            this.relu = relu;
            target = Layout.planesFlat(dst) ? dst : NDArray.zeros(dst.dtype(), dst.shape());
            in = VectorGemm.floats(src);
            out = VectorGemm.floats(target);
            bs = bias == null ? null : VectorGemm.floats(bias);
            block = VectorGemm.block(s.og(), s.positions());
            packedSize = VectorGemm.packedSizeA(s.og(), s.depth(), block.mr);
            masks = sameSizeMasks(src, s);
            taps = masks == null ? null : tapOffsets(src, s);
            rowStride = VectorGemm.roundUp(s.positions(), VectorGemm.MAX_NR);
            int size = s.groups() * packedSize;
            PackedWeights.Entry cached = null;
            try {
                // Packed weights from the cache when they have not changed since (inference, from the second call on); else packed here.
                if (size <= PackedWeights.MAX_FLOATS) cached = PackedWeights.acquire(wStorage, weightKey(), size, this::packWeights);
                packedW = cached != null ? cached.packed() : packWeights(Workspace.local().floats(Workspace.Slot.PACKED_WEIGHTS, size));
                pool.run(s.batch() * s.groups(), this, s.work() >= VectorGemm.MIN_PARALLEL_FMAS);
                if (target != dst) dst.assign(target);
            } finally {
                if (cached != null) PackedWeights.release(cached);
                this.src = this.bias = target = null;
                shape = null;
                in = out = bs = packedW = null;
                wData = null;
                wStorage = null;
                masks = null;
                taps = null;
            }
        }

        @Override
        public void run(int task) {
            ConvGeometry s = shape;
            int og = s.og(), positions = s.positions(), depth = s.depth();
            int n = task / s.groups(), g = task % s.groups();
            int base = src.offset() + n * src.stride(0) + g * s.cg() * src.stride(1);
            ColumnPanels col;
            if (masks != null) {
                col = ColumnPanels.shifted(in, base, masks, taps);
            } else {
                float[] rows = Workspace.local().floats(Workspace.Slot.COLUMNS, depth * rowStride);
                im2colRows(src, in, n, g, s, rows);
                col = ColumnPanels.rows(rows, rowStride, positions);
            }
            int outPos = target.offset() + n * target.stride(0) + g * og * target.stride(1);
            if (bs != null) {
                for (int oc = 0; oc < og; oc++) {
                    float b = bs[bias.offset() + (g * og + oc) * bias.stride(0)];
                    int row = outPos + oc * target.stride(1);
                    java.util.Arrays.fill(out, row, row + positions, b);
                }
            }
            VectorGemm.multiplyPanels(block, og, positions, depth, packedW, g * packedSize, col, out, outPos, target.stride(1), 1, bs != null, relu);
            col.release();
        }

        /** What the packed weights depend on: where and how the weights are read, the groups, rows, depth and MR. */
        private int[] weightKey() {
            ConvGeometry s = shape;
            return new int[] {PackedWeights.CONV_WEIGHTS, wBase, wGroupStride, wRowStride, wSizeA, wSizeB, wSizeC, wStrideA, wStrideB, wStrideC,
                    s.groups(), s.og(), s.depth(), block.mr};
        }

        /** The weights of every group, gathered row by row (in the caller's workspace) and packed as the A operand into {@code packed}. */
        private float[] packWeights(float[] packed) {
            ConvGeometry s = shape;
            int rows = s.og(), depth = s.depth();
            float[] dense = Workspace.local().floats(Workspace.Slot.WEIGHT_ROWS, rows * depth);
            for (int g = 0; g < s.groups(); g++) {
                for (int r = 0, i = 0; r < rows; r++) {
                    int rowBase = wBase + g * wGroupStride + r * wRowStride;
                    for (int a = 0; a < wSizeA; a++) {
                        for (int b = 0; b < wSizeB; b++) {
                            for (int c = 0; c < wSizeC; c++) dense[i++] = wData[rowBase + a * wStrideA + b * wStrideB + c * wStrideC];
                        }
                    }
                }
                VectorGemm.packAllA(rows, depth, dense, 0, depth, 1, packed, g * packedSize, block.mr);
            }
            return packed;
        }
    }

    /**
     * {@code gradW[g] = Σ_n gradOut[n, g] · col(input[n, g])^T}: one task per (chunk of {@link #imagesPerChunk}
     * images, group) into its own block of partial sums, then the blocks added in chunk order.
     */
    private static final class WeightGradient implements KernelPool.Body, KernelPool.RangeBody {
        static final ThreadLocal<WeightGradient> LOCAL = ThreadLocal.withInitial(WeightGradient::new);

        private ConvGeometry shape;
        private NDArray input, go;
        private float[] is, gs, partial, gws;
        private boolean[] masks;
        private int[] taps;
        private int size, chunks, gwo;

        void run(NDArray input, NDArray gradOut, ConvGeometry s, NDArray gradWeight, KernelPool pool) {
            shape = s;
            int groups = s.groups(), og = s.og();
            this.input = input;
            go = Layout.planesFlat(gradOut) ? gradOut : gradOut.contiguous();
            is = VectorGemm.floats(input);
            gs = VectorGemm.floats(go);
            size = s.groups() * og * s.depth();
            chunks = VectorGemm.ceilDiv(s.batch(), imagesPerChunk(s));
            partial = Workspace.local().floats(Workspace.Slot.PARTIAL, chunks * size);
            masks = sameSizeMasks(input, s);
            taps = masks == null ? null : tapOffsets(input, s);
            boolean direct = gradWeight.isContiguous();
            gws = direct ? VectorGemm.floats(gradWeight) : partial;
            gwo = direct ? gradWeight.offset() : 0;
            try {
                pool.run(chunks * groups, this, s.work() >= VectorGemm.MIN_PARALLEL_FMAS);
                pool.runRanges(size, chunks, 1 << 14, this);
                if (!direct) {
                    NDArray result = NDArray.zeros(gradWeight.dtype(), gradWeight.shape());
                    System.arraycopy(partial, 0, VectorGemm.floats(result), 0, size);
                    gradWeight.assign(result);
                }
            } finally {
                shape = null;
                this.input = go = null;
                is = gs = partial = gws = null;
                masks = null;
                taps = null;
            }
        }

        /**
         * The partial sums of one chunk of images and one group, by dot products over positions: row o of
         * gradOut and row k of col are both contiguous along the positions, so with every image's positions laid
         * end to end (each padded to whole vectors with zeros) element (o, k) is one long dot product. Blocks of
         * {@link #DOT_BLOCK} x {@link #DOT_BLOCK} elements are computed together from {@link #DOT_BLOCK} rows of
         * each operand, in lane-wise partial sums; the col rows of a block are made just before it from the input.
         * The positions go in segments ({@link #dotSegment}), each used by every block of gradOut rows, so that
         * the col segment and the partial sums stay in L1 while the gradOut rows stream from L2 (with the whole
         * length at once both operands streamed from L2, and the kernel ran at half speed). Small planes
         * ({@link #SMALL_PLANE}) go in one segment: their chunk's rows are short enough.
         */
        @Override
        public void run(int task) {
            ConvGeometry s = shape;
            int groups = s.groups(), og = s.og(), depth = s.depth(), positions = s.positions();
            int chunk = task / groups, g = task % groups;
            int perChunk = imagesPerChunk(s), first = chunk * perChunk, images = Math.min(s.batch(), first + perChunk) - first;
            int padded = VectorGemm.roundUp(positions, VectorGemm.LANES), length = images * padded;
            Workspace ws = Workspace.local();
            float[] grads = ws.floats(Workspace.Slot.PACKED_A, og * length);      // [o][image][q]
            float[] cols = ws.floats(Workspace.Slot.COLUMNS, DOT_BLOCK * length); // [k - k0][image][q]
            for (int o = 0; o < og; o++) {
                for (int i = 0; i < images; i++) {
                    int from = go.offset() + (first + i) * go.stride(0) + (g * og + o) * go.stride(1), to = (o * images + i) * padded;
                    System.arraycopy(gs, from, grads, to, positions);
                    java.util.Arrays.fill(grads, to + positions, to + padded, 0f);
                }
            }
            int out = chunk * size + g * og * depth, blocks = VectorGemm.ceilDiv(og, DOT_BLOCK), accSize = DOT_BLOCK * DOT_BLOCK * VectorGemm.LANES;
            float[] acc = ws.floats(Workspace.Slot.DOT_SUMS, blocks * accSize);
            for (int k0 = 0; k0 < depth; k0 += DOT_BLOCK) {
                int ks = Math.min(DOT_BLOCK, depth - k0);
                // A block past the last row repeats that row (its sums are dropped), so the kernel is always 4 x 4.
                for (int r = 0; r < DOT_BLOCK; r++) {
                    for (int i = 0; i < images; i++) im2colRow(input, is, first + i, g, s, masks, taps, k0 + Math.min(r, ks - 1), cols, (r * images + i) * padded, padded);
                }
                java.util.Arrays.fill(acc, 0, blocks * accSize, 0f);
                for (int from = 0, segment = Math.min(dotSegment(s), length); from < length; from += segment) {
                    int to = Math.min(length, from + segment);
                    for (int o0 = 0, at = 0; o0 < og; o0 += DOT_BLOCK, at += accSize) {
                        int os = Math.min(DOT_BLOCK, og - o0);
                        dot4x4(grads, row(o0, 0, os, length), row(o0, 1, os, length), row(o0, 2, os, length), row(o0, 3, os, length),
                                cols, 0, length, 2 * length, 3 * length, from, to, acc, at);
                    }
                }
                for (int o0 = 0, at = 0; o0 < og; o0 += DOT_BLOCK, at += accSize) {
                    for (int r = 0; r < Math.min(DOT_BLOCK, og - o0); r++) {
                        for (int c = 0; c < ks; c++) {
                            partial[out + (o0 + r) * depth + k0 + c] = VectorMath.sumLanes(acc, at + (r * DOT_BLOCK + c) * VectorGemm.LANES);
                        }
                    }
                }
            }
        }

        /** Where row {@code first + r} of a block of {@code rows} rows of {@code length} starts; past the last row, the last. */
        private static int row(int first, int r, int rows, int length) {
            return (first + Math.min(r, rows - 1)) * length;
        }

        /** Adds the chunks' partial sums of elements {@code lo .. hi-1} in chunk order. */
        @Override
        public void run(int lo, int hi) {
            for (int i = lo; i < hi; i++) {
                float sum = partial[i];
                for (int c = 1; c < chunks; c++) sum += partial[c * size + i];
                gws[gwo + i] = sum;
            }
        }
    }

    /**
     * {@code gradIn[n, g] = col2im(W_g^T · gradOut[n, g])}: the input gradient for strides above 1 (the transposed
     * form would need a dilated input) and for few input channels. One task per (image, group).
     */
    private static final class Col2imInputGradient implements KernelPool.Body {
        static final ThreadLocal<Col2imInputGradient> LOCAL = ThreadLocal.withInitial(Col2imInputGradient::new);

        private ConvGeometry shape;
        private NDArray w, go, gradInput;
        private float[] ws, gs, gis;

        void run(NDArray gradOut, NDArray weight, ConvGeometry s, NDArray gradInput, KernelPool pool) {
            shape = s;
            int groups = s.groups();
            this.gradInput = gradInput;
            w = weight.contiguous();
            go = Layout.planesFlat(gradOut) ? gradOut : gradOut.contiguous();
            ws = VectorGemm.floats(w);
            gs = VectorGemm.floats(go);
            gis = VectorGemm.floats(gradInput);
            try {
                pool.run(s.batch() * groups, this, s.work() >= VectorGemm.MIN_PARALLEL_FMAS);
            } finally {
                shape = null;
                w = go = this.gradInput = null;
                ws = gs = gis = null;
            }
        }

        @Override
        public void run(int task) {
            ConvGeometry s = shape;
            int groups = s.groups(), og = s.og(), depth = s.depth(), positions = s.positions();
            int n = task / groups, g = task % groups;
            float[] col = Workspace.local().floats(Workspace.Slot.COLUMNS, depth * positions);
            // col = W_g^T · gradOut[n, g]: W_g read transposed through its strides.
            VectorGemm.sgemm(depth, positions, og, ws, w.offset() + g * og * depth, 1, depth,
                    gs, go.offset() + n * go.stride(0) + g * og * go.stride(1), go.stride(1), 1, col, 0, positions, 1, false);
            col2im(col, n, g, s, gradInput, gis);
        }
    }

    // ---- the dot-product kernel of the weight gradient ------------------------------------------

    /** Rows of each operand of {@link #dot4x4}: 16 accumulators and 8 loaded vectors fit in 32 registers. */
    static final int DOT_BLOCK = 4;
    /** Positions per segment of the weight gradient's dot products: 4 col rows of it take 8 KB of L1. */
    static final int DOT_SEGMENT = 512;

    /**
     * Lane-wise partial dot products: {@code acc[at + (4·r + c)·LANES + lane] += Σ a[ar + i]·b[bc + i]} over the
     * {@code i} in {@code from .. to-1} (multiples of LANES) that fall in that lane, for the four rows {@code ar} =
     * a0..a3 of {@code a} and {@code bc} = b0..b3 of {@code b}: fused multiply-adds in order of i.
     */
    private static void dot4x4(float[] a, int a0, int a1, int a2, int a3, float[] b, int b0, int b1, int b2, int b3,
                               int from, int to, float[] acc, int at) {
        VectorSpecies<Float> f = VectorGemm.SPECIES;
        int l = f.length();
        FloatVector c00 = FloatVector.fromArray(f, acc, at), c01 = FloatVector.fromArray(f, acc, at + l);
        FloatVector c02 = FloatVector.fromArray(f, acc, at + 2 * l), c03 = FloatVector.fromArray(f, acc, at + 3 * l);
        FloatVector c10 = FloatVector.fromArray(f, acc, at + 4 * l), c11 = FloatVector.fromArray(f, acc, at + 5 * l);
        FloatVector c12 = FloatVector.fromArray(f, acc, at + 6 * l), c13 = FloatVector.fromArray(f, acc, at + 7 * l);
        FloatVector c20 = FloatVector.fromArray(f, acc, at + 8 * l), c21 = FloatVector.fromArray(f, acc, at + 9 * l);
        FloatVector c22 = FloatVector.fromArray(f, acc, at + 10 * l), c23 = FloatVector.fromArray(f, acc, at + 11 * l);
        FloatVector c30 = FloatVector.fromArray(f, acc, at + 12 * l), c31 = FloatVector.fromArray(f, acc, at + 13 * l);
        FloatVector c32 = FloatVector.fromArray(f, acc, at + 14 * l), c33 = FloatVector.fromArray(f, acc, at + 15 * l);
        for (int i = from; i < to; i += l) {
            FloatVector y0 = FloatVector.fromArray(f, b, b0 + i), y1 = FloatVector.fromArray(f, b, b1 + i);
            FloatVector y2 = FloatVector.fromArray(f, b, b2 + i), y3 = FloatVector.fromArray(f, b, b3 + i);
            FloatVector x = FloatVector.fromArray(f, a, a0 + i);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            c02 = x.fma(y2, c02);
            c03 = x.fma(y3, c03);
            x = FloatVector.fromArray(f, a, a1 + i);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            c12 = x.fma(y2, c12);
            c13 = x.fma(y3, c13);
            x = FloatVector.fromArray(f, a, a2 + i);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            c22 = x.fma(y2, c22);
            c23 = x.fma(y3, c23);
            x = FloatVector.fromArray(f, a, a3 + i);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
            c32 = x.fma(y2, c32);
            c33 = x.fma(y3, c33);
        }
        c00.intoArray(acc, at);
        c01.intoArray(acc, at + l);
        c02.intoArray(acc, at + 2 * l);
        c03.intoArray(acc, at + 3 * l);
        c10.intoArray(acc, at + 4 * l);
        c11.intoArray(acc, at + 5 * l);
        c12.intoArray(acc, at + 6 * l);
        c13.intoArray(acc, at + 7 * l);
        c20.intoArray(acc, at + 8 * l);
        c21.intoArray(acc, at + 9 * l);
        c22.intoArray(acc, at + 10 * l);
        c23.intoArray(acc, at + 11 * l);
        c30.intoArray(acc, at + 12 * l);
        c31.intoArray(acc, at + 13 * l);
        c32.intoArray(acc, at + 14 * l);
        c33.intoArray(acc, at + 15 * l);
    }

    /**
     * The B operand of a convolution product, made one micro-panel at a time: the shifted planes of a "same"
     * convolution ({@link #shiftedPanel}), or a row-major column buffer. One per
     * thread, set up per task and released after it, so a call allocates nothing per image.
     */
    private static final class ColumnPanels implements VectorGemm.PanelSource {
        private static final ThreadLocal<ColumnPanels> LOCAL = ThreadLocal.withInitial(ColumnPanels::new);

        private enum Kind { SHIFTED, ROWS }

        private Kind kind;
        private float[] data;
        private boolean[] masks;
        private int[] taps;
        private int base, rowStride, columns;

        /** Rows of a "same" convolution's column matrix from the planes of one image and group ({@code base}). */
        static ColumnPanels shifted(float[] in, int base, boolean[] masks, int[] taps) {
            ColumnPanels c = LOCAL.get();
            c.kind = Kind.SHIFTED;
            c.data = in;
            c.base = base;
            c.masks = masks;
            c.taps = taps;
            return c;
        }

        /** B = the row-major {@code col} (rows {@code rowStride} apart, {@code columns} of them used). */
        static ColumnPanels rows(float[] col, int rowStride, int columns) {
            ColumnPanels c = LOCAL.get();
            c.kind = Kind.ROWS;
            c.data = col;
            c.rowStride = rowStride;
            c.columns = columns;
            return c;
        }

        @Override
        public void pack(int k0, int kc, int j0, int nr, float[] panel) {
            switch (kind) {
                case SHIFTED -> shiftedPanel(data, base, masks, taps, k0, kc, j0, nr, panel);
                case ROWS -> VectorGemm.packB(kc, Math.min(nr, columns - j0), data, k0 * rowStride + j0, rowStride, 1, panel, 0, nr);
            }
        }

        /** Drops the references to the arrays, so a thread does not keep an input alive. */
        void release() {
            data = null;
            masks = null;
            taps = null;
        }
    }

    // ---- im2col ---------------------------------------------------------------------------------

    /**
     * For a "same" convolution with stride 1 (output as wide as the input, e.g. 3x3 with padding 1) over
     * planes stored flat, column entry {@code (row, q)} of tap (kh, kw) reads the input plane at
     * {@code q + shift(kh, kw)}: a row of the column matrix is the plane shifted, with the entries whose
     * (ih, iw) falls in the padding masked to zero. Returns those masks ({@code [kh][kw][q]}, q padded to a
     * multiple of NR and false past P), or null when the convolution is not of this kind.
     */
    private static boolean[] sameSizeMasks(NDArray src, ConvGeometry s) {
        if (s.strideH() != 1 || s.strideW() != 1 || s.outW() != s.width() || !Layout.planesFlat(src)) return null;
        int padded = VectorGemm.roundUp(s.positions(), VectorGemm.MAX_NR);
        boolean[] masks = Workspace.local().booleans(s.kH() * s.kW() * padded);
        for (int kh = 0, t = 0; kh < s.kH(); kh++) {
            for (int kw = 0; kw < s.kW(); kw++, t++) {
                for (int q = 0; q < padded; q++) {
                    int ih = s.inputRow(q / s.outW(), kh), iw = s.inputColumn(q % s.outW(), kw); // stride 1
                    masks[t * padded + q] = q < s.positions() && ih >= 0 && ih < s.height() && iw >= 0 && iw < s.width();
                }
            }
        }
        return masks;
    }

    /**
     * Where row {@code (c, kh, kw)} of a "same" convolution's column matrix reads: {@code taps[2 * row]} is its
     * offset in the source from the start of the group's first plane (channel, then the shift of the tap),
     * {@code taps[2 * row + 1]} where its mask starts in {@code masks}. Computed once per call, so the
     * per-image loops do no division.
     */
    private static int[] tapOffsets(NDArray src, ConvGeometry s) {
        int padded = VectorGemm.roundUp(s.positions(), VectorGemm.MAX_NR);
        int[] taps = Workspace.local().ints(2 * s.depth());
        for (int c = 0, row = 0; c < s.cg(); c++) {
            for (int kh = 0; kh < s.kH(); kh++) {
                for (int kw = 0; kw < s.kW(); kw++, row++) {
                    taps[2 * row] = c * src.stride(1) + (kh * s.dilationH() - s.padH()) * s.width() + kw * s.dilationW() - s.padW();
                    taps[2 * row + 1] = (kh * s.kW() + kw) * padded;
                }
            }
        }
        return taps;
    }

    /**
     * One micro-panel of the column matrix of a "same" convolution: rows {@code k0 .. k0+kc-1}, positions
     * {@code j0 .. j0+nr-1}, each row {@code nr / LANES} masked vector loads from its shifted plane ({@code base} is the
     * group's first plane of the image).
     */
    private static void shiftedPanel(float[] in, int base, boolean[] masks, int[] taps, int k0, int kc, int j0, int nr, float[] panel) {
        int lanes = VectorGemm.LANES;
        for (int row = k0, d = 0; row < k0 + kc; row++) {
            int from = base + taps[2 * row] + j0, m = taps[2 * row + 1] + j0;
            for (int v = 0; v < nr; v += lanes, d += lanes) maskedCopy(in, from + v, masks, m + v, panel, d);
        }
    }

    /**
     * {@code dst[d ..]} = one vector of {@code in[from ..]} where {@code masks[m ..]} is set, 0 elsewhere. A vector
     * that would reach outside {@code in} (only at the edges of the batch) is copied lane by lane, so the JIT never
     * meets the Vector API's (allocating) slow path for such loads. Inside, a full load blended into zeros rather
     * than a masked load: JDK 17's C2 does not intrinsify the masked load here, and it and the store that
     * follows ran as the Vector API's Java fallback (the top of a training step's profile); same lanes, same bits.
     */
    private static void maskedCopy(float[] in, int from, boolean[] masks, int m, float[] dst, int d) {
        VectorSpecies<Float> species = VectorGemm.SPECIES;
        if (from >= 0 && from <= in.length - VectorGemm.LANES) {
            FloatVector.zero(species).blend(FloatVector.fromArray(species, in, from), VectorMask.fromArray(species, masks, m)).intoArray(dst, d);
            return;
        }
        for (int i = 0; i < VectorGemm.LANES; i++) dst[d + i] = masks[m + i] ? in[from + i] : 0f;
    }

    /** The column matrix of (image n, group g), row-major with rows of {@code Ppad} = P rounded up to MAX_NR (zero past P). */
    private static void im2colRows(NDArray src, float[] in, int n, int g, ConvGeometry s, float[] col) {
        int padded = VectorGemm.roundUp(s.positions(), VectorGemm.MAX_NR);
        for (int row = 0; row < s.depth(); row++) im2colRow(src, in, n, g, s, null, null, row, col, row * padded, padded);
    }

    /**
     * Row {@code (c, kh, kw)} of the column matrix of (image n, group g) into {@code col[d .. d+length-1]}
     * ({@code length} a multiple of LANES, at least P; zero past P). With {@code masks} (see
     * {@link #sameSizeMasks}) masked vector loads from the shifted plane; otherwise every entry is computed.
     */
    private static void im2colRow(NDArray src, float[] in, int n, int g, ConvGeometry s, boolean[] masks, int[] taps, int row, float[] col, int d, int length) {
        int base = src.offset() + n * src.stride(0) + g * s.cg() * src.stride(1);
        if (masks != null) {
            int from = base + taps[2 * row], m = taps[2 * row + 1];
            for (int q = 0; q < length; q += VectorGemm.LANES) maskedCopy(in, from + q, masks, m + q, col, d + q);
            return;
        }
        int outW = s.outW(), taps2d = s.kH() * s.kW();
        int c = row / taps2d, kh = row % taps2d / s.kW(), kw = row % s.kW();
        int sc = src.stride(1), sh = src.stride(2), sw = src.stride(3), step = s.strideW() * sw;
        int wShift = s.inputColumn(0, kw);
        int ow0 = firstColumn(wShift, s.strideW(), outW), ow1 = endColumn(wShift, s.strideW(), s.width(), outW);
        for (int oh = 0; oh < s.outH(); oh++) {
            int ih = s.inputRow(oh, kh);
            boolean inside = ih >= 0 && ih < s.height();
            int dst = d + oh * outW, from = inside ? ow0 : outW, to = inside ? ow1 : outW;
            int srcRow = base + c * sc + ih * sh + wShift * sw;
            // Plain loops, not arraycopy/fill: the runs are short (an output row), so calls would dominate.
            for (int ow = 0; ow < from; ow++) col[dst + ow] = 0f;
            for (int ow = from; ow < to; ow++) col[dst + ow] = in[srcRow + ow * step];
            for (int ow = to; ow < outW; ow++) col[dst + ow] = 0f;
        }
        for (int q = s.positions(); q < length; q++) col[d + q] = 0f;
    }

    // ---- col2im ---------------------------------------------------------------------------------

    /** Overwrites the input channels of group g of image n with the sum of the column entries that read them. */
    private static void col2im(float[] col, int n, int g, ConvGeometry s, NDArray gradInput, float[] gi) {
        int sc = gradInput.stride(1), sh = gradInput.stride(2), sw = gradInput.stride(3);
        int base = gradInput.offset() + n * gradInput.stride(0) + g * s.cg() * sc;
        int outW = s.outW(), positions = s.positions(), step = s.strideW() * sw;
        for (int c = 0; c < s.cg(); c++) {
            for (int ih = 0; ih < s.height(); ih++) {
                for (int iw = 0; iw < s.width(); iw++) gi[base + c * sc + ih * sh + iw * sw] = 0f;
            }
        }
        for (int c = 0, row = 0; c < s.cg(); c++) {
            for (int kh = 0; kh < s.kH(); kh++) {
                for (int kw = 0; kw < s.kW(); kw++, row++) {
                    int wShift = s.inputColumn(0, kw);
                    int ow0 = firstColumn(wShift, s.strideW(), outW), ow1 = endColumn(wShift, s.strideW(), s.width(), outW);
                    for (int oh = 0; oh < s.outH(); oh++) {
                        int ih = s.inputRow(oh, kh);
                        if (ih < 0 || ih >= s.height()) continue;
                        int from = row * positions + oh * outW, to = base + c * sc + ih * sh + wShift * sw;
                        for (int ow = ow0; ow < ow1; ow++) gi[to + ow * step] += col[from + ow];
                    }
                }
            }
        }
    }

    /** The first output column whose input column {@code ow*stride + shift} is not left of the image. */
    private static int firstColumn(int shift, int stride, int outW) {
        return Math.min(outW, ceilDivNonNegative(-shift, stride));
    }

    /** One past the last output column whose input column {@code ow*stride + shift} is inside the image. */
    private static int endColumn(int shift, int stride, int width, int outW) {
        return Math.max(firstColumn(shift, stride, outW), Math.min(outW, ceilDivNonNegative(width - shift, stride)));
    }

    /** {@code ceil(a / b)} for {@code b > 0}, and 0 when {@code a <= 0}. */
    private static int ceilDivNonNegative(int a, int b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }
}
