package io.jgrad.tests.device;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.CommandRecording;
import io.jgrad.train.models.MnistCnn;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training step whose forward and backward pass is recorded once and replayed ({@link Backend#beginRecording}: a
 * CUDA graph), Adam run after each replay, trains as the same step run eagerly: two identically seeded ConvNets, one
 * stepped eagerly and one by replays on the same batches, end with the same parameters. A recording refuses a read
 * from the device with a message. Backends that cannot record are skipped with that reason.
 */
@Tag("gpu")
class RecordedStepTest {

    private static final int BATCH = 16, STEPS = 4;

    @AfterEach
    void backToTheCpu() {
        Backends.use(null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void replayedStepsTrainAsEagerOnes(String name) {
        Backend backend = DeviceTransferTest.useBackend(name);
        Device device = backend.device();
        CommandRecording probe = backend.beginRecording();
        if (probe == null) System.out.println("[skip] RecordedStepTest: " + name + " cannot record its commands");
        assumeTrue(probe != null, name + " cannot record its commands");
        probe.close();

        Generator gen = new Generator(3);
        NDArray images = NDArray.rand(gen, DType.FLOAT32, STEPS * BATCH, 1, 28, 28).to(device);
        NDArray labels = NDArray.randint(gen, 0, 10, STEPS * BATCH).to(device);
        Init.manualSeed(0);
        Module eager = new MnistCnn();
        Init.manualSeed(0);
        Module replayed = new MnistCnn();
        Optimizer eagerAdam = Adam.builder().lr(1e-3).build(eager.parameters()), replayedAdam = Adam.builder().lr(1e-3).build(replayed.parameters());
        CrossEntropyLoss loss = new CrossEntropyLoss();

        // Step 0 eagerly on both (warm-up: the allocator's cache then holds a step's blocks), then record.
        for (Module m : List.of(eager, replayed)) {
            Optimizer adam = m == eager ? eagerAdam : replayedAdam;
            adam.zeroGrad();
            loss.forward(m.forward(Tensor.of(images.narrow(0, 0, BATCH))), Tensor.of(labels.narrow(0, 0, BATCH))).backward();
            adam.step();
        }
        NDArray stagedImages = NDArray.zeros(DType.FLOAT32, device, BATCH, 1, 28, 28), stagedLabels = NDArray.zeros(DType.INT64, device, BATCH);
        replayedAdam.zeroGrad();
        try (CommandRecording recording = backend.beginRecording()) {
            Tensor recordedLoss = loss.forward(replayed.forward(Tensor.of(stagedImages)), Tensor.of(stagedLabels));
            recordedLoss.backward();
            recording.end();
            for (int s = 1; s < STEPS; s++) {
                NDArray x = images.narrow(0, s * BATCH, BATCH), y = labels.narrow(0, s * BATCH, BATCH);
                eagerAdam.zeroGrad();
                Tensor eagerLoss = loss.forward(eager.forward(Tensor.of(x)), Tensor.of(y));
                eagerLoss.backward();
                eagerAdam.step();
                stagedImages.assign(x);
                stagedLabels.assign(y);
                recording.replay();
                replayedAdam.step();
                double le = eagerLoss.item(), lr = recordedLoss.item();
                assertTrue(Math.abs(le - lr) <= 1e-5 * Math.max(1, Math.abs(le)), "step " + s + ": loss " + lr + " replayed, " + le + " eager");
            }
        }
        var pe = eager.parameters();
        var pr = replayed.parameters();
        for (int i = 0; i < pe.size(); i++) {
            double[] a = pe.get(i).data().to(Device.CPU).toDoubleArray(), b = pr.get(i).data().to(Device.CPU).toDoubleArray();
            double worst = 0;
            for (int k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
            assertTrue(worst <= 1e-6, name + " parameter " + i + ": replayed differs from eager by " + worst);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cuda"})
    void aRecordingRefusesReadsFromTheDevice(String name) {
        Device device = DeviceTransferTest.deviceOf(name);
        Backend backend = Backends.get(name);
        NDArray x = NDArray.ones(DType.FLOAT32, 4).to(device);
        try (CommandRecording recording = backend.beginRecording()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.add(1).to(Device.CPU));
            assertTrue(e.getMessage().contains("recorded"), e.getMessage());
        }
        assertTrue(x.add(1).to(Device.CPU).toDoubleArray()[0] == 2, "the runtime works after an abandoned recording");
    }
}
