package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.List;

/** Modules applied one after another; children are named {@code 0, 1, 2, ...} as in PyTorch. */
public final class Sequential extends Module {

    private final List<Module> layers;

    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) registerModule(Integer.toString(i), layers[i]);
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module layer : layers) x = layer.forward(x);
        return x;
    }
}
