# Trains the built-in models of `jgrad train` in PyTorch and saves their state_dicts as plain safetensors
# (no jgrad metadata), with the accuracies PyTorch measured, so tests can check that jgrad loads them and
# measures the same. Also computes PyTorch's logits for the end-to-end fixture's final weights.
# Usage: python3 make_checkpoints.py REPO_ROOT FASHION_DIR OUT_DIR
import gzip, json, os, struct, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

root, fashion_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
torch.manual_seed(7)
dev = "cuda" if torch.cuda.is_available() else "cpu"
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False


def idx(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(path):
    return torch.from_numpy(idx(path).astype(np.float32) / 255.0).unsqueeze(1)


def labels(path):
    return torch.from_numpy(idx(path).astype(np.int64))


def save_safetensors(path, tensors, meta):
    header, blobs, off = {"__metadata__": meta}, [], 0
    for k, t in tensors.items():
        t = t.detach().contiguous().cpu()
        b = t.numpy().tobytes()
        header[k] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def train(model, x, y, epochs, bs=128):
    model.to(dev)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), bs):
            j = perm[i:i + bs]
            opt.zero_grad()
            F.cross_entropy(model(x[j].to(dev)), y[j].to(dev)).backward()
            opt.step()
    return model


@torch.no_grad()
def correct(model, x, y):
    model.eval()
    return int((model(x.to(dev)).argmax(1).cpu() == y).sum())


results = {}
fx, fy = images(f"{fashion_dir}/train-images-idx3-ubyte.gz"), labels(f"{fashion_dir}/train-labels-idx1-ubyte.gz")
tx, ty = images(f"{fashion_dir}/t10k-images-idx3-ubyte.gz"), labels(f"{fashion_dir}/t10k-labels-idx1-ubyte.gz")
cnn = train(ConvNet(), fx, fy, 3)
results["fashion_cnn"] = {"correct": correct(cnn, tx, ty), "total": len(ty), "correct_first_1000": correct(cnn, tx[:1000], ty[:1000])}
save_safetensors(f"{out}/fashion_cnn.safetensors", cnn.state_dict(), {"format": "pt"})

digits = f"{root}/data/src/main/resources/io/jgrad/data/digits"
names = sorted(os.listdir(digits))
def find(kind):
    return [os.path.join(digits, n) for n in names if kind in n][0]
dx, dy = images(find("train-images")), labels(find("train-labels"))
ex, ey = images(find("t10k-images") if any("t10k" in n for n in names) else find("test-images")), labels(find("t10k-labels") if any("t10k" in n for n in names) else find("test-labels"))
mlp = train(Mlp(), dx, dy, 5, bs=64)
results["digits_mlp"] = {"correct": correct(mlp, ex, ey), "total": len(ey)}
save_safetensors(f"{out}/digits_mlp.safetensors", mlp.state_dict(), {"format": "pt"})

# The end-to-end fixture's final weights, run by PyTorch on the fixture's input.
def read_st(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    h = json.loads(raw[8:8 + n])
    h.pop("__metadata__", None)
    out = {}
    for k, v in h.items():
        b, e = v["data_offsets"]
        dt = {"F32": np.float32, "I64": np.int64, "F64": np.float64}[v["dtype"]]
        out[k] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dt).reshape(v["shape"]).copy())
    return out
e2e = read_st(f"{root}/tests/src/test/resources/fixtures/pytorch/e2e_mlp_adam.safetensors")
seq = nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Linear(16, 3))
seq.load_state_dict({k[len("final."):]: v for k, v in e2e.items() if k.startswith("final.")})
state = {k: v for k, v in seq.state_dict().items()}
with torch.no_grad():
    logits = seq(e2e["input"])
save_safetensors(f"{out}/e2e_final_state_dict.safetensors", state, {"format": "pt"})
save_safetensors(f"{out}/e2e_final_logits.safetensors", {"input": e2e["input"], "logits": logits}, {"generator": "torch " + torch.__version__})

results["generator"] = "torch " + torch.__version__ + " on " + dev
json.dump(results, open(f"{out}/accuracies.json", "w"), indent=1)
print(json.dumps(results))
