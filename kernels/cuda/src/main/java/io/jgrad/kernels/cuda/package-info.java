/**
 * The CUDA backend: kernels compiled ahead of time to PTX (committed resources, loaded with
 * {@code cuModuleLoadData}) and launched through JCuda's driver API. See {@code docs/cuda.md}.
 */
package io.jgrad.kernels.cuda;
