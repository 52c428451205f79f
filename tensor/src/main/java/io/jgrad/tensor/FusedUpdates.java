package io.jgrad.tensor;

import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.SgdStep;

import java.util.Arrays;
import java.util.List;

/**
 * The fused optimiser updates of the {@link Backend} ({@link Backend#adamStep}, {@link Backend#sgdStep}) with
 * their arguments checked: one pass over a parameter and its state instead of the composed update's chain
 * of array operations, with the same result bit for bit. The arrays must be contiguous, of one shape, one
 * floating-point dtype and one device, and must not overlap in memory; an optimiser asks {@link #qualifies}
 * first and takes its composed update when they do not.
 */
public final class FusedUpdates {

    private static final String[] ADAM_ARRAYS = {"param", "grad", "m", "v", "vMax"};
    private static final String[] SGD_ARRAYS = {"param", "grad", "momentumBuffer"};

    private FusedUpdates() {
    }

    /** One Adam/AdamW step, in place, as {@link AdamStep} defines; {@code vMax} is given exactly when {@code step.amsgrad()}. */
    public static void adam(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        requireGivenExactlyWhen("adamStep", "vMax", vMax, step.amsgrad(), "amsgrad is on");
        require("adamStep", ADAM_ARRAYS, 4, param, grad, m, v, vMax);
        if (param.numel() > 0) param.backend().adamStep(step, param, grad, m, v, vMax);
        bumpVersions(param, m, v, vMax);
    }

    /** One SGD step, in place, as {@link SgdStep} defines; {@code momentumBuffer} is given exactly when the momentum is not 0. */
    public static void sgd(SgdStep step, NDArray param, NDArray grad, NDArray momentumBuffer) {
        requireGivenExactlyWhen("sgdStep", "momentumBuffer", momentumBuffer, step.momentum() != 0, "momentum is not 0");
        require("sgdStep", SGD_ARRAYS, 2, param, grad, momentumBuffer);
        if (param.numel() > 0) param.backend().sgdStep(step, param, grad, momentumBuffer);
        bumpVersions(param, momentumBuffer);
    }

    /**
     * {@link #adam} over many parameters with one {@code step}, in one backend call ({@link Backend#adamStepAll}:
     * one launch on a GPU). Element {@code i} of each list belongs to parameter {@code i}; {@code vMax} is given
     * exactly when {@code step.amsgrad()}. Every parameter qualifies as for {@link #adam}, and all share the
     * first one's dtype and device.
     */
    public static void adamAll(AdamStep step, List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, List<NDArray> vMax) {
        requireGivenExactlyWhen("adamStepAll", "vMax", vMax, step.amsgrad(), "amsgrad is on");
        requireLengths("adamStepAll", params, grads, m, v, vMax);
        for (int i = 0; i < params.size(); i++) {
            require("adamStepAll", ADAM_ARRAYS, 4, params.get(i), grads.get(i), m.get(i), v.get(i), vMax == null ? null : vMax.get(i));
            requireLike("adamStepAll", params, i);
        }
        if (params.isEmpty()) return;
        params.get(0).backend().adamStepAll(step, params, grads, m, v, vMax);
        for (int i = 0; i < params.size(); i++) bumpVersions(params.get(i), m.get(i), v.get(i), vMax == null ? null : vMax.get(i));
    }

    /** {@link #sgd} over many parameters with one {@code step}, in one backend call, as {@link #adamAll}. */
    public static void sgdAll(SgdStep step, List<NDArray> params, List<NDArray> grads, List<NDArray> momentumBuffers) {
        requireGivenExactlyWhen("sgdStepAll", "momentumBuffers", momentumBuffers, step.momentum() != 0, "momentum is not 0");
        requireLengths("sgdStepAll", params, grads, momentumBuffers);
        for (int i = 0; i < params.size(); i++) {
            require("sgdStepAll", SGD_ARRAYS, 2, params.get(i), grads.get(i), momentumBuffers == null ? null : momentumBuffers.get(i));
            requireLike("sgdStepAll", params, i);
        }
        if (params.isEmpty()) return;
        params.get(0).backend().sgdStepAll(step, params, grads, momentumBuffers);
        for (int i = 0; i < params.size(); i++) bumpVersions(params.get(i), momentumBuffers == null ? null : momentumBuffers.get(i));
    }

    /** Throws unless every given list (nulls skipped) has the parameters' length. */
    @SafeVarargs
    private static void requireLengths(String op, List<NDArray> params, List<NDArray>... others) {
        for (List<NDArray> other : others) {
            if (other != null && other.size() != params.size()) {
                throw new IllegalArgumentException(op + ": " + params.size() + " parameters but a list of " + other.size() + " arrays");
            }
        }
    }

    /** Throws unless parameter {@code i} has the first parameter's dtype and device (one launch takes one of each). */
    private static void requireLike(String op, List<NDArray> params, int i) {
        NDArray first = params.get(0), p = params.get(i);
        if (p.dtype() != first.dtype() || !p.device().equals(first.device())) {
            throw new IllegalArgumentException(op + ": parameter " + i + " is " + p.dtype() + " on " + p.device()
                    + ", parameter 0 is " + first.dtype() + " on " + first.device());
        }
    }

    /** The arrays a step wrote in place (nulls skipped) count one write each, as the composed update's ops would. */
    private static void bumpVersions(NDArray... written) {
        for (NDArray a : written) {
            if (a != null) a.storage().bumpVersion();
        }
    }

    /**
     * True when a fused update may take {@code param} and the other arrays (nulls are skipped): every array
     * contiguous, of the parameter's shape, floating-point dtype and device, none overlapping another.
     */
    public static boolean qualifies(NDArray param, NDArray... others) {
        NDArray[] arrays = new NDArray[others.length + 1];
        String[] names = new String[arrays.length];
        arrays[0] = param;
        names[0] = "param";
        for (int i = 0; i < others.length; i++) {
            arrays[i + 1] = others[i];
            names[i + 1] = "array " + (i + 1);
        }
        return problem("", names, arrays) == null;
    }

    /** Throws naming the op and the array unless the first {@code required} arrays are given and all of them qualify. */
    private static void require(String op, String[] names, int required, NDArray... arrays) {
        for (int i = 0; i < required; i++) {
            if (arrays[i] == null) throw new IllegalArgumentException(op + ": " + names[i] + " is null");
        }
        String problem = problem(op, names, arrays);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /** What keeps {@code arrays} (the parameter first; nulls skipped) from a fused update, or null when nothing does. */
    private static String problem(String op, String[] names, NDArray[] arrays) {
        NDArray param = arrays[0];
        if (!param.dtype().isFloatingPoint()) {
            return op + ": needs a floating-point parameter, got " + param.dtype() + " with shape " + Shapes.str(param.shape());
        }
        for (int i = 0; i < arrays.length; i++) {
            NDArray x = arrays[i];
            if (x == null) continue;
            if (!Arrays.equals(x.shape(), param.shape())) {
                return op + ": " + names[i] + " has shape " + Shapes.str(x.shape()) + ", param has shape " + Shapes.str(param.shape());
            }
            if (x.dtype() != param.dtype()) {
                return op + ": " + names[i] + " is " + x.dtype() + ", param is " + param.dtype() + " (shape " + Shapes.str(param.shape()) + ")";
            }
            if (!x.device().equals(param.device())) {
                return op + ": " + names[i] + " is on " + x.device() + ", param on " + param.device();
            }
            if (!x.isContiguous()) {
                return op + ": " + names[i] + " with shape " + Shapes.str(x.shape()) + " and strides " + Shapes.str(x.strides())
                        + " is not contiguous; pass contiguous() arrays";
            }
            for (int j = 0; j < i; j++) {
                if (arrays[j] != null && overlap(arrays[j], x)) {
                    return op + ": " + names[j] + " and " + names[i] + " (shape " + Shapes.str(x.shape()) + ") overlap in memory";
                }
            }
        }
        return null;
    }

    /** Whether two contiguous arrays share an element of storage. */
    private static boolean overlap(NDArray a, NDArray b) {
        return a.storage() == b.storage() && a.numel() > 0 && b.numel() > 0
                && a.offset() < b.offset() + b.numel() && b.offset() < a.offset() + a.numel();
    }

    private static void requireGivenExactlyWhen(String op, String name, Object array, boolean needed, String condition) {
        if ((array != null) != needed) {
            throw new IllegalArgumentException(op + ": " + name + (needed ? " is missing; it is needed when " : " must be null unless ") + condition);
        }
    }
}
