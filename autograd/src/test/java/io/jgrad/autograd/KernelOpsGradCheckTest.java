package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static io.jgrad.autograd.ArrayAssertions.assertValues;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static io.jgrad.autograd.Float64Leaves.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GradCheck} for the ops whose reference kernels (convolution, pooling, indexing) are written
 * separately from autograd: conv2d with stride, padding, dilation and groups (with and without bias),
 * conv1d, max and average pooling, gather, scatterAdd, indexSelect and embedding.
 */
class KernelOpsGradCheckTest {

    private static GradCheckCase check(String name, Function<Tensor[], Tensor> f, Function<Float64Leaves, Tensor[]> inputs) {
        return GradCheckCase.of(name, f, inputs);
    }

    private static NDArray index(long[] values, int... shape) {
        return NDArray.of(values, shape);
    }

    static List<GradCheckCase> cases() {
        List<GradCheckCase> c = new ArrayList<>();

        // ---- conv2d: input, weight and bias all checked ----
        c.add(check("conv2d 3x3, stride 1, no padding, bias", in -> in[0].conv2d(in[1], in[2], ConvParams.of(1, 0, 1, 1)),
                r -> of(r.normal(2, 3, 5, 5), r.normal(4, 3, 3, 3), r.normal(4))));
        c.add(check("conv2d 3x3, stride 1, no padding, no bias", in -> in[0].conv2d(in[1], null, ConvParams.of(1, 0, 1, 1)),
                r -> of(r.normal(2, 3, 5, 5), r.normal(4, 3, 3, 3))));
        c.add(check("conv2d stride 2, padding 1, bias", in -> in[0].conv2d(in[1], in[2], ConvParams.of(2, 1, 1, 1)),
                r -> of(r.normal(1, 2, 6, 5), r.normal(3, 2, 3, 3), r.normal(3))));
        c.add(check("conv2d dilation 2, padding 2, no bias", in -> in[0].conv2d(in[1], null, ConvParams.of(1, 2, 2, 1)),
                r -> of(r.normal(1, 2, 5, 6), r.normal(2, 2, 3, 3))));
        c.add(check("conv2d groups 2, bias", in -> in[0].conv2d(in[1], in[2], ConvParams.of(1, 1, 1, 2)),
                r -> of(r.normal(2, 4, 4, 4), r.normal(6, 2, 3, 3), r.normal(6))));
        c.add(check("conv2d depthwise (groups = channels), stride 2, no bias", in -> in[0].conv2d(in[1], null, ConvParams.of(2, 1, 1, 3)),
                r -> of(r.normal(1, 3, 5, 5), r.normal(3, 1, 3, 3))));
        c.add(check("conv2d all at once: stride (2,1), padding (1,0), dilation (1,2), groups 2, rectangular kernel, bias",
                in -> in[0].conv2d(in[1], in[2], new ConvParams(2, 1, 1, 0, 1, 2, 2)),
                r -> of(r.normal(2, 4, 5, 7), r.normal(4, 2, 2, 3), r.normal(4))));
        c.add(check("conv2d 1x1 kernel", in -> in[0].conv2d(in[1], in[2], ConvParams.of(1, 0, 1, 1)),
                r -> of(r.normal(2, 3, 3, 2), r.normal(5, 3, 1, 1), r.normal(5))));
        c.add(check("conv2d weight only (input constant)", in -> in[0].conv2d(in[1], null, ConvParams.of(1, 1, 1, 1)),
                r -> of(r.normal(1, 2, 4, 4).requiresGrad(false), r.normal(3, 2, 3, 3))));

        // ---- conv2d with a fused ReLU ----
        c.add(check("conv2dRelu 3x3, padding 1, bias", in -> in[0].conv2dRelu(in[1], in[2], ConvParams.of(1, 1, 1, 1)),
                r -> of(r.normal(2, 3, 5, 4), r.normal(4, 3, 3, 3), r.normal(4))));
        c.add(check("conv2dRelu stride 2, groups 2, no bias", in -> in[0].conv2dRelu(in[1], null, ConvParams.of(2, 1, 1, 2)),
                r -> of(r.normal(1, 4, 6, 5), r.normal(4, 2, 3, 3))));

        // ---- linear with a fused ReLU ----
        c.add(check("linearRelu with bias", in -> in[0].linearRelu(in[1], in[2]), r -> of(r.normal(5, 4), r.normal(3, 4), r.normal(3))));
        c.add(check("linearRelu, no bias, [2, 3, in] input", in -> in[0].linearRelu(in[1], null), r -> of(r.normal(2, 3, 4), r.normal(6, 4))));

        // ---- conv2d with a fused ReLU and max pooling ----
        c.add(check("conv2dReluMaxPool2d 3x3 padding 1, bias, 2x2 pool", in -> in[0].conv2dReluMaxPool2d(in[1], in[2], ConvParams.of(1, 1, 1, 1), PoolParams.of(2, 2, 0)),
                r -> of(r.normal(2, 3, 6, 5), r.normal(4, 3, 3, 3), r.normal(4))));
        c.add(check("conv2dReluMaxPool2d stride 2, groups 2, no bias, overlapping 3x3 pool stride 2 padding 1",
                in -> in[0].conv2dReluMaxPool2d(in[1], null, ConvParams.of(2, 1, 1, 2), PoolParams.of(3, 2, 1)),
                r -> of(r.normal(1, 4, 9, 8), r.normal(4, 2, 3, 3))));

        // ---- conv1d (conv2d over a height-1 image) ----
        c.add(check("conv1d stride 2, padding 1, groups 2, bias", in -> in[0].conv1d(in[1], in[2], 2, 1, 1, 2),
                r -> of(r.normal(2, 4, 7), r.normal(6, 2, 3), r.normal(6))));
        c.add(check("conv1d dilation 2, no bias", in -> in[0].conv1d(in[1], null, 1, 0, 2, 1),
                r -> of(r.normal(1, 3, 8), r.normal(2, 3, 3))));

        // ---- pooling: max pooling on distinct values so every window has one winner ----
        c.add(check("maxPool2d 2x2 stride 2", in -> in[0].maxPool2d(PoolParams.of(2, 2, 0)), r -> of(r.distinct(2, 2, 6, 6))));
        c.add(check("maxPool2d 3x3 stride 2 padding 1 (overlapping windows)", in -> in[0].maxPool2d(PoolParams.of(3, 2, 1)),
                r -> of(r.distinct(1, 2, 7, 6))));
        c.add(check("maxPool2d 3x3 stride 1 (one element can win several windows)", in -> in[0].maxPool2d(PoolParams.of(3, 1, 0)),
                r -> of(r.distinct(1, 1, 5, 5))));
        c.add(check("maxPool2d rectangular (2x3, stride (1,2), padding (1,1))", in -> in[0].maxPool2d(new PoolParams(2, 3, 1, 2, 1, 1)),
                r -> of(r.distinct(1, 2, 4, 7))));
        c.add(check("avgPool2d 2x2 stride 2", in -> in[0].avgPool2d(PoolParams.of(2, 2, 0)), r -> of(r.normal(2, 2, 4, 6))));
        c.add(check("avgPool2d 3x3 stride 2 padding 1", in -> in[0].avgPool2d(PoolParams.of(3, 2, 1)), r -> of(r.normal(1, 2, 5, 6))));
        c.add(check("avgPool2d 3x3 stride 1 padding 1", in -> in[0].avgPool2d(PoolParams.of(3, 1, 1)), r -> of(r.normal(1, 1, 4, 4))));
        c.add(check("avgPool2d rectangular (2x4, stride (2,1), padding (1,2))", in -> in[0].avgPool2d(new PoolParams(2, 4, 2, 1, 1, 2)),
                r -> of(r.normal(1, 2, 5, 5))));

        // ---- indexing ----
        c.add(check("gather dim 1 (repeated indices accumulate)", in -> in[0].gather(1, index(new long[] {0, 3, 3, 1, 2, 2, 0, 0}, 4, 2)),
                r -> of(r.normal(4, 4))));
        c.add(check("gather dim 0, index smaller than input", in -> in[0].gather(0, index(new long[] {2, 0, 1, 2, 1, 1}, 2, 3)),
                r -> of(r.normal(3, 4))));
        c.add(check("gather dim -1 of 3-D", in -> in[0].gather(-1, index(new long[] {1, 0, 2, 2, 0, 1, 1, 1}, 2, 2, 2)),
                r -> of(r.normal(2, 3, 3))));
        c.add(check("scatterAdd dim 0, both inputs", in -> in[0].scatterAdd(0, index(new long[] {0, 1, 2, 0, 1, 2, 0, 0, 2, 1}, 2, 5), in[1]),
                r -> of(r.normal(3, 5), r.normal(2, 5))));
        c.add(check("scatterAdd dim 1, repeated targets, both inputs", in -> in[0].scatterAdd(1, index(new long[] {3, 3, 0, 1, 1, 1}, 2, 3), in[1]),
                r -> of(r.normal(2, 4), r.normal(2, 3))));
        c.add(check("scatterAdd into a constant, src only", in -> in[0].scatterAdd(1, index(new long[] {2, 0, 2, 1}, 2, 2), in[1]),
                r -> of(r.normal(2, 3).requiresGrad(false), r.normal(2, 2))));
        c.add(check("indexSelect dim 0 (repeated indices)", in -> in[0].indexSelect(0, index(new long[] {2, 0, 2}, 3)), r -> of(r.normal(4, 3))));
        c.add(check("indexSelect dim 1", in -> in[0].indexSelect(1, index(new long[] {1, 1, 0, 3}, 4)), r -> of(r.normal(3, 4))));
        c.add(check("indexSelect dim -1 of 3-D", in -> in[0].indexSelect(-1, index(new long[] {2, 0}, 2)), r -> of(r.normal(2, 2, 3))));
        c.add(check("indexSelect with a 0-d index", in -> in[0].indexSelect(0, NDArray.of(new long[] {1})), r -> of(r.normal(3, 2))));
        c.add(check("embedding [5,3] at [[0,2],[4,2]]", in -> in[0].embedding(index(new long[] {0, 2, 4, 2}, 2, 2)), r -> of(r.normal(5, 3))));
        c.add(check("embedding then linear", in -> in[0].embedding(index(new long[] {1, 3, 1}, 3)).linear(in[1], in[2]).tanh(),
                r -> of(r.normal(4, 2), r.normal(3, 2), r.normal(3))));

        // ---- fused attention: query, key and value checked; masks carry no gradient ----
        double inf = Double.NEGATIVE_INFINITY;
        NDArray mask = NDArray.of(new double[] {0, -1, 0.5, inf, 0, inf, 0, 2, 0, 0.25, 0, 1, inf, 0, 0}, 3, 5);
        NDArray blind = NDArray.of(new double[] {0, 0, 0, 0, inf, inf, inf, inf, 0, inf, 0, 0}, 3, 4);
        c.add(check("attention [2,3,4] over 5 keys, Ev 3", in -> in[0].attention(in[1], in[2], null, 0.5, false),
                r -> of(r.normal(2, 3, 4), r.normal(2, 5, 4), r.normal(2, 5, 3))));
        c.add(check("attention with an additive mask", in -> in[0].attention(in[1], in[2], mask, 1 / Math.sqrt(4), false),
                r -> of(r.normal(2, 3, 4), r.normal(2, 5, 4), r.normal(2, 5, 3))));
        c.add(check("attention causal, L 4 > S 3", in -> in[0].attention(in[1], in[2], null, 0.7, true),
                r -> of(r.normal(2, 4, 2), r.normal(2, 3, 2), r.normal(2, 3, 3))));
        c.add(check("attention, a query that sees no key", in -> in[0].attention(in[1], in[2], blind, 1, false),
                r -> of(r.normal(1, 3, 3), r.normal(1, 4, 3), r.normal(1, 4, 2))));
        c.add(check("attention with broadcast batch dims: key [4,2], value [1,4,3]", in -> in[0].attention(in[1], in[2], null, 1, true),
                r -> of(r.normal(2, 3, 2), r.normal(4, 2), r.normal(1, 4, 3))));
        c.add(check("attention on permuted head views", in -> in[0].reshape(2, 3, 2, 2).permute(0, 2, 1, 3)
                        .attention(in[1].reshape(2, 4, 2, 2).permute(0, 2, 1, 3), in[1].reshape(2, 4, 2, 2).permute(0, 2, 1, 3), null, 0.5, false),
                r -> of(r.normal(2, 3, 4), r.normal(2, 4, 4))));

        // ---- fused cross-entropy: the logits checked; targets and class weights carry no gradient ----
        NDArray targets = index(new long[] {1, 4, 0, 2}, 4), withIgnored = index(new long[] {1, -100, 0, 3}, 4);
        NDArray weights = NDArray.of(new double[] {0.5, 1, 2, 0.25, 1.5}, 5);
        c.add(check("crossEntropy mean [4,5]", in -> in[0].crossEntropy(targets, null, new CrossEntropyParams(-100, 0), true),
                r -> of(r.normal(4, 5))));
        c.add(check("crossEntropy weighted mean with an ignored row, smoothing 0.2",
                in -> in[0].crossEntropy(withIgnored, weights, new CrossEntropyParams(-100, 0.2), true), r -> of(r.normal(4, 5))));
        c.add(check("crossEntropy weighted sum, class 0 ignored, smoothing 0.1",
                in -> in[0].crossEntropy(targets, weights, new CrossEntropyParams(0, 0.1), false), r -> of(r.normal(4, 5))));
        c.add(check("crossEntropy per element, [2,3,4] with the classes in dim 1, smoothing 0.3",
                in -> in[0].crossEntropyPerElement(index(new long[] {0, 2, 1, 1, 2, 0, 0, 1}, 2, 4), null, new CrossEntropyParams(-100, 0.3)),
                r -> of(r.normal(2, 3, 4))));
        c.add(check("crossEntropy of transposed logits", in -> in[0].permute(1, 0).crossEntropy(targets, weights, new CrossEntropyParams(-100, 0), true),
                r -> of(r.normal(5, 4))));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(GradCheckCase c) {
        assertTrue(c.run());
    }

    @Test
    void everyKernelOpIsChecked() {
        Set<Op> seen = EnumSet.noneOf(Op.class);
        for (GradCheckCase c : cases()) seen.addAll(c.recordedOps());
        Set<Op> missing = EnumSet.copyOf(GradCheckCase.KERNEL_OPS);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "kernel ops without a gradient check: " + missing);
    }

    // ---- closed forms, so a wrong kernel that is consistently wrong forward and backward is still caught ----

    @Test
    void maxPoolSendsEachGradientToItsWindowsMaximum() {
        // 2x2 windows of [[1, 5, 2, 0], [3, 4, 8, 6]]: maxima 5 (at 1) and 8 (at 6)
        Tensor x = leaf(new double[] {1, 5, 2, 0, 3, 4, 8, 6}, 1, 1, 2, 4);
        Tensor y = x.maxPool2d(PoolParams.of(2, 2, 0));
        assertValues(new double[] {5, 8}, new int[] {1, 1, 1, 2}, y.data(), 0);
        y.backward(NDArray.of(new double[] {10, 20}, 1, 1, 1, 2));
        assertValues(new double[] {0, 10, 0, 0, 0, 0, 20, 0}, new int[] {1, 1, 2, 4}, x.grad(), 0);
    }

    @Test
    void avgPoolWithPaddingCountsThePaddedCells() {
        // 3x3 windows, stride 1, padding 1 over a 2x2 image of ones: every window sees 4 real cells of 9
        // (count_include_pad=True), so each output is 4/9 and each input is in all 4 windows: grad = 4/9
        Tensor x = leaf(new double[] {1, 1, 1, 1}, 1, 1, 2, 2);
        Tensor y = x.avgPool2d(PoolParams.of(3, 1, 1));
        assertValues(new double[] {4 / 9.0, 4 / 9.0, 4 / 9.0, 4 / 9.0}, new int[] {1, 1, 2, 2}, y.data(), 1e-12);
        y.sum().backward();
        assertValues(new double[] {4 / 9.0, 4 / 9.0, 4 / 9.0, 4 / 9.0}, new int[] {1, 1, 2, 2}, x.grad(), 1e-12);
    }

    @Test
    void conv2dBiasGradientIsTheSumOverBatchAndSpace() {
        Float64Leaves r = new Float64Leaves(41);
        Tensor x = r.normal(2, 1, 3, 3).requiresGrad(false);
        Tensor w = r.normal(2, 1, 2, 2);
        Tensor b = leaf(new double[] {0, 0}, 2);
        // output [2, 2, 2, 2]; L = sum(out): dL/db[o] = 2 samples · 2·2 positions = 8
        x.conv2d(w, b, ConvParams.of(1, 0, 1, 1)).sum().backward();
        assertValues(new double[] {8, 8}, new int[] {2}, b.grad(), 1e-12);
    }

    /** The fused node gives the values and gradients of conv2d then relu, float32 (the default backend's kernels) and float64. */
    @Test
    void conv2dReluIsConvThenRelu() {
        ConvParams p = ConvParams.of(1, 1, 1, 1);
        for (io.jgrad.tensor.DType dtype : new io.jgrad.tensor.DType[] {io.jgrad.tensor.DType.FLOAT32, io.jgrad.tensor.DType.FLOAT64}) {
            Float64Leaves r = new Float64Leaves(43);
            NDArray x0 = r.normal(3, 5, 9, 7).data().to(dtype), w0 = r.normal(6, 5, 3, 3).data().to(dtype), b0 = r.normal(6).data().to(dtype);
            NDArray g = r.normal(3, 6, 9, 7).data().to(dtype);
            Tensor[] composed = {Tensor.parameter(x0), Tensor.parameter(w0), Tensor.parameter(b0)};
            Tensor[] fused = {Tensor.parameter(x0), Tensor.parameter(w0), Tensor.parameter(b0)};
            Tensor yc = composed[0].conv2d(composed[1], composed[2], p).relu(), yf = fused[0].conv2dRelu(fused[1], fused[2], p);
            assertValues(yc.data(), yf.data(), 0);
            yc.backward(g);
            yf.backward(g);
            for (int i = 0; i < 3; i++) assertValues(composed[i].grad(), fused[i].grad(), 0);
        }
    }

    /** The fused node gives the values and gradients of linear then relu, bit for bit, float32 and float64, with and without bias. */
    @Test
    void linearReluIsLinearThenRelu() {
        for (io.jgrad.tensor.DType dtype : new io.jgrad.tensor.DType[] {io.jgrad.tensor.DType.FLOAT32, io.jgrad.tensor.DType.FLOAT64}) {
            for (boolean withBias : new boolean[] {true, false}) {
                Float64Leaves r = new Float64Leaves(47);
                NDArray x0 = r.normal(7, 13).data().to(dtype), w0 = r.normal(9, 13).data().to(dtype), b0 = r.normal(9).data().to(dtype);
                NDArray g = r.normal(7, 9).data().to(dtype);
                Tensor[] composed = {Tensor.parameter(x0), Tensor.parameter(w0), Tensor.parameter(b0)};
                Tensor[] fused = {Tensor.parameter(x0), Tensor.parameter(w0), Tensor.parameter(b0)};
                Tensor yc = composed[0].linear(composed[1], withBias ? composed[2] : null).relu();
                Tensor yf = fused[0].linearRelu(fused[1], withBias ? fused[2] : null);
                assertEquals("LINEAR_RELU", yf.gradFn());
                assertValues(yc.data(), yf.data(), 0);
                yc.backward(g);
                yf.backward(g);
                for (int i = 0; i < (withBias ? 3 : 2); i++) assertValues(composed[i].grad(), fused[i].grad(), 0);
            }
        }
    }

    /**
     * The fused conv + ReLU + max-pool node gives the values and gradients of the three ops one after the other, bit
     * for bit, float32 and float64: windows of zeros (negative pre-activations), ties, overlapping and padded windows.
     */
    @Test
    void conv2dReluMaxPool2dIsTheComposition() {
        ConvParams[] convs = {ConvParams.of(1, 1, 1, 1), ConvParams.of(2, 1, 1, 2)};
        PoolParams[] pools = {PoolParams.of(2, 2, 0), PoolParams.of(3, 2, 1), new PoolParams(2, 3, 1, 2, 1, 1)};
        for (io.jgrad.tensor.DType dtype : new io.jgrad.tensor.DType[] {io.jgrad.tensor.DType.FLOAT32, io.jgrad.tensor.DType.FLOAT64}) {
            for (ConvParams p : convs) {
                for (PoolParams pool : pools) {
                    for (boolean withBias : new boolean[] {true, false}) {
                        Float64Leaves r = new Float64Leaves(47);
                        NDArray x0 = r.normal(3, 4, 11, 9).data().to(dtype), w0 = r.normal(6, 4 / p.groups(), 3, 3).data().to(dtype);
                        NDArray b0 = r.normal(6).data().to(dtype).sub(0.5); // many negative pre-activations: windows of zeros
                        Tensor[] composed = {Tensor.parameter(x0), Tensor.parameter(w0), Tensor.parameter(b0)};
                        Tensor[] fused = {Tensor.parameter(x0), Tensor.parameter(w0), Tensor.parameter(b0)};
                        Tensor yc = composed[0].conv2d(composed[1], withBias ? composed[2] : null, p).relu().maxPool2d(pool);
                        Tensor yf = fused[0].conv2dReluMaxPool2d(fused[1], withBias ? fused[2] : null, p, pool);
                        assertEquals("CONV2D_RELU_MAX_POOL2D", yf.gradFn());
                        assertValues(yc.data(), yf.data(), 0);
                        NDArray g = r.normal(yc.shape()).data().to(dtype);
                        yc.backward(g);
                        yf.backward(g);
                        for (int i = 0; i < (withBias ? 3 : 2); i++) assertValues(composed[i].grad(), fused[i].grad(), 0);
                    }
                }
            }
        }
    }

    @Test
    void embeddingGradientCountsEachRowsUses() {
        // rows 0, 2, 2 looked up: dL/dW = how often each row was used, in every column
        Tensor w = leaf(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        w.embedding(index(new long[] {0, 2, 2}, 3)).sum().backward();
        assertValues(new double[] {1, 1, 0, 0, 2, 2, 0, 0}, new int[] {4, 2}, w.grad(), 0);
    }
}
