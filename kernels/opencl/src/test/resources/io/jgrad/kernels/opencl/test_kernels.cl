// Kernels used only by ClRuntimeTest.
kernel void add_one(global T* x, const Layout l, int n) {
    int i = get_global_id(0);
    if (i < n) x[layout_at(l, i)] += (T) 1;
}
