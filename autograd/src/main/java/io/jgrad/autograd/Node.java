package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.Storage;

import java.lang.reflect.RecordComponent;

/**
 * One recorded operation: what ran ({@link #op}), on which tensors ({@link #inputs}), what it produced
 * ({@link #output}) and the arguments its gradient needs ({@link #args}). After a backward pass without
 * {@code retainGraph} the saved values are dropped and the node refuses a second pass.
 */
final class Node {

    final Op op;
    final Tensor[] inputs;
    private NDArray output;
    private Object args;
    private boolean freed;
    /** The storage versions of the inputs and the output when the op ran: what backward must still find. */
    private final int[] inputVersions;
    private final int outputVersion;
    /** The array among the args (an index, a condition), if any, and its version: user arrays that backward reads too. */
    private final NDArray argArray;
    private final int argVersion;
    /** The tensor this node produced; used for {@link Tensor#retainGrad()}. */
    Tensor result;

    Node(Op op, NDArray output, Object args, Tensor[] inputs) {
        this.op = op;
        this.output = output;
        this.args = args;
        this.inputs = inputs;
        this.inputVersions = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) inputVersions[i] = inputs[i].data().storage().version();
        this.outputVersion = output.storage().version();
        this.argArray = arrayIn(args);
        this.argVersion = argArray == null ? 0 : argArray.storage().version();
    }

    /** The array an op's arguments hold for its backward, or null. */
    private static NDArray arrayIn(Object args) {
        if (args instanceof OpArgs.Indexed indexed) return indexed.index();
        if (args instanceof OpArgs.Condition condition) return condition.cond();
        if (args instanceof OpArgs.MaxPool pool) return pool.indices();
        if (args instanceof OpArgs.Saved saved) return saved.values();
        return null;
    }

    /**
     * Whether {@code s} backs an array this node keeps: its output, an input's value, or an array among its args
     * (any record component that is an array or an array of arrays). The backward pass asks before it treats a
     * gradient as a buffer of its own.
     */
    boolean holds(Storage s) {
        if (output != null && output.storage() == s) return true;
        for (Tensor t : inputs) if (t.data().storage() == s) return true;
        if (!(args instanceof Record r)) return false;
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                return true;   // cannot tell: not the backward pass's to keep
            }
            if (v instanceof NDArray a && a.storage() == s) return true;
            if (v instanceof NDArray[] arrays) for (NDArray a : arrays) if (a != null && a.storage() == s) return true;
        }
        return false;
    }

    /** Whether input {@code i} wants a gradient (the table skips the work for those that do not). */
    boolean needs(int i) {
        return inputs[i].requiresGrad();
    }

    NDArray output() {
        checkNotFreed();
        checkVersion("output 0", output, outputVersion);
        return output;
    }

    @SuppressWarnings("unchecked")
    <T> T args() {
        checkNotFreed();
        if (argArray != null) checkVersion("the array argument", argArray, argVersion);
        return (T) args;
    }

    /** The forward value of input {@code i}. */
    NDArray input(int i) {
        checkNotFreed();
        checkVersion("input " + i, inputs[i].data(), inputVersions[i]);
        return inputs[i].data();
    }

    void free() {
        freed = true;
        output = null;
        args = null;
    }

    private void checkNotFreed() {
        if (freed) {
            throw new IllegalStateException("backward: trying to go through the graph a second time (at " + op + "); its saved values were freed by the first "
                    + "backward(). Call backward(gradient, true) the first time to retain the graph.");
        }
    }

    /**
     * Refuses a gradient computed from values that were changed in place after the forward pass saved them
     * (the gradient would silently be that of other values), in PyTorch's words.
     */
    private void checkVersion(String which, NDArray saved, int expected) {
        int now = saved.storage().version();
        if (now != expected) {
            throw new IllegalStateException("backward: one of the variables needed for gradient computation has been modified by an inplace "
                    + "operation: " + which + " of " + op + ", an array of shape " + Shapes.str(saved.shape()) + " and dtype " + saved.dtype()
                    + ", is at version " + now + "; expected version " + expected + " instead");
        }
    }

    /** Shapes of the inputs, for messages. */
    String inputShapes() {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : inputs) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(Shapes.str(t.shape()));
        }
        return sb.toString();
    }
}
