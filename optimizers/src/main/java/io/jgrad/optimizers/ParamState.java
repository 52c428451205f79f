package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an optimiser remembers about one parameter between steps: the step count {@code t} and named
 * buffers such as Adam's moment estimates {@code m} and {@code v}. Buffers are created on the first step, with
 * the parameter's dtype and device, so the optimiser's arithmetic happens in the parameter's precision (as in
 * PyTorch: float32 state for a float32 model).
 */
public final class ParamState {

    private long step;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /** {@code t}: how many updates this parameter has received (steps where it had no gradient do not count). */
    public long step() {
        return step;
    }

    void advance() {
        step++;
    }

    /** The buffer {@code name}, made by {@code initial} the first time it is asked for. */
    public NDArray buffer(String name, Supplier<NDArray> initial) {
        return buffers.computeIfAbsent(name, k -> initial.get());
    }

    /** The buffer {@code name}, or null before it exists (SGD's momentum starts from the first gradient). */
    public NDArray get(String name) {
        return buffers.get(name);
    }

    /** Stores {@code value} as buffer {@code name}; returns it. */
    public NDArray put(String name, NDArray value) {
        buffers.put(name, value);
        return value;
    }

    /** Every buffer by name (read-only view). */
    public Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** For a state dict: {@code "step"} (a 0-d int64 array) and a copy of every buffer. */
    Map<String, NDArray> snapshot() {
        Map<String, NDArray> saved = new LinkedHashMap<>();
        saved.put("step", NDArray.scalar(DType.INT64, step));
        buffers.forEach((name, value) -> saved.put(name, value.copy()));
        return saved;
    }

    /**
     * The state {@link #snapshot()} saved, for {@code param}: buffers are copied into its dtype and must have its
     * shape (or be scalars). {@code key} names the entry in error messages ({@code "Adam: state.3"}).
     */
    static ParamState restore(Map<String, NDArray> saved, Tensor param, String key) {
        if (!saved.containsKey("step")) throw new IllegalArgumentException(key + " has no step count");
        ParamState s = new ParamState();
        s.step = (long) saved.get("step").item();
        saved.forEach((name, value) -> {
            if (name.equals("step")) return;
            if (value.rank() != 0 && !Arrays.equals(value.shape(), param.shape())) {
                throw new IllegalArgumentException(key + "." + name + " has shape " + Shapes.str(value.shape()) + ", the parameter has shape "
                        + Shapes.str(param.shape()));
            }
            s.put(name, value.to(param.dtype()).copy());
        });
        return s;
    }
}
