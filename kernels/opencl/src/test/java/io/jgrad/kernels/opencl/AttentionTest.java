package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/**
 * Attention on OpenCL runs the Backend's composed default (matmul, softmax pieces, matmul, all OpenCL kernels):
 * forward and gradients against the CPU backend, with a mask, causal, a query that sees no key and head views.
 */
class AttentionTest {

    @Test
    void composedAttentionMatchesTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        NDArray packed = OpenClTesting.randn(3, DType.FLOAT32, 2, 17, 3 * 2 * 7);
        NDArray mask = OpenClTesting.randn(4, DType.FLOAT32, 17, 17);
        for (int j = 0; j < 17; j++) mask.set(Double.NEGATIVE_INFINITY, 5, j);
        NDArray gradOut = OpenClTesting.randn(5, DType.FLOAT32, 2, 2, 17, 7);
        for (boolean causal : new boolean[] {false, true}) {
            NDArray[] expected = attentionAndGradients(packed, mask, gradOut, causal);
            NDArray[] actual = attentionAndGradients(packed.to(cl.device()), mask.to(cl.device()), gradOut.to(cl.device()), causal);
            String[] names = {"out", "logSumExp", "dq", "dk", "dv"};
            for (int i = 0; i < names.length; i++) assertMatches(names[i] + (causal ? " causal" : ""), expected[i], actual[i].to(Device.CPU), 1e-4, 1e-5);
        }
    }

    /** q, k, v as head views {@code [2, 2, 17, 7]} of one packed projection; the outputs and the three gradients. */
    private static NDArray[] attentionAndGradients(NDArray packed, NDArray mask, NDArray gradOut, boolean causal) {
        NDArray[] qkv = new NDArray[3];
        for (int w = 0; w < 3; w++) qkv[w] = packed.narrow(2, w * 14, 14).reshape(2, 17, 2, 7).permute(0, 2, 1, 3);
        NDArray[] r = qkv[0].attention(qkv[1], qkv[2], mask, 1 / Math.sqrt(7), causal);
        NDArray[] g = qkv[0].attentionBackward(qkv[1], qkv[2], mask, 1 / Math.sqrt(7), causal, r[0], r[1], gradOut);
        return new NDArray[] {r[0], r[1], g[0], g[1], g[2]};
    }
}
