// The fused optimiser updates of AdamStep and SgdStep, one work-item per element, every operation rounded on
// its own in the order of the composed update (FP_CONTRACT is off; division and sqrt correctly rounded where
// the device allows), so results match the reference kernel. Scalars arrive already rounded to T. Arrays are
// contiguous: each buffer comes with the offset of its first element.

FN T nan_max(T a, T b) {
    return isnan(a) || isnan(b) ? (T) NAN : fmax(a, b);
}

// One element of AdamStep's update; the arrays point at the parameter's first element.
FN void adam_element(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* m, GLOBAL T* v, GLOBAL T* vMax, int i,
                     T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                     int maximize, int decoupled, int l2, int amsgrad) {
    T theta = param[i];
    T g = grad[i];
    if (maximize) g = -g;
    if (decoupled) theta = theta * decay;
    else if (l2) g = g + theta * decay;
    T mNew = m[i] * beta1 + g * oneMinusBeta1;
    T vNew = v[i] * beta2 + (g * oneMinusBeta2) * g;
    m[i] = mNew;
    v[i] = vNew;
    T second = vNew;
    if (amsgrad) {
        second = nan_max(vMax[i], vNew);
        vMax[i] = second;
    }
    T denominator = sqrt(second) / sqrtBc2 + eps;
    param[i] = theta - (mNew * stepSize) / denominator;
}

// One element of SgdStep's update.
FN void sgd_element(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* buffer, int i,
                    T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    T theta = param[i];
    T g = grad[i];
    if (maximize) g = -g;
    if (l2) g = g + theta * decay;
    if (useMomentum) {
        T b = firstStep ? g : buffer[i] * momentum + g * undamped;
        buffer[i] = b;
        g = nesterov ? g + b * momentum : b;
    }
    param[i] = theta - g * lr;
}

KERNEL void adam_step(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* m, GLOBAL T* v, GLOBAL T* vMax,
                      int pOff, int gOff, int mOff, int vOff, int vMaxOff, int n,
                      T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                      int maximize, int decoupled, int l2, int amsgrad) {
    int i = get_global_id(0);
    if (i >= n) return;
    adam_element(param + pOff, grad + gOff, m + mOff, v + vOff, vMax + vMaxOff, i,
                 decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtBc2, eps, maximize, decoupled, l2, amsgrad);
}

KERNEL void sgd_step(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* buffer, int pOff, int gOff, int bOff, int n,
                     T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    int i = get_global_id(0);
    if (i >= n) return;
    sgd_element(param + pOff, grad + gOff, buffer + bOff, i, decay, lr, momentum, undamped, maximize, l2, useMomentum, firstStep, nesterov);
}

// ---- multi-tensor updates: one launch over every parameter of an optimiser step ----------------------------
//
// As PyTorch's multi_tensor_apply: each block (work-group) updates one chunk of `chunkSize` elements of one
// tensor. `table` (MultiTensorTable) has one record of `width` longs per tensor: the addresses of its arrays
// (param, grad, then the state arrays), its element count, and the index of its first chunk; the chunks of all
// tensors are numbered in table order, so a block finds its tensor by binary search over the first chunks.
// An address is resolved by TABLE_PTR (dialect.h): under CUDA it is the array's device address and the base
// pointers are unused; under OpenCL C, which has no pointers in buffers, it is an element offset into the base
// buffer of its role (the OpenCL tests place every tensor's arrays in one buffer per role).

// The tensor owning chunk `chunk`: the last record whose first chunk is at most `chunk` (empty tensors own none).
FN int chunk_owner(GLOBAL const long* table, int width, int tensors, long chunk) {
    int lo = 0, hi = tensors - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (table[(long) mid * width + width - 1] <= chunk) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

KERNEL void adam_multi(GLOBAL T* params, GLOBAL const T* grads, GLOBAL T* ms, GLOBAL T* vs, GLOBAL T* vMaxs,
                       GLOBAL const long* table, int tensors, int chunkSize,
                       T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                       int maximize, int decoupled, int l2, int amsgrad) {
    long chunk = get_group_id(0);
    GLOBAL const long* e = table + (long) chunk_owner(table, 7, tensors, chunk) * 7;
    long start = (chunk - e[6]) * chunkSize;
    int end = (int) min(e[5], start + chunkSize);
    GLOBAL T* param = TABLE_PTR(T, params, e[0]);
    GLOBAL const T* grad = TABLE_PTR(const T, grads, e[1]);
    GLOBAL T* m = TABLE_PTR(T, ms, e[2]);
    GLOBAL T* v = TABLE_PTR(T, vs, e[3]);
    GLOBAL T* vMax = TABLE_PTR(T, vMaxs, e[4]);
    for (int i = (int) start + get_local_id(0); i < end; i += get_local_size(0)) {
        adam_element(param, grad, m, v, vMax, i,
                     decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtBc2, eps, maximize, decoupled, l2, amsgrad);
    }
}

KERNEL void sgd_multi(GLOBAL T* params, GLOBAL const T* grads, GLOBAL T* buffers, GLOBAL const long* table, int tensors, int chunkSize,
                      T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    long chunk = get_group_id(0);
    GLOBAL const long* e = table + (long) chunk_owner(table, 5, tensors, chunk) * 5;
    long start = (chunk - e[4]) * chunkSize;
    int end = (int) min(e[3], start + chunkSize);
    GLOBAL T* param = TABLE_PTR(T, params, e[0]);
    GLOBAL const T* grad = TABLE_PTR(const T, grads, e[1]);
    GLOBAL T* buffer = TABLE_PTR(T, buffers, e[2]);
    for (int i = (int) start + get_local_id(0); i < end; i += get_local_size(0)) {
        sgd_element(param, grad, buffer, i, decay, lr, momentum, undamped, maximize, l2, useMomentum, firstStep, nesterov);
    }
}
