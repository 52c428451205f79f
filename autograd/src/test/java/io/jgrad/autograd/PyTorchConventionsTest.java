package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.autograd.ArrayAssertions.assertValues;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradients at the points where an op is not differentiable (or its formula would give 0·∞), where
 * PyTorch picks a value by convention. Finite differences cannot check these, so each expected value is
 * PyTorch's, with the rule in a comment.
 */
class PyTorchConventionsTest {

    private static final double TOL = 1e-12;

    @Test
    void maximumAndMinimumSplitTiesEvenly() {
        // torch.maximum backward: grad/2 to each side where a == b
        Tensor a = leaf(new double[] {1, 2, 3}, 3), b = leaf(new double[] {1, 5, 0}, 3);
        a.maximum(b).sum().backward();
        assertValues(new double[] {0.5, 0, 1}, new int[] {3}, a.grad(), TOL);
        assertValues(new double[] {0.5, 1, 0}, new int[] {3}, b.grad(), TOL);
        a.zeroGrad();
        b.zeroGrad();
        a.minimum(b).sum().backward();
        assertValues(new double[] {0.5, 1, 0}, new int[] {3}, a.grad(), TOL);
        assertValues(new double[] {0.5, 0, 1}, new int[] {3}, b.grad(), TOL);
    }

    @Test
    void maximumOfATensorWithItselfPassesTheWholeGradient() {
        Tensor a = leaf(new double[] {1, -2}, 2);
        a.maximum(a).sum().backward();
        assertValues(new double[] {1, 1}, new int[] {2}, a.grad(), TOL);
    }

    @Test
    void amaxAndAminSplitTiesEvenly() {
        // torch.amax distributes the gradient evenly between equal maxima
        Tensor x = leaf(new double[] {1, 3, 3, 2, 5, 5, 5, 0}, 2, 4);
        x.amax(1, false).sum().backward();
        assertValues(new double[] {0, 0.5, 0.5, 0, 1 / 3.0, 1 / 3.0, 1 / 3.0, 0}, new int[] {2, 4}, x.grad(), TOL);
        Tensor y = leaf(new double[] {2, 2, 7, 2}, 4);
        y.amin(new int[0], false).backward();
        assertValues(new double[] {1 / 3.0, 1 / 3.0, 0, 1 / 3.0}, new int[] {4}, y.grad(), TOL);
    }

    @Test
    void kinksAtZero() {
        // relu'(0) = 0, |x|'(0) = sgn(0) = 0, leakyRelu'(0) = slope (PyTorch takes the x <= 0 branch)
        Tensor x = leaf(new double[] {-1, 0, 2}, 3);
        x.relu().sum().backward();
        assertValues(new double[] {0, 0, 1}, new int[] {3}, x.grad(), TOL);
        x.zeroGrad();
        x.abs().sum().backward();
        assertValues(new double[] {-1, 0, 1}, new int[] {3}, x.grad(), TOL);
        x.zeroGrad();
        x.leakyRelu(0.01).sum().backward();
        assertValues(new double[] {0.01, 0.01, 1}, new int[] {3}, x.grad(), TOL);
    }

    @Test
    void clampPassesTheGradientAtItsBounds() {
        // torch.clamp backward: grad where min <= x <= max, bounds included
        Tensor x = leaf(new double[] {-2, -1, 0, 1, 2}, 5);
        x.clamp(-1, 1).sum().backward();
        assertValues(new double[] {0, 1, 1, 1, 0}, new int[] {5}, x.grad(), TOL);
    }

    @Test
    void powerWithExponentZeroHasZeroGradientEvenAtZero() {
        // x⁰ = 1 everywhere; PyTorch gives d/dx = 0 (not 0·0⁻¹ = NaN) for both the scalar and the tensor exponent
        Tensor x = leaf(new double[] {0, 2}, 2);
        x.pow(0).sum().backward();
        assertValues(new double[] {0, 0}, new int[] {2}, x.grad(), TOL);
        x.zeroGrad();
        Tensor e = leaf(new double[] {0, 0}, 2);
        x.pow(e).sum().backward();
        assertValues(new double[] {0, 0}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void powerGradientsAtAZeroBase() {
        // base 0: d(0^b)/db is taken as 0 for b >= 0 (avoids 0·ln 0); d(0^b)/da = b·0^(b-1)
        Tensor a = leaf(new double[] {0, 0, 2}, 3);
        Tensor b = leaf(new double[] {2, 1, 3}, 3);
        a.pow(b).sum().backward();
        assertValues(new double[] {0, 1, 12}, new int[] {3}, a.grad(), TOL);
        assertValues(new double[] {0, 0, 8 * Math.log(2)}, new int[] {3}, b.grad(), TOL);
    }

    @Test
    void reductionsOfAZeroDimTensorOverDimZero() {
        // PyTorch accepts dim 0 / -1 for a 0-d tensor and treats it as the identity
        Tensor x = Tensor.of(NDArray.scalar(DType.FLOAT64, 3)).requiresGrad(true);
        Tensor s = x.sum(0).add(x.mean(-1, true)).add(x.amax(0, false));
        assertValues(new double[] {9}, new int[] {}, s.data(), TOL);
        s.backward();
        assertValues(new double[] {3}, new int[] {}, x.grad(), TOL);
        assertTrue(GradCheck.check(in -> in[0].sum(0).mul(in[0].softmax(0)).add(in[0].logSoftmax(-1)), Tensor.of(NDArray.scalar(DType.FLOAT64, 0.7)).requiresGrad(true)));
    }

    @Test
    void gradientOfAFloat32LeafThroughACastIsFloat32() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        x.to(DType.FLOAT64).mul(leaf(new double[] {3, 4}, 2)).sum().backward();
        assertTrue(x.grad().dtype() == DType.FLOAT32);
        assertValues(new double[] {3, 4}, new int[] {2}, x.grad(), 0);
    }
}
