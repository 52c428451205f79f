package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The OpenCL backend's multi-tensor updates ({@code adamStepAll}, {@code sgdStepAll}: {@code adam_slots} /
 * {@code sgd_slots}, up to {@link OpenClBackend#MULTI_SLOTS} parameters per launch, each with buffers of its own)
 * against the reference backend's per-parameter steps over three steps. Fourteen non-empty tensors (two launches,
 * the second with unused slots) among empty ones; every array is a view into a buffer of its own at an offset
 * that differs by role, with sentinels around it that must come out untouched.
 */
class MultiTensorUpdateTest {

    private static final int[] SIZES = {0, 1, 7, 4099, 0, 33, 8193, 257, 0, 5, 2, 4096, 4097, 3, 1, 0, 9000, 11};
    private static final int NON_EMPTY = 14;
    private static final double SENTINEL = 7.25;

    /** One role's arrays, each a view at offset {@code gap} into a buffer of its own, and their host twins. */
    private record Role(List<NDArray> buffers, List<NDArray> device, List<NDArray> host, int gap) {
        static Role of(OpenClBackend cl, DType dtype, long seed, boolean zeros, int gap) {
            List<NDArray> buffers = new ArrayList<>(), device = new ArrayList<>(), host = new ArrayList<>();
            for (int i = 0; i < SIZES.length; i++) {
                NDArray h = zeros ? NDArray.zeros(dtype, SIZES[i]) : OpenClTesting.randn(seed * 100 + i, dtype, SIZES[i]);
                NDArray buffer = NDArray.full(dtype, SENTINEL, gap + SIZES[i] + gap).to(cl.device());
                NDArray d = buffer.narrow(0, gap, SIZES[i]);
                if (SIZES[i] > 0) d.assign(h.to(cl.device()));
                buffers.add(buffer);
                device.add(d);
                host.add(h);
            }
            return new Role(buffers, device, host, gap);
        }

        void assertMatches(String what, double tol) {
            for (int i = 0; i < SIZES.length; i++) {
                OpenClTesting.assertMatches(what + " tensor " + i, host.get(i), device.get(i), tol, tol);
                double[] all = buffers.get(i).to(Device.CPU).toDoubleArray();
                for (int k = 0; k < all.length; k++) {
                    boolean inView = k >= gap && k < gap + SIZES[i];
                    if (!inView && all[k] != SENTINEL) throw new AssertionError(what + " tensor " + i + ": element " + k + " outside the view changed to " + all[k]);
                }
            }
        }
    }

    @Test
    void adamStepAllMatchesPerParameterReferenceSteps() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int variant = 0; variant < OpenClTesting.OPTIMIZER_VARIANTS; variant++) {
                boolean amsgrad = OpenClTesting.adamVariant(variant, 1).amsgrad();
                Role param = Role.of(cl, dtype, 1, false, 1), m = Role.of(cl, dtype, 0, true, 2), v = Role.of(cl, dtype, 0, true, 3),
                        vMax = Role.of(cl, dtype, 0, true, 4);
                for (int t = 1; t <= 3; t++) {
                    AdamStep s = OpenClTesting.adamVariant(variant, t);
                    Role grad = Role.of(cl, dtype, 10 + t, false, 5);
                    for (int i = 0; i < SIZES.length; i++) {
                        if (SIZES[i] > 0) REFERENCE.adamStep(s, param.host.get(i), grad.host.get(i), m.host.get(i), v.host.get(i), amsgrad ? vMax.host.get(i) : null);
                    }
                    long before = cl.kernelLaunches();
                    cl.adamStepAll(s, param.device, grad.device, m.device, v.device, amsgrad ? vMax.device : null);
                    assertEquals(2, cl.kernelLaunches() - before, "one launch per " + OpenClBackend.MULTI_SLOTS + " of " + NON_EMPTY + " non-empty parameters");
                }
                double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                String what = "adamStepAll variant " + variant + " " + dtype;
                param.assertMatches(what + " param", tol);
                m.assertMatches(what + " m", tol);
                v.assertMatches(what + " v", tol);
                vMax.assertMatches(what + " vMax", tol);
            }
        }
    }

    @Test
    void sgdStepAllMatchesPerParameterReferenceSteps() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int variant = 0; variant < OpenClTesting.OPTIMIZER_VARIANTS; variant++) {
                double momentum = OpenClTesting.sgdVariant(variant, 1).momentum();
                Role param = Role.of(cl, dtype, 2, false, 2), buffer = Role.of(cl, dtype, 0, true, 1);
                for (int t = 1; t <= 3; t++) {
                    SgdStep s = OpenClTesting.sgdVariant(variant, t);
                    Role grad = Role.of(cl, dtype, 20 + t, false, 3);
                    for (int i = 0; i < SIZES.length; i++) {
                        if (SIZES[i] > 0) REFERENCE.sgdStep(s, param.host.get(i), grad.host.get(i), momentum == 0 ? null : buffer.host.get(i));
                    }
                    cl.sgdStepAll(s, param.device, grad.device, momentum == 0 ? null : buffer.device);
                }
                double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                String what = "sgdStepAll variant " + variant + " " + dtype;
                param.assertMatches(what + " param", tol);
                buffer.assertMatches(what + " buffer", tol);
            }
        }
    }

    /** A device that cannot take the slot kernels' arguments gets the same update, one launch per non-empty parameter. */
    @Test
    void withoutSlotUpdatesEachParameterIsItsOwnLaunch() {
        OpenClBackend cl = OpenClTesting.backend();
        boolean saved = cl.slotUpdates;
        try {
            cl.slotUpdates = false;
            DType dtype = DType.FLOAT32;
            Role param = Role.of(cl, dtype, 6, false, 1), m = Role.of(cl, dtype, 0, true, 2), v = Role.of(cl, dtype, 0, true, 3);
            Role grad = Role.of(cl, dtype, 7, false, 4);
            AdamStep s = OpenClTesting.adamVariant(0, 1);
            for (int i = 0; i < SIZES.length; i++) {
                if (SIZES[i] > 0) REFERENCE.adamStep(s, param.host.get(i), grad.host.get(i), m.host.get(i), v.host.get(i), null);
            }
            long before = cl.kernelLaunches();
            cl.adamStepAll(s, param.device, grad.device, m.device, v.device, null);
            assertEquals(NON_EMPTY, cl.kernelLaunches() - before);
            param.assertMatches("per-parameter adamStepAll param", 1e-6);
            v.assertMatches("per-parameter adamStepAll v", 1e-6);
        } finally {
            cl.slotUpdates = saved;
        }
    }

    /** The tables go up once: later steps over the same parameters reuse the device copies. */
    @Test
    void laterStepsReuseTheTables() {
        OpenClBackend cl = OpenClTesting.backend();
        DType dtype = DType.FLOAT32;
        Role param = Role.of(cl, dtype, 3, false, 0), m = Role.of(cl, dtype, 0, true, 0), v = Role.of(cl, dtype, 0, true, 0);
        AdamStep s = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, false, false, 0.1, 0.001);
        cl.adamStepAll(s, param.device, Role.of(cl, dtype, 4, false, 0).device, m.device, v.device, null);
        int uploads = cl.multiTensorTableUploads();
        for (int t = 0; t < 3; t++) cl.adamStepAll(s, param.device, Role.of(cl, dtype, 5 + t, false, 0).device, m.device, v.device, null);
        assertEquals(uploads, cl.multiTensorTableUploads(), "tables uploaded again for unchanged parameters");
    }
}
