package io.jgrad.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

/**
 * Empty dims and 0-d tensors through the ops, their gradients and the layers, on the default backend (the
 * vector backend when the module is present, where the zero sizes reached the blocking arithmetic of the
 * kernels); PyTorch's answers: empty results, zero gradients.
 */
class EmptyAndEdgeInputsTest {

    private final Generator gen = new Generator(5);

    private Tensor param(int... shape) {
        return Tensor.parameter(NDArray.randn(gen, DType.FLOAT32, shape));
    }

    private static void assertAllZero(NDArray a, int[] shape, String what) {
        assertArrayEquals(shape, a.shape(), what + ": shape");
        for (float v : a.toFloatArray()) assertEquals(0f, v, what);
    }

    @Test
    void matmulWithAnEmptyRowOrColumnDimGivesAnEmptyResult() {
        Tensor a = param(0, 5), b = param(5, 3);
        Tensor y = a.matmul(b);
        assertArrayEquals(new int[] {0, 3}, y.shape());
        y.sum().backward();
        assertAllZero(b.grad(), new int[] {5, 3}, "grad of b when m = 0");
        Tensor c = param(4, 5), d = param(5, 0);
        Tensor z = c.matmul(d);
        assertArrayEquals(new int[] {4, 0}, z.shape());
        z.sum().backward();
        assertAllZero(c.grad(), new int[] {4, 5}, "grad of c when n = 0");
    }

    @Test
    void productOverAnEmptyInnerDimIsZerosWithEmptyGradients() {
        Tensor a = param(4, 0), b = param(0, 3);
        Tensor y = a.matmul(b);
        assertAllZero(y.data(), new int[] {4, 3}, "k = 0 product");
        y.sum().backward();
        assertArrayEquals(new int[] {4, 0}, a.grad().shape());
        assertArrayEquals(new int[] {0, 3}, b.grad().shape());
    }

    @Test
    void dotOfTwoEmptyVectorsIsZero() {
        Tensor a = param(0), b = param(0);
        Tensor y = a.matmul(b);
        assertEquals(0, y.rank());
        assertEquals(0.0, y.item());
        y.backward();
        assertArrayEquals(new int[] {0}, a.grad().shape());
    }

    @Test
    void linearOnAnEmptyBatch() {
        Linear linear = new Linear(6, 4);
        Tensor y = linear.forward(Tensor.of(NDArray.zeros(DType.FLOAT32, 0, 6)));
        assertArrayEquals(new int[] {0, 4}, y.shape());
        y.sum().backward();
        assertAllZero(linear.weight.grad(), new int[] {4, 6}, "weight grad");
        assertAllZero(linear.bias.grad(), new int[] {4}, "bias grad");
    }

    @Test
    void conv2dBackwardOverAnEmptyBatch() {
        Conv2d conv = new Conv2d(3, 5, 3, 1, 1);
        Tensor x = Tensor.parameter(NDArray.zeros(DType.FLOAT32, 0, 3, 8, 8));
        Tensor y = conv.forward(x);
        assertArrayEquals(new int[] {0, 5, 8, 8}, y.shape());
        y.sum().backward();
        assertAllZero(conv.weight.grad(), new int[] {5, 3, 3, 3}, "weight grad");
        assertAllZero(conv.bias.grad(), new int[] {5}, "bias grad");
        assertArrayEquals(new int[] {0, 3, 8, 8}, x.grad().shape());
    }

    @Test
    void convolutionWithoutInputChannelsIsItsBias() {
        NDArray input = NDArray.zeros(DType.FLOAT32, 2, 0, 4, 4), weight = NDArray.zeros(DType.FLOAT32, 3, 0, 3, 3);
        NDArray bias = NDArray.of(new float[] {1, -2, 0.5f}, 3);
        io.jgrad.tensor.spi.ConvParams p = new io.jgrad.tensor.spi.ConvParams(1, 1, 1, 1, 1, 1, 1);
        NDArray y = input.conv2d(weight, bias, p), r = input.conv2dRelu(weight, bias, p);
        assertArrayEquals(new int[] {2, 3, 4, 4}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(bias.get(c), y.get(n, c, 2, 1));
                assertEquals(Math.max(0, bias.get(c)), r.get(n, c, 3, 0));
            }
        }
    }

    @Test
    void convolutionGradientsOfAnEmptyBatchAtSeveralGeometries() {
        int[][] cases = {{3, 28, 5, 0, 1}, {16, 14, 3, 1, 1}, {1, 1, 1, 0, 1}, {8, 32, 3, 1, 2}, {4, 9, 3, 1, 4}};
        for (int[] c : cases) {
            int channels = c[0], size = c[1], k = c[2], pad = c[3], groups = c[4];
            io.jgrad.tensor.spi.ConvParams p = new io.jgrad.tensor.spi.ConvParams(1, 1, pad, pad, 1, 1, groups);
            NDArray input = NDArray.zeros(DType.FLOAT32, 0, channels, size, size);
            int[] weightShape = {2 * groups, channels / groups, k, k};
            int out = size + 2 * pad - k + 1;
            NDArray gradOut = NDArray.zeros(DType.FLOAT32, 0, 2 * groups, out, out);
            assertAllZero(gradOut.conv2dBackwardWeight(input, weightShape, p), weightShape, "weight grad " + java.util.Arrays.toString(c));
            assertArrayEquals(input.shape(), gradOut.conv2dBackwardInput(NDArray.zeros(DType.FLOAT32, weightShape), input.shape(), p).shape());
        }
    }

    @Test
    void emptyReductionsGiveTheirIdentity() {
        NDArray x = NDArray.zeros(DType.FLOAT32, 3, 0);
        assertAllZero(x.sum(1), new int[] {3}, "sum over an empty dim");
        assertTrue(Double.isNaN(x.mean(1).get(0)), "mean over an empty dim is NaN");
        assertArrayEquals(new int[] {0}, x.sum(0).shape());
        assertArrayEquals(new int[] {3, 0}, x.softmax(1).shape());
    }

    @Test
    void transposeOfAZeroDimTensor() {
        Tensor s = Tensor.parameter(NDArray.scalar(DType.FLOAT32, 2.5));
        Tensor t = s.transpose(0, -1);
        assertEquals(0, t.rank());
        assertEquals(2.5, t.item());
        t.mul(t).backward();
        assertEquals(5.0, s.grad().item(), 1e-6);
        assertEquals(2.5, s.data().transpose(-1, 0).item());
    }

    @Test
    void crossEntropyWhereEveryTargetIsIgnoredHasANanLossAndAZeroGradient() {
        Tensor logits = param(4, 3);
        NDArray targets = NDArray.of(new long[] {-100, -100, -100, -100}, 4);
        Tensor loss = Losses.crossEntropy(logits, Tensor.of(targets));
        assertTrue(Double.isNaN(loss.item()), "loss " + loss.item());
        loss.backward();
        assertAllZero(logits.grad(), new int[] {4, 3}, "gradient");
    }

    @Test
    void crossEntropyWithSomeTargetsIgnoredIsTheMeanOverTheKeptOnes() {
        Tensor logits = Tensor.of(NDArray.of(new float[] {0, 0, 0, 5, 0, 0}, 2, 3)).requiresGrad(true);
        Tensor loss = Losses.crossEntropy(logits, Tensor.of(NDArray.of(new long[] {1, -100}, 2)));
        assertEquals(Math.log(3), loss.item(), 1e-6);
        loss.backward();
        float[] g = logits.grad().toFloatArray();
        assertEquals(1 / 3.0, g[0], 1e-6);
        assertEquals(-2 / 3.0, g[1], 1e-6);
        assertEquals(0f, g[3]);
    }
}
