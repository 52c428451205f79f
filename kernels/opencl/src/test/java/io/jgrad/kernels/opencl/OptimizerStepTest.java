package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.SIZES;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/**
 * The fused Adam/AdamW and SGD updates against the reference kernel over three steps. With FP_CONTRACT off and
 * correctly rounded division and sqrt the results agree to the last bit or two; the tolerance allows a few
 * ulps for devices without correctly rounded float division.
 */
class OptimizerStepTest {

    @Test
    void adamVariantsMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : SIZES) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean decoupled = variant == 1, amsgrad = variant == 2, maximize = variant == 3;
                    double weightDecay = variant == 0 ? 0 : 0.01;
                    NDArray[] host = state(n, dtype), device = onDevice(host, cl);
                    for (int t = 1; t <= 3; t++) {
                        AdamStep s = new AdamStep(1e-2, 0.9, 0.999, 1e-8, weightDecay, decoupled, amsgrad, maximize,
                                1 - Math.pow(0.9, t), 1 - Math.pow(0.999, t));
                        NDArray grad = OpenClTesting.randn(n * 10L + t, DType.FLOAT64, n).to(dtype);
                        REFERENCE.adamStep(s, host[0], grad, host[1], host[2], amsgrad ? host[3] : null);
                        cl.adamStep(s, device[0], grad.to(cl.device()), device[1], device[2], amsgrad ? device[3] : null);
                    }
                    double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                    for (int k = 0; k < 4; k++) assertMatches("adam variant " + variant + " " + dtype + " n=" + n + " state " + k, host[k], device[k], tol, tol);
                }
            }
        }
    }

    @Test
    void sgdVariantsMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : SIZES) {
                for (int variant = 0; variant < 4; variant++) {
                    double momentum = variant == 0 ? 0 : 0.9;
                    boolean nesterov = variant == 2, maximize = variant == 3;
                    NDArray[] host = state(n, dtype), device = onDevice(host, cl);
                    for (int t = 1; t <= 3; t++) {
                        SgdStep s = new SgdStep(0.1, momentum, variant == 3 ? 0.1 : 0, variant == 1 ? 1e-3 : 0, nesterov, maximize, t == 1);
                        NDArray grad = OpenClTesting.randn(n * 10L + t, DType.FLOAT64, n).to(dtype);
                        REFERENCE.sgdStep(s, host[0], grad, momentum == 0 ? null : host[1]);
                        cl.sgdStep(s, device[0], grad.to(cl.device()), momentum == 0 ? null : device[1]);
                    }
                    double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                    for (int k = 0; k < 2; k++) assertMatches("sgd variant " + variant + " " + dtype + " n=" + n + " state " + k, host[k], device[k], tol, tol);
                }
            }
        }
    }

    /** param, m (or momentum buffer), v, vMax. */
    private static NDArray[] state(int n, DType dtype) {
        NDArray[] s = new NDArray[4];
        s[0] = OpenClTesting.randn(n, DType.FLOAT64, n).to(dtype);
        for (int k = 1; k < 4; k++) s[k] = NDArray.zeros(dtype, n);
        return s;
    }

    private static NDArray[] onDevice(NDArray[] host, OpenClBackend cl) {
        NDArray[] d = new NDArray[host.length];
        for (int k = 0; k < host.length; k++) d[k] = host[k].to(cl.device());
        return d;
    }
}
