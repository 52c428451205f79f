package io.jgrad.tests.device;

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
import io.jgrad.train.models.MnistCnn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What keeps a small model's step on a GPU from waiting on the host: a training step of the reference ConvNet
 * (forward, cross-entropy, backward, Adam) reads nothing back from the device, and launches few kernels, each of
 * which costs microseconds of host time whatever its size. The bound is today's count: on OpenCL 36 at this batch
 * of 16 (24 kernels, among them one Adam launch for the 8 parameters, one for the loss's rows and total, one for
 * fc1's bias and ReLU; 11 GEMMs, and one split-K sum where PoCL's compute units are more than the 128 x 16 output of
 * fc1 fills); on CUDA 38, computed from the code (on a GPU of 100+ SMs three GEMMs split K, each with its summing
 * launch). A change that adds launches to the step fails here and says how many.
 */
@Tag("gpu")
class TrainingStepOnDeviceTest {

    private static final Map<String, Integer> LAUNCH_BUDGET = Map.of("opencl", 36, "cuda", 38);

    @AfterEach
    void backToTheCpu() {
        Backends.use(null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void aConvNetStepReadsNothingBackAndLaunchesFewKernels(String name) {
        Backend backend = DeviceTransferTest.useBackend(name);
        Device device = backend.device();
        Init.manualSeed(0);
        Module model = new MnistCnn();
        Optimizer adam = Adam.builder().lr(1e-3).build(model.parameters());
        Generator gen = new Generator(1);
        NDArray images = NDArray.rand(gen, DType.FLOAT32, 16, 1, 28, 28).to(device), labels = NDArray.randint(gen, 0, 10, 16).to(device);
        Runnable step = () -> {
            adam.zeroGrad();
            new CrossEntropyLoss().forward(model.forward(Tensor.of(images)), Tensor.of(labels)).backward();
            adam.step();
        };
        step.run();
        step.run();
        long launches = backend.kernelLaunches(), reads = backend.hostReads();
        step.run();
        long launched = backend.kernelLaunches() - launches;
        assertEquals(0, backend.hostReads() - reads, "host reads during a training step on " + name);
        System.out.println("TrainingStepOnDeviceTest: " + name + " ConvNet step, " + launched + " kernel launches");
        int budget = LAUNCH_BUDGET.get(name);
        assertTrue(launched > 0 && launched <= budget, name + ": " + launched + " kernel launches in a ConvNet training step, budget " + budget);
        model.parameters().get(0).grad().to(Device.CPU);   // and the step's results do read back
        assertEquals(reads + 1, backend.hostReads());
    }
}
