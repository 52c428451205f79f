package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Max and average pooling against the reference, including ties, NaN and strided views. */
class VectorPoolingTest {

    /**
     * Windows of special values through both max-pooling paths: ties (the first wins), several NaNs (the
     * last wins), NaN before and after the maximum, all -infinity (the first cell), +infinity.
     */
    @ParameterizedTest(name = "padding {0}")
    @CsvSource({"0", "1"})
    void maxPoolSpecialValuesMatchTheReference(int pad) {
        PoolParams p = new PoolParams(2, 2, 2, 2, pad, pad);
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        float[][] windows = {
                {1, 1, 1, 1}, {0, 2, 2, 1}, {3, 3, -1, 3}, {nan, 1, 2, 3}, {1, 2, 3, nan}, {nan, 5, nan, 1},
                {-inf, -inf, -inf, -inf}, {1, inf, inf, nan}, {nan, nan, nan, nan}, {-0f, 0f, 0f, -0f}, {7, 7, nan, 7},
        };
        int side = 2 * windows.length;
        NDArray x = zeros(2, 3, side, side);
        Generator gen = new Generator(5);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < side; h++) {
                    for (int w = 0; w < side; w++) {
                        float[] window = windows[(h / 2 + w / 2 + n + c) % windows.length];
                        x.set(h == 0 && w == 0 ? gen.nextGaussian() : window[(h % 2) * 2 + w % 2], n, c, h, w);
                    }
                }
            }
        }
        PoolGeometry geo = PoolGeometry.of(x.shape(), p);
        int[] outShape = {2, 3, p.outH(side), p.outW(side)};
        NDArray out = zeros(outShape), expected = zeros(outShape);
        NDArray idx = NDArray.zeros(DType.INT64, outShape), expectedIdx = NDArray.zeros(DType.INT64, outShape);
        REFERENCE.maxPool2d(x, geo, expected, expectedIdx);
        VECTOR.maxPool2d(x, geo, out, idx);
        assertBitwise(expected, out, "max forward");
        assertArrayEquals(expectedIdx.toLongArray(), idx.toLongArray(), "max indices");
    }

    @ParameterizedTest(name = "{0}x{1} on {2}x{3}, stride {4}x{5}, padding {6}x{7}")
    @CsvSource({
            "2, 2, 28, 28, 2, 2, 0, 0",  // MNIST (vector path: no padding)
            "2, 2, 14, 14, 2, 2, 0, 0",  // MNIST, second pool: 7x7 windows, a ragged last vector
            "2, 2, 15, 13, 2, 2, 0, 0",  // odd sizes: the last row and column belong to no window
            "2, 2, 16, 32, 2, 2, 0, 0",  // 8x16 windows: whole vectors, no tail
            "2, 2, 2, 2, 2, 2, 0, 0",    // one window per plane
            "2, 2, 3, 3, 2, 2, 0, 0",    // one window, odd plane: the 2x2 path's scalar tail at the end of the storage
            "2, 2, 9, 35, 2, 2, 0, 0",   // 17 windows per row: a whole vector of windows and a ragged one
            "2, 2, 4, 64, 2, 2, 0, 0",   // 32 windows per row: whole vectors only
            "2, 2, 7, 2, 2, 2, 0, 0",    // one window per row, an odd last row
            "3, 3, 9, 11, 2, 2, 0, 0",   // overlapping, unpadded
            "3, 2, 10, 7, 1, 3, 0, 0",   // rectangular, unpadded
            "2, 2, 28, 28, 2, 2, 1, 1",  // just outside the vector path: padded
            "3, 3, 14, 13, 2, 2, 1, 1",  // overlapping, padded
            "3, 3, 7, 9, 1, 1, 1, 1",
            "2, 3, 8, 11, 1, 2, 1, 0",
            "1, 1, 5, 5, 2, 3, 0, 0",
    })
    void matchesTheReference(int kH, int kW, int h, int w, int sH, int sW, int pH, int pW) {
        PoolParams p = new PoolParams(kH, kW, sH, sW, pH, pW);
        Generator gen = new Generator(h * 31 + w);
        NDArray x = randn(gen, 3, 5, h, w);
        x.set(Double.NaN, 1, 2, Math.min(3, h - 1), Math.min(4, w - 1));
        x.set(x.get(0, 0, 0, 0), 0, 0, 0, 1); // a tie
        for (NDArray input : new NDArray[] {x, VectorChecks.spaced(x), VectorChecks.transposed(x)}) {
            PoolGeometry geo = PoolGeometry.of(input.shape(), p);
            int[] outShape = {3, 5, p.outH(h), p.outW(w)};
            NDArray out = zeros(outShape), expected = zeros(outShape);
            NDArray idx = NDArray.zeros(DType.INT64, outShape), expectedIdx = NDArray.zeros(DType.INT64, outShape);
            REFERENCE.maxPool2d(input, geo, expected, expectedIdx);
            VECTOR.maxPool2d(input, geo, out, idx);
            assertBitwise(expected, out, "max forward");
            assertArrayEquals(expectedIdx.toLongArray(), idx.toLongArray(), "max indices");

            NDArray g = randn(gen, outShape), gi = VectorChecks.spaced(zeros(3, 5, h, w)), expectedGi = zeros(3, 5, h, w);
            REFERENCE.maxPool2dBackward(g, idx, expectedGi);
            VECTOR.maxPool2dBackward(g, idx, gi);
            VectorChecks.assertClose(expectedGi, gi, 1e-6, 1e-6, "max backward");
            NDArray flatGi = randn(gen, 3, 5, h, w); // flat planes (the fast backward), holding garbage to overwrite
            VECTOR.maxPool2dBackward(g, idx, flatGi);
            VectorChecks.assertClose(expectedGi, flatGi, 1e-6, 1e-6, "max backward into flat planes");

            REFERENCE.avgPool2d(input, geo, expected);
            VECTOR.avgPool2d(input, geo, out);
            VectorChecks.assertClose(expected, out, 1e-6, 1e-6, "avg forward");
            REFERENCE.avgPool2dBackward(g, geo, expectedGi);
            VECTOR.avgPool2dBackward(g, geo, gi);
            VectorChecks.assertClose(expectedGi, gi, 1e-6, 1e-6, "avg backward");
        }
    }
}
