package io.jgrad.bench.jmh;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
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
 * Memory-bound kernels on float32 arrays of n elements: elementwise add (also with a broadcast row), exp,
 * relu, a whole-array sum, row sums, and softmax over rows of 1024. Bandwidth = bytes touched / time
 * (add: 12n bytes, unary: 8n, sum: 4n).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseBenchmark {

    @Param({"4096", "1048576"})
    public int n;

    @Param({"vector"})
    public String backend;

    private Backend kernels;
    private NDArray a, b, row, out, scalarOut, rowSums, softmaxOut;

    @Setup
    public void setup() {
        Generator gen = new Generator(3);
        kernels = Backends.get(backend);
        a = NDArray.randn(gen, DType.FLOAT32, n / 1024, 1024);
        b = NDArray.randn(gen, DType.FLOAT32, n / 1024, 1024);
        row = NDArray.randn(gen, DType.FLOAT32, 1024).expand(n / 1024, 1024);
        out = NDArray.zeros(DType.FLOAT32, n / 1024, 1024);
        softmaxOut = NDArray.zeros(DType.FLOAT32, n / 1024, 1024);
        scalarOut = NDArray.zeros(DType.FLOAT32, 1, 1);
        rowSums = NDArray.zeros(DType.FLOAT32, n / 1024, 1);
    }

    @Benchmark
    public NDArray add() {
        kernels.binary(BinaryOp.ADD, a, b, out);
        return out;
    }

    @Benchmark
    public NDArray addRowBroadcast() {
        kernels.binary(BinaryOp.ADD, a, row, out);
        return out;
    }

    @Benchmark
    public NDArray exp() {
        kernels.unary(UnaryOp.EXP, a, out, 0, 0);
        return out;
    }

    @Benchmark
    public NDArray relu() {
        kernels.unary(UnaryOp.RELU, a, out, 0, 0);
        return out;
    }

    @Benchmark
    public NDArray sum() {
        kernels.reduce(ReduceOp.SUM, a, scalarOut);
        return scalarOut;
    }

    @Benchmark
    public NDArray rowSums() {
        kernels.reduce(ReduceOp.SUM, a, rowSums);
        return rowSums;
    }

    @Benchmark
    public NDArray softmax() {
        kernels.softmax(a, 1, false, softmaxOut);
        return softmaxOut;
    }
}
