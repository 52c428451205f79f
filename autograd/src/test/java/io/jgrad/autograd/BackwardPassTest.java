package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.autograd.ArrayAssertions.assertValues;
import static io.jgrad.autograd.Float64Leaves.constant;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backward engine: accumulation, graph shapes, errors, retained graphs, deep graphs. */
class BackwardPassTest {

    private static final double TOL = 1e-12;

    // ---- accumulation and graph shapes ----

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(new double[] {1, 2, 3}, 3);
        x.mul(3.0).sum().backward();
        assertValues(new double[] {3, 3, 3}, new int[] {3}, x.grad(), TOL);
        x.square().sum().backward(); // + 2x
        assertValues(new double[] {5, 7, 9}, new int[] {3}, x.grad(), TOL);
        x.zeroGrad();
        assertNull(x.grad());
        x.sum().backward();
        assertValues(new double[] {1, 1, 1}, new int[] {3}, x.grad(), TOL);
    }

    @Test
    void firstGradientIsAPrivateCopy() {
        // the engine must not hand out an array it (or the caller) keeps using
        Tensor x = leaf(new double[] {1, 2}, 2);
        NDArray seed = NDArray.of(new double[] {5, 6}, 2);
        x.mul(1.0).backward(seed);
        seed.fill(0);
        assertValues(new double[] {5, 6}, new int[] {2}, x.grad(), TOL);
        Tensor y = leaf(new double[] {1, 2}, 2);
        y.backward(seed.fill(7)); // a leaf as the root
        seed.fill(0);
        assertValues(new double[] {7, 7}, new int[] {2}, y.grad(), TOL);
    }

    /**
     * A leaf keeps a gradient buffer of the backward pass instead of copying it only when nothing else holds it:
     * ADD hands one g to both inputs, LSTM_CELL one array to two, a view's gradient lives in the seed's storage, and
     * a leaf that also feeds an intermediate gets its contributions summed without touching arrays still in use.
     */
    @Test
    void aLeafKeepsOnlyGradientsNothingElseHolds() {
        Tensor a = leaf(new double[] {1, 2}, 2), b = leaf(new double[] {3, 4}, 2);
        a.add(b).mul(3.0).sum().backward();                                  // ADD: one g for both
        assertNotSame(a.grad().storage(), b.grad().storage());
        a.grad().fill(0);
        assertValues(new double[] {3, 3}, new int[] {2}, b.grad(), TOL);

        Tensor x = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        NDArray seed = NDArray.of(new double[] {5, 6, 7, 8}, 4);
        x.reshape(4).backward(seed);                                        // the gradient is a view of the seed
        assertNotSame(seed.storage(), x.grad().storage());
        x.grad().fill(0);
        assertValues(new double[] {5, 6, 7, 8}, new int[] {4}, seed, 0);

        Tensor y = leaf(new double[] {0, 1}, 2);
        NDArray g = NDArray.of(new double[] {2, 3}, 2);
        y.add(y.exp()).add(y.mul(y)).backward(g);                           // 1 + e^y + 2y, three contributions
        assertValues(new double[] {2 * (1 + 1 + 0), 3 * (1 + Math.E + 2)}, new int[] {2}, y.grad(), TOL);
        assertValues(new double[] {2, 3}, new int[] {2}, g, 0);

        Tensor xGates = leaf(new double[] {0.1, 0.2, 0.3, 0.4}, 1, 4), hGates = leaf(new double[] {0.5, -0.1, 0.2, 0.3}, 1, 4);
        Tensor.lstmCell(xGates, hGates, constant(new double[] {0.7}, 1, 1)).sum().backward();   // one array for both gates
        assertNotSame(xGates.grad().storage(), hGates.grad().storage());
        assertValues(xGates.grad(), hGates.grad(), 0);
    }

    /**
     * A Linear layer's weight is used as the transposed view W^T: the MATMUL case makes the gradient of W^T as a
     * transposed product, which the transpose's gradient turns back into a row-major buffer the weight keeps. Two
     * uses of the same W^T add into that buffer; a leaf stored transposed gets a row-major copy of its gradient.
     */
    @Test
    void aTransposedWeightKeepsItsGradientProductAndUsesAddUp() {
        double[] xs = {1, 2, 3, -1, 0, 2}, ws = {0.5, -1, 2, 1, 0, 3};
        Tensor x = constant(xs, 2, 3), w = leaf(ws, 2, 3);
        x.linear(w, null).mul(constant(new double[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        // dW[o][i] = sum over rows r of g[r][o] * x[r][i], g = [[1, 2], [3, 4]]
        double[] want = {1 * 1 + 3 * -1, 1 * 2 + 3 * 0, 1 * 3 + 3 * 2, 2 * 1 + 4 * -1, 2 * 2 + 4 * 0, 2 * 3 + 4 * 2};
        assertValues(want, new int[] {2, 3}, w.grad(), TOL);
        assertTrue(w.grad().isContiguous());

        Tensor v = leaf(ws, 2, 3);
        Tensor vT = v.transpose(0, 1);
        x.matmul(vT).add(x.mul(2.0).matmul(vT)).mul(constant(new double[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        double[] thrice = new double[6];
        for (int i = 0; i < 6; i++) thrice[i] = 3 * want[i];
        assertValues(thrice, new int[] {2, 3}, v.grad(), TOL);

        Tensor stored = Tensor.of(NDArray.of(ws, 3, 2).transpose(0, 1)).requiresGrad(true);   // a leaf whose layout is transposed
        x.matmul(stored.transpose(0, 1)).mul(constant(new double[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        assertValues(want, new int[] {2, 3}, stored.grad(), TOL);
        assertTrue(stored.grad().isContiguous(), "a leaf's gradient is row-major");
    }

    /** The arrays a node keeps (output, inputs, arrays among its args) are never a gradient buffer of the pass. */
    @Test
    void aNodeHoldsItsOutputInputsAndArgumentArrays() {
        Tensor x = leaf(new double[] {3, 1, 2}, 1, 1, 1, 3);
        Tensor pooled = x.maxPool2d(io.jgrad.tensor.spi.PoolParams.of(1, 1, 0));
        Node n = pooled.node();
        assertTrue(n.holds(pooled.data().storage()));
        assertTrue(n.holds(x.data().storage()));
        assertTrue(n.holds(n.<OpArgs.MaxPool>args().indices().storage()));
        assertFalse(n.holds(x.data().copy().storage()));
    }

    @Test
    void tensorUsedTwice() {
        // d(x·x)/dx = 2x
        Tensor x = leaf(new double[] {-1.5, 0, 2, 3}, 4);
        x.mul(x).sum().backward();
        assertValues(new double[] {-3, 0, 4, 6}, new int[] {4}, x.grad(), TOL);
    }

    @Test
    void intermediateUsedTwice() {
        // y = 3x; L = sum(y·y) = 9x², dL/dx = 18x
        Tensor x = leaf(new double[] {1, -2}, 2);
        Tensor y = x.mul(3.0);
        y.mul(y).sum().backward();
        assertValues(new double[] {18, -36}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void diamondGraph() {
        // a = 2x; b = eᵃ; c = a²; L = sum(b + c)  =>  dL/dx = 2·(e^{2x} + 2·2x)
        double[] xv = {-0.5, 0.25, 1};
        Tensor x = leaf(xv, 3);
        Tensor a = x.mul(2.0);
        a.exp().add(a.square()).sum().backward();
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) expected[i] = 2 * (Math.exp(2 * xv[i]) + 4 * xv[i]);
        assertValues(expected, new int[] {3}, x.grad(), TOL);
    }

    @Test
    void nestedDiamondsVisitEachNodeOnceAfterAllItsConsumers() {
        // y1 = x + x, y2 = y1 + y1, ..., y10: L = 2^10 · x; a node visited before all its consumers
        // delivered their gradient would get a smaller count
        Tensor x = leaf(new double[] {1}, 1);
        Tensor y = x;
        for (int i = 0; i < 10; i++) y = y.add(y);
        y.sum().backward();
        assertValues(new double[] {1024}, new int[] {1}, x.grad(), TOL);
    }

    @Test
    void broadcastBiasGetsColumnSums() {
        // x [4,3] + b [3]: dL/db = Σ over rows of the upstream gradient
        Tensor x = leaf(new double[12], 4, 3);
        Tensor b = leaf(new double[] {1, 2, 3}, 3);
        double[] g = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        x.add(b).backward(NDArray.of(g, 4, 3));
        assertValues(new double[] {1 + 4 + 7 + 10, 2 + 5 + 8 + 11, 3 + 6 + 9 + 12}, new int[] {3}, b.grad(), TOL);
        assertValues(g, new int[] {4, 3}, x.grad(), TOL);
    }

    @Test
    void broadcastColumnAndScalarGetTheirReductions() {
        // x [4,3] · c [4,1] + s []: dL/dc = row sums of g·x, dL/ds = Σ g
        double[] xv = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        Tensor x = leaf(xv, 4, 3);
        Tensor c = leaf(new double[] {1, -1, 2, 0.5}, 4, 1);
        Tensor s = Tensor.of(NDArray.scalar(DType.FLOAT64, 0.5)).requiresGrad(true);
        x.mul(c).add(s).sum().backward();
        assertValues(new double[] {6, 15, 24, 33}, new int[] {4, 1}, c.grad(), TOL);
        assertValues(new double[] {12}, new int[] {}, s.grad(), TOL);
        assertValues(new double[] {1, 1, 1, -1, -1, -1, 2, 2, 2, 0.5, 0.5, 0.5}, new int[] {4, 3}, x.grad(), TOL);
    }

    @Test
    void backwardWithAnExplicitGradient() {
        // vector-Jacobian product: y = x², backward(v) gives v·2x
        Tensor x = leaf(new double[] {1, 2, 3}, 3);
        x.square().backward(NDArray.of(new double[] {1, 0.5, -1}, 3));
        assertValues(new double[] {2, 2, -6}, new int[] {3}, x.grad(), TOL);
    }

    @Test
    void inputsThatDoNotRequireGradGetNone() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor c = constant(new double[] {3, 4}, 2);
        x.mul(c).sum().backward();
        assertNull(c.grad());
        assertValues(new double[] {3, 4}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void leafOutsideTheGraphKeepsItsGradient() {
        Tensor x = leaf(new double[] {1, 2}, 2), y = leaf(new double[] {3, 4}, 2);
        x.sum().backward();
        assertNull(y.grad());
    }

    // ---- errors ----

    @Test
    void backwardOnANonScalarWithoutGradientThrows() {
        Tensor y = leaf(new double[] {1, 2, 3}, 3).mul(2.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("one-element"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void backwardOnAOneElementNonScalarWorks() {
        // PyTorch allows implicit gradients for any one-element output, e.g. shape [1, 1]
        Tensor x = leaf(new double[] {3}, 1, 1);
        x.square().backward();
        assertValues(new double[] {6}, new int[] {1, 1}, x.grad(), TOL);
    }

    @Test
    void backwardWithAGradientOfTheWrongShapeNamesBothShapes() {
        Tensor y = leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).exp();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(NDArray.zeros(DType.FLOAT64, 3, 2)));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void backwardWithAGradientOfTheWrongDtypeThrows() {
        Tensor y = leaf(new double[] {1, 2}, 2).exp();
        assertThrows(IllegalArgumentException.class, () -> y.backward(NDArray.zeros(DType.FLOAT32, 2)));
    }

    @Test
    void backwardOnATensorThatDoesNotRequireGradThrows() {
        Tensor y = constant(new double[] {1, 2}, 2).exp().sum();
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void secondBackwardThroughAFreedGraphThrows() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("retain"), e.getMessage());
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void secondBackwardThroughAFreedSubgraphThrows() {
        // y's saved value went with the first pass; a new root over the same y cannot go back through it
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.exp();
        y.sum().backward();
        Tensor other = y.mul(2.0).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, other::backward);
        assertTrue(e.getMessage().contains("retain"), e.getMessage());
    }

    @Test
    void retainedGraphCanBeWalkedTwiceAndDoublesTheGradient() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor loss = x.mul(x).sum();
        NDArray one = NDArray.scalar(DType.FLOAT64, 1);
        loss.backward(one, true);
        assertValues(new double[] {2, 4}, new int[] {2}, x.grad(), TOL);
        loss.backward(one, true);
        assertValues(new double[] {4, 8}, new int[] {2}, x.grad(), TOL);
        loss.backward(one, false); // the last pass may free it
        assertValues(new double[] {6, 12}, new int[] {2}, x.grad(), TOL);
        assertThrows(IllegalStateException.class, () -> loss.backward(one, false));
    }

    @Test
    void deepChainDoesNotOverflowTheStack() {
        // 100 000 recorded adds: a recursive walk would throw StackOverflowError long before
        Tensor x = leaf(new double[] {0.5}, 1);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y.add(1.0);
        assertEquals(100_000.5, y.item(), 1e-6);
        y.sum().backward();
        assertValues(new double[] {1}, new int[] {1}, x.grad(), TOL);
    }

    @Test
    void deepChainOfMultipliesGivesTheProductRule() {
        // y = x · 1.0001^n: dy/dx = 1.0001^n, checks that every node on a long chain is visited
        int n = 100_000;
        Tensor x = leaf(new double[] {2}, 1);
        Tensor y = x;
        for (int i = 0; i < n; i++) y = y.mul(1.0001);
        y.sum().backward();
        double expected = Math.pow(1.0001, n);
        assertEquals(expected, x.grad().item(), expected * 1e-9);
    }

    // ---- leaves, retainGrad, detach ----

    @Test
    void intermediatesHaveNoGradUnlessRetained() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.mul(2.0);
        Tensor kept = x.mul(3.0).retainGrad();
        y.square().sum().add(kept.square().sum()).backward();
        assertNull(y.grad());
        // L ⊇ Σ kept², dL/dkept = 2·kept = 2·3x
        assertValues(new double[] {6, 12}, new int[] {2}, kept.grad(), TOL);
        // dL/dx = 2·(2x)·2 + 2·(3x)·3 = 26x
        assertValues(new double[] {26, 52}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void retainedGradOfTheRootIsTheSeed() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.exp().retainGrad();
        y.backward(NDArray.of(new double[] {3, 4}, 2));
        assertValues(new double[] {3, 4}, new int[] {2}, y.grad(), TOL);
    }

    @Test
    void retainedGradAccumulatesOverUsesAndPasses() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.mul(2.0).retainGrad();
        Tensor loss = y.add(y).sum(); // y used twice: dL/dy = 2
        loss.backward(NDArray.scalar(DType.FLOAT64, 1), true);
        assertValues(new double[] {2, 2}, new int[] {2}, y.grad(), TOL);
        loss.backward(NDArray.scalar(DType.FLOAT64, 1), true);
        assertValues(new double[] {4, 4}, new int[] {2}, y.grad(), TOL);
    }

    @Test
    void leavesAndNonLeaves() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.exp();
        assertTrue(x.isLeaf());
        assertNull(x.gradFn());
        assertFalse(y.isLeaf());
        assertEquals("EXP", y.gradFn());
        assertTrue(y.requiresGrad());
        Tensor c = constant(new double[] {1, 2}, 2).exp();
        assertTrue(c.isLeaf(), "an op on tensors that need no gradient makes a leaf, as in PyTorch");
        assertFalse(c.requiresGrad());
    }

    @Test
    void nonLeafCannotChangeRequiresGrad() {
        Tensor y = leaf(new double[] {1, 2}, 2).exp();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(true));
        assertTrue(e.getMessage().contains("leaf"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
    }

    @Test
    void integerTensorsCannotRequireGrad() {
        Tensor i = Tensor.of(NDArray.of(new long[] {1, 2, 3}, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.requiresGrad(true));
        assertTrue(e.getMessage().contains("int64"), e.getMessage());
        assertFalse(i.requiresGrad());
        i.requiresGrad(false); // turning it off is always allowed
    }

    @Test
    void castToAnIntegerTypeLeavesTheGraph() {
        // PyTorch: x.to(torch.int64).requires_grad is False; integers carry no gradient
        Tensor x = leaf(new double[] {1.5, 2.5}, 2);
        Tensor i = x.to(DType.INT64);
        assertEquals(DType.INT64, i.dtype());
        assertFalse(i.requiresGrad());
        assertNull(i.gradFn());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor e = x.exp();
        Tensor d = e.detach();
        assertTrue(d.isLeaf());
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        assertSame(e.data(), d.data(), "detach shares the values, as PyTorch");
        // x·detach(x): the detached factor is a constant, so d/dx = detach(x) = x, not 2x
        x.mul(x.detach()).sum().backward();
        assertValues(new double[] {1, 2}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void detachSharesTheValues() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor d = x.detach();
        d.data().set(5, 0);
        assertEquals(5, x.data().get(0));
    }

    @Test
    void onlyTheDetachedBranchStops() {
        // L = sum(x² + detach(x)·3): dL/dx = 2x
        Tensor x = leaf(new double[] {1, -2}, 2);
        x.square().add(x.detach().mul(3.0)).sum().backward();
        assertValues(new double[] {2, -4}, new int[] {2}, x.grad(), TOL);
    }

    @Test
    void setGradChecksTheShape() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        assertThrows(IllegalArgumentException.class, () -> x.setGrad(NDArray.zeros(DType.FLOAT64, 3)));
        x.setGrad(NDArray.of(new double[] {1, 1}, 2));
        x.mul(2.0).sum().backward();
        assertValues(new double[] {3, 3}, new int[] {2}, x.grad(), TOL);
    }
}
