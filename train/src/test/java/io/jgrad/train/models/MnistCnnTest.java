package io.jgrad.train.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.PoolParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ConvNet with its fused conv + ReLU is the PyTorch module's composition, bit for bit, with the same keys. */
class MnistCnnTest {

    @Test
    void keysAreThoseOfThePyTorchModule() {
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                List.copyOf(new MnistCnn().stateDict().keySet()));
    }

    @Test
    void sameLossAndGradientsAsTheComposedForward() {
        Init.manualSeed(3);
        MnistCnn model = new MnistCnn();
        Generator gen = new Generator(4);
        Tensor images = Tensor.of(NDArray.rand(gen, DType.FLOAT32, 16, 1, 28, 28));
        Tensor labels = Tensor.of(NDArray.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5}, 16));
        CrossEntropyLoss loss = new CrossEntropyLoss();

        Tensor fused = loss.forward(model.forward(images), labels);
        fused.backward();
        Map<String, Tensor> p = model.namedParameters();
        Map<String, NDArray> fusedGrads = new java.util.LinkedHashMap<>();
        p.forEach((k, v) -> fusedGrads.put(k, v.grad()));
        model.parameters().forEach(Tensor::zeroGrad);

        ConvParams same = ConvParams.of(1, 1, 1, 1);
        PoolParams pool = PoolParams.of(2, 2, 0);
        Tensor h = images.conv2d(p.get("conv1.weight"), p.get("conv1.bias"), same).relu().maxPool2d(pool);
        h = h.conv2d(p.get("conv2.weight"), p.get("conv2.bias"), same).relu().maxPool2d(pool);
        Tensor logits = h.flatten(1).linear(p.get("fc1.weight"), p.get("fc1.bias")).relu().linear(p.get("fc2.weight"), p.get("fc2.bias"));
        Tensor composed = loss.forward(logits, labels);
        composed.backward();

        assertEquals(Float.floatToRawIntBits((float) composed.item()), Float.floatToRawIntBits((float) fused.item()), "loss");
        p.forEach((k, v) -> assertArrayEquals(v.grad().toFloatArray(), fusedGrads.get(k).toFloatArray(), 0f, k));
    }
}
