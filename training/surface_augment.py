"""Augmentation of the surface model's real training crops, against memorising families with few images.

The shipped surface model scores nn_ratio < 1 for its thin families (brick has 11 training images, stone blocks 17):
its samples sit closer to the training images than unseen images of the same material do. Showing the
discriminator each real crop as it is gives the generator nothing to learn but those few images. Here a real crop
is varied the ways the same material varies in the world, and the generator learns that spread instead:

- colour: a hue turn about the grey axis (red brick to brown or orange, a bluer or yellower grey stone), saturation,
  brightness and contrast, each within what one material's examples show;
- size: the crop is cut from a window 0.8-1.25x its side and resized to it (bricks, planks and tiles come in
  sizes; the family's pixels per metre stay right on average). A height channel is scaled with the picture, so a
  bigger brick has deeper joints and the slopes stay those of the source.

Unlike DiffAugment (applied to real and generated crops alike, so the generator does not learn it), this changes
only the real data, so the generator learns to paint these variants. Each crop is varied with a probability that
grows as its family thins: every crop of a family of REF_IMAGES images or fewer, at least half of any other's.
"""

from __future__ import annotations

import json
import math

import numpy as np
import torch
import torch.nn.functional as F

HUE_DEG = 18.0
SATURATION = (0.7, 1.3)
BRIGHTNESS = (0.8, 1.2)
CONTRAST = (0.85, 1.15)
SCALE = (0.8, 1.25)
REF_IMAGES = 100


def augment_probability(n_images: int) -> float:
    """Share of a family's crops that are varied: 1 up to REF_IMAGES training images, then REF_IMAGES / n, >= 0.5."""
    return min(1.0, max(0.5, REF_IMAGES / max(n_images, 1)))


def hue_matrix(degrees: float) -> torch.Tensor:
    """3x3 rotation of RGB about the grey axis (1, 1, 1) / sqrt(3) by `degrees`: greys stay grey, hues turn."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    k = 1.0 / 3.0
    t = math.sqrt(k)
    return torch.tensor([
        [c + (1 - c) * k, (1 - c) * k - t * s, (1 - c) * k + t * s],
        [(1 - c) * k + t * s, c + (1 - c) * k, (1 - c) * k - t * s],
        [(1 - c) * k - t * s, (1 - c) * k + t * s, c + (1 - c) * k],
    ])


def colour_jitter(rgb: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """One draw of hue, saturation, brightness and contrast applied to an RGB crop [3, H, W] in [-1, 1]."""
    x = (rgb + 1) * 0.5
    x = torch.einsum('ij,jhw->ihw', hue_matrix(float(rng.uniform(-HUE_DEG, HUE_DEG))), x)
    grey = (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2])[None]
    x = grey + (x - grey) * float(rng.uniform(*SATURATION))
    x = x * float(rng.uniform(*BRIGHTNESS))
    mean = x.mean()
    x = mean + (x - mean) * float(rng.uniform(*CONTRAST))
    return x.clamp(0, 1) * 2 - 1


def window_side(crop: int, rng: np.random.Generator) -> int:
    """Side of the window a varied crop is cut from: crop x a log-uniform scale in SCALE."""
    return int(round(crop * math.exp(rng.uniform(math.log(SCALE[0]), math.log(SCALE[1])))))


def resize_window(window: torch.Tensor, crop: int) -> torch.Tensor:
    """A [C, r, r] window resized to [C, crop, crop]; a height channel (4th) scaled by crop / r with the picture."""
    r = window.shape[-1]
    if r == crop:
        return window
    out = F.interpolate(window[None], size=(crop, crop), mode='bilinear', align_corners=False,
                        antialias=r > crop)[0]
    if out.shape[0] > 3:
        out[3:] = (out[3:] * (crop / r)).clamp(-1, 1)
    return out


def main() -> None:
    """Contact sheet of real crops per family, as the discriminator sees them with and without augmentation."""
    import argparse

    from .sheets import grid, to_uint8
    from .train import MaterialSampler, MaterialSet

    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='training/.cache/surface2.npz')
    ap.add_argument('--crop', type=int, default=40)
    ap.add_argument('--per-row', type=int, default=8, help='crops per half row (plain, then augmented)')
    ap.add_argument('--out', default='training/.cache/sheets/augment.png')
    args = ap.parse_args()
    from pathlib import Path

    from PIL import Image

    data = MaterialSet(args.data)
    rows = []
    for k, name in enumerate(data.families):
        plain, _ = MaterialSampler(data, args.crop, seed=k, only=k)(args.per_row)
        varied = MaterialSampler(data, args.crop, seed=k, only=k, augment=True)
        varied.augment_p = [1.0] * len(data.families)  # every crop varied, to see the spread
        aug, _ = varied(args.per_row)
        rows.append(torch.cat([plain, aug]))
    sheet = grid(to_uint8(torch.cat(rows)), cols=2 * args.per_row)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).resize((sheet.shape[1] * 2, sheet.shape[0] * 2), Image.NEAREST).save(args.out)
    print(json.dumps({'out': args.out, 'families': data.families,
                      'p_varied': {n: round(augment_probability(c), 2) for n, c in data.counts().items()}}))


if __name__ == '__main__':
    main()
