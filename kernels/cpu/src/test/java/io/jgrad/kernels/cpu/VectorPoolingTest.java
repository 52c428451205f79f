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
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Max and average pooling against the reference, including ties, NaN and strided views. */
class VectorPoolingTest {

    @ParameterizedTest(name = "{0}x{1} on {2}x{3}, stride {4}x{5}, padding {6}x{7}")
    @CsvSource({
            "2, 2, 28, 28, 2, 2, 0, 0",  // MNIST
            "3, 3, 14, 13, 2, 2, 1, 1",  // overlapping, padded
            "3, 3, 7, 9, 1, 1, 1, 1",
            "2, 3, 8, 11, 1, 2, 1, 0",
            "1, 1, 5, 5, 2, 3, 0, 0",
    })
    void matchesTheReference(int kH, int kW, int h, int w, int sH, int sW, int pH, int pW) {
        PoolParams p = new PoolParams(kH, kW, sH, sW, pH, pW);
        Generator gen = new Generator(h * 31 + w);
        NDArray x = randn(gen, 3, 5, h, w);
        x.set(Double.NaN, 1, 2, 3, 4);
        x.set(x.get(0, 0, 0, 0), 0, 0, 0, 1); // a tie
        for (NDArray input : new NDArray[] {x, VectorChecks.spaced(x), VectorChecks.transposed(x)}) {
            int[] outShape = {3, 5, p.outH(h), p.outW(w)};
            NDArray out = zeros(outShape), expected = zeros(outShape);
            NDArray idx = NDArray.zeros(DType.INT64, outShape), expectedIdx = NDArray.zeros(DType.INT64, outShape);
            REFERENCE.maxPool2d(input, p, expected, expectedIdx);
            VECTOR.maxPool2d(input, p, out, idx);
            assertBitwise(expected, out, "max forward");
            assertArrayEquals(expectedIdx.toLongArray(), idx.toLongArray(), "max indices");

            NDArray g = randn(gen, outShape), gi = VectorChecks.spaced(zeros(3, 5, h, w)), expectedGi = zeros(3, 5, h, w);
            REFERENCE.maxPool2dBackward(g, idx, expectedGi);
            VECTOR.maxPool2dBackward(g, idx, gi);
            VectorChecks.assertClose(expectedGi, gi, 1e-6, 1e-6, "max backward");

            REFERENCE.avgPool2d(input, p, expected);
            VECTOR.avgPool2d(input, p, out);
            VectorChecks.assertClose(expected, out, 1e-6, 1e-6, "avg forward");
            REFERENCE.avgPool2dBackward(g, p, expectedGi);
            VECTOR.avgPool2dBackward(g, p, gi);
            VectorChecks.assertClose(expectedGi, gi, 1e-6, 1e-6, "avg backward");
        }
    }
}
