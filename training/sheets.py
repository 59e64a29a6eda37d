"""Sample sheets: grids of generator outputs (optionally shown tiled 2x2 so seams would show)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image


def to_uint8(imgs: torch.Tensor) -> np.ndarray:
    """[B, 3, H, W] in [-1, 1] -> uint8 [B, H, W, 3]."""
    x = ((imgs.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).cpu().numpy()


def grid(arr: np.ndarray, cols: int, pad: int = 4, bg: int = 24) -> np.ndarray:
    """uint8 [B, H, W, 3] -> one image with `cols` columns and `pad` px gutters."""
    b, h, w, _ = arr.shape
    rows = (b + cols - 1) // cols
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), bg, np.uint8)
    for i in range(b):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = arr[i]
    return out


def save_grid(imgs: torch.Tensor, path: Path | str, cols: int = 8, tile: bool = False) -> None:
    arr = to_uint8(imgs)
    if tile:
        arr = np.tile(arr, (1, 2, 2, 1))
    Image.fromarray(grid(arr, cols)).save(path)
