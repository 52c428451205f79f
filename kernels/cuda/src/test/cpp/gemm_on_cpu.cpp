// Runs the kernels of gemm.cu (the source nvcc compiles to the committed PTX, unchanged) on the CPU, on launches
// that GemmKernelsOnTheCpuTest plans with CudaGemm and writes to standard input:
//
//   buffer ID f|d COUNT V1 .. VCOUNT      device memory: COUNT floats or doubles (hexadecimal or decimal),
//                                          256-byte aligned as the allocator's blocks
//   launch ENTRY GX GY GZ BX BY BZ NARGS  then NARGS arguments, each one of
//     p ID                                 a buffer's address
//     O OFFSET ROWSTRIDE COLSTRIDE BATCHSTRIDE   an Operand struct
//     i V   f V   d V                     an int, float or double
//   read ID                               prints "values ID COUNT" and the values (%a), one per line
//
// Errors (an unknown entry, a wrong argument count or kind) exit with status 2 and say which.
#include "cuda_on_cpu.h"
#include "gemm.cu"

#include <iostream>
#include <map>
#include <string>

namespace {

struct Buffer {
    bool isDouble;
    size_t count;
    void* data;
};

std::map<long, Buffer> buffers;

[[noreturn]] void bad(const std::string& what) {
    std::fprintf(stderr, "gemm_on_cpu: %s\n", what.c_str());
    std::exit(2);
}

struct Arg {
    char kind;
    long id = 0;
    Operand operand{};
    double value = 0;
};

std::string next(std::istream& in) {
    std::string token;
    if (!(in >> token)) bad("unexpected end of input");
    return token;
}

double number(std::istream& in) {
    std::string token = next(in);
    char* end = nullptr;
    double value = std::strtod(token.c_str(), &end);
    if (end == token.c_str() || *end != '\0') bad("not a number: '" + token + "'");
    return value;
}

void* pointer(const std::vector<Arg>& args, size_t i, bool isDouble) {
    if (args[i].kind != 'p') bad("argument " + std::to_string(i) + " is not a pointer");
    auto it = buffers.find(args[i].id);
    if (it == buffers.end()) bad("no buffer " + std::to_string(args[i].id));
    if (it->second.isDouble != isDouble) bad("buffer " + std::to_string(args[i].id) + " has the wrong element type");
    return it->second.data;
}

Operand operand(const std::vector<Arg>& args, size_t i) {
    if (args[i].kind != 'O') bad("argument " + std::to_string(i) + " is not an Operand");
    return args[i].operand;
}

int integer(const std::vector<Arg>& args, size_t i) {
    if (args[i].kind != 'i') bad("argument " + std::to_string(i) + " is not an int");
    return (int) args[i].value;
}

double scalar(const std::vector<Arg>& args, size_t i, char kind) {
    if (args[i].kind != kind) bad("argument " + std::to_string(i) + " is not of kind " + kind);
    return args[i].value;
}

// The entries of gemm.cu, by name: their parameters taken from the parsed arguments.
std::function<void()> entry(const std::string& name, const std::vector<Arg>& x) {
#define GEMM(fn, T, k)                                                                                                           \
    if (name == #fn) {                                                                                                           \
        if (x.size() != 11) bad(name + ": 11 arguments expected");                                                               \
        const bool d = k == 'd';                                                                                                 \
        T* a = (T*) pointer(x, 0, d);                                                                                            \
        T* b = (T*) pointer(x, 1, d);                                                                                            \
        T* c = (T*) pointer(x, 2, d);                                                                                            \
        Operand A = operand(x, 3), B = operand(x, 4), C = operand(x, 5);                                                         \
        int M = integer(x, 6), N = integer(x, 7), K = integer(x, 8);                                                             \
        T alpha = (T) scalar(x, 9, k), beta = (T) scalar(x, 10, k);                                                              \
        return [=] { fn(a, b, c, A, B, C, M, N, K, alpha, beta); };                                                              \
    }
#define SPLIT_SUM(fn, T, k)                                                                                                      \
    if (name == #fn) {                                                                                                           \
        if (x.size() != 8) bad(name + ": 8 arguments expected");                                                                 \
        const bool d = k == 'd';                                                                                                 \
        T* w = (T*) pointer(x, 0, d);                                                                                            \
        T* c = (T*) pointer(x, 1, d);                                                                                            \
        Operand C = operand(x, 2);                                                                                               \
        int M = integer(x, 3), N = integer(x, 4), slices = integer(x, 5);                                                        \
        T alpha = (T) scalar(x, 6, k), beta = (T) scalar(x, 7, k);                                                               \
        return [=] { fn(w, c, C, M, N, slices, alpha, beta); };                                                                  \
    }
    GEMM(sgemm_128x128, float, 'f')
    GEMM(sgemm_128x128_vec4, float, 'f')
    GEMM(sgemm_64x128, float, 'f')
    GEMM(sgemm_64x128_vec4, float, 'f')
    GEMM(sgemm_128x128_v2, float, 'f')
    GEMM(sgemm_tf32_128x128, float, 'f')
    GEMM(sgemm_tf32_v2, float, 'f')
    GEMM(sgemm_small, float, 'f')
    GEMM(dgemm_64x64, double, 'd')
    GEMM(dgemm_small, double, 'd')
    SPLIT_SUM(sgemm_split_sum, float, 'f')
    SPLIT_SUM(dgemm_split_sum, double, 'd')
#undef GEMM
#undef SPLIT_SUM
    bad("no entry " + name + " in gemm.cu");
}

} // namespace

int main() {
    std::ios::sync_with_stdio(false);
    std::string command;
    while (std::cin >> command) {
        if (command == "buffer") {
            long id = std::stol(next(std::cin));
            bool isDouble = next(std::cin) == "d";
            size_t count = std::stoul(next(std::cin));
            size_t bytes = ((count * (isDouble ? 8 : 4) + 255) / 256) * 256;
            void* data = std::aligned_alloc(256, bytes == 0 ? 256 : bytes);
            for (size_t i = 0; i < count; i++) {
                double v = number(std::cin);
                if (isDouble) ((double*) data)[i] = v;
                else ((float*) data)[i] = (float) v;
            }
            buffers[id] = {isDouble, count, data};
        } else if (command == "launch") {
            std::string name = next(std::cin);
            dim3 grid, block;
            grid.x = std::stoul(next(std::cin)); grid.y = std::stoul(next(std::cin)); grid.z = std::stoul(next(std::cin));
            block.x = std::stoul(next(std::cin)); block.y = std::stoul(next(std::cin)); block.z = std::stoul(next(std::cin));
            int count = std::stoi(next(std::cin));
            std::vector<Arg> args;
            for (int i = 0; i < count; i++) {
                Arg a;
                a.kind = next(std::cin)[0];
                switch (a.kind) {
                    case 'p': a.id = std::stol(next(std::cin)); break;
                    case 'O':
                        a.operand.offset = std::stol(next(std::cin));
                        a.operand.rowStride = std::stol(next(std::cin));
                        a.operand.colStride = std::stol(next(std::cin));
                        a.operand.batchStride = std::stol(next(std::cin));
                        break;
                    case 'i': case 'f': case 'd': a.value = number(std::cin); break;
                    default: bad(std::string("unknown argument kind ") + a.kind);
                }
                args.push_back(a);
            }
            cpu::launch(grid, block, entry(name, args));
        } else if (command == "read") {
            long id = std::stol(next(std::cin));
            auto it = buffers.find(id);
            if (it == buffers.end()) bad("no buffer " + std::to_string(id));
            std::printf("values %ld %zu\n", id, it->second.count);
            for (size_t i = 0; i < it->second.count; i++) {
                std::printf("%a\n", it->second.isDouble ? ((double*) it->second.data)[i] : (double) ((float*) it->second.data)[i]);
            }
        } else {
            bad("unknown command " + command);
        }
    }
    for (auto& [id, b] : buffers) std::free(b.data);
    return 0;
}
