/**
 * The OpenCL backend: hand-written OpenCL C kernels under {@code src/main/resources}, compiled at run time
 * by the platform's driver and run through JOCL.
 */
package io.jgrad.kernels.opencl;
