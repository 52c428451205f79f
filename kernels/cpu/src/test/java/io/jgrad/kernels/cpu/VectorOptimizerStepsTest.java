package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.SIZES;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.SgdStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The vector backend's fused Adam/AdamW and SGD updates against the reference's, bit for bit: every flag
 * combination, odd sizes, several steps, fresh arrays and views with an offset, and across thread counts.
 */
class VectorOptimizerStepsTest {

    private static final boolean[] BOOLS = {false, true};
    private static final int STEPS = 3;
    private static final double BETA1 = 0.9, BETA2 = 0.999;

    /** Where the arrays live: fresh, or row 1 of a {@code [3, n]} array (contiguous, offset {@code n}). */
    private static final List<UnaryOperator<NDArray>> LAYOUTS = List.of(
            NDArray::copy,
            a -> NDArray.zeros(a.dtype(), 3, a.numel()).select(0, 1).assign(a));

    /** Every flag on: AdamW-style decay, AMSGrad, maximize; SGD with dampened Nesterov momentum, decay and maximize. */
    private static final AdamStep ADAM_ALL_FLAGS = new AdamStep(0, 0, 0, 0, 0.05, true, true, true, 0, 0);
    private static final SgdStep SGD_ALL_FLAGS = new SgdStep(0, 0.9, 0.1, 0.05, true, true, false);

    private final Generator gen = new Generator(23);

    /** Random values with some exact zeros (a zero gradient leaves √v at 0, so eps alone is the denominator). */
    private NDArray values(DType dtype, int n) {
        NDArray x = NDArray.randn(gen, dtype, n);
        for (int i = 0; i < n; i += 5) x.set(0, i);
        return x;
    }

    /** The parameter and its state, twice: once for the reference, once for the backend under test. */
    private record TwoCopies(List<NDArray> expected, List<NDArray> actual) {
        static TwoCopies of(List<NDArray> initial, UnaryOperator<NDArray> layout) {
            List<NDArray> e = new ArrayList<>(), a = new ArrayList<>();
            for (NDArray x : initial) {
                e.add(x == null ? null : layout.apply(x));
                a.add(x == null ? null : layout.apply(x));
            }
            return new TwoCopies(e, a);
        }

        void assertBitwiseEqual(String what) {
            String[] names = {"param", "m or b", "v", "vMax"};
            for (int i = 0; i < expected.size(); i++) {
                if (expected.get(i) == null) continue;
                if (expected.get(i).dtype() == DType.FLOAT32) assertBitwise(expected.get(i), actual.get(i), what + ": " + names[i]);
                else assertArrayEquals(expected.get(i).toDoubleArray(), actual.get(i).toDoubleArray(), 0, what + ": " + names[i]);
            }
        }
    }

    private void checkAdam(Backend backend, DType dtype, int n, AdamStep flags, UnaryOperator<NDArray> layout, String what) {
        NDArray v = values(dtype, n).square();
        TwoCopies arrays = TwoCopies.of(Arrays.asList(values(dtype, n), values(dtype, n).mul(0.1), v,
                flags.amsgrad() ? v.mul(1.5) : null), layout);
        for (int t = 1; t <= STEPS; t++) {
            NDArray grad = layout.apply(values(dtype, n));
            AdamStep step = new AdamStep(0.01 * t, BETA1, BETA2, 1e-8, flags.weightDecay(), flags.decoupled(), flags.amsgrad(),
                    flags.maximize(), 1 - Math.pow(BETA1, t), 1 - Math.pow(BETA2, t));
            List<NDArray> e = arrays.expected(), a = arrays.actual();
            REFERENCE.adamStep(step, e.get(0), grad, e.get(1), e.get(2), e.get(3));
            backend.adamStep(step, a.get(0), grad, a.get(1), a.get(2), a.get(3));
            arrays.assertBitwiseEqual(what + " t=" + t);
        }
    }

    private void checkSgd(Backend backend, DType dtype, int n, SgdStep flags, UnaryOperator<NDArray> layout, String what) {
        boolean momentum = flags.momentum() != 0;
        TwoCopies arrays = TwoCopies.of(Arrays.asList(values(dtype, n), momentum ? NDArray.zeros(dtype, n) : null), layout);
        for (int t = 1; t <= STEPS; t++) {
            NDArray grad = layout.apply(values(dtype, n));
            SgdStep step = new SgdStep(0.05, flags.momentum(), flags.dampening(), flags.weightDecay(), flags.nesterov(), flags.maximize(), t == 1);
            List<NDArray> e = arrays.expected(), a = arrays.actual();
            REFERENCE.sgdStep(step, e.get(0), grad, e.get(1));
            backend.sgdStep(step, a.get(0), grad, a.get(1));
            arrays.assertBitwiseEqual(what + " t=" + t);
        }
    }

    /** Every combination of Adam's flags, with weight decay off and on (L2 for Adam, decoupled for AdamW). */
    private static List<AdamStep> adamFlags() {
        List<AdamStep> all = new ArrayList<>();
        for (boolean decoupled : BOOLS) for (double decay : new double[] {0, 0.05}) for (boolean amsgrad : BOOLS) for (boolean maximize : BOOLS) {
            all.add(new AdamStep(0, 0, 0, 0, decay, decoupled, amsgrad, maximize, 0, 0));
        }
        return all;
    }

    /** Every combination of SGD's flags (the kernel does not need nesterov's constraints, so they are not applied). */
    private static List<SgdStep> sgdFlags() {
        List<SgdStep> all = new ArrayList<>();
        for (double momentum : new double[] {0, 0.9}) for (double dampening : new double[] {0, 0.1}) for (double decay : new double[] {0, 0.05}) {
            for (boolean nesterov : BOOLS) for (boolean maximize : BOOLS) {
                all.add(new SgdStep(0, momentum, dampening, decay, nesterov, maximize, false));
            }
        }
        return all;
    }

    @Test
    void adamEqualsTheReferenceBitForBit() {
        for (AdamStep flags : adamFlags()) {
            for (int n : SIZES) {
                for (int l = 0; l < LAYOUTS.size(); l++) checkAdam(VECTOR, DType.FLOAT32, n, flags, LAYOUTS.get(l), flags + " n=" + n + " layout " + l);
            }
        }
    }

    @Test
    void sgdEqualsTheReferenceBitForBit() {
        for (SgdStep flags : sgdFlags()) {
            for (int n : SIZES) {
                for (int l = 0; l < LAYOUTS.size(); l++) checkSgd(VECTOR, DType.FLOAT32, n, flags, LAYOUTS.get(l), flags + " n=" + n + " layout " + l);
            }
        }
    }

    @Test
    void float64GoesToTheReference() {
        checkAdam(VECTOR, DType.FLOAT64, 33, ADAM_ALL_FLAGS, LAYOUTS.get(1), "float64 Adam");
        checkSgd(VECTOR, DType.FLOAT64, 33, SGD_ALL_FLAGS, LAYOUTS.get(1), "float64 SGD");
    }

    /** Large enough to be split over threads; the split must not change a bit. */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int n = 3 * VectorElementwise.MIN_PARALLEL + 5;
        for (int threads : new int[] {1, 3}) {
            Backend backend = new VectorBackend(threads);
            checkAdam(backend, DType.FLOAT32, n, ADAM_ALL_FLAGS, LAYOUTS.get(1), "Adam, " + threads + " threads");
            checkSgd(backend, DType.FLOAT32, n, SGD_ALL_FLAGS, LAYOUTS.get(1), "SGD, " + threads + " threads");
        }
    }
}
