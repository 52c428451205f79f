package io.jgrad.examples;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;

/** The README's quickstart, kept compilable and tested: a loss, its backward pass, a gradient. */
public final class Quickstart {

    private Quickstart() {
    }

    /** Returns the gradient of the quickstart loss with respect to {@code w}. */
    public static NDArray run() {
        // --- README quickstart begins
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);         // a batch of two inputs
        Tensor w = Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3, 1)          // weights to learn
                .requiresGrad(true);
        Tensor target = Tensor.of(new float[] {1, 2}, 2, 1);
        Tensor loss = x.matmul(w).sub(target).square().mean();              // mean squared error
        loss.backward();
        System.out.println("loss = " + loss.item());                        // 0.4
        System.out.println("dloss/dw = " + w.grad());                       // tensor([[-3.6000], [-4.8000], [-6.0000]])
        // --- README quickstart ends
        return w.grad();
    }

    public static void main(String[] args) {
        run();
    }
}
