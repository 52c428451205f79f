package io.jgrad.bench.jmh;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
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
 * float32 {@code out = a·b} through a backend's matmul kernel into a preallocated result (so {@code -prof gc}
 * shows what the kernel itself allocates). Square sizes, and the products of the MNIST ConvNet: its linear
 * layers (batch 128, 3136->128->10, forward and weight gradient) and its convolutions as GEMMs per image
 * (conv2: 64x288 weights times 288x196 columns; conv1: 32x9 times 9x784). GFLOP/s = 2·m·k·n / time.
 * Threads: {@code -jvmArgsAppend -Djgrad.threads=N}; reference: {@code -p backend=reference} (small n only).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    /** {@code MxKxN}: a square n is written {@code n}. */
    @Param({"64", "128", "256", "512", "1024", "2048", "128x3136x128", "128x128x10", "3136x128x128", "64x288x196", "32x9x784"})
    public String shape;

    @Param({"vector"})
    public String backend;

    private Backend kernels;
    private NDArray a, b, out;

    @Setup
    public void setup() {
        String[] parts = shape.split("x");
        int m = Integer.parseInt(parts[0]), k = parts.length == 3 ? Integer.parseInt(parts[1]) : m, n = parts.length == 3 ? Integer.parseInt(parts[2]) : m;
        Generator gen = new Generator(1);
        kernels = Backends.get(backend);
        a = NDArray.randn(gen, DType.FLOAT32, m, k);
        b = NDArray.randn(gen, DType.FLOAT32, k, n);
        out = NDArray.zeros(DType.FLOAT32, m, n);
    }

    @Benchmark
    public NDArray matmul() {
        kernels.matmul(a, b, out);
        return out;
    }
}
