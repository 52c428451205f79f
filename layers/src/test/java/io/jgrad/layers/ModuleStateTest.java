package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** State-dict keys as PyTorch names them, loading with errors that name the key, parameter counts and printouts. */
class ModuleStateTest {

    @Test
    void sequentialConvBatchNormKeysMatchPyTorch() {
        Sequential net = new Sequential(new Conv2d(3, 8, 3), new BatchNorm2d(8));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
                List.copyOf(net.stateDict().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(net.namedParameters().keySet()));
    }

    @Test
    void residualBlockKeysMatchTorchvisionBasicBlock() {
        // torchvision.models.resnet.BasicBlock(64, 128, stride=2, downsample=Sequential(conv1x1, BatchNorm2d)).state_dict().keys()
        List<String> bn = List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
        List<String> expected = new java.util.ArrayList<>();
        expected.add("conv1.weight");
        bn.forEach(k -> expected.add("bn1." + k));
        expected.add("conv2.weight");
        bn.forEach(k -> expected.add("bn2." + k));
        expected.add("downsample.0.weight");
        bn.forEach(k -> expected.add("downsample.1." + k));
        assertEquals(expected, List.copyOf(new ResidualBlock(64, 128, 2).stateDict().keySet()));
        assertEquals(List.of("conv1.weight", "bn1.weight"), List.copyOf(new ResidualBlock(4, 4).stateDict().keySet()).subList(0, 2));
    }

    @Test
    void parameterCountsMatchPyTorch() {
        assertEquals(73_984, new ResidualBlock(64, 64).parameterCount());                  // torchvision BasicBlock(64, 64)
        assertEquals(3 * 16 * 9 + 16, new Conv2d(3, 16, 3).parameterCount());
        assertEquals(6 * 2 * 3, new Conv1d(4, 6, 3, 1, 0, 1, 2, false).parameterCount());   // [6, 4/2, 3]
        assertEquals(10 * 4, new Embedding(10, 4).parameterCount());
        assertEquals(0, new MaxPool2d(2).parameterCount());
    }

    @Test
    void loadStateDictCopiesEveryValueAndBufferIntoTheModule() {
        Sequential a = new Sequential(new Linear(2, 2), new BatchNorm1d(2));
        Sequential b = new Sequential(new Linear(2, 2), new BatchNorm1d(2));
        a.forward(Tensor.of(new float[] {1, 2, 3, 5}, 2, 2));   // moves a's running statistics
        b.loadStateDict(a.stateDict());
        for (Map.Entry<String, NDArray> e : a.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), b.stateDict().get(e.getKey()).toDoubleArray(), 0, e.getKey());
        }
        Tensor x = Tensor.of(new float[] {0.5f, -1}, 1, 2);
        assertArrayEquals(a.eval().forward(x).data().toDoubleArray(), b.eval().forward(x).data().toDoubleArray(), 0);
    }

    @Test
    void loadStateDictErrorsNameTheKey() {
        Sequential net = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
        Map<String, NDArray> state = new LinkedHashMap<>(net.stateDict());
        state.put("1.running_var", NDArray.ones(3));
        assertEquals("loadStateDict: key '1.running_var' has shape [3], the module expects [2]",
                assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state)).getMessage());
        state.remove("1.running_var");
        assertEquals("loadStateDict: missing key '1.running_var'",
                assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state)).getMessage());
        state.put("1.running_var", NDArray.ones(2));
        state.put("2.weight", NDArray.ones(2));
        assertEquals("loadStateDict: unexpected key '2.weight'",
                assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state)).getMessage());
    }

    @Test
    void toStringIsPyTorchsTree() {
        Sequential net = new Sequential(new Conv2d(3, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
                new AdaptiveAvgPool2d(1), new Flatten(), new Dropout(0.5), new Linear(16, 10), new LogSoftmax(1));
        assertEquals("""
                Sequential(
                  (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
                  (1): BatchNorm2d(16, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true)
                  (2): ReLU()
                  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)
                  (4): AdaptiveAvgPool2d(output_size=(1, 1))
                  (5): Flatten(start_dim=1, end_dim=-1)
                  (6): Dropout(p=0.5)
                  (7): Linear(in_features=16, out_features=10, bias=true)
                  (8): LogSoftmax(dim=1)
                )""", net.toString());
        assertEquals("Conv1d(4, 8, kernel_size=(5,), stride=(2,), dilation=(3,), groups=2, bias=false)",
                new Conv1d(4, 8, 5, 2, 0, 3, 2, false).toString());
        assertEquals("Embedding(10, 3, padding_idx=9)", new Embedding(10, 3, -1).toString());
        assertEquals("GELU(approximate='tanh')", new GELU("tanh").toString());
        assertEquals("""
                ResidualBlock(
                  (conv1): Conv2d(2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=false)
                  (bn1): BatchNorm2d(4, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true)
                  (relu): ReLU()
                  (conv2): Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=false)
                  (bn2): BatchNorm2d(4, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true)
                  (downsample): Sequential(
                    (0): Conv2d(2, 4, kernel_size=(1, 1), stride=(2, 2), bias=false)
                    (1): BatchNorm2d(4, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true)
                  )
                )""", new ResidualBlock(2, 4, 2).toString());
    }

    @Test
    void residualBlockOutputShapes() {
        assertArrayEquals(new int[] {2, 4, 5, 5}, new ResidualBlock(4, 4).forward(Tensor.zeros(2, 4, 5, 5)).shape());
        assertArrayEquals(new int[] {2, 8, 3, 3}, new ResidualBlock(4, 8, 2).forward(Tensor.zeros(2, 4, 5, 5)).shape());
    }

    @Test
    void layersAreMadeInTheDefaultDType() {
        DType previous = Init.setDefaultDType(DType.FLOAT64);
        try {
            for (NDArray v : new ResidualBlock(2, 3, 2).stateDict().values()) {
                if (v.rank() > 0) assertEquals(DType.FLOAT64, v.dtype());
            }
        } finally {
            Init.setDefaultDType(previous);
        }
        assertEquals(DType.FLOAT32, new Conv1d(1, 1, 1).weight.dtype());
        assertThrows(IllegalArgumentException.class, () -> Init.setDefaultDType(DType.INT64));
    }
}
