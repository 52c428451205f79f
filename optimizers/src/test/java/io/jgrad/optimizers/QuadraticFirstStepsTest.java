package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The first two steps of every optimiser on f(θ) = ½·‖θ‖², whose gradient is θ itself, from θ0 = (1, −2),
 * worked out by hand in the comments. float64 parameters, so the arithmetic is the comments' arithmetic.
 */
class QuadraticFirstStepsTest {

    private static final double TOL = 1e-10;   // the expected values are written with 12 significant digits

    /** Two steps; returns θ1 and θ2. */
    private static double[][] twoSteps(Optimizer.Builder<?, ?> builder) {
        Tensor theta = Tensor.parameter(io.jgrad.tensor.NDArray.of(new double[] {1, -2}, 2));
        Optimizer opt = builder.build(List.of(theta));
        double[][] out = new double[2][];
        for (int t = 0; t < 2; t++) {
            opt.zeroGrad();
            theta.square().sum().mul(0.5).backward();   // g = θ
            opt.step();
            out[t] = theta.data().toDoubleArray();
        }
        return out;
    }

    private static void assertSteps(double[] theta1, double[] theta2, double[][] actual) {
        assertArrayEquals(theta1, actual[0], TOL, "θ1");
        assertArrayEquals(theta2, actual[1], TOL, "θ2");
    }

    @Test
    void sgdWithMomentum() {
        // t=1: g = (1, −2); the buffer starts as the gradient, b = (1, −2); θ1 = θ0 − 0.1·b = (0.9, −1.8)
        // t=2: g = (0.9, −1.8); b = 0.9·(1, −2) + (0.9, −1.8) = (1.8, −3.6); θ2 = θ1 − 0.1·b = (0.72, −1.44)
        assertSteps(new double[] {0.9, -1.8}, new double[] {0.72, -1.44}, twoSteps(SGD.builder().lr(0.1).momentum(0.9)));
    }

    @Test
    void sgdWithDampening() {
        // t=1: b = g = (1, −2) (no dampening on the first step); θ1 = (0.9, −1.8)
        // t=2: b = 0.9·(1, −2) + (1 − 0.5)·(0.9, −1.8) = (1.35, −2.7); θ2 = θ1 − 0.1·b = (0.765, −1.53)
        assertSteps(new double[] {0.9, -1.8}, new double[] {0.765, -1.53}, twoSteps(SGD.builder().lr(0.1).momentum(0.9).dampening(0.5)));
    }

    @Test
    void sgdNesterov() {
        // t=1: b = (1, −2); step along g + 0.9·b = (1.9, −3.8); θ1 = (1, −2) − 0.1·(1.9, −3.8) = (0.81, −1.62)
        // t=2: g = (0.81, −1.62); b = 0.9·(1, −2) + g = (1.71, −3.42); g + 0.9·b = (2.349, −4.698);
        //      θ2 = (0.81 − 0.2349, −1.62 + 0.4698) = (0.5751, −1.1502)
        assertSteps(new double[] {0.81, -1.62}, new double[] {0.5751, -1.1502}, twoSteps(SGD.builder().lr(0.1).momentum(0.9).nesterov(true)));
    }

    @Test
    void sgdWithWeightDecay() {
        // g + λθ = 1.1·θ, so each step multiplies θ by 1 − 0.1·1.1 = 0.89: θ1 = (0.89, −1.78), θ2 = 0.7921·θ0
        assertSteps(new double[] {0.89, -1.78}, new double[] {0.7921, -1.5842}, twoSteps(SGD.builder().lr(0.1).weightDecay(0.1)));
    }

    @Test
    void adam() {
        // t=1: m = 0.1·g = (0.1, −0.2), v = 0.001·g² = (0.001, 0.004); biasCorrection1 = 0.1, biasCorrection2 = 0.001
        //      step = 0.1/0.1 · m/(√v/√0.001 + 1e-8) = g/(|g| + 1e-8) ≈ ±1 → θ1 = (0.9 + 1e-9, −1.9 − 5e-10)
        // t=2: g = θ1 ≈ (0.9, −1.9); m = 0.9·m + 0.1·g = (0.18, −0.37); v = 0.999·v + 0.001·g² = (0.001809, 0.007606)
        //      biasCorrection1 = 1 − 0.81 = 0.19, biasCorrection2 = 1 − 0.998001 = 0.001999
        //      m̂ = m/0.19 = (0.947368, −1.947368), √v̂ = √(v/0.001999) = (0.951290, 1.950616)
        //      θ2 = θ1 − 0.1·m̂/√v̂ = (0.9 − 0.099588, −1.9 + 0.099833) = (0.800412, −1.800166)
        assertSteps(new double[] {0.900000001, -1.9000000005}, new double[] {0.800412229712, -1.80016648662}, twoSteps(Adam.builder().lr(0.1)));
    }

    @Test
    void adamW() {
        // t=1: decay first, θ ← (1 − 0.1·0.1)·θ0 = (0.99, −1.98); then Adam's first step, ±0.1: θ1 ≈ (0.89, −1.88)
        // t=2: g = θ1; decay θ ← 0.99·θ1 = (0.8811, −1.8612); m = (0.09 + 0.089, −0.18 − 0.188) = (0.179, −0.368),
        //      v = (0.000999 + 0.0007921, 0.003996 + 0.0035344) = (0.0017911, 0.0075304); biasCorrections 0.19, 0.001999
        //      θ2 = (0.8811, −1.8612) − 0.1·(m/0.19)/√(v/0.001999) = (0.8811 − 0.099528, −1.8612 + 0.099791)
        assertSteps(new double[] {0.890000001, -1.8800000005}, new double[] {0.781571856954, -1.76140895109},
                twoSteps(AdamW.builder().lr(0.1).weightDecay(0.1)));
    }

    @Test
    void rmsprop() {
        // t=1: v = 0.01·g² = (0.01, 0.04), √v = (0.1, 0.2); θ1 = θ0 − 0.01·g/(√v + 1e-8) ≈ (1 − 0.1, −2 + 0.1) = (0.9, −1.9)
        // t=2: v = 0.99·v + 0.01·(0.81, 3.61) = (0.018, 0.0757), √v = (0.134164, 0.275136)
        //      θ2 = (0.9 − 0.009/0.134164, −1.9 + 0.019/0.275136) = (0.9 − 0.067082, −1.9 + 0.069057)
        assertSteps(new double[] {0.90000001, -1.900000005}, new double[] {0.832917975265, -1.83094333282}, twoSteps(RMSprop.builder().lr(0.01)));
    }

    @Test
    void rmspropCenteredWithMomentum() {
        // t=1: v = 0.1·g² = (0.1, 0.4), gAvg = 0.1·g = (0.1, −0.2), ṽ = v − gAvg² = (0.09, 0.36), √ṽ = (0.3, 0.6)
        //      b = g/(√ṽ + ε) = (3.333333, −3.333333); θ1 = θ0 − 0.01·b = (0.966667, −1.966667)
        // t=2: g = θ1; v = 0.9·v + 0.1·g² = (0.183444, 0.746778); gAvg = 0.9·gAvg + 0.1·g = (0.186667, −0.376667)
        //      ṽ = (0.148600, 0.604900), √ṽ = (0.385487, 0.777753); b = 0.5·b + g/√ṽ = (4.174319, −4.195300)
        //      θ2 = θ1 − 0.01·b = (0.924923, −1.924713)
        assertSteps(new double[] {0.966666667778, -1.96666666722}, new double[] {0.924923478178, -1.92471348698},
                twoSteps(RMSprop.builder().lr(0.01).alpha(0.9).centered(true).momentum(0.5)));
    }

    @Test
    void adagrad() {
        // t=1: s = g² = (1, 4); θ1 = θ0 − 0.1·g/(√s + 1e-10) = (0.9, −1.9)
        // t=2: s = (1 + 0.81, 4 + 3.61) = (1.81, 7.61), √s = (1.345362, 2.758623)
        //      θ2 = (0.9 − 0.09/1.345362, −1.9 + 0.19/2.758623) = (0.9 − 0.066896, −1.9 + 0.068875)
        assertSteps(new double[] {0.90000000001, -1.9}, new double[] {0.833103526852, -1.83112505382}, twoSteps(Adagrad.builder().lr(0.1)));
    }

    @Test
    void adagradWithLrDecay() {
        // as above, but at t=2 the rate is 0.1/(1 + 1·0.5) = 0.0666667: θ2 = (0.9 − 0.044597, −1.9 + 0.045917)
        assertSteps(new double[] {0.90000000001, -1.9}, new double[] {0.855402351238, -1.85408336921},
                twoSteps(Adagrad.builder().lr(0.1).lrDecay(0.5)));
    }

    @Test
    void adadelta() {
        // t=1: v = 0.1·g² = (0.1, 0.4); Δx = √(0 + 1e-6)/√(v + 1e-6)·g = 0.001·(1/0.3162293, −2/0.6324563) = (0.0031623, −0.0031623)
        //      u = 0.1·Δx² = (1.0e-6, 1.0e-6); θ1 = θ0 − Δx = (0.9968377, −1.9968377)
        // t=2: g = θ1; v = 0.9·v + 0.1·g² = (0.189369, 0.758736); u + 1e-6 ≈ 2e-6, so Δx = √(u + 1e-6)/√(v + 1e-6)·g
        //      = (0.0032395, −0.0032420); θ2 = θ1 − Δx = (0.9935982, −1.9935957)
        assertSteps(new double[] {0.996837738151, -1.99683772629}, new double[] {0.993598198408, -1.99359573501}, twoSteps(Adadelta.builder()));
    }

    @Test
    void adamax() {
        // t=1: m = 0.1·g = (0.1, −0.2); u = max(0, |g| + 1e-8) = (1, 2); θ1 = θ0 − 0.1/0.1·m/u ≈ (0.9, −1.9)
        // t=2: g = (0.9, −1.9); m = (0.18, −0.37); u = max(0.999·(1, 2), (0.9, 1.9)) = (0.999, 1.998)
        //      θ2 = θ1 − 0.1/0.19·(0.18/0.999, −0.37/1.998) = (0.9 − 0.094832, −1.9 + 0.097466)
        assertSteps(new double[] {0.900000001, -1.9000000005}, new double[] {0.805168328117, -1.80253411403}, twoSteps(Adamax.builder().lr(0.1)));
    }

    @Test
    void nadam() {
        // μ1 = 0.9·(1 − 0.5·0.96^0.004) = 0.4500735, μ2 = 0.9·(1 − 0.5·0.96^0.008) = 0.4501469, μ3 = 0.4502204
        // t=1: muProduct = μ1; muProductNext = μ1·μ2 = 0.2025992 (Dozat; PyTorch >= 2.0)
        //      m = 0.1·g, v = 0.001·g², denominator = |g|
        //      θ1 = θ0 − 0.1·g/|g| − 0.1·μ2/(1 − 0.2025992)·0.1·g/|g| = θ0 − (0.1 + 0.0056452)·sign(g)
        // t=2: muProduct = μ1·μ2, muProductNext = μ1·μ2·μ3 = 0.0912143; as above with these products
        assertSteps(new double[] {0.894354823221, -1.89435482269}, new double[] {0.819973071532, -1.81789753126}, twoSteps(NAdam.builder().lr(0.1)));
    }

    @Test
    void nadamWithPyTorch113BiasCorrection() {
        // μ1 = 0.9·(1 − 0.5·0.96^0.004) = 0.4500735, μ2 = 0.9·(1 − 0.5·0.96^0.008) = 0.4501469, μ3 = 0.4502204
        // t=1: muProduct = μ1; muProductNext = μ1·μ1·μ2 = 0.0911845 (PyTorch 1.13, see NAdam)
        //      m = 0.1·g, v = 0.001·g², denominator = √(v/0.001) + ε = |g|
        //      θ1 = θ0 − 0.1·(1 − μ1)/(1 − μ1)·g/|g| − 0.1·μ2/(1 − 0.0911848)·0.1·g/|g|
        //         = θ0 − (0.1 + 0.0049531)·sign(g) = (0.8950469, −1.8950469)
        // t=2: muProduct = μ1·μ2 = 0.2025992, muProductNext = μ1·μ2·μ2·μ3 = 0.0410598; g = θ1
        //      m = 0.9·m + 0.1·g, v = 0.999·v + 0.001·g², denominator = √(v/0.001999) + ε
        //      θ2 = θ1 − 0.1·(1 − μ2)/(1 − 0.2025991)·g/denominator − 0.1·μ3/(1 − 0.0410622)·m/denominator
        assertSteps(new double[] {0.895046884089, -1.89504688356}, new double[] {0.821126953874, -1.81906798817}, twoSteps(NAdam.builder().lr(0.1).pytorch113BiasCorrection(true)));
    }

    @Test
    void adaBound() {
        // gamma = 0.5 closes the bounds fast, so they clip:
        // t=1: bounds 0.1·(1 − 1/1.5) = 0.0333 and 0.1·(1 + 1/0.5) = 0.3; stepSize = 0.1·√0.001/0.1 = 0.0316228
        //      η = stepSize/(√v + ε) = 0.0316228/(0.0316228·|g|) = (1, 0.5) → clamped to (0.3, 0.3)
        //      m = 0.1·g = (0.1, −0.2); θ1 = θ0 − η·m = (1 − 0.03, −2 + 0.06) = (0.97, −1.94)
        // t=2: bounds 0.1·(1 − 1/2) = 0.05 and 0.1·(1 + 1) = 0.2; g = (0.97, −1.94)
        //      m = 0.9·m + 0.1·g = (0.187, −0.374); v = 0.999·v + 0.001·g² = (0.0019399, 0.0077596)
        //      stepSize = 0.1·√0.001999/0.19 = 0.0235317; η = stepSize/√v = (0.534272, 0.267136) → (0.2, 0.2)
        //      θ2 = θ1 − 0.2·m = (0.97 − 0.0374, −1.94 + 0.0748) = (0.9326, −1.8652)
        assertSteps(new double[] {0.97, -1.94}, new double[] {0.9326, -1.8652}, twoSteps(AdaBound.builder().lr(0.1).finalLr(0.1).gamma(0.5)));
    }
}
