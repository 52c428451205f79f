package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.PoolParams;

/**
 * Float32 max and average pooling and their gradients, with exactly the window, tie and NaN rules of
 * {@link ReferencePooling}, on the raw arrays and in parallel over the {@code (n, c)} planes. Windows are small
 * and strided, so these are plain scalar loops; what they save over the reference is the per-element
 * indirection. The gradients sum in float32 (the reference sums in double), which differs only where windows
 * overlap.
 */
final class VectorPooling {

    /** Elements a task should at least touch before pooling is split across threads. */
    private static final long MIN_TASK = 1 << 15;

    private VectorPooling() {
    }

    /** Positions of an NCHW array: plane {@code (n, c)} starts at {@link #plane}, then {@code h*sh + w*sw}. */
    private record Planes(int offset, int sn, int sc, int sh, int sw, int channels) {
        static Planes of(NDArray a) {
            return new Planes(a.offset(), a.stride(0), a.stride(1), a.stride(2), a.stride(3), a.shape(1));
        }

        /** Start of plane number {@code plane = n * channels + c}. */
        int plane(int plane) {
            return offset + (plane / channels) * sn + (plane % channels) * sc;
        }
    }

    static void maxForward(NDArray input, PoolParams p, NDArray out, NDArray indices, KernelPool pool) {
        float[] in = VectorGemm.floats(input), o = VectorGemm.floats(out);
        long[] idx = ((io.jgrad.tensor.spi.HostStorage.Int64) indices.storage()).data;
        Planes il = Planes.of(input), ol = Planes.of(out), xl = Planes.of(indices);
        int height = input.shape(2), width = input.shape(3), outH = out.shape(2), outW = out.shape(3);
        int planes = out.shape(0) * out.shape(1);
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int ip = il.plane(plane), op = ol.plane(plane), xp = xl.plane(plane);
                for (int oh = 0; oh < outH; oh++) {
                    int hStart = oh * p.strideH() - p.padH(), h0 = Math.max(hStart, 0), h1 = Math.min(hStart + p.kernelH(), height);
                    for (int ow = 0; ow < outW; ow++) {
                        int wStart = ow * p.strideW() - p.padW(), w0 = Math.max(wStart, 0), w1 = Math.min(wStart + p.kernelW(), width);
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

    static void avgForward(NDArray input, PoolParams p, NDArray out, KernelPool pool) {
        float[] in = VectorGemm.floats(input), o = VectorGemm.floats(out);
        Planes il = Planes.of(input), ol = Planes.of(out);
        int height = input.shape(2), width = input.shape(3), outH = out.shape(2), outW = out.shape(3);
        float divisor = (float) p.kernelH() * p.kernelW();
        int planes = out.shape(0) * out.shape(1);
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int ip = il.plane(plane), op = ol.plane(plane);
                for (int oh = 0; oh < outH; oh++) {
                    int hStart = oh * p.strideH() - p.padH(), h0 = Math.max(hStart, 0), h1 = Math.min(hStart + p.kernelH(), height);
                    for (int ow = 0; ow < outW; ow++) {
                        int wStart = ow * p.strideW() - p.padW(), w0 = Math.max(wStart, 0), w1 = Math.min(wStart + p.kernelW(), width);
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

    static void avgBackward(NDArray gradOut, PoolParams p, NDArray gradInput, KernelPool pool) {
        float[] g = VectorGemm.floats(gradOut), gi = VectorGemm.floats(gradInput);
        Planes gl = Planes.of(gradOut), il = Planes.of(gradInput);
        int height = gradInput.shape(2), width = gradInput.shape(3), outH = gradOut.shape(2), outW = gradOut.shape(3);
        float divisor = (float) p.kernelH() * p.kernelW();
        int planes = gradOut.shape(0) * gradOut.shape(1);
        pool.runRanges(planes, (long) height * width, MIN_TASK, (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int gp = gl.plane(plane), ip = il.plane(plane);
                zeroPlane(gi, ip, il, height, width);
                for (int oh = 0; oh < outH; oh++) {
                    int hStart = oh * p.strideH() - p.padH(), h0 = Math.max(hStart, 0), h1 = Math.min(hStart + p.kernelH(), height);
                    for (int ow = 0; ow < outW; ow++) {
                        int wStart = ow * p.strideW() - p.padW(), w0 = Math.max(wStart, 0), w1 = Math.min(wStart + p.kernelW(), width);
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
