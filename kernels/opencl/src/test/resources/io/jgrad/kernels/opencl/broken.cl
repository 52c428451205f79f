// Does not compile, on purpose: ClRuntimeTest checks that the build log reaches the exception.
kernel void broken(global float* x) { x[0] = undefined_symbol_for_the_test; }
