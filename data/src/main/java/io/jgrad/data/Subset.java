package io.jgrad.data;

/** The examples of {@code base} at {@code indices}, in that order, as {@code torch.utils.data.Subset}. */
public final class Subset implements Dataset {

    private final Dataset base;
    private final int[] indices;

    public Subset(Dataset base, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= base.size()) {
                throw new IndexOutOfBoundsException("Subset: index " + i + " out of range for a dataset of " + base.size() + " examples");
            }
        }
        this.base = base;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Example get(int index) {
        return base.get(indices[index]);
    }

    /** The indices into the base dataset. */
    public int[] indices() {
        return indices.clone();
    }
}
