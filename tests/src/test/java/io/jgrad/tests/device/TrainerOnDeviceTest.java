package io.jgrad.tests.device;

import io.jgrad.data.DataLoader;
import io.jgrad.data.DataSources;
import io.jgrad.data.Subset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.SGD;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Device;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.Mlp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Trainer on a GPU device reads its summed loss only when the progress log prints (every tenth of the epoch
 * here), so a NaN is found at the next such read, and the message names the batches since the last one; the
 * epoch's numbers are the CPU run's to float32 rounding. On the OpenCL device (PoCL in CI), skipped where there is
 * none.
 */
@Tag("gpu")
class TrainerOnDeviceTest {

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void backToTheCpu() {
        Backends.use(null);
    }

    /** 40 batches of 5 digits: the plain progress log prints at batches 1, 4, 8, ..., 40. */
    private Trainer.Result fit(String backend, Loss loss) throws Exception {
        Backends.use(backend);
        Init.manualSeed(3);
        Module model = new Mlp(784, 16, 10);
        var digits = new Subset(DataSources.digits().train(), IntStream.range(0, 200).toArray());
        return Trainer.builder(model, SGD.builder().lr(0.05).build(model.parameters())).loss(loss)
                .log(new PrintStream(log, true, StandardCharsets.UTF_8), false).build()
                .fit(DataLoader.builder(digits).batchSize(5).seed(1).build(), null);
    }

    @Test
    void aNaNOnTheDeviceIsFoundAtTheNextReadNamingTheBatchesSinceTheLast() throws Exception {
        DeviceTransferTest.deviceOf("opencl");
        int[] calls = {0};
        Loss nanOnSixthBatch = (input, target) -> {
            var l = new CrossEntropyLoss().forward(input, target);
            return ++calls[0] == 6 ? l.mul(Double.NaN) : l;
        };
        Trainer.Result r = fit("opencl", nanOnSixthBatch);
        assertEquals(Trainer.Outcome.STOPPED_NON_FINITE_LOSS, r.outcome());
        assertEquals("stopping: the loss became NaN at epoch 1, one of batches 5-8; lower the learning rate or check the data", r.message());
    }

    @Test
    void anEpochOnTheDeviceMeasuresWhatTheCpuMeasures() throws Exception {
        Device device = DeviceTransferTest.deviceOf("opencl");
        Trainer.Result gpu = fit("opencl", new CrossEntropyLoss());
        Backends.use(null);
        Trainer.Result cpu = fit("vector", new CrossEntropyLoss());
        assertEquals(Trainer.Outcome.COMPLETED, gpu.outcome(), log.toString(StandardCharsets.UTF_8));
        assertEquals(cpu.last().trainLoss(), gpu.last().trainLoss(), 1e-4, "train loss, cpu vs " + device);
        assertEquals(cpu.last().trainAccuracy(), gpu.last().trainAccuracy(), 0.011, "train accuracy, cpu vs " + device);
        assertTrue(gpu.last().trainAccuracy() > 0.15, "above chance (0.1) after one epoch: " + gpu.last());
    }
}
