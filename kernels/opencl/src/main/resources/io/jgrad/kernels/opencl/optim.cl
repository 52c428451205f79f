// The fused optimiser updates of AdamStep and SgdStep, one work-item per element, every operation rounded on
// its own in the order of the composed update (FP_CONTRACT is off; division and sqrt correctly rounded where
// the device allows), so results match the reference kernel. Scalars arrive already rounded to T. Arrays are
// contiguous: each buffer comes with the offset of its first element.

FN T nan_max(T a, T b) {
    return isnan(a) || isnan(b) ? (T) NAN : fmax(a, b);
}

KERNEL void adam_step(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* m, GLOBAL T* v, GLOBAL T* vMax,
                      int pOff, int gOff, int mOff, int vOff, int vMaxOff, int n,
                      T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                      int maximize, int decoupled, int l2, int amsgrad) {
    int i = get_global_id(0);
    if (i >= n) return;
    T theta = param[pOff + i];
    T g = grad[gOff + i];
    if (maximize) g = -g;
    if (decoupled) theta = theta * decay;
    else if (l2) g = g + theta * decay;
    T mNew = m[mOff + i] * beta1 + g * oneMinusBeta1;
    T vNew = v[vOff + i] * beta2 + (g * oneMinusBeta2) * g;
    m[mOff + i] = mNew;
    v[vOff + i] = vNew;
    T second = vNew;
    if (amsgrad) {
        second = nan_max(vMax[vMaxOff + i], vNew);
        vMax[vMaxOff + i] = second;
    }
    T denominator = sqrt(second) / sqrtBc2 + eps;
    param[pOff + i] = theta - (mNew * stepSize) / denominator;
}

KERNEL void sgd_step(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* buffer, int pOff, int gOff, int bOff, int n,
                     T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    int i = get_global_id(0);
    if (i >= n) return;
    T theta = param[pOff + i];
    T g = grad[gOff + i];
    if (maximize) g = -g;
    if (l2) g = g + theta * decay;
    if (useMomentum) {
        T b = firstStep ? g : buffer[bOff + i] * momentum + g * undamped;
        buffer[bOff + i] = b;
        g = nesterov ? g + b * momentum : b;
    }
    param[pOff + i] = theta - g * lr;
}
