package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer given an input of the wrong rank or size throws {@link IllegalArgumentException} whose message
 * names the layer, the shape it expected and the shape it got.
 */
class ShapeErrorTest {

    record BadInput(Supplier<Module> layer, int[] shape, String expected) {
        @Override
        public String toString() {
            return layer.get().getClass().getSimpleName() + " given " + java.util.Arrays.toString(shape);
        }
    }

    private static BadInput bad(Supplier<Module> layer, String expected, int... shape) {
        return new BadInput(layer, shape, expected);
    }

    static List<BadInput> cases() {
        return List.of(
                bad(() -> new Linear(4, 2), "[..., 4]", 3, 5),
                bad(() -> new Linear(4, 2), "[..., 4]"),
                bad(() -> new Conv1d(3, 2, 3), "[N, 3, L] with L >= 3", 2, 3, 5, 5),
                bad(() -> new Conv1d(3, 2, 3), "[N, 3, L] with L >= 3", 2, 4, 5),
                bad(() -> new Conv1d(3, 2, 3), "[N, 3, L] with L >= 3", 2, 3, 2),
                bad(() -> new Conv2d(3, 8, 3), "[N, 3, H, W] with H >= 3 and W >= 3", 3, 5, 5),
                bad(() -> new Conv2d(3, 8, 3), "[N, 3, H, W] with H >= 3 and W >= 3", 1, 1, 5, 5),
                bad(() -> new Conv2d(3, 8, 3, 1, 1, 2, 1, true), "[N, 3, H, W] with H >= 3 and W >= 3", 1, 3, 8, 2),
                bad(() -> new MaxPool2d(2), "[N, C, H, W] with H >= 2 and W >= 2", 3, 4, 4),
                bad(() -> new MaxPool2d(3, 1, 1), "[N, C, H, W] with H >= 1 and W >= 1", 1, 1, 0, 4),
                bad(() -> new AvgPool2d(3), "[N, C, H, W] with H >= 3 and W >= 3", 1, 1, 2, 4),
                bad(() -> new AdaptiveAvgPool2d(2), "[N, C, H, W] with H, W >= 1", 2, 8),
                bad(() -> new Flatten(), "with dims 1..-1 in range, start before end", 5),
                bad(() -> new Flatten(2, 1), "with dims 2..1 in range, start before end", 2, 3, 4),
                bad(() -> new BatchNorm1d(3), "[N, 3] or [N, 3, L]", 2, 4),
                bad(() -> new BatchNorm1d(3), "[N, 3] or [N, 3, L]", 2, 3, 4, 4),
                bad(() -> new BatchNorm2d(3), "[N, 3, H, W]", 2, 3, 4),
                bad(() -> new BatchNorm2d(3), "[N, 3, H, W]", 2, 2, 4, 4),
                bad(() -> new LayerNorm(4), "[..., 4]", 2, 5),
                bad(() -> new LayerNorm(2, 4), "[..., 2, 4]", 4),
                bad(() -> new Softmax(2), "with a dim 2 (rank > 2)", 3, 4),
                bad(() -> new LogSoftmax(-3), "with a dim -3 (rank > 2)", 3, 4),
                bad(() -> new ResidualBlock(4, 4), "[N, 4, H, W]", 1, 3, 5, 5),
                bad(() -> new ResidualBlock(4, 8, 2), "[N, 4, H, W]", 4, 5, 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void messageNamesLayerAndBothShapes(BadInput c) {
        Module layer = c.layer().get();
        Tensor input = Tensor.zeros(c.shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.forward(input));
        String name = layer.getClass().getSimpleName();
        String expected = name + ": expected input " + c.expected() + ", got shape " + java.util.Arrays.toString(c.shape());
        assertEquals(expected, e.getMessage());
    }

    @Test
    void embeddingNamesDtypeAndRange() {
        Embedding e = new Embedding(4, 2);
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.zeros(2, 3)));
        assertEquals("Embedding: expected int64 indices, got float32 of shape [2, 3]", dtype.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(NDArray.of(new long[] {1, 4}, 2))));
        assertEquals("Embedding: index 4 is out of range for 4 embeddings (indices of shape [2])", range.getMessage());
    }

    @Test
    void lossesNameTheFunctionAndBothShapes() {
        Tensor a = Tensor.zeros(4, 1), b = Tensor.zeros(4);
        assertMessage("mseLoss: target shape [4] differs from input shape [4, 1]", () -> new MSELoss().forward(a, b));
        assertMessage("l1Loss: target shape [4] differs from input shape [4, 1]", () -> new L1Loss().forward(a, b));
        assertMessage("smoothL1Loss: target shape [4] differs from input shape [4, 1]", () -> new SmoothL1Loss().forward(a, b));
        assertMessage("huberLoss: target shape [4] differs from input shape [4, 1]", () -> new HuberLoss().forward(a, b));
        assertMessage("binaryCrossEntropy: target shape [4] differs from input shape [4, 1]", () -> new BCELoss().forward(a, b));
        assertMessage("binaryCrossEntropyWithLogits: target shape [4] differs from input shape [4, 1]", () -> new BCEWithLogitsLoss().forward(a, b));

        Tensor logits = Tensor.zeros(6, 5);
        Tensor wrongShape = Tensor.of(NDArray.of(new long[6], 6, 1));
        assertMessage("crossEntropy: expected target [6] for input shape [6, 5], got shape [6, 1]", () -> new CrossEntropyLoss().forward(logits, wrongShape));
        assertMessage("nllLoss: expected target [6] for input shape [6, 5], got shape [6, 1]", () -> new NLLLoss().forward(logits, wrongShape));
        assertMessage("crossEntropy: expected int64 class indices as target, got float32 of shape [6]",
                () -> new CrossEntropyLoss().forward(logits, Tensor.zeros(6)));
        assertMessage("crossEntropy: target 5 is out of range for 5 classes",
                () -> new CrossEntropyLoss().forward(logits, Tensor.of(NDArray.of(new long[] {0, 1, 2, 3, 4, 5}, 6))));
        assertMessage("nllLoss: weight must be [5] (one per class), got shape [4]",
                () -> new NLLLoss(Tensor.ones(4), -100, Reduction.MEAN).forward(logits, Tensor.of(NDArray.of(new long[6], 6))));
    }

    @Test
    void bceRejectsValuesOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.binaryCrossEntropy(Tensor.of(new float[] {0.5f, 1.5f}, 2), Tensor.zeros(2), null, Reduction.MEAN));
        assertTrue(e.getMessage().startsWith("binaryCrossEntropy: input must hold probabilities in [0, 1], found 1.5"), e.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
