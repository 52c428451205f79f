package io.jgrad.kernels.cuda;

import io.jgrad.tensor.spi.MatmulPrecision;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static io.jgrad.kernels.cuda.CudaTesting.SIZES;
import static io.jgrad.kernels.cuda.CudaTesting.assertMatches;
import static io.jgrad.kernels.cuda.CudaTesting.randn;
import static io.jgrad.kernels.cuda.CudaTesting.tol;

/**
 * Every op family on the CUDA backend against the CPU backend (itself tested against the reference) at odd
 * sizes, through strided views (transposed, sliced, expanded), with empty dims, in float32 and float64. Needs a
 * GPU: skipped with the provider's cause elsewhere.
 */
@Tag("gpu")
class CudaEquivalenceTest {

    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};

    /** {@code op} on the CPU and on the GPU, compared. */
    private static void same(String what, NDArray cpuInput, UnaryOperator<NDArray> op, double rtol, double atol) {
        Device gpu = CudaTesting.backend().device();
        NDArray expected = op.apply(cpuInput);
        NDArray actual = op.apply(cpuInput.to(gpu));
        assertMatches(what, expected, actual, rtol, atol);
    }

    @Test
    void elementwiseOverViewsAndSizes() {
        for (DType t : FLOATS) {
            for (int n : SIZES) {
                NDArray x = randn(n, t, 3, n);
                double tol = tol(t) * 10;
                same("exp " + t + " " + n, x, a -> a.transpose(0, 1).exp(), tol, tol);
                same("tanh " + t + " " + n, x, a -> a.slice(1, 0, n, 2).tanh(), tol, tol);
                same("sigmoid+relu " + t + " " + n, x, a -> a.sigmoid().add(a.relu()), tol, tol);
                same("mul expanded " + t + " " + n, x, a -> a.mul(a.narrow(0, 0, 1).expand(3, n)), tol, tol);
                same("to int64 and back " + t + " " + n, x, a -> a.mul(10).to(DType.INT64).to(t), 0, 0);
                same("where " + t + " " + n, x, a -> NDArray.where(a.relu(), a, a.mul(-2)), 0, 0);
                same("where int64 cond " + t + " " + n, x, a -> NDArray.where(a.mul(3).to(DType.INT64), a, a.mul(-2)), 0, 0);
            }
        }
    }

    @Test
    void reductionsSoftmaxAndArgmax() {
        for (DType t : FLOATS) {
            for (int n : SIZES) {
                NDArray x = randn(n + 100, t, 5, n);
                double tol = tol(t) * 100;
                same("sum all " + t + " " + n, x, NDArray::sum, tol, tol * n);
                same("sum dim 1 " + t + " " + n, x, a -> a.sum(1), tol, tol * n);
                same("mean dim 0 transposed " + t + " " + n, x, a -> a.transpose(0, 1).mean(1), tol, tol);
                same("amax " + t + " " + n, x, a -> a.amax(1, true), 0, 0);
                same("argmax " + t + " " + n, x, a -> a.argmax(1, false), 0, 0);
                same("softmax " + t + " " + n, x, a -> a.softmax(1), tol, tol);
                same("logSoftmax dim 0 " + t + " " + n, x, a -> a.logSoftmax(0), tol, tol);
            }
        }
    }

    @Test
    void emptyDims() {
        for (DType t : FLOATS) {
            NDArray x = NDArray.zeros(t, 0, 7);
            same("exp of empty " + t, x, NDArray::exp, 0, 0);
            same("sum over empty " + t, x, a -> a.sum(0), 0, 0);
            same("mean over empty " + t, x, a -> a.mean(0), 0, 0);
            same("matmul K=0 " + t, NDArray.zeros(t, 3, 0), a -> a.matmul(NDArray.zeros(t, a.device(), 0, 4)), 0, 0);
        }
    }

    @Test
    void matmulAtOddSizesAndLayouts() {
        // {M, K, N}; 64, 40 and 17 rows take the 64 x 128 tiles
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {129, 127, 131}, {256, 200, 300}, {513, 1, 257},
                {64, 288, 196}, {40, 129, 513}, {17, 100, 300}};
        for (DType t : FLOATS) {
            for (int[] s : shapes) {
                NDArray a = randn(s[0] * 7 + s[1], t, s[0], s[1]);
                NDArray b = randn(s[2] * 3 + 1, t, s[1], s[2]);
                double tol = t == DType.FLOAT32 ? 1e-4 : 1e-11;
                Device gpu = CudaTesting.backend().device();
                NDArray bGpu = b.to(gpu);
                same("matmul " + t + " " + java.util.Arrays.toString(s), a, x -> x.matmul(x.device().equals(gpu) ? bGpu : b), tol, tol * s[1]);
                same("matmul transposed A " + t, a.transpose(0, 1).contiguous(), x -> x.transpose(0, 1).matmul(x.device().equals(gpu) ? bGpu : b), tol, tol * s[1]);
            }
            // batched, with an expanded (stride-0) batch operand
            NDArray a = randn(5, t, 4, 33, 65);
            NDArray b = randn(6, t, 1, 65, 31);
            same("batched expanded " + t, a, x -> x.matmul((x.device().equals(Device.CPU) ? b : b.to(x.device())).expand(4, 65, 31)), 1e-4, 1e-3);
        }
    }

    /**
     * Long sums over a small output split K on a GPU of many SMs (GemmSplit; 2 launches, 3 with a shorter last
     * slice): the MNIST ConvNet's weight gradients and fc1 at batch 128, on the tiled, vector, small and double
     * kernels; and a convolution's weight gradient over chunks of images, whose later chunks add (beta = 1).
     */
    @Test
    void longSumsSplitK() {
        CudaBackend cuda = CudaTesting.backend();
        Device gpu = cuda.device();
        int[][] shapes = {{64, 25088, 288}, {128, 3136, 128}, {32, 100352, 9}, {64, 1000, 96}, {3, 4096, 5}};
        for (DType t : FLOATS) {
            for (int[] s : shapes) {
                NDArray a = randn(s[0] + s[1], t, s[0], s[1]), b = randn(s[2] + 1, t, s[1], s[2]);
                NDArray aGpu = a.to(gpu), bGpu = b.to(gpu);
                double tol = t == DType.FLOAT32 ? 1e-4 : 1e-11;
                String what = "split-K matmul " + t + " " + java.util.Arrays.toString(s);
                long before = cuda.kernelLaunches();
                NDArray actual = aGpu.matmul(bGpu);
                long launches = cuda.kernelLaunches() - before;
                org.junit.jupiter.api.Assertions.assertTrue(launches == 2 || launches == 3, what + ": " + launches + " launches, not a split");
                assertMatches(what, a.matmul(b), actual, tol, tol * Math.sqrt(s[1]));
                // B read transposed (a Linear layer's weight): the general kernel's slices.
                NDArray bT = b.transpose(0, 1).contiguous();
                assertMatches(what + " B transposed", a.matmul(b), aGpu.matmul(bT.to(gpu).transpose(0, 1)), tol, tol * Math.sqrt(s[1]));
            }
        }
        int saved = CudaConvolution.maxColumnElements;
        CudaConvolution.maxColumnElements = 32 * 9 * 28 * 28 * 16; // 16 images per chunk
        try {
            ConvParams p = ConvParams.of(1, 1, 1, 1);
            NDArray input = randn(9, DType.FLOAT32, 64, 32, 28, 28), gradOut = randn(10, DType.FLOAT32, 64, 16, 28, 28);
            assertMatches("conv2d grad weight in chunks, split-K", gradOut.conv2dBackwardWeight(input, new int[] {16, 32, 3, 3}, p),
                    gradOut.to(gpu).conv2dBackwardWeight(input.to(gpu), new int[] {16, 32, 3, 3}, p), 1e-4, 1e-2);
        } finally {
            CudaConvolution.maxColumnElements = saved;
        }
    }

    /** The opt-in second FP32 kernel (sgemm_128x128_v2) on aligned row-major operands: tails in M, N and K, batches, views. */
    @Test
    void secondFp32KernelMatchesTheCpu() {
        CudaTesting.backend();
        Device gpu = CudaTesting.backend().device();
        boolean saved = CudaGemm.secondVariant;
        try {
            CudaGemm.secondVariant = true;
            // {M, K, N}: whole tiles; tails of every side (K not a multiple of 8, N of 4 only by the vector rule)
            for (int[] s : new int[][] {{128, 64, 128}, {256, 200, 300}, {129, 132, 260}, {1000, 516, 388}, {77, 8, 132}}) {
                NDArray a = randn(s[0] + s[1], DType.FLOAT32, s[0], s[1]), b = randn(s[2] + 2, DType.FLOAT32, s[1], s[2]);
                NDArray bGpu = b.to(gpu);
                same("sgemm v2 " + java.util.Arrays.toString(s), a, x -> x.matmul(x.device().equals(gpu) ? bGpu : b), 1e-4, 1e-4 * s[1]);
            }
            NDArray a = randn(5, DType.FLOAT32, 3, 130, 68), b = randn(6, DType.FLOAT32, 3, 68, 140);
            NDArray bGpu = b.to(gpu);
            same("sgemm v2 batched", a, x -> x.matmul(x.device().equals(gpu) ? bGpu : b), 1e-4, 1e-2);
            same("sgemm v2 row slice", a, x -> x.narrow(1, 4, 120).matmul(x.device().equals(gpu) ? bGpu : b), 1e-4, 1e-2);
        } finally {
            CudaGemm.secondVariant = saved;
        }
    }

    /** The opt-in second TF32 kernel (sgemm_tf32_v2) on aligned row-major operands: tails in M, N and K, batches, views. */
    @Test
    void secondTf32KernelMatchesTheCpu() {
        Device gpu = CudaTesting.backend().device();
        boolean saved = CudaGemm.secondVariant, before = MatmulPrecision.allowTf32();
        try {
            CudaGemm.secondVariant = true;
            MatmulPrecision.allowTf32(true);
            // {M, K, N}: whole tiles; tails of every side (K not a multiple of its slice of 32, nor of 4 in the view below)
            for (int[] s : new int[][] {{128, 64, 128}, {256, 200, 300}, {129, 132, 260}, {1000, 516, 388}, {77, 8, 132}}) {
                NDArray a = randn(s[0] + s[1], DType.FLOAT32, s[0], s[1]), b = randn(s[2] + 2, DType.FLOAT32, s[1], s[2]);
                NDArray bGpu = b.to(gpu);
                same("tf32 v2 " + java.util.Arrays.toString(s), a, x -> x.matmul(x.device().equals(gpu) ? bGpu : b), 5e-3, 5e-3 * Math.sqrt(s[1]));
            }
            NDArray a = randn(7, DType.FLOAT32, 3, 130, 68), b = randn(8, DType.FLOAT32, 3, 68, 140);
            NDArray bGpu = b.to(gpu);
            same("tf32 v2 batched", a, x -> x.matmul(x.device().equals(gpu) ? bGpu : b), 5e-3, 5e-2);
            NDArray c = randn(9, DType.FLOAT32, 61, 140);
            NDArray cGpu = c.to(gpu);
            same("tf32 v2 K = 61 in rows of 68", randn(10, DType.FLOAT32, 200, 68), x -> x.narrow(1, 4, 61).matmul(x.device().equals(gpu) ? cGpu : c), 5e-3, 5e-2);
        } finally {
            CudaGemm.secondVariant = saved;
            MatmulPrecision.allowTf32(before);
        }
    }

    @Test
    void tf32MatmulIsCloseAndOptIn() {
        CudaTesting.backend();
        boolean before = MatmulPrecision.allowTf32();
        try {
            MatmulPrecision.allowTf32(true);
            NDArray a = randn(1, DType.FLOAT32, 300, 257);
            NDArray b = randn(2, DType.FLOAT32, 257, 129);
            NDArray bGpu = b.to(CudaTesting.backend().device());
            // TF32 keeps 10 mantissa bits: relative error about 1e-3 per product, sqrt(K) growth over the sum.
            same("tf32 matmul", a, x -> x.matmul(x.device().equals(Device.CPU) ? b : bGpu), 5e-3, 5e-2);
        } finally {
            MatmulPrecision.allowTf32(before);
        }
    }

    @Test
    void convolutionAndGradients() {
        for (DType t : FLOATS) {
            for (ConvParams p : new ConvParams[] {ConvParams.of(1, 0, 1, 1), ConvParams.of(2, 1, 1, 1), new ConvParams(1, 2, 1, 0, 2, 1, 2)}) {
                NDArray input = randn(3, t, 3, 4, 11, 9);
                NDArray weight = randn(4, t, 6, 4 / p.groups(), 3, 3);
                NDArray bias = randn(5, t, 6);
                Device gpu = CudaTesting.backend().device();
                double tol = t == DType.FLOAT32 ? 1e-4 : 1e-11;
                NDArray expected = input.conv2d(weight, bias, p);
                NDArray actual = input.to(gpu).conv2d(weight.to(gpu), bias.to(gpu), p);
                assertMatches("conv2d " + t + " " + p, expected, actual, tol, tol);
                // bias + ReLU in the bias pass (NaN and signed zeros as the CPU's ReLU); without a bias, the composition
                assertMatches("conv2dRelu " + t + " " + p, input.conv2dRelu(weight, bias, p),
                        input.to(gpu).conv2dRelu(weight.to(gpu), bias.to(gpu), p), tol, tol);
                NDArray oddBias = NDArray.of(new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 0, 1e30}, 6).to(t);
                assertMatches("conv2dRelu, NaN and infinite bias " + t + " " + p, input.conv2dRelu(weight, oddBias, p),
                        input.to(gpu).conv2dRelu(weight.to(gpu), oddBias.to(gpu), p), tol, tol);
                assertMatches("conv2dRelu without bias " + t + " " + p, input.conv2dRelu(weight, null, p),
                        input.to(gpu).conv2dRelu(weight.to(gpu), null, p), tol, tol);
                NDArray gradOut = randn(6, t, expected.shape());
                assertMatches("conv2d grad input " + t + " " + p, gradOut.conv2dBackwardInput(weight, input.shape(), p),
                        gradOut.to(gpu).conv2dBackwardInput(weight.to(gpu), input.shape(), p), tol, tol);
                assertMatches("conv2d grad weight " + t + " " + p, gradOut.conv2dBackwardWeight(input, weight.shape(), p),
                        gradOut.to(gpu).conv2dBackwardWeight(input.to(gpu), weight.shape(), p), tol, tol * 10);
            }
        }
    }

    /** A Linear layer with its ReLU: the product, then bias and ReLU in one add_bias launch; views, no bias, NaN and infinite sums. */
    @Test
    void linearRelu() {
        Device gpu = CudaTesting.backend().device();
        for (DType t : FLOATS) {
            for (int[] s : new int[][] {{1, 1, 1}, {7, 13, 5}, {128, 3136, 128}, {5, 2, 300}}) {
                NDArray x = randn(s[0] + 1, t, s[1], s[0]).transpose(0, 1), w = randn(s[2] + 2, t, s[2], s[1]), b = randn(s[2] + 3, t, s[2]);
                double tol = tol(t) * 10 * Math.sqrt(s[1] + 1);
                assertMatches("linearRelu " + t + " " + java.util.Arrays.toString(s), x.linearRelu(w, b), x.to(gpu).linearRelu(w.to(gpu), b.to(gpu)), tol, tol);
                assertMatches("linearRelu without bias " + t + " " + java.util.Arrays.toString(s), x.linearRelu(w, null),
                        x.to(gpu).linearRelu(w.to(gpu), null), tol, tol);
            }
            NDArray x = randn(1, t, 4, 6), w = randn(2, t, 5, 6);
            NDArray odd = NDArray.of(new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 1e30}, 5).to(t);
            assertMatches("linearRelu, NaN and infinite bias " + t, x.linearRelu(w, odd), x.to(gpu).linearRelu(w.to(gpu), odd.to(gpu)), 1e-5, 1e-5);
        }
    }

    /** conv2d's forward as one implicit-GEMM launch (opt-in), with bias and ReLU, strided, float32 and float64. */
    @Test
    void implicitConvolutionForward() {
        Device gpu = CudaTesting.backend().device();
        boolean saved = CudaConvolution.implicitForward;
        CudaConvolution.implicitForward = true;
        try {
            for (DType t : FLOATS) {
                double tol = t == DType.FLOAT32 ? 1e-4 : 1e-11;
                for (ConvParams p : new ConvParams[] {ConvParams.of(1, 1, 1, 1), ConvParams.of(2, 1, 1, 1), new ConvParams(1, 2, 1, 0, 2, 1, 2)}) {
                    NDArray input = randn(3, t, 3, 4, 11, 9), weight = randn(4, t, 70, 4 / p.groups(), 3, 3), bias = randn(5, t, 70);
                    assertMatches("implicit conv2d " + t + " " + p, input.conv2d(weight, bias, p), input.to(gpu).conv2d(weight.to(gpu), bias.to(gpu), p), tol, tol);
                    assertMatches("implicit conv2dRelu " + t + " " + p, input.conv2dRelu(weight, bias, p),
                            input.to(gpu).conv2dRelu(weight.to(gpu), bias.to(gpu), p), tol, tol);
                    assertMatches("implicit conv2d, transposed input " + t + " " + p, input.transpose(2, 3).conv2d(weight, null, p),
                            input.to(gpu).transpose(2, 3).conv2d(weight.to(gpu), null, p), tol, tol);
                }
                NDArray x = randn(7, t, 128, 32, 14, 14), w = randn(8, t, 64, 32, 3, 3), b = randn(9, t, 64);   // the ConvNet's conv2 at batch 128
                assertMatches("implicit conv2 of the ConvNet " + t, x.conv2dRelu(w, b, ConvParams.of(1, 1, 1, 1)),
                        x.to(gpu).conv2dRelu(w.to(gpu), b.to(gpu), ConvParams.of(1, 1, 1, 1)), tol, tol * 10);
            }
        } finally {
            CudaConvolution.implicitForward = saved;
        }
    }

    @Test
    void pooling() {
        for (DType t : FLOATS) {
            PoolParams p = PoolParams.of(3, 2, 1);
            NDArray x = randn(7, t, 2, 3, 13, 11);
            Device gpu = CudaTesting.backend().device();
            NDArray[] cpu = x.maxPool2dWithIndices(p), dev = x.to(gpu).maxPool2dWithIndices(p);
            assertMatches("max pool " + t, cpu[0], dev[0], 0, 0);
            assertMatches("max pool indices " + t, cpu[1], dev[1], 0, 0);
            NDArray g = randn(8, t, cpu[0].shape());
            assertMatches("max pool backward " + t, g.maxPool2dBackward(cpu[1], x.shape()), g.to(gpu).maxPool2dBackward(dev[1], x.shape()), tol(t), tol(t));
            // by input cell with the geometry, plain and masked by a ReLU'd pooled output (the conv + ReLU + pool node)
            assertMatches("max pool backward by cell " + t, g.maxPool2dBackward(cpu[1], x.shape(), p, null),
                    g.to(gpu).maxPool2dBackward(dev[1], x.shape(), p, null), tol(t), tol(t));
            NDArray relu = cpu[0].sub(0.3);
            assertMatches("max pool backward masked " + t, g.maxPool2dBackward(cpu[1], x.shape(), p, relu),
                    g.to(gpu).maxPool2dBackward(dev[1], x.shape(), p, relu.to(gpu)), tol(t), tol(t));
            assertMatches("avg pool " + t, x.avgPool2d(p), x.to(gpu).avgPool2d(p), tol(t), tol(t));
            assertMatches("avg pool backward " + t, g.avgPool2dBackward(p, x.shape()), g.to(gpu).avgPool2dBackward(p, x.shape()), tol(t), tol(t));
        }
    }

    @Test
    void indexing() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
            NDArray x = randn(9, DType.FLOAT64, 5, 33).mul(100).to(t);
            NDArray index = CudaTesting.randomIndex(10, 33, 5, 40);
            NDArray rows = CudaTesting.randomIndex(11, 5, 7);
            Device gpu = CudaTesting.backend().device();
            assertMatches("gather " + t, x.gather(1, index), x.to(gpu).gather(1, index.to(gpu)), 0, 0);
            NDArray src = randn(12, DType.FLOAT64, 5, 40).mul(10).to(t);
            assertMatches("scatterAdd " + t, x.scatterAdd(1, index, src), x.to(gpu).scatterAdd(1, index.to(gpu), src.to(gpu)), tol(t), tol(t));
            assertMatches("indexSelect " + t, x.indexSelect(0, rows), x.to(gpu).indexSelect(0, rows.to(gpu)), 0, 0);
            NDArray rowSrc = randn(13, DType.FLOAT64, 7, 33).to(t);
            assertMatches("indexAdd " + t, x.indexAdd(0, rows, rowSrc), x.to(gpu).indexAdd(0, rows.to(gpu), rowSrc.to(gpu)), tol(t), tol(t));
        }
    }

    /** The fused cross-entropy kernels (rows, total, backward): weights, ignored rows, smoothing, views, rank 3. */
    @Test
    void crossEntropy() {
        Device gpu = CudaTesting.backend().device();
        for (DType t : FLOATS) {
            for (int classes : new int[] {1, 10, 1021}) {
                for (int rows : new int[] {1, 7, 4099}) {
                    NDArray x = randn(rows + classes, t, classes, rows).mul(4).transpose(0, 1);      // [rows, C], the classes strided
                    long[] labels = CudaTesting.randomIndex(rows, classes, rows).toLongArray();
                    for (int i = 2; i < rows; i += 5) labels[i] = -100;
                    NDArray target = NDArray.of(labels, rows);
                    NDArray weight = randn(classes, t, classes).abs().add(0.1);
                    CrossEntropyParams p = new CrossEntropyParams(-100, classes % 2 == 0 ? 0.1 : 0);
                    String what = "crossEntropy " + t + " rows " + rows + " classes " + classes;
                    NDArray[] cpu = x.crossEntropy(target, weight, p), dev = x.to(gpu).crossEntropy(target.to(gpu), weight.to(gpu), p);
                    double tol = tol(t) * 100;
                    assertMatches(what + " loss", cpu[0], dev[0], tol, tol);
                    assertMatches(what + " row statistics", cpu[1], dev[1], tol, tol);
                    NDArray cpuTotal = NDArray.crossEntropyTotal(cpu[0], cpu[1], true), devTotal = NDArray.crossEntropyTotal(dev[0], dev[1], true);
                    assertMatches(what + " mean", cpuTotal, devTotal, tol, tol * rows);
                    // rows and total in one call: one launch up to CROSS_ENTROPY_ONE_GROUP_LOGITS logits, two above
                    for (boolean mean : new boolean[] {true, false}) {
                        NDArray[] cpuR = x.crossEntropyReduced(target, weight, p, mean), devR = x.to(gpu).crossEntropyReduced(target.to(gpu), weight.to(gpu), p, mean);
                        assertMatches(what + " reduced loss", cpuR[0], devR[0], tol, tol);
                        assertMatches(what + " reduced row statistics", cpuR[1], devR[1], tol, tol);
                        assertMatches(what + " reduced " + (mean ? "mean" : "sum"), cpuR[2], devR[2], tol, tol * rows);
                    }
                    NDArray g = randn(3, t, rows);
                    assertMatches(what + " gradient", x.crossEntropyBackward(target, weight, p, cpu[1], g, cpuTotal.select(0, 1).expand(rows)),
                            x.to(gpu).crossEntropyBackward(target.to(gpu), weight.to(gpu), p, dev[1], g.to(gpu), devTotal.select(0, 1).expand(rows)), tol, tol);
                }
            }
        }
        NDArray x3 = randn(5, DType.FLOAT32, 3, 7, 5);                                              // [N, C, d]
        NDArray t3 = CudaTesting.randomIndex(6, 7, 3, 5);
        assertMatches("crossEntropy rank 3", x3.crossEntropy(t3, null, new CrossEntropyParams(-100, 0.2))[0],
                x3.to(gpu).crossEntropy(t3.to(gpu), null, new CrossEntropyParams(-100, 0.2))[0], tol(DType.FLOAT32) * 100, tol(DType.FLOAT32) * 100);
        NDArray[] bad = x3.to(gpu).crossEntropy(CudaTesting.randomIndex(6, 7, 3, 5).add(7).to(gpu), null, new CrossEntropyParams(-100, 0));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> bad[0].to(Device.CPU));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("crossEntropy: target "), e.getMessage());
        x3.to(gpu).to(Device.CPU); // the record is cleared: the next read succeeds
    }

    @Test
    void anIndexOutOfRangeIsReportedAtTheNextRead() {
        Device gpu = CudaTesting.backend().device();
        NDArray x = randn(1, DType.FLOAT32, 4, 5).to(gpu);
        NDArray bad = NDArray.of(new long[] {0, 7}, 1, 2).expand(4, 2).contiguous().to(gpu);
        NDArray out = x.gather(1, bad);
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> out.to(Device.CPU));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("gather: index 7 is out of range for a dim of size 5"), e.getMessage());
        x.to(Device.CPU); // the record is cleared: the next read succeeds
    }
}
