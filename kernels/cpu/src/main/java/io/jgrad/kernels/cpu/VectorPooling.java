package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.PoolGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 max and average pooling and their gradients, with exactly the window, tie and NaN rules of
 * {@link ReferencePooling}, on the raw arrays and in parallel over the {@code (n, c)} planes. The usual 2x2
 * window with stride 2 over flat planes runs on contiguous vector loads ({@link #maxForward2x2}), other max
 * pooling without padding on vectors of gathered windows ({@link #maxForwardUnpadded}); the rest
 * are plain scalar loops, whose saving over the reference is the per-element indirection. The gradients sum in
 * float32 (the reference sums in double), which differs only where windows overlap.
 */
final class VectorPooling {

    /** Elements a task should at least touch before pooling is split across threads. */
    private static final long MIN_TASK = 1 << 15;

    /**
     * Windows go {@code FLOATS.length()} at a time: the values as floats and their indices as ints of the same shape
     * (JDK 17 reinterprets a mask between species of one bit size for free), widened to int64 by scalar code when
     * stored. Only the preferred float species, the one every kernel uses: with a second float vector class in the
     * process (a half-width species here once), the profiles inside the Vector API's shared methods saw two classes,
     * and C2 compiled every store of a vector whose class it could not prove (an accumulator carried round a loop) as
     * a call to the Java fallback, in all kernels ({@code FloatVector.stOp}, JDK 17, VectorFallbackProfileTest).
     */
    private static final VectorSpecies<Float> FLOATS = VectorGemm.SPECIES;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    /** 0, 1, ..., lanes - 1: the 2x2 path's lane offsets. */
    private static final int[] IOTA = java.util.stream.IntStream.range(0, FLOATS.length()).toArray();

    private record Planes(int offset, int sn, int sc, int sh, int sw, int channels) {
        static Planes of(NDArray a) {
            return new Planes(a.offset(), a.stride(0), a.stride(1), a.stride(2), a.stride(3), a.shape(1));
        }

        /** Start of plane number {@code plane = n * channels + c}. */
        int plane(int plane) {
            return offset + (plane / channels) * sn + (plane % channels) * sc;
        }
    }

    static void maxForward(NDArray input, PoolGeometry p, NDArray out, NDArray indices, KernelPool pool) {
        boolean flat = Layout.planesFlat(input) && Layout.planesFlat(out) && Layout.planesFlat(indices);
        if (flat && p.kernelH() == 2 && p.kernelW() == 2 && p.strideH() == 2 && p.strideW() == 2 && p.padH() == 0 && p.padW() == 0) {
            maxForward2x2(input, p, out, indices, pool);
            return;
        }
        if (p.padH() == 0 && p.padW() == 0 && Layout.planesFlat(out) && Layout.planesFlat(indices)) {
            maxForwardUnpadded(input, p, out, indices, pool);
            return;
        }
        float[] in = VectorGemm.floats(input), o = VectorGemm.floats(out);
        long[] idx = ((io.jgrad.tensor.spi.HostStorage.Int64) indices.storage()).data;
        Planes il = Planes.of(input), ol = Planes.of(out), xl = Planes.of(indices);
        int height = p.height(), width = p.width(), outH = p.outH(), outW = p.outW();
        int planes = p.batch() * p.channels();
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int ip = il.plane(plane), op = ol.plane(plane), xp = xl.plane(plane);
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = p.firstRow(oh), h1 = p.endRow(oh);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = p.firstColumn(ow), w1 = p.endColumn(ow);
                        int maxIndex = h0 * width + w0;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                float v = in[ip + h * il.sh() + w * il.sw()];
                                if (v > max || Float.isNaN(v)) {
                                    max = v;
                                    maxIndex = h * width + w;
                                }
                            }
                        }
                        o[op + oh * ol.sh() + ow * ol.sw()] = max;
                        idx[xp + oh * xl.sh() + ow * xl.sw()] = maxIndex;
                    }
                }
            }
        });
    }

    /**
     * Max pooling of windows that lie inside the plane, {@code FLOATS.length()} output positions at a time
     * (across output rows, so 7- and 14-wide outputs fill whole vectors): each tap of the window is a gather
     * through a table of window starts, and the scan-order rule of the reference, take a value when
     * {@code v > max || isNaN(v)}, becomes a lane mask ({@code v != v} is the NaN test) that blends the value
     * and its index. No per-element branch, so random data costs no mispredictions.
     */
    private static void maxForwardUnpadded(NDArray input, PoolGeometry p, NDArray out, NDArray indices, KernelPool pool) {
        float[] in = VectorGemm.floats(input), o = VectorGemm.floats(out);
        long[] idx = ((io.jgrad.tensor.spi.HostStorage.Int64) indices.storage()).data;
        Planes il = Planes.of(input), ol = Planes.of(out), xl = Planes.of(indices);
        int width = p.width(), outW = p.outW(), positions = p.outH() * outW, lanes = FLOATS.length();
        int padded = VectorGemm.roundUp(positions, lanes), taps = p.kernelH() * p.kernelW();
        // Tables, filled once per call: where window q starts (storage offset in its plane, then its flat
        // index h*W+w), and each tap's offsets from the start. Positions past the last window read the first cell.
        int starts = padded, tapOffsets = 2 * padded, tapIndices = 2 * padded + taps;
        int[] table = Workspace.local().ints(2 * padded + 2 * taps);
        for (int q = 0; q < padded; q++) {
            int oh = q < positions ? q / outW : 0, ow = q < positions ? q % outW : 0;
            table[q] = oh * p.strideH() * il.sh() + ow * p.strideW() * il.sw();
            table[starts + q] = oh * p.strideH() * width + ow * p.strideW();
        }
        for (int kh = 0, t = 0; kh < p.kernelH(); kh++) {
            for (int kw = 0; kw < p.kernelW(); kw++, t++) {
                table[tapOffsets + t] = kh * il.sh() + kw * il.sw();
                table[tapIndices + t] = kh * width + kw;
            }
        }
        int planes = p.batch() * p.channels();
        pool.runRanges(planes, (long) taps * positions, MIN_TASK, (lo, hi) -> {
            float[] values = new float[lanes]; // one vector's maxima and indices on their way out
            int[] args = new int[lanes];
            for (int plane = lo; plane < hi; plane++) {
                int ip = il.plane(plane), op = ol.plane(plane), xp = xl.plane(plane);
                for (int q = 0; q < padded; q += lanes) {
                    FloatVector max = FloatVector.fromArray(FLOATS, in, ip + table[tapOffsets], table, q);
                    IntVector start = IntVector.fromArray(INTS, table, starts + q), arg = start.add(table[tapIndices]);
                    for (int t = 1; t < taps; t++) {
                        FloatVector v = FloatVector.fromArray(FLOATS, in, ip + table[tapOffsets + t], table, q);
                        VectorMask<Float> take = v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v));
                        max = max.blend(v, take);
                        arg = arg.blend(start.add(table[tapIndices + t]), take.cast(INTS));
                    }
                    arg.intoArray(args, 0);
                    int count = Math.min(lanes, positions - q);
                    if (count == lanes) {
                        max.intoArray(o, op + q);
                    } else { // the last positions: through the buffer (lane(j) with j not a constant runs the fallback)
                        max.intoArray(values, 0);
                        System.arraycopy(values, 0, o, op + q, count);
                    }
                    for (int j = 0; j < count; j++) idx[xp + q + j] = args[j];
                }
            }
        });
    }

    /**
     * The usual 2x2 window with stride 2 over flat planes, half a vector's lanes of windows per vector of one row pair,
     * all loads contiguous: the reference's scan (top-left, top-right, bottom-left, bottom-right; take a value when
     * {@code v > max || isNaN(v)}) is the same as taking the scan of each row, then the bottom row's result over the
     * top's by that same rule (the last NaN, else the first maximum, either way). So with {@code tl}, {@code tr}
     * the top row and the top row one lane on, lane {@code 2j} of {@code combine(tl, tr)} is window j's top row, and
     * likewise for the bottom; the odd lanes straddle two windows and are dropped when the even ones are stored.
     * Against the gathers of {@link #maxForwardUnpadded}: the MNIST ConvNet's pools (batch 128, 32x28x28 and
     * 64x14x14) took 2.55 and 1.37 ms instead of 3.7 and 1.6 (Zen 5, 1 thread, CPU time, same run).
     */
    private static void maxForward2x2(NDArray input, PoolGeometry p, NDArray out, NDArray indices, KernelPool pool) {
        float[] in = VectorGemm.floats(input), o = VectorGemm.floats(out);
        long[] idx = ((io.jgrad.tensor.spi.HostStorage.Int64) indices.storage()).data;
        Planes il = Planes.of(input), ol = Planes.of(out), xl = Planes.of(indices);
        int width = p.width(), outH = p.outH(), outW = p.outW(), lanes = FLOATS.length(), perVector = lanes / 2;
        int planes = p.batch() * p.channels();
        pool.runRanges(planes, 4L * outH * outW, MIN_TASK, (lo, hi) -> {
            float[] values = new float[lanes];
            int[] at = new int[lanes];
            IntVector iota = IntVector.fromArray(INTS, IOTA, 0);
            for (int plane = lo; plane < hi; plane++) {
                int ip = il.plane(plane), op = ol.plane(plane), xp = xl.plane(plane);
                for (int oh = 0; oh < outH; oh++) {
                    int topRow = 2 * oh * width;
                    for (int ow0 = 0; ow0 < outW; ow0 += perVector) {
                        int w = 2 * ow0, count = Math.min(perVector, outW - ow0), from = ip + topRow + w;
                        if (from + width + 1 + lanes <= in.length) {
                            FloatVector tl = FloatVector.fromArray(FLOATS, in, from), tr = FloatVector.fromArray(FLOATS, in, from + 1);
                            FloatVector bl = FloatVector.fromArray(FLOATS, in, from + width), br = FloatVector.fromArray(FLOATS, in, from + width + 1);
                            IntVector first = iota.add(topRow + w);
                            // where the later value wins in the reference's scan: greater, or NaN; written out, as no
                            // vector may cross a method boundary (VectorMath's class comment says why)
                            VectorMask<Float> right = tr.compare(VectorOperators.GT, tl).or(tr.compare(VectorOperators.NE, tr));
                            VectorMask<Float> lower = br.compare(VectorOperators.GT, bl).or(br.compare(VectorOperators.NE, br));
                            FloatVector top = tl.blend(tr, right), bottom = bl.blend(br, lower);
                            IntVector topAt = first.blend(first.add(1), right.cast(INTS));
                            IntVector bottomAt = first.add(width).blend(first.add(width + 1), lower.cast(INTS));
                            VectorMask<Float> down = bottom.compare(VectorOperators.GT, top).or(bottom.compare(VectorOperators.NE, bottom));
                            top.blend(bottom, down).intoArray(values, 0);
                            topAt.blend(bottomAt, down.cast(INTS)).intoArray(at, 0);
                        } else {
                            // scalar tail: the last windows of the storage, where a vector would read past its end
                            for (int j = 0; j < count; j++) window2x2(in, from + 2 * j, width, topRow + w + 2 * j, values, at, 2 * j);
                        }
                        int dst = oh * outW + ow0;
                        for (int j = 0; j < count; j++) {
                            o[op + dst + j] = values[2 * j];
                            idx[xp + dst + j] = at[2 * j];
                        }
                    }
                }
            }
        });
    }

    /** One 2x2 window whose top-left cell is {@code in[at]} (flat index {@code flat}), by the reference's scan. */
    private static void window2x2(float[] in, int at, int width, int flat, float[] values, int[] indices, int slot) {
        float max = in[at];
        int arg = flat;
        int[] offsets = {1, width, width + 1};
        for (int offset : offsets) {
            float v = in[at + offset];
            if (v > max || Float.isNaN(v)) {
                max = v;
                arg = flat + offset;
            }
        }
        values[slot] = max;
        indices[slot] = arg;
    }

    static void maxBackward(NDArray gradOut, NDArray indices, NDArray gradInput, KernelPool pool) {
        float[] g = VectorGemm.floats(gradOut), gi = VectorGemm.floats(gradInput);
        long[] idx = ((io.jgrad.tensor.spi.HostStorage.Int64) indices.storage()).data;
        Planes gl = Planes.of(gradOut), xl = Planes.of(indices), il = Planes.of(gradInput);
        int width = gradInput.shape(3), height = gradInput.shape(2), outH = gradOut.shape(2), outW = gradOut.shape(3);
        int planes = gradOut.shape(0) * gradOut.shape(1), positions = outH * outW;
        boolean allFlat = Layout.planesFlat(gradOut) && Layout.planesFlat(indices) && Layout.planesFlat(gradInput);
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int gp = gl.plane(plane), xp = xl.plane(plane), ip = il.plane(plane);
                if (allFlat) {
                    // The index is the offset in the plane: no division, and the plane is one fill (the MNIST
                    // ConvNet's two pool gradients: 3.7 and 1.9 ms -> 1.5 and 0.76 ms, 1 thread, CPU time).
                    java.util.Arrays.fill(gi, ip, ip + height * width, 0f);
                    for (int q = 0; q < positions; q++) gi[ip + (int) idx[xp + q]] += g[gp + q];
                    continue;
                }
                zeroPlane(gi, ip, il, height, width);
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int flat = (int) idx[xp + oh * xl.sh() + ow * xl.sw()];
                        gi[ip + (flat / width) * il.sh() + (flat % width) * il.sw()] += g[gp + oh * gl.sh() + ow * gl.sw()];
                    }
                }
            }
        });
    }

    static void avgForward(NDArray input, PoolGeometry p, NDArray out, KernelPool pool) {
        float[] in = VectorGemm.floats(input), o = VectorGemm.floats(out);
        Planes il = Planes.of(input), ol = Planes.of(out);
        int height = p.height(), width = p.width(), outH = p.outH(), outW = p.outW();
        float divisor = p.windowSize();
        int planes = p.batch() * p.channels();
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int ip = il.plane(plane), op = ol.plane(plane);
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = p.firstRow(oh), h1 = p.endRow(oh);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = p.firstColumn(ow), w1 = p.endColumn(ow);
                        float sum = 0f;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) sum += in[ip + h * il.sh() + w * il.sw()];
                        }
                        o[op + oh * ol.sh() + ow * ol.sw()] = sum / divisor;
                    }
                }
            }
        });
    }

    static void avgBackward(NDArray gradOut, PoolGeometry p, NDArray gradInput, KernelPool pool) {
        float[] g = VectorGemm.floats(gradOut), gi = VectorGemm.floats(gradInput);
        Planes gl = Planes.of(gradOut), il = Planes.of(gradInput);
        int height = p.height(), width = p.width(), outH = p.outH(), outW = p.outW();
        float divisor = p.windowSize();
        int planes = p.batch() * p.channels();
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int gp = gl.plane(plane), ip = il.plane(plane);
                zeroPlane(gi, ip, il, height, width);
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = p.firstRow(oh), h1 = p.endRow(oh);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = p.firstColumn(ow), w1 = p.endColumn(ow);
                        float share = g[gp + oh * gl.sh() + ow * gl.sw()] / divisor;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) gi[ip + h * il.sh() + w * il.sw()] += share;
                        }
                    }
                }
            }
        });
    }

    private static void zeroPlane(float[] a, int start, Planes l, int height, int width) {
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) a[start + h * l.sh() + w * l.sw()] = 0f;
        }
    }
}
