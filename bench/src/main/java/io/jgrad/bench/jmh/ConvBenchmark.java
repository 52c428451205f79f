package io.jgrad.bench.jmh;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
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
 * conv2d forward and both gradients on the MNIST ConvNet shapes at batch 128 (conv1: 1->32 on 28x28, conv2:
 * 32->64 on 14x14, 3x3, padding 1), into preallocated results. {@code fwdBwd} runs all three, as one training
 * step of the layer does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBenchmark {

    static final ConvParams SAME = ConvParams.of(1, 1, 1, 1);

    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"vector"})
    public String backend;

    @Param({"128"})
    public int batch;

    private Backend kernels;
    private NDArray x, w, bias, y, gradX, gradW;
    private ConvGeometry geometry;

    @Setup
    public void setup() {
        boolean first = layer.equals("conv1");
        int in = first ? 1 : 32, out = first ? 32 : 64, side = first ? 28 : 14;
        Generator gen = new Generator(2);
        kernels = Backends.get(backend);
        x = NDArray.randn(gen, DType.FLOAT32, batch, in, side, side);
        w = NDArray.randn(gen, DType.FLOAT32, out, in, 3, 3);
        geometry = ConvGeometry.of(x.shape(), w.shape(), SAME);
        bias = NDArray.randn(gen, DType.FLOAT32, out);
        y = NDArray.zeros(DType.FLOAT32, batch, out, side, side);
        gradX = NDArray.zeros(DType.FLOAT32, x.shape());
        gradW = NDArray.zeros(DType.FLOAT32, w.shape());
    }

    @Benchmark
    public NDArray forward() {
        kernels.conv2d(x, w, bias, geometry, y);
        return y;
    }

    @Benchmark
    public NDArray backwardInput() {
        kernels.conv2dBackwardInput(y, w, geometry, gradX);
        return gradX;
    }

    @Benchmark
    public NDArray backwardWeight() {
        kernels.conv2dBackwardWeight(x, y, geometry, gradW);
        return gradW;
    }

    @Benchmark
    public NDArray fwdBwd() {
        kernels.conv2d(x, w, bias, geometry, y);
        kernels.conv2dBackwardInput(y, w, geometry, gradX);
        kernels.conv2dBackwardWeight(x, y, geometry, gradW);
        return gradW;
    }
}
