package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Gradient-based optimisation of parameters: {@link #step()} moves every parameter that has a gradient by the
 * rule of the subclass (SGD, Adam, ...), {@link #zeroGrad()} clears the gradients for the next batch.
 *
 * <pre>{@code
 * Optimizer opt = Adam.builder().lr(1e-3).build(model.parameters());
 * for (Batch b : batches) {
 *     opt.zeroGrad();
 *     lossOf(b).backward();
 *     opt.step();
 * }
 * }</pre>
 *
 * <p>As in PyTorch, parameters come in {@link ParamGroup}s with their own hyperparameters, each parameter has
 * its own {@link ParamState} (step count {@code t}, moment estimates, ...) kept in the parameter's dtype, and
 * {@link #stateDict()} / {@link #loadStateDict} save and restore all of it so that training resumes exactly.
 * {@link #trace(PrintStream)} prints, per step and parameter, every quantity of the update (for teaching).
 */
public abstract class Optimizer {

    /** Hyperparameter names shared by several optimisers (schedules change lr, momentum and beta1). */
    public static final String LR = "lr", WEIGHT_DECAY = "weightDecay", MAXIMIZE = "maximize", EPS = "eps",
            MOMENTUM = "momentum", BETA1 = "beta1", BETA2 = "beta2";

    private final String name;
    private final List<ParamGroup> groups;
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();
    private Consumer<String> trace;
    private boolean fusedUpdates = true;
    private boolean multiTensorUpdates = true;

    /**
     * Fills each group's missing hyperparameters from {@code defaults}, rejects names the optimiser does not
     * know and checks the values with {@code validate}.
     */
    protected Optimizer(String name, List<ParamGroup> groups, Map<String, Object> defaults, Consumer<HyperparameterCheck> validate) {
        this.name = name;
        if (groups.isEmpty()) throw new IllegalArgumentException(name + ": got no parameter groups");
        this.groups = List.copyOf(groups);
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup group = groups.get(i);
            for (String key : group.hyperparameters().keySet()) {
                if (!defaults.containsKey(key)) {
                    throw new IllegalArgumentException(name + ": unknown hyperparameter '" + key + "' in param group " + i + " (known: " + defaults.keySet() + ")");
                }
            }
            defaults.forEach((key, value) -> {
                if (!group.has(key)) put(group, key, value);
            });
            for (Tensor p : group.params()) {
                if (!seen.add(p)) throw new IllegalArgumentException(name + ": a parameter appears in more than one param group");
            }
            validate.accept(new HyperparameterCheck(name, group, i, groups.size()));
        }
    }

    /**
     * Updates {@code theta} (the parameter's values, in place) from its gradient {@code g}. {@code state} has
     * already counted this step ({@code state.step()} is {@code t}, starting at 1); {@code g} is already negated
     * when {@code maximize} is on and must not be written to.
     */
    protected abstract void update(NDArray theta, NDArray g, ParamState state, ParamGroup group);

    /**
     * The same update as {@link #update} in one fused kernel ({@link io.jgrad.tensor.FusedUpdates}), with the
     * same bits and the same state buffers, when the optimiser has one and the arrays qualify: it hands the
     * update to {@code fused} (which runs it, with the others of its kind, at the end of the step) and returns
     * true. Otherwise it returns false, having changed nothing, and the step takes the composed {@link #update}.
     * Unlike there, {@code grad} is the raw gradient: the kernel negates it itself when {@code maximize} is on.
     */
    protected boolean fusedUpdate(NDArray theta, NDArray grad, ParamState state, ParamGroup group, FusedSteps fused) {
        return false;
    }

    /**
     * Whether {@link #step()} may use the fused update (on by default). Off, every step takes the composed
     * update: for comparisons and benchmarks, since both give the same bits.
     */
    public void useFusedUpdates(boolean on) {
        this.fusedUpdates = on;
    }

    /**
     * Whether the fused updates of one step that share their scalars, dtype and backend run as one backend call
     * (on by default: one launch for all parameters on a GPU, PyTorch's {@code foreach}). Off, each parameter's
     * fused update is its own call; the bits are the same either way.
     */
    public void useMultiTensorUpdates(boolean on) {
        this.multiTensorUpdates = on;
    }

    /** One optimisation step over every parameter with a gradient; parameters without one are left alone. */
    public void step() {
        FusedSteps fused = new FusedSteps(multiTensorUpdates);
        int index = 0;
        for (ParamGroup group : groups) {
            for (Tensor param : group.params()) {
                NDArray g = param.grad();
                if (g != null) {
                    ParamState s = state.computeIfAbsent(param, p -> new ParamState());
                    s.advance();
                    // The trace prints the composed update's quantities, so it always takes that path.
                    boolean isFused = trace == null && fusedUpdates && fusedUpdate(param.data(), g, s, group, fused);
                    if (!isFused) {
                        if (group.flag(MAXIMIZE)) g = g.neg();   // ascend: the same rule on -g
                        if (trace == null) update(param.data(), g, s, group);
                        else tracedUpdate(param, index, g, s, group);
                    }
                }
                index++;
            }
        }
        fused.run();   // parameters are independent, so their fused updates may run after the composed ones
    }

    private void tracedUpdate(Tensor param, int index, NDArray g, ParamState s, ParamGroup group) {
        String label = param.name() != null ? " (" + param.name() + ")" : "";
        trace.accept(name + ", t = " + s.step() + ", parameter " + index + label + ":");
        trace("g", g);
        NDArray before = param.data().copy();
        update(param.data(), g, s, group);
        trace("update", before.sub(param.data()));   // what was subtracted from theta this step
    }

    /** Clears every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (ParamGroup group : groups) {
            for (Tensor p : group.params()) p.setGrad(null);
        }
    }

    public String name() {
        return name;
    }

    /** The groups themselves: schedules and users change their hyperparameters between steps. */
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** The state of {@code param}, or null before its first update. */
    public ParamState state(Tensor param) {
        return state.get(param);
    }

    // ---- pieces every update is made of --------------------------------------------------------------

    /** L2 weight decay folded into the gradient, {@code g + λθ} (every optimiser's {@code weight_decay} except AdamW's). */
    protected static NDArray withL2(NDArray g, NDArray theta, double lambda) {
        return lambda == 0 ? g : g.add(theta.mul(lambda));
    }

    /** {@code avg ← β·avg + (1 − β)·x}, in place: the exponential moving average behind every moment estimate. */
    protected static NDArray movingAverage(NDArray avg, double beta, NDArray x) {
        return avg.mulInPlace(beta).addInPlace(x.mul(1 - beta));
    }

    /** {@code avg ← β·avg + (1 − β)·x²}, in place, rounded in PyTorch's order {@code ((1 − β)·x)·x}. */
    protected static NDArray movingAverageOfSquares(NDArray avg, double beta, NDArray x) {
        return avg.mulInPlace(beta).addInPlace(x.mul(1 - beta).mul(x));
    }

    /** {@code 1 − β^t}: how far a moving average started at 0 still falls short of its target after {@code t} steps. */
    protected static double biasCorrection(double beta, long t) {
        return 1 - Math.pow(beta, t);
    }

    /** AMSGrad's {@code vMax ← max(vMax, v)}: the largest second moment so far, kept in the state; returns it. */
    protected static NDArray largestSoFar(ParamState state, NDArray v) {
        NDArray vMax = state.buffer("vMax", v::zerosLike);
        return vMax.assign(vMax.maximum(v));
    }

    // ---- trace --------------------------------------------------------------------------------------

    /** Prints every step's quantities to {@code out} (one line each); null turns the trace off. */
    public void trace(PrintStream out) {
        trace(out == null ? null : (Consumer<String>) out::println);
    }

    /** Sends every step's quantities to {@code lines}, one line at a time; null turns the trace off. */
    public void trace(Consumer<String> lines) {
        this.trace = lines;
    }

    /** Reports an array of the update (a moment estimate, a denominator, ...) when tracing. */
    protected final void trace(String quantity, NDArray value) {
        if (trace != null) trace.accept("  " + quantity + " = " + value);
    }

    /** Reports a number of the update (a bias correction, a step size, ...) when tracing. */
    protected final void trace(String quantity, double value) {
        if (trace != null) trace.accept("  " + quantity + " = " + format(value));
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(e|$)", "$1");
    }

    // ---- state dict ---------------------------------------------------------------------------------

    /**
     * Everything needed to resume: per parameter (in group order) its step count and buffers, per group its
     * hyperparameters. The arrays are copies, so later steps do not change a saved dict.
     */
    public record StateDict(List<Map<String, NDArray>> state, List<Map<String, Object>> paramGroups) {
        public StateDict {
            state = List.copyOf(state);
            paramGroups = List.copyOf(paramGroups);
        }
    }

    public StateDict stateDict() {
        List<Map<String, Object>> perGroup = new ArrayList<>();
        for (ParamGroup group : groups) perGroup.add(new LinkedHashMap<>(group.hyperparameters()));
        List<Map<String, NDArray>> perParam = new ArrayList<>();
        for (Tensor p : parameters()) {
            ParamState s = state.get(p);
            perParam.add(s == null ? Map.of() : s.snapshot());
        }
        return new StateDict(perParam, perGroup);
    }

    /**
     * Restores a {@link #stateDict()} of an optimiser of the same kind over parameters of the same shapes:
     * hyperparameters, step counts and buffers (copied, converted to each parameter's dtype). Checks
     * everything before changing anything.
     */
    public void loadStateDict(StateDict dict) {
        List<Tensor> params = parameters();
        if (dict.paramGroups().size() != groups.size()) {
            throw new IllegalArgumentException(name + ": loaded state has " + dict.paramGroups().size() + " param groups, this optimizer has " + groups.size());
        }
        if (dict.state().size() != params.size()) {
            throw new IllegalArgumentException(name + ": loaded state has " + dict.state().size() + " parameters, this optimizer has " + params.size());
        }
        for (int i = 0; i < groups.size(); i++) {
            Set<String> loaded = dict.paramGroups().get(i).keySet(), own = groups.get(i).hyperparameters().keySet();
            if (!loaded.equals(own)) {
                throw new IllegalArgumentException(name + ": param group " + i + " of the loaded state has hyperparameters " + loaded
                        + ", expected " + own + " (a state dict of another optimizer?)");
            }
        }
        List<ParamState> restored = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Map<String, NDArray> saved = dict.state().get(i);
            restored.add(saved.isEmpty() ? null : ParamState.restore(saved, params.get(i), name + ": state." + i));
        }
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup group = groups.get(i);
            dict.paramGroups().get(i).forEach((k, v) -> put(group, k, v));
        }
        for (int i = 0; i < params.size(); i++) {
            if (restored.get(i) == null) state.remove(params.get(i));
            else state.put(params.get(i), restored.get(i));
        }
    }

    /** Every parameter, group after group: the order of the state dict. */
    private List<Tensor> parameters() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup group : groups) all.addAll(group.params());
        return all;
    }

    private static void put(ParamGroup group, String key, Object value) {
        if (value instanceof Boolean b) group.set(key, b);
        else if (value instanceof Number n) group.set(key, n.doubleValue());
        else throw new IllegalArgumentException("hyperparameter '" + key + "' must be a number or a flag, got " + value);
    }

    // ---- builder ------------------------------------------------------------------------------------

    /**
     * Collects the default hyperparameters of an optimiser, then {@link #build}s it over parameters or groups.
     * Every optimiser's builder starts from PyTorch's defaults.
     */
    public abstract static class Builder<B extends Builder<B, O>, O extends Optimizer> {

        private final Map<String, Object> defaults = new LinkedHashMap<>();
        private final BiFunction<List<ParamGroup>, Map<String, Object>, O> factory;

        protected Builder(BiFunction<List<ParamGroup>, Map<String, Object>, O> factory, double lr) {
            this(factory, lr, Map.of());
        }

        /** With {@code more} defaults after lr, weightDecay and maximize (for builders that are subclassed). */
        protected Builder(BiFunction<List<ParamGroup>, Map<String, Object>, O> factory, double lr, Map<String, Object> more) {
            this.factory = factory;
            defaults.put(LR, lr);
            defaults.put(WEIGHT_DECAY, 0.0);
            defaults.put(MAXIMIZE, false);
            defaults.putAll(more);
        }

        /** The subclass itself, so that chained calls keep its type. */
        protected abstract B self();

        protected final B set(String name, double value) {
            defaults.put(name, value);
            return self();
        }

        protected final B set(String name, boolean value) {
            defaults.put(name, value);
            return self();
        }

        /** The learning rate. */
        public B lr(double lr) {
            return set(LR, lr);
        }

        /** {@code λ}: the L2 penalty added to the gradient (AdamW: the decoupled decay rate). */
        public B weightDecay(double lambda) {
            return set(WEIGHT_DECAY, lambda);
        }

        /** Maximise the objective instead of minimising it (the update uses {@code -g}). */
        public B maximize(boolean maximize) {
            return set(MAXIMIZE, maximize);
        }

        /** An optimiser of every parameter in {@code params}, one group. */
        public O build(List<Tensor> params) {
            return build(new ParamGroup(params));
        }

        /** An optimiser of several groups; a group's own hyperparameters override the builder's. */
        public O build(ParamGroup... groups) {
            return factory.apply(List.of(groups), new LinkedHashMap<>(defaults));
        }
    }
}
