package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static io.jgrad.kernels.cpu.NDArrayAssert.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Backend SPI promises that every argument, {@code out} included, may be any strided view. The facade
 * always hands kernels fresh contiguous outputs, so these tests call the reference kernels directly with
 * transposed and offset outputs, and check that exactly the view's elements are written.
 */
class ReferenceBackendStridesTest {

    private final ReferenceBackend backend = new ReferenceBackend();

    /** A [rows, cols] view of a NaN-filled [cols, rows + 2] buffer (narrowed at 1, then transposed): strides [1, rows + 2], offset 1. */
    private static NDArray transposedWindow(int rows, int cols) {
        NDArray buffer = NDArray.full(DType.FLOAT64, Double.NaN, cols, rows + 2);
        return buffer.narrow(1, 1, rows).t();
    }

    /** The buffer around a window: every element outside the window must still be NaN. */
    private static void assertOnlyWindowWritten(NDArray window) {
        NDArray buffer = NDArray.view(window.storage(), new int[] {window.storage().size()}, new int[] {1}, 0);
        int written = 0;
        for (double v : buffer.toDoubleArray()) if (!Double.isNaN(v)) written++;
        assertEquals(window.numel(), written, "elements written outside the view");
    }

    @Test
    void unaryAndBinaryWriteThroughATransposedOutput() {
        NDArray x = iota(2, 3);
        NDArray out = transposedWindow(2, 3);
        backend.unary(UnaryOp.SQUARE, x, out, 0, 0);
        assertValues(out, new int[] {2, 3}, 0, 1, 4, 9, 16, 25);
        assertOnlyWindowWritten(out);

        NDArray out2 = transposedWindow(2, 3);
        backend.binary(BinaryOp.SUB, x, iota(3, 2).t(), out2);
        assertValues(out2, new int[] {2, 3}, 0, -1, -2, 2, 1, 0);
        assertOnlyWindowWritten(out2);
    }

    @Test
    void binaryInPlaceWithOutputAliasingAnInput() {
        NDArray a = iota(3, 2).t();
        backend.binary(BinaryOp.MUL, a, f64(new double[] {2}, 1).expand(2, 3), a);
        assertValues(a, new int[] {2, 3}, 0, 4, 8, 2, 6, 10);
    }

    @Test
    void copyFillAndWhereIntoStridedOutputs() {
        NDArray out = transposedWindow(2, 3);
        backend.copy(NDArray.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3), out);
        assertValues(out, new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertOnlyWindowWritten(out);

        NDArray filled = transposedWindow(2, 3);
        backend.fill(filled, 7);
        assertValues(filled, new int[] {2, 3}, 7, 7, 7, 7, 7, 7);
        assertOnlyWindowWritten(filled);

        NDArray chosen = transposedWindow(2, 3);
        NDArray cond = f64(new double[] {1, 0, 1}, 3).expand(2, 3);
        backend.where(cond, iota(2, 3), f64(new double[] {-1}, 1).expand(2, 3), chosen);
        assertValues(chosen, new int[] {2, 3}, 0, -1, 2, 3, -1, 5);
        assertOnlyWindowWritten(chosen);
    }

    @Test
    void reduceIntoAStridedOutput() {
        NDArray x = iota(2, 3).add(1); // [[1, 2, 3], [4, 5, 6]]
        NDArray out = transposedWindow(1, 3); // keepdim shape of a reduction over dim 0
        backend.reduce(ReduceOp.MEAN, x, out);
        assertValues(out, new int[] {1, 3}, 2.5, 3.5, 4.5);
        assertOnlyWindowWritten(out);

        NDArray rowMax = transposedWindow(2, 1);
        backend.reduce(ReduceOp.AMAX, x.t().t(), rowMax);
        assertValues(rowMax, new int[] {2, 1}, 3, 6);
        assertOnlyWindowWritten(rowMax);
    }

    @Test
    void argReduceIntoAStridedInt64Output() {
        NDArray x = f64(new double[] {3, 9, 1, 7, 2, 8}, 2, 3);
        NDArray buffer = NDArray.full(DType.INT64, -1, 3, 2);
        NDArray out = buffer.select(1, 1).unsqueeze(0); // [1, 3], stride 2
        backend.argReduce(true, x, 0, out);
        assertArrayEquals(new long[] {1, 0, 1}, out.toLongArray());
        assertArrayEquals(new long[] {-1, 1, -1, 0, -1, 1}, buffer.toLongArray());
    }

    @Test
    void matmulIntoATransposedOutput() {
        NDArray a = iota(2, 3), b = iota(3, 2);
        NDArray out = transposedWindow(2, 2);
        backend.matmul(a, b, out);
        assertValues(out, new int[] {2, 2}, 10, 13, 28, 40);
        assertOnlyWindowWritten(out);
    }

    @Test
    void softmaxIntoATransposedOutput() {
        NDArray x = f64(new double[] {0, Math.log(3), 0, 0}, 2, 2);
        NDArray out = transposedWindow(2, 2);
        backend.softmax(x, 1, false, out);
        assertValues(out, new int[] {2, 2}, new double[] {0.25, 0.75, 0.5, 0.5}, 1e-15);
        assertOnlyWindowWritten(out);

        NDArray logOut = transposedWindow(2, 2);
        backend.softmax(x, 0, true, logOut);
        assertValues(logOut, new int[] {2, 2}, new double[] {Math.log(0.5), Math.log(0.75), Math.log(0.5), Math.log(0.25)}, 1e-15);
        assertOnlyWindowWritten(logOut);
    }
}
