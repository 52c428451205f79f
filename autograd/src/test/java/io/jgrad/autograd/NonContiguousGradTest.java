package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.autograd.ArrayAssertions.assertValues;
import static io.jgrad.autograd.Float64Leaves.constant;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static io.jgrad.autograd.Float64Leaves.of;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ops applied to strided views (transposed, sliced, permuted, expanded) of a leaf send the right gradient
 * back into the leaf's own layout. Expected values are closed forms.
 */
class NonContiguousGradTest {

    private static final double TOL = 1e-12;

    /** 0, 1, 2, ... as float64 in {@code shape}. */
    private static double[] iota(int n, double scale, double shift) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * i + shift;
        return v;
    }

    @Test
    void transposeTimesConstant() {
        // d/dx sum(xᵀ ⊙ c) = cᵀ
        Tensor x = leaf(iota(12, 0.5, -2), 3, 4);
        NDArray c = NDArray.of(iota(12, 1, 1), 4, 3);
        Tensor xt = x.transpose(0, 1);
        assertFalse(xt.data().isContiguous());
        xt.mul(Tensor.of(c)).sum().backward();
        assertValues(c.t().copy(), x.grad(), TOL);
    }

    @Test
    void constantTimesTransposeKeepsTheLeafShape() {
        // same with the constant on the left, so the strided operand is the second input
        Tensor x = leaf(iota(6, 1, 0), 2, 3);
        NDArray c = NDArray.of(new double[] {1, -2, 3, -4, 5, -6}, 3, 2);
        Tensor.of(c).mul(x.transpose(0, 1)).sum().backward();
        assertValues(new double[] {1, 3, 5, -2, -4, -6}, new int[] {2, 3}, x.grad(), TOL);
    }

    @Test
    void stepSliceGetsGradientOnlyInTheSelectedColumns() {
        // x[:, 1::2] ⊙ c: columns 1, 3, 5 receive c, the others 0
        Tensor x = leaf(iota(24, 0.1, 0), 4, 6);
        Tensor view = x.slice(1, 1, 6, 2);
        assertFalse(view.data().isContiguous());
        double[] cv = iota(12, 1, 1);
        view.mul(constant(cv, 4, 3)).sum().backward();
        double[] expected = new double[24];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) expected[i * 6 + 1 + 2 * j] = cv[i * 3 + j];
        assertValues(expected, new int[] {4, 6}, x.grad(), TOL);
    }

    @Test
    void unaryOpOnATransposedView() {
        // d/dx sum(exp(xᵀ)) = exp(x), element by element in x's own layout
        Tensor x = leaf(iota(6, 0.25, -0.5), 2, 3);
        x.transpose(0, 1).exp().sum().backward();
        assertValues(x.data().exp(), x.grad(), TOL);
    }

    @Test
    void matmulOfATransposedView() {
        // L = sum(xᵀ·W), xᵀ [4,3], W [3,2]: dL/dx[j][i] = Σ_k W[j][k] (row sums of W, repeated along i)
        Tensor x = leaf(iota(12, 1, 0), 3, 4);
        Tensor w = constant(new double[] {1, 2, -3, 4, 0.5, 0.25}, 3, 2);
        x.transpose(0, 1).matmul(w).sum().backward();
        double[] rowSums = {3, 1, 0.75};
        double[] expected = new double[12];
        for (int j = 0; j < 3; j++) for (int i = 0; i < 4; i++) expected[j * 4 + i] = rowSums[j];
        assertValues(expected, new int[] {3, 4}, x.grad(), TOL);
    }

    @Test
    void matmulWithATransposedWeight() {
        // L = sum(a·Wᵀ), a [2,3], W [4,3]: dL/dW[o][i] = Σ_n a[n][i] (column sums of a, for every o)
        Tensor a = constant(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = leaf(iota(12, 0.5, 0), 4, 3);
        a.matmul(w.transpose(0, 1)).sum().backward();
        double[] expected = new double[12];
        for (int o = 0; o < 4; o++) for (int i = 0; i < 3; i++) expected[o * 3 + i] = new double[] {5, 7, 9}[i];
        assertValues(expected, new int[] {4, 3}, w.grad(), TOL);
    }

    @Test
    void permutedView() {
        // y = x.permute(2,0,1) ⊙ c, c [4,2,3]: dL/dx = c.permute(1,2,0)
        Tensor x = leaf(iota(24, 1, 0), 2, 3, 4);
        NDArray c = NDArray.of(iota(24, -0.5, 3), 4, 2, 3);
        x.permute(2, 0, 1).mul(Tensor.of(c)).sum().backward();
        assertValues(c.permute(1, 2, 0).copy(), x.grad(), TOL);
    }

    @Test
    void expandedView() {
        // x [3,1] expanded to [3,4]: each element was used 4 times, dL/dx = row sums of c
        Tensor x = leaf(new double[] {1, 2, 3}, 3, 1);
        double[] cv = iota(12, 1, 0);
        x.expand(3, 4).mul(constant(cv, 3, 4)).sum().backward();
        assertValues(new double[] {0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9 + 10 + 11}, new int[] {3, 1}, x.grad(), TOL);
    }

    @Test
    void selectedColumn() {
        // x[:, 2] ⊙ c: only column 2 gets c
        Tensor x = leaf(iota(12, 1, 0), 4, 3);
        x.select(1, 2).mul(constant(new double[] {1, 2, 3, 4}, 4)).sum().backward();
        assertValues(new double[] {0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4}, new int[] {4, 3}, x.grad(), TOL);
    }

    @Test
    void overlappingViewsOfTheSameLeafAccumulate() {
        // x[0:3] + x[1:4] (as one sum): the middle elements are used twice
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 4);
        x.slice(0, 0, 3, 1).add(x.slice(0, 1, 4, 1)).sum().backward();
        assertValues(new double[] {1, 2, 2, 1}, new int[] {4}, x.grad(), TOL);
    }

    @Test
    void reshapeOfATransposedViewCopiesButStillRoutesTheGradient() {
        // (xᵀ).reshape(-1) ⊙ c: element k of the flat vector is xᵀ in row-major order
        Tensor x = leaf(iota(6, 1, 0), 2, 3);
        double[] cv = {10, 20, 30, 40, 50, 60};
        x.transpose(0, 1).reshape(-1).mul(constant(cv, 6)).sum().backward();
        // xᵀ row-major = x[0][0], x[1][0], x[0][1], x[1][1], x[0][2], x[1][2]
        assertValues(new double[] {10, 30, 50, 20, 40, 60}, new int[] {2, 3}, x.grad(), TOL);
    }

    @Test
    void softmaxOfATransposedView() {
        // with weights c the gradient of sum(c ⊙ softmax(z)) is s ⊙ (c - Σ c·s); here z = xᵀ along dim 1
        Tensor x = leaf(new double[] {0.1, -0.3, 0.7, 1.2, 0.0, -1.1}, 3, 2);
        double[] cv = {1, 2, 3, -1, 0.5, 4};
        x.transpose(0, 1).softmax(1).mul(constant(cv, 2, 3)).sum().backward();
        double[][] z = {{0.1, 0.7, 0.0}, {-0.3, 1.2, -1.1}};
        double[] expected = new double[6];
        for (int r = 0; r < 2; r++) {
            double sumExp = 0;
            for (double v : z[r]) sumExp += Math.exp(v);
            double[] s = new double[3];
            double dot = 0;
            for (int k = 0; k < 3; k++) {
                s[k] = Math.exp(z[r][k]) / sumExp;
                dot += cv[r * 3 + k] * s[k];
            }
            for (int k = 0; k < 3; k++) expected[k * 2 + r] = s[k] * (cv[r * 3 + k] - dot); // x[k][r] = z[r][k]
        }
        assertValues(expected, new int[] {3, 2}, x.grad(), TOL);
    }

    @Test
    void leafOverANonContiguousArray() {
        // a leaf whose data is itself a transposed view: the gradient has the view's shape
        NDArray base = NDArray.of(iota(6, 1, 0), 2, 3);
        Tensor x = Tensor.of(base.t()).requiresGrad(true);
        assertFalse(x.data().isContiguous());
        double[] cv = {1, 2, 3, 4, 5, 6};
        x.mul(constant(cv, 3, 2)).sum().backward();
        assertValues(cv, new int[] {3, 2}, x.grad(), TOL);
        // a second pass accumulates into the same gradient
        x.mul(constant(cv, 3, 2)).sum().backward();
        assertValues(new double[] {2, 4, 6, 8, 10, 12}, new int[] {3, 2}, x.grad(), TOL);
    }

    @Test
    void gradCheckThroughStridedViews() {
        Float64Leaves r = new Float64Leaves(21);
        Tensor a = r.normal(4, 6), b = r.normal(3, 4);
        // strided slice, transpose, broadcasting multiply, matmul with a transposed operand, softmax along dim 0
        assertTrue(GradCheck.check(in -> in[0].slice(1, 0, 6, 2).transpose(0, 1).mul(in[1]).matmul(in[0].slice(1, 1, 6, 2)).softmax(0), of(a, b)));
    }

    @Test
    void float32LeafThroughAStridedView() {
        // the gradient of a float32 leaf stays float32 and lands in the leaf's layout
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        x.transpose(0, 1).mul(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)).sum().backward();
        assertTrue(x.grad().dtype() == DType.FLOAT32);
        assertValues(new double[] {1, 3, 5, 2, 4, 6}, new int[] {2, 3}, x.grad(), 0);
    }
}
