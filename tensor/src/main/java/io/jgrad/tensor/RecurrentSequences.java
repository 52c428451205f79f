package io.jgrad.tensor;

import io.jgrad.tensor.spi.Backend;

import static io.jgrad.tensor.ArgumentChecks.requireFloat;
import static io.jgrad.tensor.ArgumentChecks.requireSameDevice;
import static io.jgrad.tensor.ArgumentChecks.requireSameDtype;
import static io.jgrad.tensor.ArgumentChecks.requireShape;

/**
 * A GRU or LSTM layer over a whole sequence, forward and backward through time, out of the fused cells and
 * matmul ({@link NDArray#gruSequence}, {@link NDArray#lstmSequence} and their backward methods).
 *
 * <p>Why whole sequences and not a node per step: per step, autograd materialised the hidden weight's gradient
 * {@code dGᵀ·h} ({@code [gates·H, H]}, 0.8 MB at H = 256) and added it into the weight's gradient, and every step
 * allocated (and zeroed) its gate and state arrays; in a GRU training step that was about half the time. Here
 * the states live in one array, each step writes its slice, and the backward pass computes the hidden weight's
 * gradient once, as one product over all steps: {@code dW_hh = Σ_t dG_tᵀ·h_{t-1} = dGᵀ·H} with the gate
 * gradients {@code dG [L·N, gates·H]} and the previous states {@code H [L·N, H]} (as cuDNN does). The
 * per-step work is left with what must wait for the previous step: {@code h·W_hhᵀ} and the cell forward,
 * {@code dG_t·W_hh} and the cell backward.
 */
final class RecurrentSequences {

    private RecurrentSequences() {
    }

    // ---- GRU ------------------------------------------------------------------------------------

    /** See {@link NDArray#gruSequence}: returns {@code [states [L+1, N, H], saved [L, N, 4H]]}. */
    static NDArray[] gru(NDArray xGates, NDArray h0, NDArray weightHh, NDArray biasHh) {
        int[] lnh = check("gruSequence", xGates, 3, h0, weightHh);
        int steps = lnh[0], batch = lnh[1], hidden = lnh[2];
        if (biasHh != null) {
            checkLike("gruSequence", xGates, "biasHh", biasHh, 3 * hidden);
        }
        NDArray states = xGates.newZeros(steps + 1, batch, hidden), saved = xGates.newZeros(steps, batch, 4 * hidden);
        states.select(0, 0).assign(h0);
        if (batch == 0 || hidden == 0) return new NDArray[] {states, saved};
        Backend backend = xGates.backend();
        NDArray weightT = weightHh.transpose(0, 1), hGates = xGates.newZeros(batch, 3 * hidden);
        for (int t = 0; t < steps; t++) {
            NDArray h = states.select(0, t);
            backend.matmul(h, weightT, hGates);                                       // W_hh h
            if (biasHh != null) hGates.addInPlace(biasHh);                             //   + b_hh
            backend.gruCell(xGates.select(0, t), hGates, h, states.select(0, t + 1), saved.select(0, t));
        }
        return new NDArray[] {states, saved};
    }

    /** See {@link NDArray#gruSequenceBackward}. */
    static NDArray[] gruBackward(NDArray gradOut, NDArray xGates, NDArray weightHh, NDArray states, NDArray saved, boolean withBias) {
        int[] lnh = check("gruSequenceBackward", xGates, 3, states.select(0, 0), weightHh);
        int steps = lnh[0], batch = lnh[1], hidden = lnh[2];
        checkLike("gruSequenceBackward", xGates, "states", states, steps + 1, batch, hidden);
        checkLike("gruSequenceBackward", xGates, "saved", saved, steps, batch, 4 * hidden);
        checkLike("gruSequenceBackward", xGates, "gradOut", gradOut, steps, batch, hidden);
        NDArray gradX = zerosInLayoutOf(xGates), gradHGates = xGates.newZeros(steps, batch, 3 * hidden);
        NDArray carry = xGates.newZeros(batch, hidden), next = xGates.newZeros(batch, hidden), product = xGates.newZeros(batch, hidden);
        if (batch > 0 && hidden > 0) {
            Backend backend = xGates.backend();
            for (int t = steps - 1; t >= 0; t--) {
                carry.addInPlace(gradOut.select(0, t));                                // dh_t: from the output and from step t+1
                NDArray gradHGatesT = gradHGates.select(0, t);
                backend.gruCellBackward(carry, states.select(0, t), saved.select(0, t), gradX.select(0, t), gradHGatesT, next);
                backend.matmul(gradHGatesT, weightHh, product);                       // through W_hh h: dG_h·W_hh
                next.addInPlace(product);
                NDArray swap = carry;
                carry = next;
                next = swap;
            }
        }
        NDArray gradWeight = hiddenWeightGradient(gradHGates, states, steps, batch, hidden);
        if (!withBias) return new NDArray[] {gradX, carry, gradWeight};
        return new NDArray[] {gradX, carry, gradWeight, gradHGates.sum(new int[] {0, 1}, false)};
    }

    // ---- LSTM -----------------------------------------------------------------------------------

    /** See {@link NDArray#lstmSequence}: returns {@code [states [2, L+1, N, H], gates [L, N, 4H]]}. */
    static NDArray[] lstm(NDArray xGates, NDArray h0, NDArray c0, NDArray weightHh) {
        int[] lnh = check("lstmSequence", xGates, 4, h0, weightHh);
        int steps = lnh[0], batch = lnh[1], hidden = lnh[2];
        checkLike("lstmSequence", xGates, "c0", c0, batch, hidden);
        NDArray states = xGates.newZeros(2, steps + 1, batch, hidden), gates = xGates.newZeros(steps, batch, 4 * hidden);
        NDArray hs = states.select(0, 0), cs = states.select(0, 1);
        hs.select(0, 0).assign(h0);
        cs.select(0, 0).assign(c0);
        if (batch == 0 || hidden == 0) return new NDArray[] {states, gates};
        Backend backend = xGates.backend();
        NDArray weightT = weightHh.transpose(0, 1), hGates = xGates.newZeros(batch, 4 * hidden);
        for (int t = 0; t < steps; t++) {
            backend.matmul(hs.select(0, t), weightT, hGates);                        // W_hh h
            backend.lstmCell(xGates.select(0, t), hGates, cs.select(0, t), hs.select(0, t + 1), cs.select(0, t + 1), gates.select(0, t));
        }
        return new NDArray[] {states, gates};
    }

    /** See {@link NDArray#lstmSequenceBackward}. */
    static NDArray[] lstmBackward(NDArray gradOut, NDArray weightHh, NDArray states, NDArray gates) {
        int steps = gates.rank() == 3 ? gates.shape(0) : -1, hidden = weightHh.rank() == 2 ? weightHh.shape(1) : -1;
        int batch = gates.rank() == 3 ? gates.shape(1) : -1;
        requireFloat("lstmSequenceBackward", gates);
        checkLike("lstmSequenceBackward", gates, "gates", gates, steps, batch, 4 * hidden);
        checkLike("lstmSequenceBackward", gates, "weightHh", weightHh, 4 * hidden, hidden);
        checkLike("lstmSequenceBackward", gates, "states", states, 2, steps + 1, batch, hidden);
        checkLike("lstmSequenceBackward", gates, "gradOut", gradOut, 2, steps, batch, hidden);
        NDArray gradGates = gates.newZeros(steps, batch, 4 * hidden);
        NDArray gradH = gates.newZeros(batch, hidden), gradC = gates.newZeros(batch, hidden), nextC = gates.newZeros(batch, hidden);
        NDArray hs = states.select(0, 0), cs = states.select(0, 1);
        if (batch > 0 && hidden > 0) {
            Backend backend = gates.backend();
            for (int t = steps - 1; t >= 0; t--) {
                gradH.addInPlace(gradOut.select(0, 0).select(0, t));                  // dh_t, dc_t: from the output and from step t+1
                gradC.addInPlace(gradOut.select(0, 1).select(0, t));
                NDArray gradGatesT = gradGates.select(0, t);
                backend.lstmCellBackward(gradH, gradC, cs.select(0, t), cs.select(0, t + 1), gates.select(0, t), gradGatesT, nextC);
                backend.matmul(gradGatesT, weightHh, gradH);                          // dh_{t-1} = dG_t·W_hh
                NDArray swap = gradC;
                gradC = nextC;
                nextC = swap;
            }
        }
        return new NDArray[] {gradGates, gradH, gradC, hiddenWeightGradient(gradGates, hs, steps, batch, hidden)};
    }

    // ---- shared ---------------------------------------------------------------------------------

    /** {@code dW_hh = Σ_t dG_tᵀ·h_{t-1}}: one product of the gate gradients {@code [L·N, gates·H]} and the states before each step. */
    private static NDArray hiddenWeightGradient(NDArray gradHGates, NDArray hs, int steps, int batch, int hidden) {
        int rows = steps * batch, gateRows = gradHGates.shape(2);
        return gradHGates.view(rows, gateRows).transpose(0, 1).matmul(hs.narrow(0, 0, steps).view(rows, hidden));
    }

    /**
     * Zeros of {@code x}'s shape laid out as {@code x} is when it is a time-major view of a batch-first array
     * ({@code [N, L, ·]} transposed): then the gradient reaches that array's producer (the input projection) in
     * its own layout, and nothing downstream has to copy it to reshape it.
     */
    private static NDArray zerosInLayoutOf(NDArray x) {
        if (x.stride(0) < x.stride(1) && x.shape(1) > 1) return x.newZeros(x.shape(1), x.shape(0), x.shape(2)).transpose(0, 1);
        return x.newZeros(x.shape());
    }

    /** Checks {@code xGates [L, N, blocks·H]}, {@code h [N, H]} and {@code weightHh [blocks·H, H]}; returns L, N, H. */
    private static int[] check(String op, NDArray xGates, int blocks, NDArray h, NDArray weightHh) {
        requireFloat(op, xGates);
        if (xGates.rank() != 3 || xGates.shape(2) % blocks != 0 || h.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected xGates [L, N, " + blocks + "·H] and h0 [N, H], got " + Shapes.str(xGates.shape())
                    + " and " + Shapes.str(h.shape()));
        }
        int steps = xGates.shape(0), batch = xGates.shape(1), hidden = xGates.shape(2) / blocks;
        checkLike(op, xGates, "h0", h, batch, hidden);
        checkLike(op, xGates, "weightHh", weightHh, blocks * hidden, hidden);
        return new int[] {steps, batch, hidden};
    }

    private static void checkLike(String op, NDArray first, String name, NDArray a, int... expected) {
        requireSameDevice(op, first, a);
        requireSameDtype(op, first, a);
        requireShape(op, name, a, expected);
    }
}
