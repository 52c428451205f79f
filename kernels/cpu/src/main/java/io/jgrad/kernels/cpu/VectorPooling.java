package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.PoolGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 max and average pooling and their gradients, with exactly the window, tie and NaN rules of
 * {@link ReferencePooling}, on the raw arrays and in parallel over the {@code (n, c)} planes. Max pooling
 * without padding (the usual 2x2 stride 2) runs on vectors of windows ({@link #maxForwardUnpadded}); the rest
 * are plain scalar loops, whose saving over the reference is the per-element indirection. The gradients sum in
 * float32 (the reference sums in double), which differs only where windows overlap.
 */
final class VectorPooling {

    /** Elements a task should at least touch before pooling is split across threads. */
    private static final long MIN_TASK = 1 << 15;

    /**
     * Windows go {@code LONGS.length()} at a time: the values as floats and their indices as ints of that lane
     * count, widened to int64 only to be stored. (JDK 17 reinterprets a mask between species of one bit size
     * for free, but converts it to a wider species through a boolean[].)
     */
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorShape HALF = VectorShape.forBitSize(LONGS.vectorBitSize() / 2);
    private static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, HALF);
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, HALF);

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
                    LongVector index = (LongVector) arg.convertShape(VectorOperators.I2L, LONGS, 0);
                    if (q + lanes <= positions) {
                        max.intoArray(o, op + q);
                        index.intoArray(idx, xp + q);
                    } else {
                        // scalar tail
                        for (int j = 0; j < positions - q; j++) {
                            o[op + q + j] = max.lane(j);
                            idx[xp + q + j] = index.lane(j);
                        }
                    }
                }
            }
        });
    }

    static void maxBackward(NDArray gradOut, NDArray indices, NDArray gradInput, KernelPool pool) {
        float[] g = VectorGemm.floats(gradOut), gi = VectorGemm.floats(gradInput);
        long[] idx = ((io.jgrad.tensor.spi.HostStorage.Int64) indices.storage()).data;
        Planes gl = Planes.of(gradOut), xl = Planes.of(indices), il = Planes.of(gradInput);
        int width = gradInput.shape(3), height = gradInput.shape(2), outH = gradOut.shape(2), outW = gradOut.shape(3);
        int planes = gradOut.shape(0) * gradOut.shape(1);
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int gp = gl.plane(plane), xp = xl.plane(plane), ip = il.plane(plane);
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
