package io.jgrad.autograd;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One gradient check of a table-driven test: a function of its inputs, and how to make those inputs from
 * a source seeded by the case's name (so every run checks the same numbers).
 */
record GradCheckCase(String name, Function<Tensor[], Tensor> f, Function<Float64Leaves, Tensor[]> inputs, double eps) {

    /** The ops of {@link KernelOpsGradCheckTest}, whose reference kernels are written separately from autograd. */
    static final Set<Op> KERNEL_OPS = EnumSet.of(Op.CONV2D, Op.CONV2D_RELU, Op.CONV2D_RELU_MAX_POOL2D, Op.LINEAR_RELU, Op.ATTENTION, Op.CROSS_ENTROPY, Op.MAX_POOL2D, Op.AVG_POOL2D, Op.GATHER, Op.SCATTER_ADD, Op.INDEX_SELECT);

    /**
     * Ops that need a second device, which this module's tests do not have: their gradient checks run in the tests
     * module on the OpenCL device ({@code DeviceTransferTest}), skipped with the reason printed where there is none.
     */
    static final Set<Op> DEVICE_OPS = EnumSet.of(Op.TO_DEVICE);

    /** A case with PyTorch's default finite-difference step. */
    static GradCheckCase of(String name, Function<Tensor[], Tensor> f, Function<Float64Leaves, Tensor[]> inputs) {
        return new GradCheckCase(name, f, inputs, GradCheck.DEFAULT_EPS);
    }

    Tensor[] makeInputs() {
        return inputs.apply(new Float64Leaves(name.hashCode()));
    }

    /** Runs {@link GradCheck#check} with PyTorch's tolerances; returns true or throws {@link GradCheck.Failure}. */
    boolean run() {
        return GradCheck.check(f, eps, GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, makeInputs());
    }

    /** Every op recorded in the graph this case's function builds. */
    Set<Op> recordedOps() {
        Set<Op> ops = EnumSet.noneOf(Op.class);
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Tensor> todo = new ArrayDeque<>();
        todo.push(f.apply(makeInputs()));
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (visited.put(t, Boolean.TRUE) != null || t.node() == null) continue;
            ops.add(t.node().op);
            for (Tensor in : t.node().inputs) todo.push(in);
        }
        return ops;
    }

    @Override
    public String toString() {
        return name;
    }
}
