package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.KernelPlans;
import io.jgrad.tensor.spi.MultiTensorTable;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/**
 * The multi-tensor kernels of optim.cl ({@code adam_multi}, {@code sgd_multi}), which the CUDA backend runs as
 * one launch per optimiser step, tested here on OpenCL for their logic: chunk-to-tensor lookup, chunk bounds,
 * empty tensors (first, in the middle, last), chunks smaller and larger than a block. OpenCL C cannot store
 * pointers in a buffer, so each role's arrays are views of one buffer and the table holds element offsets
 * ({@code TABLE_PTR} in dialect.h); the gaps between the views must come out untouched. Against the reference
 * backend's per-parameter steps, over three steps.
 */
class MultiTensorStepTest {

    private static final int[] SIZES = {0, 1, 7, 4099, 0, 33, 8193, 257, 0};
    private static final int GAP = 3;
    private static final double SENTINEL = 7.25;

    /** One role's arrays as views of one device buffer with gaps of SENTINEL, and their host twins. */
    private record Role(NDArray arena, List<NDArray> device, List<NDArray> host) {
        static Role of(OpenClBackend cl, DType dtype, long seed, boolean zeros) {
            int total = GAP;
            for (int n : SIZES) total += n + GAP;
            NDArray arena = NDArray.full(dtype, SENTINEL, total).to(cl.device());
            List<NDArray> device = new ArrayList<>(), host = new ArrayList<>();
            int at = GAP;
            for (int i = 0; i < SIZES.length; i++) {
                NDArray h = zeros ? NDArray.zeros(dtype, SIZES[i]) : OpenClTesting.randn(seed * 100 + i, dtype, SIZES[i]);
                NDArray d = arena.narrow(0, at, SIZES[i]);
                if (SIZES[i] > 0) d.assign(h.to(cl.device()));
                device.add(d);
                host.add(h);
                at += SIZES[i] + GAP;
            }
            return new Role(arena, device, host);
        }

        void assertMatches(String what, double tol) {
            for (int i = 0; i < SIZES.length; i++) OpenClTesting.assertMatches(what + " tensor " + i, host.get(i), device.get(i), tol, tol);
            double[] all = arena.to(io.jgrad.tensor.Device.CPU).toDoubleArray();
            int at = 0;
            for (int i = 0; i <= SIZES.length; i++) {
                for (int k = 0; k < GAP; k++) {
                    if (all[at + k] != SENTINEL) throw new AssertionError(what + ": gap element " + (at + k) + " changed to " + all[at + k]);
                }
                at += GAP + (i < SIZES.length ? SIZES[i] : 0);
            }
        }
    }

    @Test
    void adamMultiMatchesPerParameterReferenceSteps() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int chunk : new int[] {MultiTensorTable.CHUNK, 100, 1000}) {
                for (int variant = 0; variant < OpenClTesting.OPTIMIZER_VARIANTS; variant++) {
                    boolean amsgrad = OpenClTesting.adamVariant(variant, 1).amsgrad();
                    Role param = Role.of(cl, dtype, 1, false), m = Role.of(cl, dtype, 0, true), v = Role.of(cl, dtype, 0, true), vMax = Role.of(cl, dtype, 0, true);
                    for (int t = 1; t <= 3; t++) {
                        AdamStep s = OpenClTesting.adamVariant(variant, t);
                        Role grad = Role.of(cl, dtype, 10 + t, false);
                        for (int i = 0; i < SIZES.length; i++) {
                            if (SIZES[i] > 0) {
                                REFERENCE.adamStep(s, param.host.get(i), grad.host.get(i), m.host.get(i), v.host.get(i), amsgrad ? vMax.host.get(i) : null);
                            }
                        }
                        Role vm = amsgrad ? vMax : v;
                        MultiTensorTable table = MultiTensorTable.of(List.of(param.device, grad.device, m.device, v.device, vm.device), NDArray::offset, chunk);
                        Object[] head = {ClStorage.of(param.arena), ClStorage.of(grad.arena), ClStorage.of(m.arena), ClStorage.of(v.arena), ClStorage.of(vm.arena),
                                tableOnDevice(cl, table), table.tensors(), table.chunk()};
                        launch(cl, "adam_multi", dtype, table, KernelPlans.concat(head, KernelPlans.adamScalars(s, dtype, amsgrad)));
                    }
                    double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                    String what = "adam_multi variant " + variant + " " + dtype + " chunk " + chunk;
                    param.assertMatches(what + " param", tol);
                    m.assertMatches(what + " m", tol);
                    v.assertMatches(what + " v", tol);
                    vMax.assertMatches(what + " vMax", tol);
                }
            }
        }
    }

    @Test
    void sgdMultiMatchesPerParameterReferenceSteps() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int chunk : new int[] {MultiTensorTable.CHUNK, 100}) {
                for (int variant = 0; variant < OpenClTesting.OPTIMIZER_VARIANTS; variant++) {
                    double momentum = OpenClTesting.sgdVariant(variant, 1).momentum();
                    Role param = Role.of(cl, dtype, 2, false), buffer = Role.of(cl, dtype, 0, true);
                    for (int t = 1; t <= 3; t++) {
                        SgdStep s = OpenClTesting.sgdVariant(variant, t);
                        Role grad = Role.of(cl, dtype, 20 + t, false);
                        for (int i = 0; i < SIZES.length; i++) {
                            if (SIZES[i] > 0) REFERENCE.sgdStep(s, param.host.get(i), grad.host.get(i), momentum == 0 ? null : buffer.host.get(i));
                        }
                        Role b = momentum == 0 ? param : buffer;
                        MultiTensorTable table = MultiTensorTable.of(List.of(param.device, grad.device, b.device), NDArray::offset, chunk);
                        Object[] head = {ClStorage.of(param.arena), ClStorage.of(grad.arena), ClStorage.of(b.arena), tableOnDevice(cl, table), table.tensors(), table.chunk()};
                        launch(cl, "sgd_multi", dtype, table, KernelPlans.concat(head, KernelPlans.sgdScalars(s, dtype)));
                    }
                    double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                    String what = "sgd_multi variant " + variant + " " + dtype + " chunk " + chunk;
                    param.assertMatches(what + " param", tol);
                    buffer.assertMatches(what + " buffer", tol);
                }
            }
        }
    }

    private static ClStorage tableOnDevice(OpenClBackend cl, MultiTensorTable table) {
        return ClStorage.of(NDArray.of(table.records(), table.records().length).to(cl.device()));
    }

    /** One block per chunk, as the CUDA backend launches it. */
    private static void launch(OpenClBackend cl, String kernel, DType dtype, MultiTensorTable table, Object... args) {
        ClRuntime rt = cl.runtime();
        rt.launch(rt.kernel("optim.cl", kernel, ClRuntime.typeDefines(dtype)), new long[] {(long) table.chunks() * MultiTensorTable.BLOCK},
                new long[] {MultiTensorTable.BLOCK}, args);
    }
}
