package io.jgrad.examples;

import io.jgrad.autograd.Tensor;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The two-layer network of {@code docs/learn/backprop.md}: one input, a tanh hidden layer of two units, one
 * linear output, squared error. Prints every intermediate value and every gradient the engine computes, so
 * the hand calculation in the document can be checked line by line (a test does exactly that).
 *
 * <pre>
 *   z1 = W1·x + b1      h = tanh(z1)      y = W2·h + b2      L = (y - t)²
 * </pre>
 */
public final class BackpropByHand {

    private BackpropByHand() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    public static void run(PrintStream out) {
        // float64 so that six printed decimals are exact to the last digit.
        Tensor x = Tensor.of(new double[] {1.0, 2.0}, 2, 1);
        Tensor w1 = Tensor.of(new double[] {0.1, 0.2, -0.3, 0.4}, 2, 2).requiresGrad(true).named("W1");
        Tensor b1 = Tensor.of(new double[] {0.0, 0.1}, 2, 1).requiresGrad(true).named("b1");
        Tensor w2 = Tensor.of(new double[] {0.5, -0.6}, 1, 2).requiresGrad(true).named("W2");
        Tensor b2 = Tensor.of(new double[] {0.2}, 1, 1).requiresGrad(true).named("b2");
        Tensor t = Tensor.of(new double[] {1.0}, 1, 1);

        Tensor z1 = w1.matmul(x).add(b1).retainGrad();
        Tensor h = z1.tanh().retainGrad();
        Tensor y = w2.matmul(h).add(b2).retainGrad();
        Tensor loss = y.sub(t).square().sum();

        print(out, "z1", z1);
        print(out, "h", h);
        print(out, "y", y);
        print(out, "L", loss);
        loss.backward();
        printGrad(out, "dL/dy", y);
        printGrad(out, "dL/db2", b2);
        printGrad(out, "dL/dW2", w2);
        printGrad(out, "dL/dh", h);
        printGrad(out, "dL/dz1", z1);
        printGrad(out, "dL/db1", b1);
        printGrad(out, "dL/dW1", w1);
    }

    private static void print(PrintStream out, String name, Tensor t) {
        out.println(name + " = " + values(t.data().toDoubleArray()));
    }

    private static void printGrad(PrintStream out, String name, Tensor t) {
        out.println(name + " = " + values(t.grad().toDoubleArray()));
    }

    private static String values(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6f", v[i]));
        return sb.append(']').toString();
    }
}
