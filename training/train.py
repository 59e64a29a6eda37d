"""Train a Latentscape generator adversarially (seeded, checkpointed, resumable).

Loss: non-saturating GAN loss, lazy R1 penalty on real images (Mescheder et al. 2018), DiffAugment
(Zhao et al. 2020: colour, translation, cutout) on everything D sees, EMA copy of G for sampling.

CLI: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m training.train --run training/runs/surface --steps 20000
Re-running the same command resumes from <run>/ckpt.pt.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import random
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .common import dataset_manifest_sha256, snapshot_path
from .export import exported_layout, trainable_from_export
from .models import Discriminator, Generator, latent_layout, plan_of_layers, plan_with_noise, recalibrate_bn
from .sheets import save_grid
from .sky_augment import RESAMPLE, SkyDeckSampler, max_scale
from .surface_augment import augment_probability, colour_jitter, resize_window, window_side
from .surface_relief import HEIGHT_PX_PER_UNIT


def diff_augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """DiffAugment 'color,translation,cutout' with one draw per image; differentiable in x. Colour changes touch the
    first three (RGB) channels only: a height channel moves and is cut out with them, but keeps its values."""
    b, _, h, w = x.shape
    r = lambda *s: torch.rand(*s, generator=gen).to(x.device)  # noqa: E731
    rest = x[:, 3:]
    x = x[:, :3]
    x = x + (r(b, 1, 1, 1) - 0.5) * 0.5  # brightness
    m = x.mean(dim=1, keepdim=True)
    x = (x - m) * (r(b, 1, 1, 1) * 2) + m  # saturation
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - m) * (r(b, 1, 1, 1) + 0.5) + m  # contrast
    if rest.shape[1]:
        x = torch.cat([x, rest], dim=1)
    # translation by up to 1/8 with zero fill
    sh, sw = h // 8, w // 8
    ty = torch.randint(-sh, sh + 1, (b,), generator=gen)
    tx = torch.randint(-sw, sw + 1, (b,), generator=gen)
    padded = F.pad(x, (sw, sw, sh, sh))
    # One gather for the whole batch (a slice per image and a stack cost a copy each, and as many again backward).
    rows = (sh + ty)[:, None] + torch.arange(h)[None, :]
    cols = (sw + tx)[:, None] + torch.arange(w)[None, :]
    idx = torch.arange(b)[:, None, None]
    x = padded.permute(0, 2, 3, 1)[idx, rows[:, :, None].to(x.device), cols[:, None, :].to(x.device)].permute(0, 3, 1, 2)
    # cutout of half size
    ch, cw = h // 2, w // 2
    cy = torch.randint(0, h, (b,), generator=gen)
    cx = torch.randint(0, w, (b,), generator=gen)
    yy = torch.arange(h)[None, :, None]
    xx = torch.arange(w)[None, None, :]
    mask = ((yy - cy[:, None, None]).abs() >= ch // 2) | ((xx - cx[:, None, None]).abs() >= cw // 2)
    return x * mask[:, None].to(x.device, x.dtype)


class CropSampler:
    """Random crops with flips and 90-degree rotations, in [-1, 1]: wrapping around tileable images (surface), inside
    the image for images that do not tile (sky: cloud decks)."""

    def __init__(self, images: np.ndarray, crop: int, seed: int, wrap: bool = True):
        self.images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()  # uint8 [N,3,S,S]
        self.crop = crop
        self.wrap = wrap
        self.rng = np.random.default_rng(seed)

    def __call__(self, b: int) -> torch.Tensor:
        n, _, s, _ = self.images.shape
        out = torch.empty(b, 3, self.crop, self.crop, dtype=torch.uint8)
        for i in range(b):
            img = self.images[self.rng.integers(n)]
            y, x = self.rng.integers(s if self.wrap else s - self.crop + 1, size=2)
            rows = torch.arange(y, y + self.crop) % s
            cols = torch.arange(x, x + self.crop) % s
            c = img[:, rows][:, :, cols]
            if self.rng.random() < 0.5:
                c = c.flip(2)
            c = torch.rot90(c, int(self.rng.integers(4)), dims=(1, 2))
            out[i] = c
        return out.float() / 127.5 - 1.0


# Families whose orientation means something in the world (brick courses and ashlar run horizontally on a wall,
# plank and panel seams follow the texture's axes): no 90-degree rotations for them, only mirror flips.
ORIENTED_FAMILIES = {'brick', 'stone_blocks', 'wood_planks', 'metal'}


class MaterialSet:
    """The family-labelled material dataset (training/surface_data.py): images of varied sizes at the training
    scale, each with a family index, a near-duplicate group, a split and whether it tiles."""

    def __init__(self, path: str | Path, split: int = 0, relief: str | Path | None = None):
        data = np.load(path)
        manifest = json.loads(Path(path).with_suffix('.manifest.json').read_text())
        self.families: list[str] = list(manifest['families'])
        keep = np.flatnonzero(data['split'] == split)
        pixels = data['pixels']
        self.images = []
        for i in keep:
            h, w = (int(v) for v in data['shapes'][i])
            o = int(data['offsets'][i])
            self.images.append(torch.from_numpy(pixels[o : o + h * w * 3].reshape(h, w, 3)).permute(2, 0, 1))
        self.family = data['family'][keep].astype(np.int64)
        self.tiles = data['tiles'][keep].astype(bool)
        self.group = data['group'][keep]
        # Paired height maps (training/surface_relief.py), in the generator's units; images without one keep a zero
        # map and has_height False, and only images with one are shown to the relief discriminator.
        self.height: list[torch.Tensor] | None = None
        self.has_height = np.zeros(len(keep), bool)
        if relief is not None:
            rz = np.load(relief)
            flat, has = rz['height'], rz['has_height']
            if len(has) != len(data['split']):
                raise SystemExit(f'{relief} has {len(has)} images, {path} has {len(data["split"])}: rebuild it')
            self.height = []
            for i in keep:
                h, w = (int(v) for v in data['shapes'][i])
                o = int(data['offsets'][i]) // 3
                hm = flat[o : o + h * w].astype(np.float32).reshape(1, h, w) / HEIGHT_PX_PER_UNIT
                self.height.append(torch.from_numpy(np.clip(hm, -1.0, 1.0)))
            self.has_height = has[keep].astype(bool)

    def __len__(self) -> int:
        return len(self.images)

    def counts(self) -> dict[str, int]:
        return {name: int((self.family == k).sum()) for k, name in enumerate(self.families)}


class MaterialSampler:
    """Class-balanced random crops from a MaterialSet, in [-1, 1], with their family indices.

    Every family is drawn equally often (brick has ~20 sources, metal ~200: unbalanced sampling would teach metal).
    Crops wrap around images that tile and stay inside those that do not; an image smaller than the crop in a
    direction is wrapped there (only tileable images can be). With `augment`, crops are varied in colour and size
    (training/surface_augment.py), the more often the thinner their family."""

    def __init__(self, data: MaterialSet, crop: int, seed: int, only: int | None = None,
                 weights: dict[str, float] | None = None, with_height: bool = False, augment: bool = False):
        self.data = data
        self.crop = crop
        self.rng = np.random.default_rng(seed)
        counts = np.bincount(data.family, minlength=len(data.families))
        self.augment_p = [augment_probability(int(n)) if augment else 0.0 for n in counts]
        # with_height: RGB + height crops, drawn only from images that have a height map
        self.with_height = with_height
        ok = data.has_height if with_height else np.ones(len(data.family), bool)
        # An image that does not tile and is smaller than the crop could only give crops wrapped across its edges,
        # a seam it does not have: it sits out (unless its family has nothing else).
        fits = np.array([bool(t) or min(img.shape[1:]) >= crop for img, t in zip(data.images, data.tiles)])
        self.by_family = []
        for k in range(len(data.families)):
            idx = np.flatnonzero((data.family == k) & ok)
            self.by_family.append(idx[fits[idx]] if fits[idx].any() else idx)
        self.present = [k for k, idx in enumerate(self.by_family) if len(idx) and (only is None or k == only)]
        if not self.present:
            raise ValueError(f'no images of family {only}')
        self.no_rot = {k for k, name in enumerate(data.families) if name in ORIENTED_FAMILIES}
        # Relative draw weight per present family (1 unless given): a family that collapsed to one look gets its
        # discriminator more examples than the rest.
        w = np.array([(weights or {}).get(data.families[k], 1.0) for k in self.present], dtype=np.float64)
        self.p = w / w.sum()

    def __call__(self, b: int) -> tuple[torch.Tensor, torch.Tensor]:
        out = torch.empty(b, 4 if self.with_height else 3, self.crop, self.crop)
        fams = torch.empty(b, dtype=torch.long)
        for i in range(b):
            k = self.present[int(self.rng.choice(len(self.present), p=self.p))]
            j = int(self.rng.choice(self.by_family[k]))
            img = self.data.images[j].float() / 127.5 - 1.0
            if self.with_height:
                img = torch.cat([img, self.data.height[j]])
            _, h, w = img.shape
            # The RNG is drawn from only when augmenting, so runs without it (and their resumes) are unchanged.
            varied = self.augment_p[k] > 0 and self.rng.random() < self.augment_p[k]
            side = window_side(self.crop, self.rng) if varied else self.crop
            if varied and not self.data.tiles[j]:
                side = min(side, h, w)  # a window inside an image that does not tile
            wrap = bool(self.data.tiles[j]) or h < side or w < side
            y = int(self.rng.integers(h if wrap else h - side + 1))
            x = int(self.rng.integers(w if wrap else w - side + 1))
            c = img[:, torch.arange(y, y + side) % h][:, :, torch.arange(x, x + side) % w]
            if varied:
                c = resize_window(c, self.crop)
                c[:3] = colour_jitter(c[:3], self.rng)
            if self.rng.random() < 0.5:
                c = c.flip(2)
            if k not in self.no_rot:
                c = torch.rot90(c, int(self.rng.integers(4)), dims=(1, 2))
            out[i] = c
            fams[i] = k
        return out, fams


class BatchStream(torch.utils.data.IterableDataset):
    """Endless training batches from one worker process: its own samplers, seeded by the worker's index."""

    def __init__(self, build, seed: int, batch: int, relief_batch: int):
        super().__init__()
        self.build, self.seed, self.batch, self.relief_batch = build, seed, batch, relief_batch

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid = info.id if info is not None else 0
        torch.set_num_threads(1)  # one core per worker: the crops are many small tensor operations
        yield from draw_batches(*self.build(self.seed + 1009 * (wid + 1)), self.batch, self.relief_batch)


def draw_batches(sampler, relief_sampler, batch: int, relief_batch: int):
    """(colour crops, their families, relief crops, their families) per step; the relief pair is None without one."""
    while True:
        real, fams = sampler(batch)
        real_h, fams_h = relief_sampler(relief_batch) if relief_sampler is not None else (None, None)
        yield real, fams, real_h, fams_h


def batch_source(samplers, build, seed: int, batch: int, relief_batch: int, workers: int, pin: bool = False):
    """The run's batches: from `samplers` here when workers is 0 (each sampler has its own RNG, so drawing the
    relief crops before the colour step changes nothing), else from `build` in that many forked worker processes,
    a few batches ahead of the step."""
    if workers <= 0:
        return draw_batches(*samplers, batch, relief_batch)
    loader = torch.utils.data.DataLoader(BatchStream(build, seed, batch, relief_batch), batch_size=None,
                                         num_workers=workers, pin_memory=pin, prefetch_factor=4,
                                         persistent_workers=True, multiprocessing_context='fork')
    return iter(loader)


def d_step(G, D, opt_d, real: torch.Tensor, fams: torch.Tensor | None, aug_gen: torch.Generator, cells, *,
           r1_gamma: float, r1_every: int, step: int, amp=contextlib.nullcontext) -> dict:
    """One discriminator update: non-saturating loss on augmented real vs generated crops (same families), plus
    the lazy R1 penalty every `r1_every` steps. Returns the losses and mean logits. D sees as many of G's output
    channels as `real` has (RGB for the colour discriminator, RGB + height for the relief one). `amp`: the
    context the forward passes run in (bfloat16 autocast with --bf16); the R1 penalty is always float32."""
    b, device = real.shape[0], real.device
    real_aug = diff_augment(real, aug_gen)
    with amp():
        with torch.no_grad():
            fake = G(G.sample_field(b, *cells, device=device, families=fams))[:, : real.shape[1]].float()
        lr_ = D(real_aug, fams).float()
        lf_ = D(diff_augment(fake, aug_gen), fams).float()
    loss_d = F.softplus(lf_).mean() + F.softplus(-lr_).mean()
    r1 = torch.zeros(())
    if r1_gamma > 0 and step % r1_every == 0:
        real_r1 = real_aug.detach().requires_grad_(True)
        out = D(real_r1, fams)
        (grad,) = torch.autograd.grad(out.sum(), real_r1, create_graph=True)
        r1 = grad.pow(2).sum(dim=(1, 2, 3)).mean()
        loss_d = loss_d + 0.5 * r1_gamma * r1_every * r1
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    return {'loss_d': loss_d.item(), 'r1': float(r1), 'real_logit': lr_.mean().item(), 'fake_logit': lf_.mean().item()}


def g_step(G, D, opt_g, b: int, fams: torch.Tensor | None, aug_gen: torch.Generator, cells, device, *,
           freeze_noise: bool = False, relief=None, amp=contextlib.nullcontext) -> dict:
    """One generator update (non-saturating loss). `freeze_noise` keeps the per-pixel noise strengths where they
    are (zero at the start), so layout forms before grain can satisfy the discriminator. `relief` = (D_h, families,
    weight): a second batch for those families is judged, colour and height together, by the relief discriminator
    (only families with height data are drawn there, so the height loss is masked, not invented, elsewhere)."""
    with amp():
        fake = G(G.sample_field(b, *cells, device=device, families=fams)).float()
        loss_g = F.softplus(-D(diff_augment(fake[:, :3], aug_gen), fams).float()).mean()
    out = {}
    if relief is not None:
        D_h, fams_h, weight = relief
        with amp():
            fake_h = G(G.sample_field(len(fams_h), *cells, device=device, families=fams_h)).float()
            loss_h = F.softplus(-D_h(diff_augment(fake_h, aug_gen), fams_h).float()).mean()
        out['loss_g_relief'] = loss_h.item()
        loss_g = loss_g + weight * loss_h
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    if freeze_noise:
        for blk in G.blocks:
            if blk.noise_weight is not None:
                blk.noise_weight.grad = None
    opt_g.step()
    return {'loss_g': loss_g.item(), **out}


def ema_update(G_ema, G, decay: float) -> None:
    with torch.no_grad():
        for pe, p in zip(G_ema.parameters(), G.parameters()):
            pe.lerp_(p, 1 - decay)
        for be, b in zip(G_ema.buffers(), G.buffers()):
            be.copy_(b)


# The settings each model's shipped weights were trained with. surface: 40 px crops (5x5 cells of 8 px) hold two
# periods of the largest structure at the training scale; per-pixel noise is held at zero until layout has formed.
# R1 gamma 0.1: with gamma 1 the discriminator sat at chance (loss ~1.3) and let the generator settle on smooth
# blobs in every family; the shipped run used 1 for its first 2,000 steps, then 0.1. sky: noise enters only at
# 2x and 4x the latent resolution (blocks 2 and 3, one value per 8 and 4 px). With noise at all four upsampling
# scales the generator made its cloud texture out of the per-pixel noise (salt-and-pepper grain in every cloud);
# with none at all it painted smooth blobs with dark rims; noise at the coarse scales gives lumpy cloud texture
# that the later convolutions shape, with no grain.
MODEL_DEFAULTS = {
    'surface': {'batch': 32, 'crop': 40, 'r1': 0.1, 'noise_from': 3000},
    'sky': {'batch': 16, 'crop': 64, 'r1': 0.1, 'noise_from': 0, 'snapshot_every': 500, 'noise_layers': [2, 3]},
}


def kept_on_resume(given, kept, flag: str, why: str = ''):
    """A resumed run's own setting of an option it cannot change mid-run: `kept`, or exit if `given` differs."""
    if given is not None and given != kept:
        raise SystemExit(f'{flag} {given}: the run was started with {kept or "the default"}{why}')
    return kept


def git_commit() -> str:
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return 'unknown'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='surface', choices=['surface', 'sky'])
    ap.add_argument('--data', default=None, help='default training/.cache/surface2.npz (surface), sky.npz (sky)')
    ap.add_argument('--run', default=None, help='default training/runs/<model>')
    ap.add_argument('--layout', default=None, help='a latent-layout JSON to train against (default world-gen/latent-layout.json)')
    ap.add_argument('--steps', type=int, default=20000, help='total steps (resume continues to this)')
    ap.add_argument('--batch', type=int, default=None, help='default: per model (MODEL_DEFAULTS)')
    ap.add_argument('--crop', type=int, default=None, help='square crop px, a multiple of the layout cellPx; default per model')
    ap.add_argument('--lr', type=float, default=2e-4)
    ap.add_argument('--lr-g', type=float, default=None,
                    help="the generator's learning rate when not --lr: lower to fine-tune weights that are already good "
                         '(a new discriminator is uninformative at first, and Adam turns its noisy gradients into '
                         'full-size steps)')
    ap.add_argument('--r1', type=float, default=None, help='R1 gamma; default per model')
    ap.add_argument('--r1-every', type=int, default=4)
    ap.add_argument('--ema', type=float, default=0.999)
    ap.add_argument('--noise-layers', type=lambda v: [int(i) for i in v.split(',') if i != ''], default=None,
                    help="plan blocks (0-based, comma-separated) that take per-pixel noise; '' for none; default per "
                         "model (MODEL_DEFAULTS; surface: as its plan says)")
    ap.add_argument('--noise-from', type=int, default=None, help='per-pixel noise strengths stay at zero until this step')
    ap.add_argument('--sample-every', type=int, default=500)
    ap.add_argument('--ckpt-every', type=int, default=250)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--family-weights', type=lambda v: {k: float(x) for k, x in (p.split('=') for p in v.split(','))},
                    default=None, help='relative crop draws per family, e.g. brick=3,floor_tiles=2 (default: equal)')
    ap.add_argument('--augment', action='store_true',
                    help='vary real surface crops in colour and size, the more often the thinner their family '
                         '(training/surface_augment.py): against memorising families with few images')
    ap.add_argument('--relief', default=None,
                    help='paired height maps (training/surface_relief.py): train a 4-channel RGB + height generator')
    ap.add_argument('--relief-batch', type=int, default=16, help='crops per step for the relief discriminator')
    ap.add_argument('--relief-weight', type=float, default=1.0, help="weight of the relief loss in G's loss")
    ap.add_argument('--init-from', default=None,
                    help="start a new run from another run's checkpoint (e.g. a 3-channel one: its colour output "
                         'is kept, the height output starts near zero; the colour discriminator is kept too)')
    ap.add_argument('--init-from-export', default=None, metavar='MODEL_DIR',
                    help='start a new run from exported weights (e.g. public/models/surface) when the run that made '
                         'them is gone: the generator is rebuilt from the folded layers (export.trainable_from_export), '
                         'the discriminators start afresh (see --d-warmup) and steps count on from the exported step')
    ap.add_argument('--d-warmup', type=int, default=0,
                    help='with --init-from-export: train only the new discriminators this many steps first (the '
                         'generator held), so its first gradients come from a critic that already knows the data')
    ap.add_argument('--family-bias', action='store_true',
                    help='surface: every layer takes the family vector as a per-channel offset (models.family_bias_layer); '
                         'with --init-from, grown from a net without it (the offsets start at zero)')
    ap.add_argument('--bf16', action='store_true',
                    help='forward passes in bfloat16 autocast, nets and crops channels-last (weights, optimiser '
                         'state, losses and the R1 penalty stay float32): on a CPU with AMX (Sapphire Rapids and '
                         'later) about 3x the steps per second')
    ap.add_argument('--loader-workers', type=int, default=0,
                    help='draw crops in this many worker processes, ahead of the training step (on a GPU the '
                         "crops, drawn one by one in Python, take as long as the step itself); 0: in this process, "
                         'the same batches on every run and resume. Workers draw other (still seeded) batches')
    ap.add_argument('--d-channels', type=lambda v: [int(c) for c in v.split(',')], default=None,
                    help='channels of the colour discriminator, one stride-2 4x4 layer each (default 64,128,256,384): '
                         'a fifth layer doubles what one of its outputs sees (about 78 -> 158 px), for structure larger '
                         'than that, such as whole clouds on 128 px crops; kept on resume')
    ap.add_argument('--deck-resample', choices=RESAMPLE, default=None,
                    help='sky: how turned and scaled deck crops are resampled (default bilinear); bicubic keeps more '
                         'of the clouds\' edges (training/sky_augment.py); kept on resume')
    ap.add_argument('--deck-scale', type=lambda v: [float(x) for x in v.split(',')], default=None, metavar='LO,HI',
                    help='sky: deck px per crop px, drawn log-uniform (default 0.75,1.33). Above 1 the crops take in '
                         'more sky than they have pixels: the generator learns clouds smaller in its pixels, and the '
                         'export lays them out at PX_PER_UNIT / sqrt(LO x HI) px per unit; kept on resume')
    ap.add_argument('--max-minutes', type=float, default=0, help='stop (with a checkpoint) after this long')
    ap.add_argument('--snapshot-every', type=int, default=None,
                    help='keep a slim EMA snapshot every N steps in <run>/snapshots (default per model: sky 500)')
    args = ap.parse_args()
    given = {key for key in MODEL_DEFAULTS[args.model] if getattr(args, key) is not None}
    for key, value in MODEL_DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.data = args.data or f"training/.cache/{'surface2' if args.model == 'surface' else args.model}.npz"
    args.run = args.run or f'training/runs/{args.model}'

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cudnn.benchmark = device == 'cuda'

    run = Path(args.run)
    (run / 'samples').mkdir(parents=True, exist_ok=True)
    ckpt_path = run / 'ckpt.pt'
    ck = torch.load(ckpt_path, map_location=device, weights_only=False) if ckpt_path.exists() else None
    if ck is not None:
        layout = ck['config']['layout']
    elif args.layout:
        layout = json.loads(Path(args.layout).read_text())[args.model]
    else:
        layout = latent_layout(args.model)
    manifest_hash = dataset_manifest_sha256(args.data)
    conditioned = 'pixels' in np.load(args.data).files
    if ck is not None:
        # A run resumes as it started: a relief run as one, with the architecture and conditioning it began with,
        # and with the crop and batch it ran with unless given again (a 64 px run resumed without --crop must not
        # drop back to the default).
        if ck['config'].get('relief') and not args.relief:
            args.relief = ck['config']['relief']
        for key in ('crop', 'batch'):
            if key not in given and key in ck['config']:
                setattr(args, key, ck['config'][key])
        args.family_bias = bool(ck['config'].get('family_bias'))
        args.d_channels = kept_on_resume(args.d_channels, ck['config'].get('d_channels'), '--d-channels',
                                         '; a checkpoint loads only into the discriminator it was saved from')
        # Runs from before the option resampled bilinearly; changing it mid-run would change the data under the critic.
        args.deck_resample = kept_on_resume(args.deck_resample, ck['config'].get('deck_resample') or 'bilinear',
                                            '--deck-resample')
        args.deck_scale = kept_on_resume(args.deck_scale, ck['config'].get('deck_scale'), '--deck-scale')
        args.init_from_export = ck['config'].get('init_from_export')  # where the run began, kept on resume
    args.deck_resample = args.deck_resample or 'bilinear'
    if args.d_warmup and not args.init_from_export:
        raise SystemExit('--d-warmup warms up the new discriminators of a run started with --init-from-export')
    exported = None
    if ck is None and args.init_from_export:
        if args.init_from:
            raise SystemExit('--init-from and --init-from-export: give one')
        exported = json.loads((Path(args.init_from_export) / 'model.json').read_text())['latentscape']
        if exported['model'] != args.model:
            raise SystemExit(f"--init-from-export {args.init_from_export}: a {exported['model']} model, not {args.model}")
        if exported['layers'][-1]['out'] == 4 and not args.relief:
            raise SystemExit(f'--init-from-export {args.init_from_export}: it paints colour + height: pass --relief')
        if exported_layout(exported) != layout:
            raise SystemExit(f'--init-from-export {args.init_from_export}: its latent layout {exported["latent"]} is '
                             f'not the one training uses ({layout})')
        args.family_bias = any(a.get('familyBias') for a in exported['layers'])
    if conditioned:
        data = MaterialSet(args.data, relief=args.relief)
        families, n_train = data.families, len(data)
    else:
        npz = np.load(args.data)
        images = npz['images'][npz['train']]
        families, n_train = [], len(images)
        if args.deck_scale and args.model == 'sky' and 'variants' in npz.files:
            lo, hi = args.deck_scale
            top = max_scale(npz['variants'].shape[-2], args.crop)
            if not 0 < lo <= hi <= top:
                raise SystemExit(f'--deck-scale {lo},{hi}: need 0 < LO <= HI <= {top:.3f}, the largest scale at which '
                                 f'a {args.crop} px crop fits these decks at any angle')
    if args.crop % layout['cellPx']:
        raise SystemExit(f"--crop {args.crop} is not a multiple of the layout's cellPx {layout['cellPx']}")
    cells = (args.crop // layout['cellPx'], args.crop // layout['cellPx'])

    if args.relief and not conditioned:
        raise SystemExit('--relief needs the family-labelled surface dataset')
    if ck is not None:
        plan = ck['config'].get('plan')
    elif exported is not None:
        plan = plan_of_layers(exported['layers'])
        names = (exported.get('families') or {}).get('names', [])
        if names != families:
            raise SystemExit(f'--init-from-export {args.init_from_export}: families {names}, the data has {families}')
    else:
        plan = plan_with_noise(args.model, args.noise_layers) if args.noise_layers is not None else None
    G = Generator(args.model, plan=plan, n_families=len(families), layout=layout,
                  out_ch=4 if args.relief else 3, family_bias=args.family_bias).to(device)
    d_kw = {'channels': tuple(args.d_channels)} if args.d_channels else {}
    D = Discriminator(n_classes=len(families) if G.family_dim else 0, **d_kw).to(device)
    # The relief discriminator judges colour and height together (so relief must fit the picture), on families
    # with height data only; it is smaller than the colour one, which still judges every crop's colour.
    D_h = (Discriminator(channels=(32, 64, 128, 192), in_ch=4, n_classes=len(families), height_gain=4.0).to(device)
           if args.relief else None)
    if args.bf16:
        # oneDNN's bfloat16 convolutions (AMX tiles where the CPU has them) want NHWC: in NCHW they reorder every
        # tensor on the way in and out and lose most of the gain.
        for net in (G, D, D_h):
            if net is not None:
                net.to(memory_format=torch.channels_last)
    amp = ((lambda: torch.autocast(device_type=device, dtype=torch.bfloat16)) if args.bf16
           else contextlib.nullcontext)
    G_ema = copy.deepcopy(G).eval()
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr_g or args.lr, betas=(0.5, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.99))
    opt_dh = torch.optim.Adam(D_h.parameters(), lr=args.lr, betas=(0.5, 0.99)) if D_h is not None else None
    step = 0
    aug_gen = torch.Generator().manual_seed(args.seed + 1)
    if ck is not None:
        G.load_state_dict(ck['G'])
        D.load_state_dict(ck['D'])
        G_ema.load_state_dict(ck['G_ema'])
        opt_g.load_state_dict(ck['opt_g'])
        opt_d.load_state_dict(ck['opt_d'])
        if D_h is not None:
            D_h.load_state_dict(ck['D_h'])
            opt_dh.load_state_dict(ck['opt_dh'])
        step = ck['step']
        torch.set_rng_state(ck['torch_rng'].cpu())
        aug_gen.set_state(ck['aug_rng'].cpu())
        print(f'resumed at step {step}', flush=True)
    elif args.init_from:
        src = torch.load(args.init_from, map_location=device, weights_only=False)
        grown_rgb = False
        for net, key in ((G, 'G'), (G_ema, 'G_ema')):
            sd_ = dict(src[key])
            for name in ('to_rgb.weight', 'to_rgb.bias'):
                w_old, w_new = sd_[name], net.state_dict()[name]
                if w_old.shape[0] > w_new.shape[0]:
                    raise SystemExit(f'--init-from {args.init_from}: it paints {w_old.shape[0]} channels (colour + '
                                     f'height): pass --relief to grow it')
                if w_old.shape != w_new.shape:  # a colour-only net: keep its colour rows, start height small
                    grown = w_new.clone() * 0.1
                    grown[: w_old.shape[0]] = w_old
                    sd_[name] = grown
                    grown_rgb = True
            missing, unexpected = net.load_state_dict(sd_, strict=False)
            # Only the family offsets may be new (they start at zero: the grown net paints what the source did).
            if unexpected or any('family_bias' not in name for name in missing):
                raise SystemExit(f'--init-from {args.init_from}: a different generator (missing {missing}, '
                                 f'unexpected {unexpected})')
        if not grown_rgb:
            # Adam's moments carry over for the parameters both nets have (new family offsets start without). The
            # source's optimiser state is indexed by its parameter order, which is the grown net's less the new
            # offsets; a shape that disagrees means that order changed, and the moments would land on the wrong
            # tensors, so the grown net starts Adam afresh instead.
            params = dict(G.named_parameters())
            names = list(params)
            old = [name for name in names if name not in missing]
            st = src['opt_g']
            state = {names.index(name): st['state'][i] for i, name in enumerate(old) if i in st['state']}
            if any(s['exp_avg'].shape != params[names[j]].shape for j, s in state.items()):
                print(f'--init-from {args.init_from}: optimiser state does not line up with the parameters; '
                      f'Adam starts afresh', flush=True)
                state = {}
            opt_g.load_state_dict({'state': state,
                                   'param_groups': [{**st['param_groups'][0], 'params': list(range(len(names)))}]})
        D.load_state_dict(src['D'])
        opt_d.load_state_dict(src['opt_d'])
        if D_h is not None and 'D_h' in src:
            D_h.load_state_dict(src['D_h'])
            opt_dh.load_state_dict(src['opt_dh'])
        step = src['step']
        print(f'initialised from {args.init_from} (step {step})', flush=True)
    elif exported is not None:
        rebuilt = trainable_from_export(Path(args.init_from_export), cells).state_dict()
        G.load_state_dict(rebuilt)
        G_ema.load_state_dict(rebuilt)
        step = int(exported['training']['steps'])
        args.init_from_export = {'dir': str(args.init_from_export), 'version': exported['version'], 'step': step}
        print(f"initialised from the exported {exported['version']} (step {step}); new discriminators", flush=True)

    def build_samplers(seed: int):
        """The crop samplers of this run, seeded (the relief one, when there is one, 7 further on)."""
        if conditioned:
            colour = MaterialSampler(data, args.crop, seed, weights=args.family_weights, augment=args.augment)
            relief = (MaterialSampler(data, args.crop, seed + 7, weights=args.family_weights, with_height=True,
                                      augment=args.augment) if args.relief else None)
            return colour, relief
        if args.model == 'sky' and 'variants' in npz.files:
            # Cloud decks: rotation about the zenith by any angle, scale, exposure and light (training/sky_augment.py).
            deck_sampler = SkyDeckSampler(npz['variants'][npz['train']], args.crop, seed, resample=args.deck_resample,
                                          **({'scale': tuple(args.deck_scale)} if args.deck_scale else {}))
            return (lambda b: (deck_sampler(b), None)), None
        plain = CropSampler(images, args.crop, seed, wrap=args.model != 'sky')
        return (lambda b: (plain(b), None)), None

    sampler, relief_sampler = build_samplers(args.seed + step)
    batches = batch_source((sampler, relief_sampler), build_samplers, args.seed + step, args.batch, args.relief_batch,
                           args.loader_workers, pin=device == 'cuda')

    config = {**vars(args), 'device': device, 'git_commit': git_commit(), 'manifest_sha256': manifest_hash,
              'gpu': torch.cuda.get_device_name() if device == 'cuda' else None,
              'train_images': int(n_train), 'cells': list(cells), 'layout': layout,
              'plan': [list(entry) for entry in G.plan], 'families': families,
              'family_counts': data.counts() if conditioned else None, 'out_ch': G.out_ch,
              'height_px_per_unit': HEIGHT_PX_PER_UNIT if args.relief else None,
              'families_with_height': ([families[k] for k in relief_sampler.present] if args.relief else None),
              'g_params': sum(p.numel() for p in G.parameters()),
              'd_params': sum(p.numel() for p in D.parameters())}
    (run / 'config.json').write_text(json.dumps(config, indent=1))
    log = open(run / 'log.jsonl', 'a')
    # One row of eight per family: the sheet shows at once which families have learned their structure.
    fixed_fams = torch.arange(len(families)).repeat_interleave(8) if families else None
    fixed_cells = (8, 8) if families else (4, 4)

    def fixed_field(net: Generator) -> torch.Tensor:
        """The same latents at every sample step, with the net's current family vectors."""
        n = len(fixed_fams) if fixed_fams is not None else 16
        return net.sample_field(n, *fixed_cells, torch.Generator().manual_seed(1234), device, families=fixed_fams)

    def save() -> None:
        tmp = ckpt_path.with_suffix('.tmp')
        extra = {'D_h': D_h.state_dict(), 'opt_dh': opt_dh.state_dict()} if D_h is not None else {}
        torch.save({'G': G.state_dict(), 'D': D.state_dict(), 'G_ema': G_ema.state_dict(),
                    'opt_g': opt_g.state_dict(), 'opt_d': opt_d.state_dict(), 'step': step,
                    'torch_rng': torch.get_rng_state(), 'aug_rng': aug_gen.get_state(), 'config': config, **extra},
                   tmp)
        os.replace(tmp, ckpt_path)

    def discriminator_steps(at: int):
        """One batch of real crops and a step of each discriminator on it (`at`: the step number R1 counts by); the
        losses and the batch's families (colour, relief)."""
        real, fams, real_h, fams_h = next(batches)
        real = real.to(device, non_blocking=True)
        fams = fams.to(device, non_blocking=True) if fams is not None else None
        if args.bf16:
            real = real.contiguous(memory_format=torch.channels_last)
        d = d_step(G, D, opt_d, real, fams, aug_gen, cells, r1_gamma=args.r1, r1_every=args.r1_every, step=at, amp=amp)
        dh = None
        if relief_sampler is not None:
            real_h, fams_h = real_h.to(device, non_blocking=True), fams_h.to(device, non_blocking=True)
            if args.bf16:
                real_h = real_h.contiguous(memory_format=torch.channels_last)
            dh = d_step(G, D_h, opt_dh, real_h, fams_h, aug_gen, cells, r1_gamma=args.r1, r1_every=args.r1_every,
                        step=at, amp=amp)
        return d, dh, fams, fams_h

    if exported is not None and args.d_warmup:
        # The generator is held while the new discriminators learn the data against what it paints now: otherwise
        # its first steps would follow an untrained critic away from the exported weights.
        t_warm = time.time()
        for i in range(args.d_warmup):
            d, dh, _, _ = discriminator_steps(i)
            rec = {'d_warmup': i + 1, 'loss_d': round(d['loss_d'], 4), 'real_logit': round(d['real_logit'], 3),
                   'fake_logit': round(d['fake_logit'], 3)}
            if dh is not None:
                rec.update(loss_dh=round(dh['loss_d'], 4))
            if (i + 1) % 50 == 0 or i + 1 == args.d_warmup:
                print(json.dumps({**rec, 'elapsed_s': round(time.time() - t_warm, 1)}), flush=True)
        save()

    t0 = time.time()
    t_last = t0
    while step < args.steps:
        d, dh, fams, fams_h = discriminator_steps(step)
        relief = (D_h, fams_h, args.relief_weight) if dh is not None else None
        g = g_step(G, D, opt_g, args.batch, fams, aug_gen, cells, device, freeze_noise=step < args.noise_from,
                   relief=relief, amp=amp)
        ema_update(G_ema, G, args.ema)
        step += 1

        if step % 50 == 0:
            now = time.time()
            rec = {'step': step, 'loss_d': round(d['loss_d'], 4), 'loss_g': round(g['loss_g'], 4),
                   'r1': round(d['r1'], 5), 'real_logit': round(d['real_logit'], 3),
                   'fake_logit': round(d['fake_logit'], 3), 's_per_step': round((now - t_last) / 50, 3),
                   'elapsed_s': round(now - t0, 1)}
            if relief is not None:
                rec.update(loss_dh=round(dh['loss_d'], 4), loss_g_relief=round(g['loss_g_relief'], 4),
                           real_logit_h=round(dh['real_logit'], 3), fake_logit_h=round(dh['fake_logit'], 3))
            t_last = now
            log.write(json.dumps(rec) + '\n')
            log.flush()
            print(json.dumps(rec), flush=True)
        if step % args.ckpt_every == 0 or step == args.steps:
            save()
        if args.snapshot_every and step % args.snapshot_every == 0:
            # Slim EMA snapshots, so the checkpoint can be chosen afterwards by training/sky_select.py (by the
            # leave-one-out nearest-neighbour ratio) instead of being whatever the last step left.
            (run / 'snapshots').mkdir(exist_ok=True)
            torch.save({'G_ema': G_ema.state_dict(), 'step': step, 'config': config}, snapshot_path(run, step))
        if step % args.sample_every == 0 or step == args.steps:
            snap = copy.deepcopy(G_ema)
            recalibrate_bn(snap, cells, batches=8, batch=32)
            with torch.no_grad():
                imgs = snap.eval()(fixed_field(snap)).cpu()
            save_grid(imgs[:, :3], run / 'samples' / f'step_{step:06d}.png', cols=8, tile=True)
            if imgs.shape[1] > 3:  # the height channel as grey, same layout
                save_grid(imgs[:, 3:].repeat(1, 3, 1, 1), run / 'samples' / f'height_{step:06d}.png', cols=8, tile=True)
            # The raw generator too: the EMA lags behind it early in a run (BatchNorm statistics are recomputed
            # for the EMA weights, but the weights themselves average over the last ~1/(1-decay) steps).
            with torch.no_grad():
                was = G.training
                imgs = G.eval()(fixed_field(G)).cpu()
                G.train(was)
            save_grid(imgs[:, :3], run / 'samples' / f'raw_{step:06d}.png', cols=8, tile=True)
        if args.max_minutes and (time.time() - t0) > args.max_minutes * 60:
            save()
            print(f'stopping at step {step} after --max-minutes', flush=True)
            break


if __name__ == '__main__':
    main()
