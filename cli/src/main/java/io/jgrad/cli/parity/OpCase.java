package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;

import java.util.Map;

/** How to run one fixture op: from the named input tensors and the attributes to the outputs, in order. */
@FunctionalInterface
interface OpCase {
    Tensor[] run(Map<String, Tensor> inputs, Attrs attrs);

    /**
     * What the runner calls. Most cases need only their inputs; one made by {@link #withFixture} also reads
     * other tensors of the file and checks more than its outputs.
     */
    default Tensor[] run(Map<String, Tensor> inputs, Attrs attrs, Fixture fixture) {
        return run(inputs, attrs);
    }

    /** A case with access to its {@link Fixture}: batch norm reads and checks the running statistics. */
    static OpCase withFixture(WithFixture body) {
        return new OpCase() {
            @Override
            public Tensor[] run(Map<String, Tensor> inputs, Attrs attrs) {
                throw new IllegalStateException("this case reads its fixture file: call run(inputs, attrs, fixture)");
            }

            @Override
            public Tensor[] run(Map<String, Tensor> inputs, Attrs attrs, Fixture fixture) {
                return body.run(inputs, attrs, fixture);
            }
        };
    }

    @FunctionalInterface
    interface WithFixture {
        Tensor[] run(Map<String, Tensor> inputs, Attrs attrs, Fixture fixture);
    }
}
