package io.jgrad.bench.jmh;

import io.jgrad.autograd.Tensor;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.models.MnistCnn;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Adam step over a float32 parameter set, composed (a dozen array operations, each allocating its
 * result) against fused (one kernel per parameter), on the backend of {@code -p backend}. Parameter sets:
 * {@code 1M}, one [1024, 1024] matrix; {@code mnistCnn}, the eight tensors of the reference ConvNet
 * ({@link MnistCnn}, 421,642 elements). The gradients are fixed; each call is one more step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class OptimizerStepBenchmark {

    @Param({"1M", "mnistCnn"})
    public String parameters;

    @Param({"reference", "vector"})
    public String backend;

    private Optimizer composed, fused;

    @Setup
    public void setup() {
        Backends.use(backend);
        composed = adam(false);
        fused = adam(true);
    }

    @TearDown
    public void tearDown() {
        Backends.use(null);
    }

    /** An Adam over its own copy of the parameter set, with gradients from a fixed seed. */
    private Optimizer adam(boolean fusedUpdates) {
        List<Tensor> params = switch (parameters) {
            case "1M" -> List.of(Tensor.parameter(NDArray.zeros(DType.FLOAT32, 1024, 1024)));
            case "mnistCnn" -> new MnistCnn().parameters();
            default -> throw new IllegalArgumentException("parameters: 1M or mnistCnn, got " + parameters);
        };
        Generator gen = new Generator(7);
        for (Tensor p : params) p.setGrad(NDArray.randn(gen, DType.FLOAT32, p.shape()));
        Optimizer opt = Adam.builder().lr(1e-3).build(params);
        opt.useFusedUpdates(fusedUpdates);
        return opt;
    }

    @Benchmark
    public Optimizer composed() {
        composed.step();
        return composed;
    }

    @Benchmark
    public Optimizer fused() {
        fused.step();
        return fused;
    }
}
