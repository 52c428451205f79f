package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Layer outputs and shapes worked out by hand. */
class LayerValuesTest {

    private static double[] values(Tensor t) {
        return t.data().toDoubleArray();
    }

    @Test
    void adaptiveAvgPoolUsesPyTorchsWindows() {
        // H = 5 to 3: windows floor(i·5/3) .. ceil((i+1)·5/3) = [0, 2), [1, 4), [3, 5)
        Tensor column = Tensor.of(new double[] {0, 1, 2, 3, 4}, 1, 1, 5, 1);
        assertArrayEquals(new double[] {0.5, 2, 3.5}, values(new AdaptiveAvgPool2d(3, 1).forward(column)), 1e-12);
        // H = 2 to 3 (upsampling): [0, 1), [0, 2), [1, 2)
        Tensor two = Tensor.of(new double[] {2, 4}, 1, 1, 2, 1);
        assertArrayEquals(new double[] {2, 3, 4}, values(new AdaptiveAvgPool2d(3, 1).forward(two)), 1e-12);
        // divisible sizes are plain average pooling
        Tensor x = Tensor.of(NDArray.arange(32).to(io.jgrad.tensor.DType.FLOAT64).reshape(2, 1, 4, 4));
        assertArrayEquals(values(new AvgPool2d(2).forward(x)), values(new AdaptiveAvgPool2d(2).forward(x)), 1e-12);
        assertArrayEquals(new double[] {7.5, 23.5}, values(new AdaptiveAvgPool2d(1).forward(x)), 1e-12);
    }

    @Test
    void poolingAndConvolutionShapes() {
        Tensor image = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(new double[] {4}, values(new MaxPool2d(2).forward(image)));
        assertArrayEquals(new double[] {2.5}, values(new AvgPool2d(2).forward(image)));
        assertArrayEquals(new int[] {1, 4, 4, 4}, new Conv2d(3, 4, 3, 2, 1).forward(Tensor.zeros(1, 3, 7, 7)).shape());
        assertArrayEquals(new int[] {2, 3, 4}, new Conv1d(2, 3, 3, 2, 1).forward(Tensor.zeros(2, 2, 8)).shape());   // (8 + 2 - 3)/2 + 1
        assertArrayEquals(new int[] {1, 2, 3, 3}, new MaxPool2d(3, 2, 1).forward(Tensor.zeros(1, 2, 5, 6)).shape());
    }

    @Test
    void conv2dForwardReluIsForwardThenRelu() {
        Conv2d conv = new Conv2d(3, 4, 3, 1, 1);
        Tensor x = Tensor.of(NDArray.randn(new io.jgrad.tensor.Generator(3), 2, 3, 6, 5));
        assertArrayEquals(values(conv.forward(x).relu()), values(conv.forwardRelu(x)), 0);
        assertEquals("CONV2D_RELU", conv.forwardRelu(x).gradFn());
        assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(conv.stateDict().keySet()));
    }

    @Test
    void conv2dForwardReluMaxPoolIsForwardReluThenPool() {
        Conv2d conv = new Conv2d(3, 4, 3, 1, 1);
        Tensor x = Tensor.of(NDArray.randn(new io.jgrad.tensor.Generator(5), 2, 3, 7, 6));
        io.jgrad.tensor.spi.PoolParams pool = io.jgrad.tensor.spi.PoolParams.of(2, 2, 0);
        Tensor fused = conv.forwardReluMaxPool(x, pool);
        assertArrayEquals(values(conv.forwardRelu(x).maxPool2d(pool)), values(fused), 0);
        assertArrayEquals(new int[] {2, 4, 3, 3}, fused.shape());
        assertEquals("CONV2D_RELU_MAX_POOL2D", fused.gradFn());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> conv.forwardReluMaxPool(Tensor.zeros(2, 2, 7, 6), pool));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[2, 2, 7, 6]"), e.getMessage());
    }

    @Test
    void flattenJoinsTheChosenDims() {
        Tensor x = Tensor.zeros(2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 60}, new Flatten().forward(x).shape());
        assertArrayEquals(new int[] {120}, new Flatten(0, -1).forward(x).shape());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
    }

    @Test
    void embeddingPaddingRowStartsAtZeroAndGetsNoGradient() {
        Embedding e = new Embedding(4, 2, 1);
        assertArrayEquals(new double[] {0, 0}, e.weight.data().select(0, 1).toDoubleArray());
        Tensor indices = Tensor.of(NDArray.of(new long[] {1, 2, 2, 1, 0}, 5));
        Tensor rows = e.forward(indices);
        assertArrayEquals(new int[] {5, 2}, rows.shape());
        rows.sum().backward();
        // each row's gradient counts its uses, except the padding row
        assertArrayEquals(new double[] {1, 1, 0, 0, 2, 2, 0, 0}, e.weight.grad().toDoubleArray());
    }

    @Test
    void activations() {
        Tensor x = Tensor.of(new double[] {-2, 1}, 2);
        assertArrayEquals(new double[] {0, 1}, values(new ReLU().forward(x)));
        assertArrayEquals(new double[] {-0.02, 1}, values(new LeakyReLU().forward(x)), 1e-15);
        assertArrayEquals(new double[] {Math.tanh(-2), Math.tanh(1)}, values(new Tanh().forward(x)), 1e-15);
        assertArrayEquals(new double[] {1 / (1 + Math.exp(2)), 1 / (1 + Math.exp(-1))}, values(new Sigmoid().forward(x)), 1e-15);
        assertEquals(0.8413447460685429, new GELU().forward(x).data().get(1), 1e-12);        // Φ(1)
        assertEquals(0.8411919906082768, new GELU("tanh").forward(x).data().get(1), 1e-12);
        assertArrayEquals(new double[] {1 / (1 + Math.exp(3)), 1 / (1 + Math.exp(-3))}, values(new Softmax(0).forward(x)), 1e-15);
        assertArrayEquals(new double[] {-Math.log1p(Math.exp(3)), -Math.log1p(Math.exp(-3))}, values(new LogSoftmax(-1).forward(x)), 1e-12);
    }
}
