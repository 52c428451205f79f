package io.jgrad.tests.parity;

import io.jgrad.autograd.Tensor;

import java.util.Map;

/** How to run one fixture op: from the named input tensors and the attributes to the outputs, in order. */
@FunctionalInterface
interface OpCase {
    Tensor[] run(Map<String, Tensor> inputs, Attrs attrs);
}
