package io.jgrad.bench.jmh;

import io.jgrad.kernels.cpu.VectorBackend;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.UnaryOp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The ReLU after each convolution of the MNIST ConvNet (batch 128; conv1: 1->32 on 28x28, conv2: 32->64 on
 * 14x14, 3x3, padding 1), composed against fused, on the vector backend with 1 or 2 threads:
 * <ul>
 *   <li>forward: conv2d with bias then ReLU into a second array, against conv2d with the ReLU in its write-back;</li>
 *   <li>backward: the ReLU gradient as {@code g.mul(x.gt(0))} (a mask array, then the product), against one
 *       {@link BinaryOp#RELU_BACKWARD} pass.</li>
 * </ul>
 * Every result is a freshly allocated array, as NDArray ops allocate theirs in a training step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class EpilogueBenchmark {

    private static final ConvParams SAME = ConvBenchmark.SAME;

    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"1", "2"})
    public int threads;

    private Backend kernels;
    private NDArray x, w, bias, zero, preActivation, gradOut;
    private int[] outShape;
    private ConvGeometry geometry;

    @Setup
    public void setup() {
        boolean first = layer.equals("conv1");
        int in = first ? 1 : 32, out = first ? 32 : 64, side = first ? 28 : 14;
        Generator gen = new Generator(2);
        kernels = VectorBackend.withThreads(threads);
        x = NDArray.randn(gen, DType.FLOAT32, 128, in, side, side);
        w = NDArray.randn(gen, DType.FLOAT32, out, in, 3, 3);
        geometry = ConvGeometry.of(x.shape(), w.shape(), SAME);
        bias = NDArray.randn(gen, DType.FLOAT32, out);
        outShape = new int[] {128, out, side, side};
        zero = NDArray.scalar(DType.FLOAT32, 0).expand(outShape);
        preActivation = NDArray.randn(gen, DType.FLOAT32, outShape);
        gradOut = NDArray.randn(gen, DType.FLOAT32, outShape);
    }

    private NDArray newOut() {
        return NDArray.zeros(DType.FLOAT32, outShape);
    }

    @Benchmark
    public NDArray forwardComposed() {
        NDArray y = newOut(), r = newOut();
        kernels.conv2d(x, w, bias, geometry, y);
        kernels.unary(UnaryOp.RELU, y, r, 0, 0);
        return r;
    }

    @Benchmark
    public NDArray forwardFused() {
        NDArray r = newOut();
        kernels.conv2d(x, w, bias, geometry, UnaryOp.RELU, r);
        return r;
    }

    @Benchmark
    public NDArray backwardComposed() {
        NDArray mask = newOut(), gradIn = newOut();
        kernels.binary(BinaryOp.GT, preActivation, zero, mask);
        kernels.binary(BinaryOp.MUL, gradOut, mask, gradIn);
        return gradIn;
    }

    @Benchmark
    public NDArray backwardFused() {
        NDArray gradIn = newOut();
        kernels.binary(BinaryOp.RELU_BACKWARD, gradOut, preActivation, gradIn);
        return gradIn;
    }
}
