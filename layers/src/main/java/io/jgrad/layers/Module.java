package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A piece of a network: it owns parameters (tensors that require gradients), buffers (state that is saved
 * but not trained, like batch norm's running statistics) and child modules, all named as PyTorch names
 * them, so that {@link #stateDict()} keys ({@code 0.weight}, {@code fc1.bias}, {@code bn.running_mean})
 * match a PyTorch {@code state_dict()} of the same architecture.
 *
 * <p>Subclasses register what they own in their constructor and implement {@link #forward(Tensor)}.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module applied to one input. */
    public abstract Tensor forward(Tensor input);

    // ---- registration ---------------------------------------------------------------------------

    /** Registers {@code value} as a trainable parameter named {@code name}; returns the parameter tensor. */
    protected final Tensor registerParameter(String name, NDArray value) {
        checkName(name);
        Tensor p = Tensor.parameter(value);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a buffer. Buffers are updated in place (with {@code assign} or in-place ops), so the array
     * returned here, the one in {@link #stateDict()} and the one the module computes with stay the same.
     */
    protected final NDArray registerBuffer(String name, NDArray value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module under {@code name}; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid member name '" + name + "' (non-empty, no dots)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": member '" + name + "' is already registered");
        }
    }

    // ---- traversal ------------------------------------------------------------------------------

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its descendants, keyed by dotted path. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, null);
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer of this module and its descendants, keyed by dotted path. */
    public Map<String, NDArray> namedBuffers() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        collect("", null, out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> params, Map<String, NDArray> bufs) {
        if (params != null) parameters.forEach((k, v) -> params.put(prefix + k, v));
        if (bufs != null) buffers.forEach((k, v) -> bufs.put(prefix + k, v));
        children.forEach((k, child) -> child.collect(prefix + k + ".", params, bufs));
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    // ---- state ----------------------------------------------------------------------------------

    /** Parameters and buffers by PyTorch key, in PyTorch's order (a module's own members before its children's). */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        stateInto("", out);
        return out;
    }

    private void stateInto(String prefix, Map<String, NDArray> out) {
        parameters.forEach((k, v) -> out.put(prefix + k, v.data()));
        buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, child) -> child.stateInto(prefix + k + ".", out));
    }

    /**
     * Copies {@code state} into this module's parameters and buffers. Every key must be present, no key may
     * be extra, and every shape must match; the first problem is named in an {@link IllegalArgumentException}
     * and nothing is changed in that case.
     */
    public void loadStateDict(Map<String, NDArray> state) {
        Map<String, NDArray> own = stateDict();
        for (Map.Entry<String, NDArray> e : own.entrySet()) {
            NDArray value = state.get(e.getKey());
            if (value == null) throw new IllegalArgumentException("loadStateDict: missing key '" + e.getKey() + "'");
            if (!Arrays.equals(value.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("loadStateDict: key '" + e.getKey() + "' has shape " + Shapes.str(value.shape())
                        + ", the module expects " + Shapes.str(e.getValue().shape()));
            }
        }
        for (String key : state.keySet()) {
            if (!own.containsKey(key)) throw new IllegalArgumentException("loadStateDict: unexpected key '" + key + "'");
        }
        for (Map.Entry<String, NDArray> e : own.entrySet()) e.getValue().assign(state.get(e.getKey()));
    }

    // ---- modes ----------------------------------------------------------------------------------

    /** Training mode (dropout active, batch norm uses batch statistics) for this module and its descendants. */
    public Module train() {
        return train(true);
    }

    /** Evaluation mode for this module and its descendants. */
    public Module eval() {
        return train(false);
    }

    public Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) child.train(mode);
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears the gradients of all parameters. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    // ---- checks and printing ----------------------------------------------------------------------

    /** Throws naming this layer and both shapes unless {@code input} has rank {@code rank}. */
    protected final void requireRank(Tensor input, int rank, String expected) {
        if (input.rank() != rank) throw inputError(input, expected);
    }

    /** Throws naming this layer unless {@code input.shape(dim) == size}. */
    protected final void requireSize(Tensor input, int dim, int size, String expected) {
        if (input.shape(dim) != size) throw inputError(input, expected);
    }

    /** Throws naming this layer unless {@code dim} (negative counts from the end) is a dim of {@code input}. */
    protected final void requireDim(Tensor input, int dim) {
        if (dim < -input.rank() || dim >= input.rank()) throw inputError(input, "with a dim " + dim + " (rank > " + (dim < 0 ? -dim - 1 : dim) + ")");
    }

    /** The error for an input this layer cannot take: {@code Conv2d: expected input [N, 3, H, W], got shape [3, 5, 5]}. */
    protected final IllegalArgumentException inputError(Tensor input, String expected) {
        return new IllegalArgumentException(getClass().getSimpleName() + ": expected input " + expected + ", got shape " + Shapes.str(input.shape()));
    }

    /** The arguments shown in {@link #toString()}, e.g. {@code in_features=784, out_features=128}. */
    protected String extraRepr() {
        return "";
    }

    /** A tree like PyTorch's module printout. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((name, child) -> sb.append("  (").append(name).append("): ")
                    .append(child.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
