package io.jgrad.tensor;

/**
 * Where an array's storage lives. All CPU backends share host memory, so an array on {@link #CPU} can be
 * used by any of them without a copy; GPU devices each have their own memory.
 */
public record Device(Kind kind, int index) {

    /** The families of memory a backend can own. */
    public enum Kind { CPU, OPENCL, CUDA }

    /** Host memory. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (kind == null) throw new IllegalArgumentException("device kind must not be null");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    /** The first CUDA GPU (its backend, if present, starts when an array is first moved there). */
    public static Device cuda() {
        return cuda(0);
    }

    /** CUDA GPU {@code index}. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** The OpenCL device the {@code opencl} backend chose (a GPU first; {@code -Djgrad.opencl.device} picks another). */
    public static Device opencl() {
        return new Device(Kind.OPENCL, 0);
    }

    public boolean isCpu() {
        return kind == Kind.CPU;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + index;
    }
}
