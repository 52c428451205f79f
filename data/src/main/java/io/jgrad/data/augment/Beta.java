package io.jgrad.data.augment;

import io.jgrad.tensor.Generator;

/**
 * Samples of the Beta and Gamma distributions from a seeded {@link Generator}.
 *
 * <p>Beta(a, b) is {@code X / (X + Y)} with {@code X ~ Gamma(a)}, {@code Y ~ Gamma(b)}. Gamma(k) for
 * {@code k >= 1} is Marsaglia and Tsang's method ("A simple method for generating gamma variables", 2000):
 * with {@code d = k - 1/3}, {@code c = 1 / sqrt(9d)}, draw {@code x ~ N(0, 1)}, {@code v = (1 + cx)^3} and
 * {@code u ~ U(0, 1)}; accept {@code d v} when {@code v > 0} and {@code ln u < x^2/2 + d - d v + d ln v}
 * (after the cheap squeeze {@code u < 1 - 0.0331 x^4}). For {@code k < 1}: {@code Gamma(k) = Gamma(k + 1) U^(1/k)}.
 */
public final class Beta {

    private Beta() {
    }

    public static double sample(Generator gen, double a, double b) {
        if (!(a > 0 && b > 0)) throw new IllegalArgumentException("Beta: parameters must be > 0, got " + a + ", " + b);
        double x = gamma(gen, a), y = gamma(gen, b);
        // For tiny a and b both draws can underflow to 0; Beta(a, b) then sits on {0, 1} with P(1) = a / (a + b).
        if (x + y == 0) return gen.nextDouble() < a / (a + b) ? 1 : 0;
        return x / (x + y);
    }

    public static double gamma(Generator gen, double k) {
        if (!(k > 0)) throw new IllegalArgumentException("Gamma: shape must be > 0, got " + k);
        if (k < 1) return gamma(gen, k + 1) * Math.pow(1 - gen.nextDouble(), 1 / k); // 1 - U is in (0, 1]
        double d = k - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = gen.nextGaussian(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = gen.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
        }
    }
}
