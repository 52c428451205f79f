package io.jgrad.train.models;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.LSTM;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;

/**
 * Reads a 28x28 image as a sequence of 28 rows of 28 pixels with an LSTM of 128 units and classifies its
 * last hidden state: PyTorch's {@code lstm = LSTM(28, 128, batch_first=True); fc = Linear(128, 10)}.
 */
public final class MnistLstm extends Module {

    private final LSTM lstm = registerModule("lstm", new LSTM(28, 128, 1, true, true, 0.0));
    private final Linear fc = registerModule("fc", new Linear(128, 10));

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.shape(1) != 1 || x.shape(2) != 28 || x.shape(3) != 28) {
            throw new IllegalArgumentException("MnistLstm: expected input [N, 1, 28, 28], got shape " + io.jgrad.tensor.Shapes.str(x.shape()));
        }
        Tensor rows = x.reshape(x.shape(0), 28, 28); // [batch, time = rows, features = pixels]
        Tensor hN = lstm.forward(rows, null, null).hN(); // [1, batch, 128]
        return fc.forward(hN.select(0, 0));
    }
}
