package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Property-based tests of the stride machinery and the vector kernels: random compositions of reshape,
 * permute, slice and expand read the same elements as a naive index mapping, and broadcast binary ops and
 * reductions over random dims agree with the reference backend. Each property runs a bounded number of seeded
 * tries (the class runs in seconds) and a failure names its seed, so it replays exactly; plain JUnit with a
 * seeded {@link Random}, no property-testing library.
 */
class ViewAndBroadcastPropertiesTest {

    /** Runs {@code property} for {@code tries} seeds; a failure is rethrown with the seed that produced it. */
    private static void forAll(String name, int tries, Consumer<Random> property) {
        for (int seed = 0; seed < tries; seed++) {
            try {
                property.accept(new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode()));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " fails for seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    /** A shape of 1 to {@code maxRank} dims, each 1 to {@code maxSize}. */
    private static int[] shape(Random random, int maxRank, int maxSize) {
        int[] shape = new int[1 + random.nextInt(maxRank)];
        for (int i = 0; i < shape.length; i++) shape[i] = 1 + random.nextInt(maxSize);
        return shape;
    }

    /** A view described the naive way: its shape and, for every index into it, the flat position in the source. */
    private record Model(int[] shape, Function<int[], Integer> source) {
    }

    /** Row-major coordinates of flat position {@code flat} in {@code shape}. */
    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    private static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    @Test
    void viewCompositionsReadTheElementsOfANaiveIndexMapping() {
        forAll("views", 300, ViewAndBroadcastPropertiesTest::viewComposition);
    }

    private static void viewComposition(Random random) {
        int[] start = shape(random, 4, 5);
        int n = Shapes.numel(start);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i;
        NDArray view = NDArray.of(values, start);
        Model model = new Model(start, idx -> ravel(idx, start));
        for (int step = 0; step < 5; step++) {
            int rank = view.rank();
            Model m = model;
            switch (random.nextInt(4)) {
                case 0 -> { // permute
                    int[] order = new int[rank];
                    for (int i = 0; i < rank; i++) order[i] = i;
                    for (int i = rank - 1; i > 0; i--) {
                        int j = random.nextInt(i + 1), t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    view = view.permute(order);
                    int[] shape = new int[rank];
                    for (int i = 0; i < rank; i++) shape[i] = m.shape[order[i]];
                    model = new Model(shape, idx -> {
                        int[] old = new int[rank];
                        for (int i = 0; i < rank; i++) old[order[i]] = idx[i];
                        return m.source.apply(old);
                    });
                }
                case 1 -> { // slice with a step
                    int d = random.nextInt(rank), size = m.shape[d];
                    int from = random.nextInt(size), stride = 1 + random.nextInt(2);
                    int to = from + 1 + random.nextInt(size - from);
                    view = view.slice(d, from, to, stride);
                    int[] shape = m.shape.clone();
                    shape[d] = (to - from + stride - 1) / stride;
                    model = new Model(shape, idx -> {
                        int[] old = idx.clone();
                        old[d] = from + idx[d] * stride;
                        return m.source.apply(old);
                    });
                }
                case 2 -> { // a new dim of size 1, expanded
                    if (rank >= 5) continue;
                    int d = random.nextInt(rank + 1), k = 1 + random.nextInt(3);
                    int[] shape = new int[rank + 1];
                    for (int i = 0, j = 0; i <= rank; i++) shape[i] = i == d ? k : m.shape[j++];
                    view = view.unsqueeze(d).expand(shape);
                    model = new Model(shape, idx -> {
                        int[] old = new int[rank];
                        for (int i = 0, j = 0; i <= rank; i++) if (i != d) old[j++] = idx[i];
                        return m.source.apply(old);
                    });
                }
                default -> { // reshape to a random factorisation of the element count (a copy when strides do not allow a view)
                    int count = Shapes.numel(m.shape);
                    int first = 1;
                    for (int f = 2; f <= count; f++) if (count % f == 0 && random.nextBoolean()) { first = f; break; }
                    int[] shape = {first, count / first};
                    view = view.reshape(shape);
                    model = new Model(shape, idx -> m.source.apply(unravel(ravel(idx, shape), m.shape)));
                }
            }
        }
        if (!Arrays.equals(model.shape, view.shape())) throw new AssertionError("shape " + Arrays.toString(view.shape()) + " vs model " + Arrays.toString(model.shape));
        NDArray out = NDArray.zeros(DType.FLOAT32, view.shape());
        VECTOR.copy(view, out);
        float[] copied = out.toFloatArray();
        for (int i = 0; i < copied.length; i++) {
            int[] idx = unravel(i, model.shape);
            float expected = model.source.apply(idx);
            if (view.get(idx) != expected || copied[i] != expected) {
                throw new AssertionError("at " + Arrays.toString(idx) + ": get " + view.get(idx) + ", vector copy " + copied[i] + ", model " + expected);
            }
        }
    }

    /** Two shapes that broadcast to {@code outDims}: each drops some leading dims and has some sizes set to 1. */
    @Test
    void broadcastBinaryOpsMatchTheReference() {
        forAll("broadcasting", 200, ViewAndBroadcastPropertiesTest::broadcastBinary);
    }

    private static void broadcastBinary(Random random) {
        int[] out = shape(random, 4, 9);
        Generator gen = new Generator(random.nextLong());
        NDArray a = NDArray.randn(gen, DType.FLOAT32, operandShape(out, random)), b = NDArray.randn(gen, DType.FLOAT32, operandShape(out, random));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.GE}) {
            NDArray ea = a.expand(out), eb = b.expand(out), expected = NDArray.zeros(DType.FLOAT32, out), actual = NDArray.zeros(DType.FLOAT32, out);
            REFERENCE.binary(op, ea, eb, expected);
            VECTOR.binary(op, ea, eb, actual);
            VectorChecks.assertBitwise(expected, actual, op + " " + Arrays.toString(a.shape()) + " with " + Arrays.toString(b.shape()));
        }
    }

    private static int[] operandShape(int[] out, Random random) {
        int drop = random.nextInt(out.length + 1);
        int[] shape = Arrays.copyOfRange(out, drop, out.length);
        for (int i = 0; i < shape.length; i++) if (random.nextInt(3) == 0) shape[i] = 1;
        return shape;
    }

    @Test
    void reductionsOverRandomDimsMatchTheReference() {
        forAll("reductions", 200, ViewAndBroadcastPropertiesTest::reduction);
    }

    private static void reduction(Random random) {
        int[] shape = shape(random, 4, 11);
        NDArray x = NDArray.randn(new Generator(random.nextLong()), DType.FLOAT32, shape);
        if (random.nextBoolean() && shape.length > 1) x = x.transpose(0, shape.length - 1).contiguous().transpose(0, shape.length - 1);
        int[] outShape = shape.clone();
        for (int d = 0; d < shape.length; d++) if (random.nextBoolean()) outShape[d] = 1;
        for (ReduceOp op : ReduceOp.values()) {
            NDArray expected = NDArray.zeros(DType.FLOAT32, outShape), actual = NDArray.zeros(DType.FLOAT32, outShape);
            REFERENCE.reduce(op, x, expected);
            VECTOR.reduce(op, x, actual);
            NDArray scale = NDArray.zeros(DType.FLOAT32, outShape);
            REFERENCE.reduce(ReduceOp.SUM, x.abs(), scale);
            VectorChecks.assertClose(expected, actual, scale, 1e-5, op + " of " + Arrays.toString(shape) + " to " + Arrays.toString(outShape));
        }
    }
}
