package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/**
 * Ops whose outputs are allocated without the zero fill ({@code Backend.allocateUninitialized}) must write every
 * element. Before each op the buffer pool is handed buffers of the output's size full of NaN (the pool gives the
 * last one back first), so an element a kernel leaves unwritten reads NaN, or a garbage index, and differs from
 * the CPU's result.
 */
class UninitializedOutputsTest {

    @Test
    void everyOpWritesAllOfItsOutput() {
        OpenClBackend cl = OpenClTesting.backend();
        Device gpu = cl.device();
        for (int n : new int[] {1, 7, 33, 257}) {
            NDArray x = OpenClTesting.randn(n, DType.FLOAT32, 3, n), y = OpenClTesting.randn(n + 1, DType.FLOAT32, n, 5);
            same(cl, "exp " + n, x, a -> a.exp());
            same(cl, "add broadcast " + n, x, a -> a.add(a.narrow(0, 0, 1)));
            same(cl, "where " + n, x, a -> NDArray.where(a.relu(), a, a.neg()));
            same(cl, "copy of a transposed view " + n, x, a -> a.transpose(0, 1).contiguous());
            same(cl, "sum over dim 1 " + n, x, a -> a.sum(1));
            same(cl, "matmul " + n, x, a -> a.matmul(a == x ? y : y.to(gpu)));
            same(cl, "logSoftmax " + n, x, a -> a.logSoftmax(1));
            NDArray index = OpenClTesting.randomIndex(n, n, 3, 2);
            same(cl, "gather " + n, x, a -> a.gather(1, a.device().isCpu() ? index : index.to(gpu)));
            NDArray target = OpenClTesting.randomIndex(n + 2, n, 3);
            CrossEntropyParams p = new CrossEntropyParams(-100, 0.1);
            same(cl, "crossEntropy rows " + n, x, a -> a.crossEntropy(on(target, a), null, p)[0]);
            same(cl, "crossEntropy statistics " + n, x, a -> a.crossEntropy(on(target, a), null, p)[1]);
            same(cl, "crossEntropy total " + n, x, a -> {
                NDArray[] rows = a.crossEntropy(on(target, a), null, p);
                return NDArray.crossEntropyTotal(rows[0], rows[1], true);
            });
            same(cl, "crossEntropy gradient " + n, x, a -> {
                NDArray[] rows = a.crossEntropy(on(target, a), null, p);
                return a.crossEntropyBackward(on(target, a), null, p, rows[1], rows[0], null);
            });
        }
        NDArray image = OpenClTesting.randn(5, DType.FLOAT32, 2, 3, 9, 7), weight = OpenClTesting.randn(6, DType.FLOAT32, 4, 3, 3, 3);
        NDArray bias = OpenClTesting.randn(7, DType.FLOAT32, 4);
        same(cl, "conv2d", image, a -> a.conv2d(on(weight, a), on(bias, a), ConvParams.of(1, 1, 1, 1)));
        same(cl, "conv2dRelu", image, a -> a.conv2dRelu(on(weight, a), on(bias, a), ConvParams.of(2, 0, 1, 1)));
        same(cl, "maxPool2d values", image, a -> a.maxPool2dWithIndices(PoolParams.of(2, 2, 0))[0]);
        same(cl, "maxPool2d positions", image, a -> a.maxPool2dWithIndices(PoolParams.of(3, 2, 1))[1]);
        same(cl, "maxPool2d gradient", image, a -> {
            NDArray[] pooled = a.maxPool2dWithIndices(PoolParams.of(2, 2, 0));
            return pooled[0].maxPool2dBackward(pooled[1], a.shape());
        });
        NDArray gradOut = OpenClTesting.randn(8, DType.FLOAT32, 2, 4, 9, 7);
        same(cl, "conv2d input gradient", gradOut, g -> g.conv2dBackwardInput(on(weight, g), image.shape(), ConvParams.of(1, 1, 1, 1)));
        same(cl, "conv2d weight gradient", gradOut, g -> g.conv2dBackwardWeight(on(image, g), weight.shape(), ConvParams.of(1, 1, 1, 1)));
    }

    private static NDArray on(NDArray a, NDArray like) {
        return a.to(like.device());
    }

    /** {@code op} on the CPU and on the device, the device's output bucket poisoned first. */
    private static void same(OpenClBackend cl, String what, NDArray input, UnaryOperator<NDArray> op) {
        NDArray expected = op.apply(input);
        NDArray device = input.to(cl.device());
        poison(cl, expected.numel() * expected.dtype().byteSize());
        assertMatches(what, expected, op.apply(device), 1e-5, 1e-5);
    }

    /** Three buffers of the bucket that serves {@code bytes}, filled with NaN and returned to the pool. */
    private static void poison(OpenClBackend cl, long bytes) {
        int floats = (int) Math.max(1, (bytes + 3) / 4);
        for (int i = 0; i < 3; i++) {
            ClStorage s = cl.runtime().allocateUninitialized(DType.FLOAT32, floats);
            NDArray.view(s, new int[] {floats}, new int[] {1}, 0).fill(Float.NaN);
            s.close();
        }
    }
}
