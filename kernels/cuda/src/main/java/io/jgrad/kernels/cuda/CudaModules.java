package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.KernelDefines;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PTX modules of the backend: which source each is compiled from, with which defines, for which targets.
 * One table for the runtime (which loads {@code ptx/ARCH/NAME.ptx}) and for the PTX build and staleness test
 * (which compile every entry with nvcc), so the two cannot disagree.
 *
 * <p>The portable families are the OpenCL C sources of kernels/opencl, compiled as CUDA C through their
 * {@code dialect.h}; each module is one dtype instantiation (OpenCL builds the same variants at run time from
 * the same {@link KernelDefines}). GEMM is CUDA-specific ({@code src/main/cuda/gemm.cu}).
 */
public final class CudaModules {

    /** PTX targets: Hopper (what the kernels are tuned for) and a portable one the driver JIT-compiles for any GPU since Turing. */
    public static final List<String> ARCHS = List.of("compute_90", "compute_75");
    /** Resource directory of the committed PTX; a module is {@code PTX_DIR + arch + "/" + name + ".ptx"}. */
    public static final String PTX_DIR = "/io/jgrad/kernels/cuda/ptx/";

    /** Where a module's source lives in the repository. */
    public enum Origin {
        /** kernels/opencl/src/main/resources/io/jgrad/kernels/opencl: dialect.h + common.cl + the family's .cl. */
        PORTABLE,
        /** kernels/cuda/src/main/cuda: a .cu file on its own. */
        CUDA
    }

    /** One PTX module: {@code name} (the resource's base name), compiled from {@code source} with {@code defines} ({@code -DX=Y ...}). */
    public record Module(String name, Origin origin, String source, String defines) {
    }

    /** The families of portable kernels and the dtypes each is instantiated for. */
    private static final DType[] ALL = {DType.FLOAT32, DType.FLOAT64, DType.INT64};
    private static final DType[] FLOATING = {DType.FLOAT32, DType.FLOAT64};

    private CudaModules() {
    }

    /** Every module, in a fixed order. */
    public static List<Module> all() {
        List<Module> modules = new ArrayList<>();
        for (DType t : ALL) {
            // where_select with a condition of the element dtype; other condition dtypes are converted first (CudaBackend.where).
            modules.add(new Module(name("elementwise", t), Origin.PORTABLE, "elementwise.cl", KernelDefines.whereDefines(t, t)));
            modules.add(new Module(name("reduce", t), Origin.PORTABLE, "reduce.cl", KernelDefines.typeAndOpDefines(t)));
            modules.add(new Module(name("indexing", t), Origin.PORTABLE, "indexing.cl", KernelDefines.typeDefines(t)));
        }
        for (DType src : ALL) {
            for (DType dst : ALL) modules.add(new Module(copyName(src, dst), Origin.PORTABLE, "elementwise.cl", KernelDefines.copyDefines(src, dst)));
        }
        for (DType t : FLOATING) {
            modules.add(new Module(name("im2col", t), Origin.PORTABLE, "im2col.cl", KernelDefines.typeDefines(t)));
            modules.add(new Module(name("pool", t), Origin.PORTABLE, "pool.cl", KernelDefines.typeDefines(t)));
            modules.add(new Module(name("optim", t), Origin.PORTABLE, "optim.cl", KernelDefines.typeDefines(t)));
        }
        modules.add(new Module("gemm", Origin.CUDA, "gemm.cu", ""));
        return modules;
    }

    /** The module of a portable family for {@code dtype}, e.g. {@code reduce.float}. */
    public static String name(String family, DType dtype) {
        // Once per (family, dtype): the backend names a module on every launch.
        return NAMES.computeIfAbsent(family, f -> new ConcurrentHashMap<>()).computeIfAbsent(dtype, d -> family + "." + KernelDefines.typeName(d));
    }

    private static final Map<String, Map<DType, String>> NAMES = new ConcurrentHashMap<>();

    /** The copy module converting {@code src} to {@code dst}, e.g. {@code copy.float.long}. */
    public static String copyName(DType src, DType dst) {
        return "copy." + KernelDefines.typeName(src) + "." + KernelDefines.typeName(dst);
    }

    /** The resource path of a module's PTX for {@code arch}. */
    public static String resource(String arch, String module) {
        return PTX_DIR + arch + "/" + module + ".ptx";
    }
}
