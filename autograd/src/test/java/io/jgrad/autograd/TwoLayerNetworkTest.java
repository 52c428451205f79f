package io.jgrad.autograd;

import org.junit.jupiter.api.Test;

import static io.jgrad.autograd.ArrayAssertions.assertValues;
import static io.jgrad.autograd.Float64Leaves.constant;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network small enough to differentiate by hand: every forward value and gradient below is worked out
 * in the comments, with weights chosen so that all of them are exact binary fractions.
 */
class TwoLayerNetworkTest {

    private static final double TOL = 1e-12;

    /*
     * Batch of two samples, 2 features, 2 hidden units (relu), 1 output, mean squared error.
     *
     *   x  = [[ 1, 2],        W1 = [[1, -1],      b1 = [0.5, -1]
     *         [-1, 1]]              [2,  1]]
     *   W2 = [[2, -1]]        b2 = [0.5]          t  = [[1], [0]]
     *
     * Forward (h_pre = x·W1ᵀ + b1, h = relu(h_pre), y = h·W2ᵀ + b2, L = mean((y - t)²)):
     *   sample 1: h_pre = [1·1 + 2·(-1) + 0.5, 1·2 + 2·1 - 1]   = [-0.5, 3]    h = [0, 3]
     *             y = 0·2 + 3·(-1) + 0.5 = -2.5                  y - t = -3.5
     *   sample 2: h_pre = [-1·1 + 1·(-1) + 0.5, -1·2 + 1·1 - 1] = [-1.5, -2]   h = [0, 0]
     *             y = 0 + 0 + 0.5 = 0.5                          y - t = 0.5
     *   L = ((-3.5)² + 0.5²) / 2 = (12.25 + 0.25) / 2 = 6.25
     *
     * Backward:
     *   dL/dy     = 2(y - t)/2 = [[-3.5], [0.5]]
     *   dL/db2    = -3.5 + 0.5 = -3
     *   dL/dW2    = Σ_n dL/dy_n · h_n = -3.5·[0, 3] + 0.5·[0, 0] = [[0, -10.5]]
     *   dL/dh     = dL/dy · W2 = [[-7, 3.5], [1, -0.5]]
     *   dL/dh_pre = dL/dh ⊙ (h_pre > 0) = [[0, 3.5], [0, 0]]
     *   dL/db1    = column sums = [0, 3.5]
     *   dL/dW1    = dL/dh_preᵀ · x = [[0, 0], [3.5·1, 3.5·2]] = [[0, 0], [3.5, 7]]
     *   dL/dx     = dL/dh_pre · W1 = [[3.5·2, 3.5·1], [0, 0]] = [[7, 3.5], [0, 0]]
     */
    @Test
    void reluNetworkWithMeanSquaredError() {
        Tensor x = leaf(new double[] {1, 2, -1, 1}, 2, 2);
        Tensor w1 = leaf(new double[] {1, -1, 2, 1}, 2, 2);
        Tensor b1 = leaf(new double[] {0.5, -1}, 2);
        Tensor w2 = leaf(new double[] {2, -1}, 1, 2);
        Tensor b2 = leaf(new double[] {0.5}, 1);
        Tensor t = constant(new double[] {1, 0}, 2, 1);

        Tensor hPre = x.linear(w1, b1).retainGrad();
        Tensor h = hPre.relu();
        Tensor y = h.linear(w2, b2).retainGrad();
        Tensor loss = y.sub(t).square().mean();

        assertValues(new double[] {-0.5, 3, -1.5, -2}, new int[] {2, 2}, hPre.data(), TOL);
        assertValues(new double[] {0, 3, 0, 0}, new int[] {2, 2}, h.data(), TOL);
        assertValues(new double[] {-2.5, 0.5}, new int[] {2, 1}, y.data(), TOL);
        assertEquals(6.25, loss.item(), TOL);

        loss.backward();

        assertValues(new double[] {-3.5, 0.5}, new int[] {2, 1}, y.grad(), TOL);
        assertValues(new double[] {-3}, new int[] {1}, b2.grad(), TOL);
        assertValues(new double[] {0, -10.5}, new int[] {1, 2}, w2.grad(), TOL);
        assertValues(new double[] {0, 3.5, 0, 0}, new int[] {2, 2}, hPre.grad(), TOL);
        assertValues(new double[] {0, 3.5}, new int[] {2}, b1.grad(), TOL);
        assertValues(new double[] {0, 0, 3.5, 7}, new int[] {2, 2}, w1.grad(), TOL);
        assertValues(new double[] {7, 3.5, 0, 0}, new int[] {2, 2}, x.grad(), TOL);
    }

    /*
     * One sample, sigmoid hidden layer at a point where σ is known exactly (σ(0) = 1/2, σ' (0) = 1/4), and a
     * log-softmax cross-entropy over two classes with equal logits (log-softmax = [-ln 2, -ln 2]).
     *
     *   x = [2, -1],  W1 = [[1, 2], [0.5, 1]],  W2 = [[1, 1], [3, -1]],  target class 0
     *   z  = W1·x = [2 - 2, 1 - 1] = [0, 0]        h = σ(z) = [0.5, 0.5]
     *   o  = W2·h = [0.5 + 0.5, 1.5 - 0.5] = [1, 1]  (equal logits)
     *   L  = -logSoftmax(o)[0] = ln 2
     *
     *   dL/do  = softmax(o) - onehot = [0.5 - 1, 0.5] = [-0.5, 0.5]
     *   dL/dW2 = dL/do ⊗ h = [[-0.25, -0.25], [0.25, 0.25]]
     *   dL/dh  = W2ᵀ·dL/do = [1·(-0.5) + 3·0.5, 1·(-0.5) + (-1)·0.5] = [1, -1]
     *   dL/dz  = dL/dh ⊙ σ'(z) = [0.25, -0.25]
     *   dL/dW1 = dL/dz ⊗ x = [[0.5, -0.25], [-0.5, 0.25]]
     *   dL/dx  = W1ᵀ·dL/dz = [1·0.25 + 0.5·(-0.25), 2·0.25 + 1·(-0.25)] = [0.125, 0.25]
     */
    @Test
    void sigmoidNetworkWithCrossEntropy() {
        Tensor x = leaf(new double[] {2, -1}, 2);
        Tensor w1 = leaf(new double[] {1, 2, 0.5, 1}, 2, 2);
        Tensor w2 = leaf(new double[] {1, 1, 3, -1}, 2, 2);

        Tensor z = w1.matmul(x);
        Tensor h = z.sigmoid();
        Tensor o = h.linear(w2, null);
        Tensor loss = o.logSoftmax(0).select(0, 0).neg();

        assertValues(new double[] {0, 0}, new int[] {2}, z.data(), TOL);
        assertValues(new double[] {0.5, 0.5}, new int[] {2}, h.data(), TOL);
        assertValues(new double[] {1, 1}, new int[] {2}, o.data(), TOL);
        assertEquals(Math.log(2), loss.item(), TOL);

        loss.backward();

        assertValues(new double[] {-0.25, -0.25, 0.25, 0.25}, new int[] {2, 2}, w2.grad(), TOL);
        assertValues(new double[] {0.5, -0.25, -0.5, 0.25}, new int[] {2, 2}, w1.grad(), TOL);
        assertValues(new double[] {0.125, 0.25}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void theWorkedNetworksAlsoPassGradCheck() {
        // away from relu's kink the same network agrees with finite differences
        Float64Leaves r = new Float64Leaves(31);
        assertTrue(GradCheck.check(in -> in[0].linear(in[1], in[2]).relu().linear(in[3], in[4]).sub(in[5]).square().mean(),
                leaf(new double[] {1, 2, -1, 1}, 2, 2), leaf(new double[] {1, -1, 2, 1}, 2, 2), leaf(new double[] {0.5, -1}, 2),
                leaf(new double[] {2, -1}, 1, 2), leaf(new double[] {0.5}, 1), r.normal(2, 1).requiresGrad(false)));
    }
}
