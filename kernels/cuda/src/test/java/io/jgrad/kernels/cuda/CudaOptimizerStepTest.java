package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cuda.CudaTesting.REFERENCE;
import static io.jgrad.kernels.cuda.CudaTesting.SIZES;
import static io.jgrad.kernels.cuda.CudaTesting.assertMatches;

/**
 * The fused Adam/AdamW and SGD updates against the reference kernel over three steps, for several parameters
 * of different sizes updated one after another in one step (as an optimiser walks its parameter list). Built
 * with -fmad=false and correctly rounded division and sqrt, the results agree to the last bit or two. Needs a GPU.
 */
@Tag("gpu")
class CudaOptimizerStepTest {

    @Test
    void adamAndAdamWVariantsMatchTheReference() {
        CudaBackend cuda = CudaTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int variant = 0; variant < 4; variant++) {
                boolean decoupled = variant == 1, amsgrad = variant == 2, maximize = variant == 3;
                double weightDecay = variant == 0 ? 0 : 0.01;
                NDArray[][] host = new NDArray[SIZES.length][], device = new NDArray[SIZES.length][];
                for (int p = 0; p < SIZES.length; p++) {
                    host[p] = state(SIZES[p], dtype);
                    device[p] = onDevice(host[p], cuda);
                }
                for (int t = 1; t <= 3; t++) {
                    AdamStep s = new AdamStep(1e-2, 0.9, 0.999, 1e-8, weightDecay, decoupled, amsgrad, maximize,
                            1 - Math.pow(0.9, t), 1 - Math.pow(0.999, t));
                    for (int p = 0; p < SIZES.length; p++) {
                        NDArray grad = CudaTesting.randn(SIZES[p] * 10L + t, dtype, SIZES[p]);
                        REFERENCE.adamStep(s, host[p][0], grad, host[p][1], host[p][2], amsgrad ? host[p][3] : null);
                        cuda.adamStep(s, device[p][0], grad.to(cuda.device()), device[p][1], device[p][2], amsgrad ? device[p][3] : null);
                    }
                }
                double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                for (int p = 0; p < SIZES.length; p++) {
                    for (int k = 0; k < 4; k++) {
                        assertMatches("adam variant " + variant + " " + dtype + " n=" + SIZES[p] + " state " + k, host[p][k], device[p][k], tol, tol);
                    }
                }
            }
        }
    }

    @Test
    void sgdVariantsMatchTheReference() {
        CudaBackend cuda = CudaTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : SIZES) {
                for (int variant = 0; variant < 4; variant++) {
                    double momentum = variant == 0 ? 0 : 0.9;
                    boolean nesterov = variant == 2, maximize = variant == 3;
                    NDArray[] host = state(n, dtype), device = onDevice(host, cuda);
                    for (int t = 1; t <= 3; t++) {
                        SgdStep s = new SgdStep(0.1, momentum, variant == 3 ? 0.1 : 0, variant == 1 ? 1e-3 : 0, nesterov, maximize, t == 1);
                        NDArray grad = CudaTesting.randn(n * 10L + t, dtype, n);
                        REFERENCE.sgdStep(s, host[0], grad, momentum == 0 ? null : host[1]);
                        cuda.sgdStep(s, device[0], grad.to(cuda.device()), momentum == 0 ? null : device[1]);
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
        s[0] = CudaTesting.randn(n, dtype, n);
        for (int k = 1; k < 4; k++) s[k] = NDArray.zeros(dtype, n);
        return s;
    }

    private static NDArray[] onDevice(NDArray[] host, CudaBackend cuda) {
        NDArray[] d = new NDArray[host.length];
        for (int k = 0; k < host.length; k++) d[k] = host[k].to(cuda.device());
        return d;
    }
}
