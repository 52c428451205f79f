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

// The record of the tensor owning this block's chunk: the last record whose first chunk is at most the block's
// (empty tensors own none). Records are `width` longs; its index is (record - table) / width.
FN GLOBAL const long* chunk_record(GLOBAL const long* table, int width, int tensors) {
    long chunk = get_group_id(0);
    int lo = 0, hi = tensors - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (table[(long) mid * width + width - 1] <= chunk) lo = mid;
        else hi = mid - 1;
    }
    return table + (long) lo * width;
}

// AdamStep over this block's chunk of the tensor of record `e` (7 longs), its arrays already resolved.
FN void adam_chunk(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* m, GLOBAL T* v, GLOBAL T* vMax, GLOBAL const long* e, int chunkSize,
                   T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                   int maximize, int decoupled, int l2, int amsgrad) {
    long start = (get_group_id(0) - e[6]) * chunkSize;
    int end = (int) min(e[5], start + chunkSize);
    for (int i = (int) start + get_local_id(0); i < end; i += get_local_size(0)) {
        adam_element(param, grad, m, v, vMax, i,
                     decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtBc2, eps, maximize, decoupled, l2, amsgrad);
    }
}

// SgdStep over this block's chunk of the tensor of record `e` (5 longs), as adam_chunk.
FN void sgd_chunk(GLOBAL T* param, GLOBAL const T* grad, GLOBAL T* buffer, GLOBAL const long* e, int chunkSize,
                  T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    long start = (get_group_id(0) - e[4]) * chunkSize;
    int end = (int) min(e[3], start + chunkSize);
    for (int i = (int) start + get_local_id(0); i < end; i += get_local_size(0)) {
        sgd_element(param, grad, buffer, i, decay, lr, momentum, undamped, maximize, l2, useMomentum, firstStep, nesterov);
    }
}

KERNEL void adam_multi(GLOBAL T* params, GLOBAL const T* grads, GLOBAL T* ms, GLOBAL T* vs, GLOBAL T* vMaxs,
                       GLOBAL const long* table, int tensors, int chunkSize,
                       T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                       int maximize, int decoupled, int l2, int amsgrad) {
    GLOBAL const long* e = chunk_record(table, 7, tensors);
    adam_chunk(TABLE_PTR(T, params, e[0]), TABLE_PTR(const T, grads, e[1]), TABLE_PTR(T, ms, e[2]), TABLE_PTR(T, vs, e[3]),
               TABLE_PTR(T, vMaxs, e[4]), e, chunkSize,
               decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtBc2, eps, maximize, decoupled, l2, amsgrad);
}

KERNEL void sgd_multi(GLOBAL T* params, GLOBAL const T* grads, GLOBAL T* buffers, GLOBAL const long* table, int tensors, int chunkSize,
                      T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    GLOBAL const long* e = chunk_record(table, 5, tensors);
    sgd_chunk(TABLE_PTR(T, params, e[0]), TABLE_PTR(const T, grads, e[1]), TABLE_PTR(T, buffers, e[2]), e, chunkSize,
              decay, lr, momentum, undamped, maximize, l2, useMomentum, firstStep, nesterov);
}

#ifndef __CUDACC__
// ---- multi-tensor updates for OpenCL: up to 8 tensors per launch, each with buffers of its own -------------
//
// OpenCL C has no pointers in buffers, so adam_multi and sgd_multi would need every tensor's arrays in one
// buffer per role, which parameters and their gradients are not. These take each tensor's arrays as kernel
// arguments of their own, in slots 0-7 (OpenClBackend launches once per 8 parameters, MULTI_SLOTS there), and
// the same table (MultiTensorTable), whose addresses here are element offsets into the slot's buffers: the
// record that owns a chunk is also its slot. CUDA, which stores addresses in the table, does not compile them.

#define SLOT_ARGS(type, name) GLOBAL type* name##0, GLOBAL type* name##1, GLOBAL type* name##2, GLOBAL type* name##3, \
                              GLOBAL type* name##4, GLOBAL type* name##5, GLOBAL type* name##6, GLOBAL type* name##7
#define SLOT(name, s) ((s) == 0 ? name##0 : (s) == 1 ? name##1 : (s) == 2 ? name##2 : (s) == 3 ? name##3 \
                     : (s) == 4 ? name##4 : (s) == 5 ? name##5 : (s) == 6 ? name##6 : name##7)

KERNEL void adam_slots(SLOT_ARGS(T, params), SLOT_ARGS(const T, grads), SLOT_ARGS(T, ms), SLOT_ARGS(T, vs), SLOT_ARGS(T, vMaxs),
                       GLOBAL const long* table, int tensors, int chunkSize,
                       T decay, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T sqrtBc2, T eps,
                       int maximize, int decoupled, int l2, int amsgrad) {
    GLOBAL const long* e = chunk_record(table, 7, tensors);
    int slot = (int) ((e - table) / 7);
    adam_chunk(SLOT(params, slot) + e[0], SLOT(grads, slot) + e[1], SLOT(ms, slot) + e[2], SLOT(vs, slot) + e[3],
               SLOT(vMaxs, slot) + e[4], e, chunkSize,
               decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtBc2, eps, maximize, decoupled, l2, amsgrad);
}

KERNEL void sgd_slots(SLOT_ARGS(T, params), SLOT_ARGS(const T, grads), SLOT_ARGS(T, buffers), GLOBAL const long* table, int tensors, int chunkSize,
                      T decay, T lr, T momentum, T undamped, int maximize, int l2, int useMomentum, int firstStep, int nesterov) {
    GLOBAL const long* e = chunk_record(table, 5, tensors);
    int slot = (int) ((e - table) / 5);
    sgd_chunk(SLOT(params, slot) + e[0], SLOT(grads, slot) + e[1], SLOT(buffers, slot) + e[2], e, chunkSize,
              decay, lr, momentum, undamped, maximize, l2, useMomentum, firstStep, nesterov);
}
#endif
