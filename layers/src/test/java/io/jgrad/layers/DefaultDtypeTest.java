package io.jgrad.layers;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Init#setDefaultDType}: how tests build float64 modules for gradient checks. */
class DefaultDtypeTest {

    @Test
    void parametersAreMadeInTheDefaultDtype() {
        TransformerEncoderLayer enc = SeededLeaves.float64(0, () -> new TransformerEncoderLayer(4, 2, 6, 0, TransformerEncoderLayer.Activation.RELU, false, false));
        for (NDArray p : enc.stateDict().values()) assertEquals(DType.FLOAT64, p.dtype());
        assertEquals(DType.FLOAT32, Init.defaultDType(), "restored afterwards");
        assertEquals(DType.FLOAT32, new LSTM(2, 3).weights().get(0).weightIh().dtype());
    }

    @Test
    void integerDefaultIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Init.setDefaultDType(DType.INT64));
        assertEquals(DType.FLOAT32, Init.defaultDType());
    }
}
