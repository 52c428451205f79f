package io.jgrad.optimizers;

import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay. Instead of adding {@code λθ} to
 * the gradient, where Adam's normalisation would shrink it for parameters with large gradients, the weights
 * decay directly, before the Adam step. Defaults as in PyTorch: those of {@link Adam} but
 * {@code weightDecay = 1e-2}.
 *
 * <pre>
 * for t = 1, 2, ...
 *     θ_{t-1} ← θ_{t-1}·(1 − γλ)                  decoupled decay
 *     ... then Adam's step with λ = 0
 * </pre>
 */
public final class AdamW extends Adam {

    public static Adam.Builder<AdamW> builder() {
        return new Adam.Builder<>(AdamW::new, 1e-2);
    }

    private AdamW(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("AdamW", true, groups, defaults);
    }
}
