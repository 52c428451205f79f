package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jgrad.kernels.cuda.CudaTesting.REFERENCE;
import static io.jgrad.kernels.cuda.CudaTesting.SIZES;
import static io.jgrad.kernels.cuda.CudaTesting.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /** Sizes of the multi-tensor tests: empty tensors first, in the middle and last, chunks of 4096 crossed. */
    private static final int[] MULTI_SIZES = {0, 1, 7, 4099, 0, 33, 8193, 257, 0};

    /**
     * {@code adamStepAll}: every parameter in one launch of adam_multi (device addresses in a table), one of them
     * a view at an offset into a larger buffer, against per-parameter reference steps. The same arrays again reuse
     * the table on the device; new gradients upload a new one.
     */
    @Test
    void adamStepAllMatchesPerParameterReferenceSteps() {
        CudaBackend cuda = CudaTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int variant = 0; variant < 4; variant++) {
                boolean decoupled = variant == 1, amsgrad = variant == 2, maximize = variant == 3;
                double weightDecay = variant == 0 ? 0 : 0.01;
                int count = MULTI_SIZES.length;
                NDArray[][] host = new NDArray[count][], device = new NDArray[count][];
                for (int p = 0; p < count; p++) {
                    host[p] = state(MULTI_SIZES[p], dtype);
                    device[p] = onDevice(host[p], cuda);
                }
                device[3][0] = offsetView(host[3][0], cuda);
                // The previous step's gradients stay reachable, so that the new ones cannot all land in their blocks
                // (then the table would be the same, rightly reused, and the upload count below would not move).
                List<NDArray> previous = null;
                for (int t = 1; t <= 3; t++) {
                    AdamStep s = new AdamStep(1e-2, 0.9, 0.999, 1e-8, weightDecay, decoupled, amsgrad, maximize,
                            1 - Math.pow(0.9, t), 1 - Math.pow(0.999, t));
                    List<NDArray> grads = new ArrayList<>();
                    for (int p = 0; p < count; p++) {
                        NDArray grad = CudaTesting.randn(MULTI_SIZES[p] * 10L + t, dtype, MULTI_SIZES[p]);
                        if (MULTI_SIZES[p] > 0) REFERENCE.adamStep(s, host[p][0], grad, host[p][1], host[p][2], amsgrad ? host[p][3] : null);
                        grads.add(grad.to(cuda.device()));
                    }
                    int uploads = cuda.multiTensorTableUploads();
                    cuda.adamStepAll(s, role(device, 0), grads, role(device, 1), role(device, 2), amsgrad ? role(device, 3) : null);
                    assertEquals(uploads + 1, cuda.multiTensorTableUploads(), "new gradients, new table");
                    previous = grads;
                }
                assertEquals(count, previous.size());
                double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                for (int p = 0; p < count; p++) {
                    for (int k = 0; k < 4; k++) {
                        assertMatches("adamStepAll variant " + variant + " " + dtype + " n=" + MULTI_SIZES[p] + " state " + k, host[p][k], device[p][k], tol, tol);
                    }
                }
            }
        }
        // The same arrays twice: the second launch reads the table already on the device.
        NDArray[] one = onDevice(state(100, DType.FLOAT32), cuda);
        AdamStep s = new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0, false, false, false, 0.1, 0.001);
        cuda.adamStepAll(s, List.of(one[0]), List.of(one[3]), List.of(one[1]), List.of(one[2]), null);
        int uploads = cuda.multiTensorTableUploads();
        cuda.adamStepAll(s, List.of(one[0]), List.of(one[3]), List.of(one[1]), List.of(one[2]), null);
        assertEquals(uploads, cuda.multiTensorTableUploads(), "an unchanged table is not uploaded again");
    }

    @Test
    void sgdStepAllMatchesPerParameterReferenceSteps() {
        CudaBackend cuda = CudaTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int variant = 0; variant < 4; variant++) {
                double momentum = variant == 0 ? 0 : 0.9;
                boolean nesterov = variant == 2, maximize = variant == 3;
                int count = MULTI_SIZES.length;
                NDArray[][] host = new NDArray[count][], device = new NDArray[count][];
                for (int p = 0; p < count; p++) {
                    host[p] = state(MULTI_SIZES[p], dtype);
                    device[p] = onDevice(host[p], cuda);
                }
                for (int t = 1; t <= 3; t++) {
                    SgdStep s = new SgdStep(0.1, momentum, variant == 3 ? 0.1 : 0, variant == 1 ? 1e-3 : 0, nesterov, maximize, t == 1);
                    List<NDArray> grads = new ArrayList<>();
                    for (int p = 0; p < count; p++) {
                        NDArray grad = CudaTesting.randn(MULTI_SIZES[p] * 10L + t, dtype, MULTI_SIZES[p]);
                        if (MULTI_SIZES[p] > 0) REFERENCE.sgdStep(s, host[p][0], grad, momentum == 0 ? null : host[p][1]);
                        grads.add(grad.to(cuda.device()));
                    }
                    cuda.sgdStepAll(s, role(device, 0), grads, momentum == 0 ? null : role(device, 1));
                }
                double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                for (int p = 0; p < count; p++) {
                    for (int k = 0; k < 2; k++) {
                        assertMatches("sgdStepAll variant " + variant + " " + dtype + " n=" + MULTI_SIZES[p] + " state " + k, host[p][k], device[p][k], tol, tol);
                    }
                }
            }
        }
    }

    /** The arrays of role {@code k} of every parameter. */
    private static List<NDArray> role(NDArray[][] arrays, int k) {
        List<NDArray> list = new ArrayList<>();
        for (NDArray[] a : arrays) list.add(a[k]);
        return list;
    }

    /** {@code host} on the device as a view at offset 5 of a larger buffer (its address is not a block's start). */
    private static NDArray offsetView(NDArray host, CudaBackend cuda) {
        NDArray wide = NDArray.zeros(host.dtype(), cuda.device(), host.numel() + 9);
        return wide.narrow(0, 5, host.numel()).assign(host.to(cuda.device()));
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
