package io.jgrad.data;

/**
 * A finite, indexable collection of examples, as {@code torch.utils.data.Dataset}. Implementations must
 * allow {@link #get} from a thread other than the one that made them (the {@link DataLoader} reads on a
 * background thread), and every call returns an input the caller may keep and modify.
 */
public interface Dataset {

    int size();

    /** The example at {@code index}, {@code 0 <= index < size()}. */
    Example get(int index);
}
