package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * The vector backend is the reference backend plus fast paths: where no fast path applies (float64 here) every
 * override falls back with {@code super}, so its results are the reference's to the bit, and the composed
 * conv2d-with-activation default ends in the reference kernels rather than looping between the overloads.
 */
class VectorBackendFallbackTest {

    private final Generator gen = new Generator(5);

    private NDArray randn(int... shape) {
        return NDArray.randn(gen, DType.FLOAT64, shape);
    }

    private static void assertSameBits(NDArray expected, NDArray actual, String what) {
        assertEquals(DType.FLOAT64, actual.dtype(), what);
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0.0, what);
    }

    @Test
    void float64ConvolutionWithAndWithoutActivationIsTheReference() {
        NDArray x = randn(2, 3, 7, 6), w = randn(4, 3, 3, 3), bias = randn(4);
        ConvGeometry geo = ConvGeometry.of(x.shape(), w.shape(), ConvParams.of(1, 1, 1, 1));
        int[] outShape = {2, 4, 7, 6};
        for (UnaryOp activation : new UnaryOp[] {null, UnaryOp.RELU, UnaryOp.TANH}) {
            NDArray expected = NDArray.zeros(DType.FLOAT64, outShape), actual = NDArray.zeros(DType.FLOAT64, outShape);
            REFERENCE.conv2d(x, w, bias, geo, activation, expected);
            VECTOR.conv2d(x, w, bias, geo, activation, actual);
            assertSameBits(expected, actual, "conv2d float64, activation " + activation);
        }
    }

    @Test
    void float64MatmulReduceSoftmaxAndUnaryAreTheReference() {
        NDArray a = randn(5, 7), b = randn(7, 3);
        NDArray mm = NDArray.zeros(DType.FLOAT64, 5, 3), mmRef = NDArray.zeros(DType.FLOAT64, 5, 3);
        REFERENCE.matmul(a, b, mmRef);
        VECTOR.matmul(a, b, mm);
        assertSameBits(mmRef, mm, "matmul float64");

        NDArray sum = NDArray.zeros(DType.FLOAT64, 5, 1), sumRef = NDArray.zeros(DType.FLOAT64, 5, 1);
        REFERENCE.reduce(ReduceOp.SUM, a, sumRef);
        VECTOR.reduce(ReduceOp.SUM, a, sum);
        assertSameBits(sumRef, sum, "sum float64");

        NDArray sm = NDArray.zeros(DType.FLOAT64, 5, 7), smRef = NDArray.zeros(DType.FLOAT64, 5, 7);
        REFERENCE.softmax(a, 1, true, smRef);
        VECTOR.softmax(a, 1, true, sm);
        assertSameBits(smRef, sm, "logSoftmax float64");

        NDArray t = NDArray.zeros(DType.FLOAT64, 5, 7), tRef = NDArray.zeros(DType.FLOAT64, 5, 7);
        REFERENCE.unary(UnaryOp.GELU_TANH, a, tRef, 0, 0);
        VECTOR.unary(UnaryOp.GELU_TANH, a, t, 0, 0);
        assertSameBits(tRef, t, "gelu float64");
    }

    @Test
    void keepsItsOwnName() {
        assertEquals("vector", VECTOR.name());
        assertEquals("reference", REFERENCE.name());
    }
}
