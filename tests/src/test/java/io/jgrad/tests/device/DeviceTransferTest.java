package io.jgrad.tests.device;

import io.jgrad.autograd.GradCheck;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code Tensor.to(Device)} between the host and a GPU backend's device: values (every dtype, strided views),
 * gradients flowing back through the transfer (op {@code TO_DEVICE}, checked in float64 against finite
 * differences), and the error for an op whose operands live on two devices. It runs on the OpenCL device (PoCL
 * in CI; the NVIDIA platform in scripts/gpu-check.sh) and on the CUDA device where that backend exists and
 * starts; each is skipped, with the reason printed, where it is missing.
 */
@Tag("gpu")
class DeviceTransferTest {

    /** The backend {@code name}, made the default for new arrays (tests restore the CPU after); skipped with the reason where it cannot start. */
    static Backend useBackend(String name) {
        deviceOf(name);
        Backends.use(name);
        return Backends.get(name);
    }

    /** The device of backend {@code name}; skips the test, printing why, when it is missing or cannot start here. */
    static Device deviceOf(String name) {
        Backends.Entry entry = Backends.startAll().stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
        String reason = entry == null ? "no backend named " + name + ": found " + Backends.status().stream().map(Backends.Entry::name).toList()
                : name + " unavailable: " + entry.unavailableCause();
        if (entry == null || !entry.available()) System.out.println("[skip] " + reason);
        assumeTrue(entry != null && entry.available(), reason);
        return entry.backend().device();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void valuesGoThereAndBack(String backend) {
        valuesGoThereAndBack(deviceOf(backend));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void gradientsFlowBackThroughTheTransfer(String backend) {
        gradientsFlowBackThroughTheTransfer(deviceOf(backend));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void mixingDevicesNamesTheOpAndBothDevices(String backend) {
        mixingDevicesNamesTheOpAndBothDevices(deviceOf(backend));
    }

    @Test
    void toTheDeviceATensorIsOnIsTheTensorItself() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        assertSame(x, x.to(Device.CPU));
        assertEquals(Device.CPU, x.device());
        assertEquals("cuda:0", Device.cuda().toString());
        assertEquals("cuda:1", Device.cuda(1).toString());
        assertEquals("opencl:0", Device.opencl().toString());
    }

    private static void valuesGoThereAndBack(Device device) {
        NDArray f32 = NDArray.of(new float[] {1.5f, -2, 3.25f, Float.MIN_VALUE, -0f, 1e30f}, 2, 3);
        NDArray f64 = NDArray.of(new double[] {1e-300, Math.PI, -7, 0.1, 2, 3}, 3, 2);
        NDArray i64 = NDArray.of(new long[] {Long.MIN_VALUE, -1, 0, 1, 1L << 53 | 1, Long.MAX_VALUE}, 6);
        for (NDArray host : new NDArray[] {f32, f64, i64}) {
            Tensor there = Tensor.of(host).to(device);
            assertEquals(device, there.device());
            assertEquals(host.dtype(), there.dtype());
            assertArrayEquals(host.shape(), there.shape());
            NDArray back = there.to(Device.CPU).data();
            assertEquals(Device.CPU, back.device());
            if (host.dtype() == DType.INT64) assertArrayEquals(host.toLongArray(), back.toLongArray());
            else assertArrayEquals(host.toDoubleArray(), back.toDoubleArray(), 0.0, host.dtype().toString());
        }
        // A strided view (transposed, then a column slice) arrives with its own values in its own order.
        NDArray base = NDArray.arange(DType.FLOAT32, 0, 24, 1).reshape(4, 6);
        NDArray view = base.t().slice(1, 1, 4);   // [6, 3], not contiguous, offset 1
        NDArray round = view.to(device).to(Device.CPU);
        assertArrayEquals(view.contiguous().toFloatArray(), round.toFloatArray());
        // Computing there and reading back gives the host's numbers.
        NDArray a = NDArray.randn(new Generator(3), DType.FLOAT32, 5, 7), b = NDArray.randn(new Generator(4), DType.FLOAT32, 7, 3);
        assertArrayEquals(a.matmul(b).toFloatArray(), a.to(device).matmul(b.to(device)).to(Device.CPU).toFloatArray(), 1e-5f);
    }

    private static void gradientsFlowBackThroughTheTransfer(Device device) {
        // loss = sum(x_dev * w_dev) with x on the host and w on the device: dloss/dx = w (copied back to the host),
        // dloss/dw = x (on the device).
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor w = Tensor.of(NDArray.of(new float[] {0.5f, -1, 2, 0.25f}, 2, 2).to(device)).requiresGrad(true);
        Tensor loss = x.to(device).mul(w).sum().to(Device.CPU);
        assertEquals(Device.CPU, loss.device());
        loss.backward();
        assertEquals(Device.CPU, x.grad().device());
        assertArrayEquals(new float[] {0.5f, -1, 2, 0.25f}, x.grad().toFloatArray());
        assertEquals(device, w.grad().device());
        assertArrayEquals(new float[] {1, 2, 3, 4}, w.grad().to(Device.CPU).toFloatArray());
        // float64 against finite differences: there, a nonlinear op on the device, and back.
        Tensor y = Tensor.of(NDArray.randn(new Generator(11), DType.FLOAT64, 3, 4)).requiresGrad(true);
        assertTrue(GradCheck.check(in -> in[0].to(device).tanh().mul(in[0].to(device)).to(Device.CPU), y));
    }

    private static void mixingDevicesNamesTheOpAndBothDevices(Device device) {
        Tensor host = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor there = host.to(device);
        IllegalArgumentException add = assertThrows(IllegalArgumentException.class, () -> host.add(there));
        assertEquals("add: arrays are on different devices (cpu and " + device + ")", add.getMessage());
        IllegalArgumentException matmul = assertThrows(IllegalArgumentException.class, () -> there.matmul(host));
        assertEquals("matmul: arrays are on different devices (" + device + " and cpu)", matmul.getMessage());
        assertNotSame(host.data().storage(), there.data().storage());
    }
}
