package io.jgrad.examples;

import io.jgrad.autograd.Tensor;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;

import java.io.PrintStream;
import java.util.List;

/**
 * The three Adam steps of {@code docs/learn/adam.md}: one parameter {@code θ = [1, -2]}, loss
 * {@code L(θ) = θ₀² + 0.5·θ₁²}, Adam with {@code lr = 0.1} and PyTorch's defaults otherwise, in float64. The
 * optimiser's trace prints every quantity of the update; a test checks the page quotes every line.
 */
public final class AdamByHand {

    private AdamByHand() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    public static void run(PrintStream out) {
        Tensor theta = Tensor.of(new double[] {1.0, -2.0}, 2).requiresGrad(true).named("theta");
        Tensor scale = Tensor.of(new double[] {1.0, 0.5}, 2);
        Optimizer adam = Adam.builder().lr(0.1).build(List.of(theta));
        adam.trace(out);
        for (int step = 1; step <= 3; step++) {
            adam.zeroGrad();
            Tensor loss = theta.square().mul(scale).sum();   // L = θ₀² + 0.5·θ₁², so g = (2θ₀, θ₁)
            out.println("step " + step + ": loss = " + loss.item());
            loss.backward();
            adam.step();
            out.println("  theta after = " + theta.data());
        }
    }
}
