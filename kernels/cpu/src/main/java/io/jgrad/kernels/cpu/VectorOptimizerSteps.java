package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused float32 optimiser updates of {@link VectorBackend}: one pass over the parameter and its state
 * instead of the dozen array-sized temporaries of the composed update. Each lane evaluates the formula of
 * {@link AdamStep} or {@link SgdStep} in the order {@link ReferenceOptimizerSteps} does, with a separate
 * multiply and add (never {@code fma}, which rounds once where the composed update rounds twice); +, −, ×,
 * ÷, sqrt and max are correctly rounded in float32, so the results equal the reference's bit for bit. The
 * arrays are split into ranges over the {@link KernelPool}; every element is computed the same way in
 * whichever range it falls, so the bits do not depend on the thread count.
 */
final class VectorOptimizerSteps {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();

    private VectorOptimizerSteps() {
    }

    static void adam(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax, KernelPool pool) {
        assert param.dtype() == DType.FLOAT32 && param.isContiguous() : "the facade passes contiguous float32 arrays";
        run(param.numel(), new Adam(step, param, grad, m, v, vMax), pool);
    }

    static void sgd(SgdStep step, NDArray param, NDArray grad, NDArray buffer, KernelPool pool) {
        assert param.dtype() == DType.FLOAT32 && param.isContiguous() : "the facade passes contiguous float32 arrays";
        run(param.numel(), new Sgd(step, param, grad, buffer), pool);
    }

    /** Each element is read and written once, so the split is by element count, as for elementwise ops. */
    private static void run(int n, KernelPool.RangeBody body, KernelPool pool) {
        pool.runRanges(n, 1, VectorElementwise.MIN_PARALLEL, body);
    }

    private static float[] floats(NDArray x) {
        return x == null ? null : VectorElementwise.floats(x);
    }

    private static int offset(NDArray x) {
        return x == null ? 0 : x.offset();
    }

    /** Adam/AdamW over elements {@code from .. to-1}, with every scalar rounded to float32 once, up front. */
    private static final class Adam implements KernelPool.RangeBody {

        private final boolean maximize, decoupled, l2, amsgrad;
        private final float decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtBiasCorrection2, eps;
        private final float[] p, g, m, v, vMax;
        private final int pOff, gOff, mOff, vOff, vMaxOff;

        Adam(AdamStep s, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
            maximize = s.maximize();
            decoupled = s.decoupled();
            l2 = s.l2Penalty();
            amsgrad = s.amsgrad();
            decay = (float) s.decay();
            beta1 = (float) s.beta1();
            oneMinusBeta1 = (float) s.oneMinusBeta1();
            beta2 = (float) s.beta2();
            oneMinusBeta2 = (float) s.oneMinusBeta2();
            stepSize = (float) s.stepSize();
            sqrtBiasCorrection2 = (float) s.sqrtBiasCorrection2();
            eps = (float) s.eps();
            p = floats(param);
            g = floats(grad);
            this.m = floats(m);
            this.v = floats(v);
            this.vMax = floats(vMax);
            pOff = param.offset();
            gOff = grad.offset();
            mOff = m.offset();
            vOff = v.offset();
            vMaxOff = offset(vMax);
        }

        @Override
        public void run(int from, int to) {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += LANES) {
                FloatVector theta = FloatVector.fromArray(S, p, pOff + i);
                FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
                if (maximize) gi = gi.neg();
                if (decoupled) theta = theta.mul(decay);
                else if (l2) gi = gi.add(theta.mul(decay));
                FloatVector mNew = FloatVector.fromArray(S, m, mOff + i).mul(beta1).add(gi.mul(oneMinusBeta1));
                FloatVector vNew = FloatVector.fromArray(S, v, vOff + i).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
                mNew.intoArray(m, mOff + i);
                vNew.intoArray(v, vOff + i);
                FloatVector second = vNew;
                if (amsgrad) {
                    second = FloatVector.fromArray(S, vMax, vMaxOff + i).max(vNew);
                    second.intoArray(vMax, vMaxOff + i);
                }
                FloatVector denominator = second.sqrt().div(sqrtBiasCorrection2).add(eps);
                theta.sub(mNew.mul(stepSize).div(denominator)).intoArray(p, pOff + i);
            }
            for (; i < to; i++) { // scalar tail, the same operations in float
                float theta = p[pOff + i];
                float gi = g[gOff + i];
                if (maximize) gi = -gi;
                if (decoupled) theta = theta * decay;
                else if (l2) gi = gi + theta * decay;
                float mNew = m[mOff + i] * beta1 + gi * oneMinusBeta1;
                float vNew = v[vOff + i] * beta2 + gi * oneMinusBeta2 * gi;
                m[mOff + i] = mNew;
                v[vOff + i] = vNew;
                float second = vNew;
                if (amsgrad) {
                    second = Math.max(vMax[vMaxOff + i], vNew);
                    vMax[vMaxOff + i] = second;
                }
                float denominator = (float) Math.sqrt(second) / sqrtBiasCorrection2 + eps;
                p[pOff + i] = theta - mNew * stepSize / denominator;
            }
        }
    }

    /** SGD with momentum over elements {@code from .. to-1}, scalars rounded to float32 once, up front. */
    private static final class Sgd implements KernelPool.RangeBody {

        private final boolean maximize, l2, momentum, nesterov, firstStep;
        private final float decay, lr, mu, undamped;
        private final float[] p, g, b;
        private final int pOff, gOff, bOff;

        Sgd(SgdStep s, NDArray param, NDArray grad, NDArray buffer) {
            maximize = s.maximize();
            l2 = s.weightDecay() != 0;
            momentum = s.momentum() != 0;
            nesterov = s.nesterov();
            firstStep = s.firstStep();
            decay = (float) s.weightDecay();
            lr = (float) s.lr();
            mu = (float) s.momentum();
            undamped = (float) (1 - s.dampening());
            p = floats(param);
            g = floats(grad);
            b = floats(buffer);
            pOff = param.offset();
            gOff = grad.offset();
            bOff = offset(buffer);
        }

        @Override
        public void run(int from, int to) {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += LANES) {
                FloatVector theta = FloatVector.fromArray(S, p, pOff + i);
                FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
                if (maximize) gi = gi.neg();
                if (l2) gi = gi.add(theta.mul(decay));
                if (momentum) {
                    FloatVector bNew = firstStep ? gi : FloatVector.fromArray(S, b, bOff + i).mul(mu).add(gi.mul(undamped));
                    bNew.intoArray(b, bOff + i);
                    gi = nesterov ? gi.add(bNew.mul(mu)) : bNew;
                }
                theta.sub(gi.mul(lr)).intoArray(p, pOff + i);
            }
            for (; i < to; i++) { // scalar tail, the same operations in float
                float theta = p[pOff + i];
                float gi = g[gOff + i];
                if (maximize) gi = -gi;
                if (l2) gi = gi + theta * decay;
                if (momentum) {
                    float bNew = firstStep ? gi : b[bOff + i] * mu + gi * undamped;
                    b[bOff + i] = bNew;
                    gi = nesterov ? gi + bNew * mu : bNew;
                }
                p[pOff + i] = theta - gi * lr;
            }
        }
    }
}
