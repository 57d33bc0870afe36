"""Write the packaged Whisper base (CTranslate2 model.bin) out as an openai-whisper .pt checkpoint.

This gives the `openai-whisper` transcriber backend real weights offline. The CTranslate2 file
layout (version 6): spec name and revision, then each variable as name, rank, dims, dtype, byte
count and data; fused projections (q|k|v in self-attention, k|v in cross-attention) are split
back into openai-whisper's query/key/value layers (Whisper's key projection has no bias).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ConfigError

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    data = path.read_bytes()
    off = 0

    def take(fmt: str) -> Any:
        nonlocal off
        value = struct.unpack_from(fmt, data, off)
        off += struct.calcsize(fmt)
        return value[0]

    def text() -> str:
        nonlocal off
        n = take("<H")
        value = data[off : off + n].rstrip(b"\0").decode()
        off += n
        return value

    version = take("<I")
    if version < 5:
        raise ConfigError(f"{path}: CTranslate2 model version {version} is too old to convert")
    spec = text()
    take("<I")
    if spec != "WhisperSpec":
        raise ConfigError(f"{path} is a {spec}, not a Whisper model")
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("<I")):
        name = text()
        rank = take("<B")
        dims = [take("<I") for _ in range(rank)]
        dtype = take("<B")
        nbytes = take("<I")
        raw = data[off : off + nbytes]
        off += nbytes
        if dtype in _DTYPES:
            variables[name] = np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(dims).astype(np.float32)
    for _ in range(take("<I")):
        alias, target = text(), text()
        variables[alias] = variables[target]
    return variables


def _split(w: np.ndarray, parts: int) -> list[np.ndarray]:
    return list(np.split(w, parts, axis=0))


def convert(v: dict[str, np.ndarray]) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    n_enc = len({m.group(1) for k in v if (m := re.match(r"encoder/layer_(\d+)/", k))})
    n_dec = len({m.group(1) for k in v if (m := re.match(r"decoder/layer_(\d+)/", k))})
    state = int(v["encoder/conv1/weight"].shape[0])
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": state, "n_audio_head": state // 64, "n_audio_layer": n_enc,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": state, "n_text_head": state // 64, "n_text_layer": n_dec,
    }
    sd: dict[str, np.ndarray] = {
        "encoder.conv1.weight": v["encoder/conv1/weight"], "encoder.conv1.bias": v["encoder/conv1/bias"],
        "encoder.conv2.weight": v["encoder/conv2/weight"], "encoder.conv2.bias": v["encoder/conv2/bias"],
        "encoder.positional_embedding": v["encoder/position_encodings/encodings"],
        "encoder.ln_post.weight": v["encoder/layer_norm/gamma"], "encoder.ln_post.bias": v["encoder/layer_norm/beta"],
        "decoder.token_embedding.weight": v["decoder/embeddings/weight"],
        "decoder.positional_embedding": v["decoder/position_encodings/encodings"],
        "decoder.ln.weight": v["decoder/layer_norm/gamma"], "decoder.ln.bias": v["decoder/layer_norm/beta"],
    }

    def norm(src: str, dst: str) -> None:
        sd[f"{dst}.weight"], sd[f"{dst}.bias"] = v[f"{src}/gamma"], v[f"{src}/beta"]

    def dense(src: str, dst: str) -> None:
        sd[f"{dst}.weight"], sd[f"{dst}.bias"] = v[f"{src}/weight"], v[f"{src}/bias"]

    def qkv(src: str, dst: str) -> None:
        (qw, kw, vw), (qb, _, vb) = _split(v[f"{src}/weight"], 3), _split(v[f"{src}/bias"], 3)
        sd.update({f"{dst}.query.weight": qw, f"{dst}.query.bias": qb, f"{dst}.key.weight": kw,
                   f"{dst}.value.weight": vw, f"{dst}.value.bias": vb})

    for side, count in (("encoder", n_enc), ("decoder", n_dec)):
        for i in range(count):
            src, dst = f"{side}/layer_{i}", f"{side}.blocks.{i}"
            qkv(f"{src}/self_attention/linear_0", f"{dst}.attn")
            dense(f"{src}/self_attention/linear_1", f"{dst}.attn.out")
            norm(f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
            dense(f"{src}/ffn/linear_0", f"{dst}.mlp.0")
            dense(f"{src}/ffn/linear_1", f"{dst}.mlp.2")
            norm(f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
            if side == "decoder":
                dense(f"{src}/attention/linear_0", f"{dst}.cross_attn.query")
                (kw, vw), (_, vb) = _split(v[f"{src}/attention/linear_1/weight"], 2), \
                    _split(v[f"{src}/attention/linear_1/bias"], 2)
                sd.update({f"{dst}.cross_attn.key.weight": kw, f"{dst}.cross_attn.value.weight": vw,
                           f"{dst}.cross_attn.value.bias": vb})
                dense(f"{src}/attention/linear_2", f"{dst}.cross_attn.out")
                norm(f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
    return dims, sd


def export(model_dir: Path, out: Path) -> Path:
    """Convert a CTranslate2 Whisper folder into an openai-whisper checkpoint at `out`."""
    import torch

    dims, sd = convert(read_ct2(model_dir / "model.bin"))
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"dims": dims, "model_state_dict": {k: torch.from_numpy(np.ascontiguousarray(a))
                                                   for k, a in sd.items()}}, out)
    return out
