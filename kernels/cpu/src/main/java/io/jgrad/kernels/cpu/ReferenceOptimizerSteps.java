package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.SgdStep;

import java.util.function.DoubleUnaryOperator;

/**
 * The fused optimiser updates of {@link ReferenceBackend}, written as the formulas of {@link AdamStep} and
 * {@link SgdStep} read. Every intermediate goes through {@code round}: for float32 a double operation on
 * float operands rounded once to float gives the float operation's result exactly (double carries more than
 * twice float's precision), so this one loop reproduces the composed float32 update bit for bit, and the
 * float64 one with {@code round} the identity.
 */
final class ReferenceOptimizerSteps {

    private ReferenceOptimizerSteps() {
    }

    static void adam(AdamStep s, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        DoubleUnaryOperator r = rounding(param.dtype());
        HostStorage p = ReferenceBackend.host(param), g = ReferenceBackend.host(grad);
        HostStorage ms = ReferenceBackend.host(m), vs = ReferenceBackend.host(v);
        HostStorage vMaxs = vMax == null ? null : ReferenceBackend.host(vMax);
        double decay = r.applyAsDouble(s.decay());
        double beta1 = r.applyAsDouble(s.beta1()), oneMinusBeta1 = r.applyAsDouble(s.oneMinusBeta1());
        double beta2 = r.applyAsDouble(s.beta2()), oneMinusBeta2 = r.applyAsDouble(s.oneMinusBeta2());
        double stepSize = r.applyAsDouble(s.stepSize());
        double sqrtBc2 = r.applyAsDouble(s.sqrtBiasCorrection2()), eps = r.applyAsDouble(s.eps());
        for (int i = 0, n = param.numel(); i < n; i++) {
            int pi = param.offset() + i;
            double theta = p.get(pi);
            double gi = g.get(grad.offset() + i);
            if (s.maximize()) gi = -gi;
            if (s.decoupled()) theta = r.applyAsDouble(theta * decay);
            else if (s.l2Penalty()) gi = r.applyAsDouble(gi + r.applyAsDouble(theta * decay));
            int mi = m.offset() + i, vi = v.offset() + i;
            double mNew = r.applyAsDouble(r.applyAsDouble(ms.get(mi) * beta1) + r.applyAsDouble(gi * oneMinusBeta1));
            double vNew = r.applyAsDouble(r.applyAsDouble(vs.get(vi) * beta2)
                    + r.applyAsDouble(r.applyAsDouble(gi * oneMinusBeta2) * gi));
            ms.set(mi, mNew);
            vs.set(vi, vNew);
            double second = vNew;
            if (vMaxs != null) {
                int xi = vMax.offset() + i;
                second = ReferenceBackend.apply(BinaryOp.MAXIMUM, vMaxs.get(xi), vNew);
                vMaxs.set(xi, second);
            }
            double denominator = r.applyAsDouble(r.applyAsDouble(r.applyAsDouble(Math.sqrt(second)) / sqrtBc2) + eps);
            p.set(pi, r.applyAsDouble(theta - r.applyAsDouble(r.applyAsDouble(mNew * stepSize) / denominator)));
        }
    }

    static void sgd(SgdStep s, NDArray param, NDArray grad, NDArray buffer) {
        DoubleUnaryOperator r = rounding(param.dtype());
        HostStorage p = ReferenceBackend.host(param), g = ReferenceBackend.host(grad);
        HostStorage b = buffer == null ? null : ReferenceBackend.host(buffer);
        double decay = r.applyAsDouble(s.weightDecay()), lr = r.applyAsDouble(s.lr());
        double momentum = r.applyAsDouble(s.momentum()), undamped = r.applyAsDouble(1 - s.dampening());
        for (int i = 0, n = param.numel(); i < n; i++) {
            int pi = param.offset() + i;
            double theta = p.get(pi);
            double gi = g.get(grad.offset() + i);
            if (s.maximize()) gi = -gi;
            if (s.weightDecay() != 0) gi = r.applyAsDouble(gi + r.applyAsDouble(theta * decay));
            if (s.momentum() != 0) {
                int bi = buffer.offset() + i;
                double bNew = s.firstStep() ? gi
                        : r.applyAsDouble(r.applyAsDouble(b.get(bi) * momentum) + r.applyAsDouble(gi * undamped));
                b.set(bi, bNew);
                gi = s.nesterov() ? r.applyAsDouble(gi + r.applyAsDouble(bNew * momentum)) : bNew;
            }
            p.set(pi, r.applyAsDouble(theta - r.applyAsDouble(gi * lr)));
        }
    }

    private static DoubleUnaryOperator rounding(DType dtype) {
        return dtype == DType.FLOAT32 ? x -> (float) x : x -> x;
    }
}
