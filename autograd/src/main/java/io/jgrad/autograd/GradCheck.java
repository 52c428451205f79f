package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Locale;
import java.util.function.Function;

/**
 * Compares the gradients autograd computes with finite differences, as {@code torch.autograd.gradcheck}.
 *
 * <p>For a function {@code f} of float64 tensors, the numerical Jacobian column for input element
 * {@code x_j} is {@code (f(x + eps·e_j) - f(x - eps·e_j)) / 2eps}; the analytical row for output element
 * {@code y_i} is the backward pass of a one-hot gradient at {@code i}. They must agree within
 * {@code |analytic - numeric| <= atol + rtol·|numeric|} for every pair. Defaults are PyTorch's: eps 1e-6,
 * atol 1e-5, rtol 1e-3.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(NDArray.randn(gen, DType.FLOAT64, 3, 4)).requiresGrad(true);
 * GradCheck.check(in -> in[0].tanh().sum(1), x);   // throws GradCheck.Failure on a wrong gradient
 * }</pre>
 */
public final class GradCheck {

    public static final double DEFAULT_EPS = 1e-6;
    public static final double DEFAULT_ATOL = 1e-5;
    public static final double DEFAULT_RTOL = 1e-3;

    /** Raised when a gradient disagrees with its finite difference. */
    public static final class Failure extends AssertionError {
        Failure(String message) {
            super(message);
        }
    }

    private GradCheck() {
    }

    /** Checks with PyTorch's default tolerances; returns true or throws {@link Failure}. */
    public static boolean check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, DEFAULT_EPS, DEFAULT_ATOL, DEFAULT_RTOL, inputs);
    }

    /**
     * Checks every input that requires a gradient. The inputs must be float64 (in float32 the finite
     * differences drown in rounding); they are perturbed in place and restored.
     */
    public static boolean check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (t.requiresGrad() && t.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradcheck: input " + k + " is " + t.dtype() + "; use float64 inputs");
            }
            if (t.requiresGrad() && !t.isLeaf()) {
                throw new IllegalArgumentException("gradcheck: input " + k + " must be a leaf tensor");
            }
            if (t.requiresGrad() && (!t.data().isContiguous() || t.data().storage().size() != t.numel())) {
                throw new IllegalArgumentException("gradcheck: input " + k + " must own a contiguous storage (use copy())");
            }
        }
        Tensor y = f.apply(inputs);
        if (!y.requiresGrad()) throw new IllegalArgumentException("gradcheck: the output does not depend on any input that requires grad");
        int m = y.numel();
        double[][][] analytic = analyticJacobians(y, inputs, m);
        for (int k = 0; k < inputs.length; k++) {
            if (!inputs[k].requiresGrad()) continue;
            NDArray x = inputs[k].data();
            for (int j = 0; j < x.numel(); j++) {
                double[] numeric = numericColumn(f, inputs, x, j, eps);
                for (int i = 0; i < m; i++) {
                    double a = analytic[k][i][j], nu = numeric[i];
                    if (!(Math.abs(a - nu) <= atol + rtol * Math.abs(nu))) {
                        throw new Failure(String.format(Locale.ROOT,
                                "gradcheck: d(output[%d])/d(input %d [%d]) is %.10g by backward but %.10g by finite differences (input shape %s, output shape %s)",
                                i, k, j, a, nu, Shapes.str(x.shape()), Shapes.str(y.shape())));
                    }
                }
            }
        }
        return true;
    }

    /** analytic[k][i][j] = d y_i / d x_k[j], one backward pass per output element. */
    private static double[][][] analyticJacobians(Tensor y, Tensor[] inputs, int m) {
        double[][][] jac = new double[inputs.length][m][];
        for (int i = 0; i < m; i++) {
            for (Tensor t : inputs) t.zeroGrad();
            NDArray oneHot = y.data().zerosLike();
            oneHot.view(-1).set(1.0, i);
            y.backward(oneHot, true);
            for (int k = 0; k < inputs.length; k++) {
                if (!inputs[k].requiresGrad()) continue;
                NDArray g = inputs[k].grad();
                jac[k][i] = g == null ? new double[inputs[k].numel()] : g.toDoubleArray();
            }
        }
        for (Tensor t : inputs) t.zeroGrad();
        return jac;
    }

    private static double[] numericColumn(Function<Tensor[], Tensor> f, Tensor[] inputs, NDArray x, int j, double eps) {
        NDArray flat = x.view(-1);
        double original = flat.get(j);
        try (var scope = GradMode.noGrad()) {
            flat.set(original + eps, j);
            double[] plus = f.apply(inputs).data().toDoubleArray();
            flat.set(original - eps, j);
            double[] minus = f.apply(inputs).data().toDoubleArray();
            double[] col = new double[plus.length];
            for (int i = 0; i < col.length; i++) col[i] = (plus[i] - minus[i]) / (2 * eps);
            return col;
        } finally {
            flat.set(original, j);
        }
    }
}
