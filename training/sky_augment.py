"""Augmented crops of cloud decks for the `sky` generator (training/sky_data.py builds the decks).

A deck is the cloud plane seen straight up, so the sky has no preferred direction in it: turning the deck about the
zenith by any angle gives another plausible sky, and so does a mirror image. The deck does not tile (it is a window
onto the plane), so a crop is taken only where its rotated, scaled footprint lies wholly inside the deck: no wrap,
no padding, no corner filled with anything but real sky. Clouds also sit at different heights (scale) and are lit
brighter or darker (exposure); the clear-sky colour the app decodes cover from must stay exact, so exposure scales
the clouds' brightness L in the cloud-layer encoding (RGB = alpha * (L, L, L) + (1 - alpha) * CLEAR_RGB, linear light),
never the whole image. The hue of the light is augmented where it matters, before the cloud layer is separated from
the sky (`sky_data.LIGHT_GAINS`: each deck's layer under a few lights, the `variants` of the dataset).

Used by training/train.py for `--model sky` when the dataset has `variants`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

# Linear-light RGB of the clear sky in the training images (sky_data.CLEAR_RGB, repeated here so this module imports
# neither the dataset builder nor OpenCV; test_pipeline checks the two agree).
CLEAR_RGB = (0.10, 0.25, 0.75)


def srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    """sRGB in [0, 1] -> linear light, elementwise."""
    return torch.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: torch.Tensor) -> torch.Tensor:
    """Linear light in [0, 1] -> sRGB in [0, 1], elementwise (clamped)."""
    x = x.clamp(0, 1)
    return torch.where(x <= 0.0031308, 12.92 * x, 1.055 * x.clamp_min(1e-12) ** (1 / 2.4) - 0.055)


def decode_layer(lin: torch.Tensor, clear=CLEAR_RGB) -> tuple[torch.Tensor, torch.Tensor]:
    """Cloud-layer pixels (linear RGB [..., 3, H, W]) -> (cover alpha [..., H, W] in [0, 1], premultiplied brightness
    alpha * L [..., H, W]), as world-gen sky-compose.ts decodes the generator's output."""
    cr, cg, cb = clear
    r, g, b = lin.unbind(-3)
    a = (1 - (b - r) / (cb - cr)).clamp(0, 1)
    al = ((r - (1 - a) * cr) + (g - (1 - a) * cg) + (b - (1 - a) * cb)) / 3
    return a, torch.minimum(al.clamp_min(0), a)


def encode_layer(a: torch.Tensor, al: torch.Tensor, clear=CLEAR_RGB) -> torch.Tensor:
    """(alpha [..., H, W], alpha * L [..., H, W]) -> linear RGB [..., 3, H, W] of the cloud-layer encoding."""
    c = torch.tensor(clear, dtype=a.dtype, device=a.device).view(*([1] * (a.dim() - 2)), 3, 1, 1)
    return al.unsqueeze(-3) + (1 - a.unsqueeze(-3)) * c


# Crop resampling modes (`SkyDeckSampler`'s `resample`, train.py's `--deck-resample`).
RESAMPLE = ('bilinear', 'bicubic')


def max_scale(deck_px: int, crop: int) -> float:
    """The largest scale (deck px per crop px) at which a crop at any angle still fits inside the deck."""
    return deck_px / (crop * math.sqrt(2))


def layer_scale(deck_scale) -> float:
    """Deck px per generated px of a run trained with `deck_scale` (LO, HI; None: the default 0.75-1.33, taken as 1):
    the geometric mean of the log-uniform draw, so the clouds the generator paints are, on average, this many times
    smaller in its pixels than in the decks'."""
    return math.sqrt(deck_scale[0] * deck_scale[1]) if deck_scale else 1.0


def decks_at_scale(images: np.ndarray, scale: float) -> np.ndarray:
    """Decks uint8 [N, S, S, 3] resized to S / `scale` px (antialiased), the scale a `deck_scale` run's crops show the
    clouds at, so the metrics compare samples with real clouds of the same size. Unchanged at scale 1."""
    if scale == 1.0:
        return images
    size = round(images.shape[1] / scale)
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float()
    y = F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False, antialias=True)
    return y.round().clamp(0, 255).byte().permute(0, 2, 3, 1).contiguous().numpy()


class SkyDeckSampler:
    """Random crops of cloud decks in [-1, 1], float [B, 3, crop, crop], with the sky's augmentations.

    Per crop (one numpy draw sequence per sampler, so a seed gives the same batches): a deck, one of its light
    variants, an angle in [0, 2 pi), a scale log-uniform in `scale` (deck px per crop px; capped so a 45-degree
    footprint fits the deck), a centre where the rotated footprint lies inside the deck, a mirror flip, and an
    exposure factor log-uniform in `exposure` on the clouds' brightness. Resampling (align_corners=False) is `resample`:
    'bilinear' or 'bicubic' (Keys, a = -0.75, clamped to the byte range). Bilinear weights at a fractional offset
    average neighbouring pixels, and turned crops land at every offset: they keep ~70% of the decks' Laplacian
    energy, bicubic ~87%. A generator learns the sharpness of the crops it is shown, so bilinear crops soften the
    cloud edges it paints.

    variants: uint8 [N, V, S, S, 3] (sRGB cloud layers, V lights) or [N, S, S, 3] (one light).
    """

    def __init__(self, variants: np.ndarray, crop: int, seed: int, scale: tuple[float, float] = (0.75, 1.33),
                 exposure: tuple[float, float] = (0.7, 1.3), clear=CLEAR_RGB, resample: str = 'bilinear'):
        if resample not in RESAMPLE:
            raise ValueError(f'resample {resample!r}: one of {", ".join(RESAMPLE)}')
        v = variants if variants.ndim == 5 else variants[:, None]
        n, nv, s, s2, _ = v.shape
        if s != s2:
            raise ValueError(f'decks must be square, got {s}x{s2}')
        if max_scale(s, crop) < scale[0]:
            raise ValueError(f'a {crop} px crop at scale {scale[0]} does not fit a {s} px deck at every angle')
        self.decks = torch.from_numpy(np.ascontiguousarray(v)).permute(0, 1, 4, 2, 3).contiguous()  # [N,V,3,S,S]
        self.crop = crop
        self.size = s
        self.scale = (scale[0], min(scale[1], max_scale(s, crop)))
        self.exposure = exposure
        self.clear = clear
        self.resample = resample
        self.rng = np.random.default_rng(seed)

    def params(self, b: int) -> dict[str, np.ndarray]:
        """The random draws of one batch (exposed for tests)."""
        r = self.rng
        n, nv = self.decks.shape[:2]
        deck = r.integers(n, size=b)
        light = r.integers(nv, size=b)
        angle = r.random(b) * 2 * math.pi
        scale = np.exp(r.uniform(math.log(self.scale[0]), math.log(self.scale[1]), size=b))
        # Half the footprint's extent along x and y once rotated, in deck px: the centre keeps it inside.
        half = 0.5 * self.crop * scale * (np.abs(np.cos(angle)) + np.abs(np.sin(angle)))
        room = np.maximum(self.size / 2 - half, 0)
        cx = self.size / 2 + (r.random(b) * 2 - 1) * room
        cy = self.size / 2 + (r.random(b) * 2 - 1) * room
        flip = r.random(b) < 0.5
        exposure = np.exp(r.uniform(math.log(self.exposure[0]), math.log(self.exposure[1]), size=b))
        return {'deck': deck, 'light': light, 'angle': angle, 'scale': scale, 'cx': cx, 'cy': cy, 'flip': flip,
                'exposure': exposure}

    def __call__(self, b: int) -> torch.Tensor:
        p = self.params(b)
        src = self.decks[torch.from_numpy(p['deck']), torch.from_numpy(p['light'])].float() / 255  # [B,3,S,S]
        s, c = self.size, self.crop
        cos, sin = np.cos(p['angle']), np.sin(p['angle'])
        k = p['scale'] * c / s  # crop half-width in normalised deck coordinates is k (deck spans [-1, 1])
        fx = np.where(p['flip'], -1.0, 1.0)
        theta = np.zeros((b, 2, 3))
        theta[:, 0, 0] = k * cos * fx
        theta[:, 0, 1] = -k * sin
        theta[:, 1, 0] = k * sin * fx
        theta[:, 1, 1] = k * cos
        theta[:, 0, 2] = p['cx'] / s * 2 - 1
        theta[:, 1, 2] = p['cy'] / s * 2 - 1
        grid = F.affine_grid(torch.from_numpy(theta).float(), [b, 3, c, c], align_corners=False)
        out = F.grid_sample(src, grid, mode=self.resample, padding_mode='border', align_corners=False)
        if self.resample == 'bicubic':
            out = out.clamp(0, 1)  # the cubic's negative lobes overshoot at hard edges
        # Exposure on the clouds only: decode, scale the brightness (L <= 1 stays), encode again.
        a, al = decode_layer(srgb_to_linear(out), self.clear)
        e = torch.from_numpy(p['exposure']).float().view(b, 1, 1)
        al = torch.minimum(al * e, a)
        return linear_to_srgb(encode_layer(a, al, self.clear)) * 2 - 1
