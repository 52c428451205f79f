package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parameter groups with their own hyperparameters, defaults, zeroGrad and parameters without gradients. */
class ParamGroupTest {

    private static Tensor param(double... values) {
        return Tensor.parameter(NDArray.of(values, values.length));
    }

    @Test
    void eachGroupStepsWithItsOwnLearningRate() {
        Tensor body = param(1, 1), head = param(1, 1);
        Optimizer sgd = SGD.builder().lr(0.1).build(new ParamGroup(List.of(body)), new ParamGroup(List.of(head)).set(Optimizer.LR, 0.5));
        body.setGrad(NDArray.of(new double[] {1, 2}, 2));
        head.setGrad(NDArray.of(new double[] {1, 2}, 2));
        sgd.step();
        assertArrayEquals(new double[] {0.9, 0.8}, body.data().toDoubleArray(), 1e-15);   // 1 − 0.1·g
        assertArrayEquals(new double[] {0.5, 0.0}, head.data().toDoubleArray(), 1e-15);   // 1 − 0.5·g
    }

    @Test
    void groupsTakeTheBuildersDefaultsForWhatTheyDoNotSet() {
        Optimizer adam = Adam.builder().lr(0.01).betas(0.8, 0.99).build(new ParamGroup(List.of(param(1))).set(Optimizer.BETA1, 0.5));
        ParamGroup group = adam.paramGroups().get(0);
        assertEquals(0.01, group.lr());
        assertEquals(0.5, group.number(Optimizer.BETA1));
        assertEquals(0.99, group.number(Optimizer.BETA2));
        assertEquals(1e-8, group.number(Optimizer.EPS));
        assertFalse(group.flag(Adam.AMSGRAD));
    }

    @Test
    void pytorchDefaults() {
        assertEquals(1e-3, Adam.builder().build(List.of(param(1))).paramGroups().get(0).lr());
        assertEquals(1e-2, AdamW.builder().build(List.of(param(1))).paramGroups().get(0).number(Optimizer.WEIGHT_DECAY));
        assertEquals(1e-2, RMSprop.builder().build(List.of(param(1))).paramGroups().get(0).lr());
        assertEquals(0.99, RMSprop.builder().build(List.of(param(1))).paramGroups().get(0).number(RMSprop.ALPHA));
        assertEquals(1e-10, Adagrad.builder().build(List.of(param(1))).paramGroups().get(0).number(Optimizer.EPS));
        assertEquals(1.0, Adadelta.builder().build(List.of(param(1))).paramGroups().get(0).lr());
        assertEquals(1e-6, Adadelta.builder().build(List.of(param(1))).paramGroups().get(0).number(Optimizer.EPS));
        assertEquals(2e-3, Adamax.builder().build(List.of(param(1))).paramGroups().get(0).lr());
        assertEquals(4e-3, NAdam.builder().build(List.of(param(1))).paramGroups().get(0).number(NAdam.MOMENTUM_DECAY));
        assertEquals(0.1, AdaBound.builder().build(List.of(param(1))).paramGroups().get(0).number(AdaBound.FINAL_LR));
    }

    @Test
    void unknownHyperparametersAreRejected() {
        ParamGroup group = new ParamGroup(List.of(param(1))).set("momentum", 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Adam.builder().build(group));
        assertEquals("Adam: unknown hyperparameter 'momentum' in param group 0 (known: [lr, weightDecay, maximize, beta1, beta2, eps, amsgrad])", e.getMessage());
    }

    @Test
    void aParameterInTwoGroupsIsRejected() {
        Tensor p = param(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().build(new ParamGroup(List.of(p)), new ParamGroup(List.of(p))));
        assertEquals("SGD: a parameter appears in more than one param group", e.getMessage());
    }

    @Test
    void nonLeafTensorsAreRejected() {
        Tensor p = param(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ParamGroup(List.of(p.mul(2.0))));
        assertEquals("ParamGroup: can't optimize a non-leaf tensor (made by MUL)", e.getMessage());
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Tensor a = param(1), b = param(2);
        Optimizer opt = SGD.builder().build(List.of(a, b));
        a.setGrad(NDArray.of(new double[] {1}, 1));
        b.setGrad(NDArray.of(new double[] {1}, 1));
        opt.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        Tensor a = param(1), b = param(2);
        Optimizer opt = SGD.builder().lr(0.5).weightDecay(0.1).build(List.of(a, b));
        a.setGrad(NDArray.of(new double[] {1}, 1));
        opt.step();
        assertArrayEquals(new double[] {1 - 0.5 * 1.1}, a.data().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {2}, b.data().toDoubleArray(), 0.0);   // no gradient: not even decayed
    }

    @Test
    void maximizeAscends() {
        Tensor a = param(1);
        Optimizer opt = SGD.builder().lr(0.5).maximize(true).build(List.of(a));
        a.setGrad(NDArray.of(new double[] {1}, 1));
        opt.step();
        assertArrayEquals(new double[] {1.5}, a.data().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1}, a.grad().toDoubleArray(), 0.0);   // the gradient itself is untouched
    }

    @Test
    void amsgradNormalisesByTheLargestSecondMoment() {
        Tensor a = param(0);
        Optimizer opt = Adam.builder().amsgrad(true).build(List.of(a));
        a.setGrad(NDArray.of(new double[] {1}, 1));
        opt.step();                                    // v1 = 0.001·1² = 0.001
        a.setGrad(NDArray.of(new double[] {0.01}, 1));
        opt.step();                                    // v2 = 0.999·0.001 + 0.001·0.01² = 0.0009991 < v1
        ParamState s = opt.state(a);
        assertEquals(0.0009991, s.get("v").item(), 1e-15);
        assertEquals(0.001, s.get("vMax").item(), 1e-15);
    }
}
