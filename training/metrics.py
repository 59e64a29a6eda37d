"""Metrics for a trained generator; every figure printed is also written as JSON.

- Sliced Wasserstein distance on Laplacian-pyramid patches (Karras et al. 2018, "Progressive Growing
  of GANs", section 5 / their sliced_wasserstein.py): 7x7 patches, per-channel normalised, random
  unit projections; reported x1e3 per level and as the mean, for (1) held-out real vs training real
  (the floor), (2) the trained generator, (3) the same architecture untrained, (4) colour-matched
  noise (every pixel drawn from one Gaussian with the training pixels' mean colour and colour covariance).
- seam_ratio: mean abs difference across the wrap border / mean abs difference across interior
  adjacent lines, on generated images of 8x8 cells, both axes (1.0 = the border is like any other line). For the
  sky this is the cloud layer's tiling seam; the panorama's longitude wrap is seamless by construction (world-gen
  sky-compose.ts samples the plane, which has no longitude border) and is tested there.
- seam_ratio_cell_lines_mean / _max (surface): the same ratio with every interior line at a cell boundary (the
  border's phase in the latent grid) standing in for the border: the range of an ordinary line there.
- diversity_ratio: mean pairwise distance of per-image texture statistics (mean and std per channel
  at each pyramid level) among samples / among real crops.
- nn_ratio: mean L2 distance from sample 32x32 patches to their nearest training patch / the same
  for held-out real patches (< 1 would mean the samples sit closer to the training set than new real
  data does, i.e. copying). Real sky crops are taken inside the cloud decks (they do not tile).
- nn_ratio_loo (small datasets, <= 100 images): the same with a leave-one-out reference: every real image's patches
  against the training patches of all the other images, averaged over all images (a few held-out images are a noisy
  and possibly unrepresentative reference). Surface families get it too, by near-duplicate group: a family's
  held-out split is one to five groups, often one source whose look no training image shares, so the held-out
  reference alone says more about that source than about copying.
- nn pairs sheet (--nn-pairs): per family, the samples closest to a training patch beside that patch, the judge of
  copying by eye.
- recognised (surface families; "GAN-test" accuracy, Shmelkov et al. 2018, "How good is my GAN?"): a small CNN
  trained to tell the families apart on real training crops classifies samples conditioned on each family; the share
  called that family, beside the share of held-out real crops it calls right (recognised_heldout: how far the
  family's look carries to new sources at all) and the family samples are most often mistaken for. A stand-in for
  a person naming the material, not a replacement: it also rewards a sample that reproduces a training look, which
  nn_ratio judges.

CLI: /usr/bin/python3 -m training.metrics [--model sky]    (writes public/models/<model>/metrics.json)
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .export import check_dataset, fp16_layers, load_ema, load_exported, write_card
from .models import FoldedGenerator, Generator, recalibrate_bn
from .sky_augment import decks_at_scale, layer_scale
from .train import CropSampler, MaterialSampler, MaterialSet

_G5 = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
_G5 = (_G5[:, None] * _G5[None, :]) / 256.0


def _blur(x: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode='reflect'), _G5.expand(c, 1, 5, 5), groups=c)


def laplacian_pyramid(x: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """[B, 3, H, W] -> [band-pass H, band-pass H/2, ..., low-pass H/2^(levels-1)]."""
    out = []
    for _ in range(levels - 1):
        low = _blur(x)[:, :, ::2, ::2]
        up = F.interpolate(low, scale_factor=2, mode='nearest')
        out.append(x - _blur(up))
        x = low
    out.append(x)
    return out


def patches(level: torch.Tensor, per_image: int, gen: torch.Generator, size: int = 7) -> torch.Tensor:
    b, c, h, w = level.shape
    ys = torch.randint(0, h - size + 1, (b, per_image), generator=gen)
    xs = torch.randint(0, w - size + 1, (b, per_image), generator=gen)
    unf = F.unfold(level, size)  # [b, c*size*size, L]
    idx = (ys * (w - size + 1) + xs)[:, None, :].expand(b, unf.shape[1], per_image)
    return unf.gather(2, idx).permute(0, 2, 1).reshape(-1, c * size * size)


def _normalise(d: torch.Tensor, channels: int = 3) -> torch.Tensor:
    d = d.reshape(d.shape[0], channels, -1)
    d = d - d.mean(dim=(0, 2), keepdim=True)
    d = d / (d.std(dim=(0, 2), keepdim=True) + 1e-8)
    return d.reshape(d.shape[0], -1)


def swd(a: torch.Tensor, b: torch.Tensor, gen: torch.Generator, dirs: int = 128, repeats: int = 4) -> float:
    n = min(a.shape[0], b.shape[0])
    a, b = a[:n], b[:n]
    total = 0.0
    for _ in range(repeats):
        p = torch.randn(a.shape[1], dirs, generator=gen)
        p = p / p.norm(dim=0, keepdim=True)
        pa, _ = torch.sort(a @ p, dim=0)
        pb, _ = torch.sort(b @ p, dim=0)
        total += (pa - pb).abs().mean().item()
    return total / repeats


def swd_levels(x: torch.Tensor, y: torch.Tensor, levels: int = 3, per_image: int = 64, seed: int = 0) -> list[float]:
    """SWD x1e3 per pyramid level (finest first) between image sets x and y in [-1, 1]."""
    gen = torch.Generator().manual_seed(seed)
    px, py = laplacian_pyramid(x, levels), laplacian_pyramid(y, levels)
    out = []
    for lx, ly in zip(px, py):
        # As in ProGAN's sliced_wasserstein.py (finalize_descriptors): each set is normalised per channel on its own.
        c = lx.shape[1]
        dx, dy = _normalise(patches(lx, per_image, gen), c), _normalise(patches(ly, per_image, gen), c)
        out.append(swd(dx, dy, gen) * 1e3)
    return out


def seam_ratio(imgs: torch.Tensor) -> float:
    """Wrap-border difference / interior line difference, over both axes."""
    inner = (imgs[:, :, :, 1:] - imgs[:, :, :, :-1]).abs().mean() + (imgs[:, :, 1:] - imgs[:, :, :-1]).abs().mean()
    border = (imgs[:, :, :, 0] - imgs[:, :, :, -1]).abs().mean() + (imgs[:, :, 0] - imgs[:, :, -1]).abs().mean()
    return float(border / inner)


def seam_reference(imgs: torch.Tensor, cell: int) -> dict:
    """seam_ratio with each interior cell-boundary line standing in for the border (the images rolled by whole cells
    along both axes): the range an ordinary line at the border's phase gives. With circular padding and i.i.d.
    latents and noise, the wrap border is statistically one of these lines; a seam_ratio inside their range is no
    seam, one above their max is. Lines at cell boundaries can differ from the all-lines mean (the latent grid
    showing through), which seam_ratio alone counts against the border."""
    r = torch.tensor([seam_ratio(torch.roll(imgs, (j, j), (2, 3))) for j in range(cell, imgs.shape[3], cell)])
    return {'seam_ratio_cell_lines_mean': round(float(r.mean()), 4), 'seam_ratio_cell_lines_max': round(float(r.max()), 4),
            'seam_ratio_cell_lines_n': int(r.numel())}


def texture_stats(x: torch.Tensor, levels: int = 3) -> torch.Tensor:
    feats = []
    for lv in laplacian_pyramid(x, levels):
        feats += [lv.mean(dim=(2, 3)), lv.std(dim=(2, 3))]
    return torch.cat(feats, dim=1)


def mean_pairwise(f: torch.Tensor) -> float:
    d = torch.cdist(f, f)
    n = f.shape[0]
    return float(d.sum() / (n * (n - 1)))


def nearest(query: torch.Tensor, bank: torch.Tensor, chunk: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Per query row: the L2 distance to the nearest bank row and that row's index (in chunks of queries).

    cdist finds the row through a matrix product (|q|^2 + |b|^2 - 2 q.b), which cancels badly between near-equal
    rows: a copy of a bank row measured 0.06 rather than 0 (3072-d patches) on one machine's BLAS and less on
    another's. The distance to the row found is then taken again directly, so a copy reads 0 everywhere."""
    out = [torch.cdist(query[i : i + chunk], bank).min(dim=1) for i in range(0, query.shape[0], chunk)]
    idx = torch.cat([o.indices for o in out])
    return (query - bank[idx]).norm(dim=1), idx


def nn_distance(query: torch.Tensor, bank: torch.Tensor, chunk: int = 256) -> float:
    """Mean over query rows of the L2 distance to the nearest bank row."""
    return float(nearest(query, bank, chunk)[0].mean())


def leave_one_out_nn(images: np.ndarray, train_mask: np.ndarray, q_fake: torch.Tensor, seed: int, model: str,
                     per_image: int = 800, queries: int = 64, groups: np.ndarray | None = None) -> dict:
    """nn_ratio against a leave-one-out reference, for small datasets where a handful of held-out images is a noisy,
    possibly unrepresentative reference: each real image's 32x32 patches against the training patches of every OTHER
    image (how close a new real image comes), averaged over all images, vs the samples against all training patches.
    The same per-image bank is used on both sides. Also reports the held-out-only and training-only references.
    With `groups` (one id per image: near-identical images share one), an image is measured against the training
    images of the OTHER groups only, so a near-duplicate sibling does not stand in for a new sky."""
    banks = [crops_of(images[i:i + 1], per_image, 32, seed + i, model).reshape(per_image, -1) for i in range(len(images))]
    full = torch.cat([banks[i] for i in range(len(images)) if train_mask[i]])
    nn_fake = nn_distance(q_fake, full)
    ref = []
    for i in range(len(images)):
        q = crops_of(images[i:i + 1], queries, 32, seed + 1000 + i, model).reshape(queries, -1)
        others = [j for j in range(len(images)) if train_mask[j] and j != i
                  and (groups is None or groups[j] != groups[i])]
        ref.append(nn_distance(q, torch.cat([banks[j] for j in others])))
    ref = np.array(ref)
    return {'nn_ratio_loo': round(nn_fake / float(ref.mean()), 3), 'nn_loo_samples': round(nn_fake, 3),
            'nn_loo_real': round(float(ref.mean()), 3), 'nn_loo_real_heldout': round(float(ref[~train_mask].mean()), 3),
            'nn_loo_real_train': round(float(ref[train_mask].mean()), 3), 'nn_loo_images': int(len(images)),
            **({'nn_loo_by_group': True, 'nn_loo_groups': int(len(set(groups.tolist())))} if groups is not None else {})}


def crops_of(images: np.ndarray, n: int, crop: int, seed: int, model: str = 'surface') -> torch.Tensor:
    """Real crops as the model is trained on: wrapping around tileable textures (surface), inside cloud decks (sky)."""
    sampler = CropSampler(images, crop, seed, wrap=model != 'sky')
    return torch.cat([sampler(min(256, n - i)) for i in range(0, n, 256)])


@torch.no_grad()
def generate(net, g: Generator, n: int, cells: tuple[int, int], seed: int, batch: int = 64,
             family: int | None = None, channels: int = 3, latent_scale: float = 1.0) -> torch.Tensor:
    """Samples [n, channels, H, W]: the colour by default (a relief net's height channel is judged apart); latents
    drawn at `latent_scale` (Generator.sample_field)."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, n, batch):
        b = min(batch, n - i)
        fams = torch.full((b,), family, dtype=torch.long) if family is not None else None
        field = g.sample_field(b, cells[0], cells[1], gen, families=fams, latent_scale=latent_scale)
        out.append(net(field)[:, :channels])
    return torch.cat(out)


def material_crops(data: MaterialSet, n: int, crop: int, seed: int, family: int | None = None) -> torch.Tensor:
    """Real crops taken as in training (inside images that do not tile): of one family, or class-balanced."""
    sampler = MaterialSampler(data, crop, seed, only=family)
    return torch.cat([sampler(min(256, n - i))[0] for i in range(0, n, 256)])


def compute(g_trained: Generator, net_trained, images: np.ndarray, train_mask: np.ndarray, n: int = 1024,
            crop: int = 64, bank: int = 20000, seed: int = 0, groups: np.ndarray | None = None) -> dict:
    train, held = images[train_mask], images[~train_mask]
    model = g_trained.model
    cells = (crop // g_trained.cell_px, crop // g_trained.cell_px)
    real_train = crops_of(train, n, crop, seed, model)
    real_held = crops_of(held, n, crop, seed + 1, model)
    fake = generate(net_trained, g_trained, n, cells, seed + 2)
    g0 = untrained_like(g_trained, cells, seed)
    untrained = generate(g0.eval(), g0, n, cells, seed + 3)
    ref = crops_of(train, n, crop, seed + 4, model)
    big = generate(net_trained, g_trained, 64, (8, 8), seed + 6, batch=16)
    bank_imgs = crops_of(train, bank, 32, seed + 8, model).reshape(bank, -1)
    m = compare(real_train, real_held, fake, untrained, ref, big, bank_imgs, n, crop, seed)
    q_fake = fake[: min(512, n), :, :32, :32].reshape(min(512, n), -1)
    loo = leave_one_out_nn(images, train_mask, q_fake, seed + 9, model, groups=groups) if len(images) <= 100 else None
    return {**m, 'nn_bank_patches': bank, **(loo or {})}


def untrained_like(g: Generator, cells: tuple[int, int], seed: int) -> Generator:
    """The same architecture (and family table size) with fresh weights: the SWD ceiling of an untrained net."""
    torch.manual_seed(seed)
    g0 = Generator(g.model, plan=g.plan, n_families=g.n_families, layout=g.layout, family_bias=g.family_bias)
    recalibrate_bn(g0, cells, batches=4, batch=32)
    return g0


def image_crops(data: MaterialSet, j: int, n: int, crop: int, seed: int) -> torch.Tensor:
    """n crops of image j alone, taken as in training (wrapping only where it tiles, flips and turns)."""
    view = copy.copy(data)
    view.images = [data.images[j]]
    for key in ('family', 'tiles', 'group', 'has_height'):
        setattr(view, key, getattr(data, key)[j : j + 1])
    sampler = MaterialSampler(view, crop, seed)
    return torch.cat([sampler(min(256, n - i))[0] for i in range(0, n, 256)])


def family_nn_loo(train: MaterialSet, held: MaterialSet, k: int, q_fake: torch.Tensor, seed: int, bank: int = 4000,
                  queries: int = 16, max_images: int = 48) -> dict:
    """nn_ratio of family k against a leave-one-group-out reference: each real image of the family (training and
    held-out, up to `max_images` evenly spread) against the training images of the OTHER near-duplicate groups, vs
    the samples against all training images; the same per-image banks on both sides."""
    tr, he = np.flatnonzero(train.family == k), np.flatnonzero(held.family == k)
    per = max(16, bank // len(tr))
    banks = [image_crops(train, int(j), per, 32, seed + int(j)).reshape(per, -1) for j in tr]
    nn_fake = nn_distance(q_fake, torch.cat(banks))
    real = [(train, int(j)) for j in tr] + [(held, int(j)) for j in he]
    pick = np.unique(np.linspace(0, len(real) - 1, min(max_images, len(real))).round().astype(int))
    ref = []
    for i in pick:
        data, j = real[i]
        others = [b for b, t in zip(banks, tr) if train.group[t] != data.group[j]]
        if others:
            q = image_crops(data, j, queries, 32, seed + 50000 + i).reshape(queries, -1)
            ref.append(nn_distance(q, torch.cat(others)))
    if not ref:
        return {'nn_ratio_loo': None}
    return {'nn_ratio_loo': round(nn_fake / float(np.mean(ref)), 3), 'nn_loo_samples': round(nn_fake, 3),
            'nn_loo_real': round(float(np.mean(ref)), 3), 'nn_loo_images': len(ref),
            'nn_loo_groups': int(len(set(train.group[tr].tolist()) | set(held.group[he].tolist())))}


def closest_pairs(q_fake: torch.Tensor, bank: torch.Tensor, n: int = 6) -> torch.Tensor:
    """The n samples nearest to any training patch, each beside that patch: [n, 2, ...] (copying shows here)."""
    best, idx = nearest(q_fake, bank)
    order = best.argsort()[:n]
    return torch.stack([q_fake[order], bank[idx[order]]], 1)


def pairs_sheet(rows: list[tuple[str, torch.Tensor]], path: Path, scale: int = 3) -> None:
    """One labelled row per family: (sample | nearest training patch) pairs, 32 px patches shown at `scale`x."""
    from .export import labelled_sheet

    out = []
    for name, pairs in rows:
        tiles = []
        for s, t in pairs:
            pair = torch.cat([s, t], 2)  # sample left, its nearest training patch right
            tiles += [pair, torch.ones(3, 32, 6)]
        row = ((torch.cat(tiles, 2).clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).numpy()
        row = np.pad(row.repeat(scale, 0).repeat(scale, 1), ((4, 4), (0, 0), (0, 0)), constant_values=24)
        out.append((name, row))
    labelled_sheet(out, path)


class FamilyClassifier(nn.Module):
    """Crop -> family logits: three stride-2 stages and per-channel mean and std pooled over the crop (texture
    statistics, so any crop size works)."""

    def __init__(self, n_families: int, width: int = 32):
        super().__init__()
        layers, c = [], 3
        for w in (width, 2 * width, 4 * width):
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.LeakyReLU(0.2),
                       nn.Conv2d(w, w, 3, stride=2, padding=1), nn.BatchNorm2d(w), nn.LeakyReLU(0.2)]
            c = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(2 * c, n_families)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        return self.head(torch.cat([f.mean(dim=(2, 3)), f.std(dim=(2, 3))], 1))


def train_family_classifier(train: MaterialSet, crop: int, steps: int = 1500, batch: int = 64,
                            seed: int = 0) -> tuple[FamilyClassifier, float]:
    """A family classifier on class-balanced real training crops (flips and turns as in training); returns it in
    eval mode with its accuracy on a fresh draw of training crops."""
    torch.manual_seed(seed)
    clf = FamilyClassifier(len(train.families))
    sampler = MaterialSampler(train, crop, seed + 1)
    opt = torch.optim.Adam(clf.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    clf.train()
    for _ in range(steps):
        x, y = sampler(batch)
        loss = F.cross_entropy(clf(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    clf.eval()
    x, y = MaterialSampler(train, crop, seed + 2)(512)
    return clf, float((classify(clf, x) == y).float().mean())


@torch.no_grad()
def classify(clf: FamilyClassifier, x: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    return torch.cat([clf(x[i : i + chunk]).argmax(1) for i in range(0, x.shape[0], chunk)])


def family_recognition(clf: FamilyClassifier, families: list[str], sets: dict[int, tuple[torch.Tensor, torch.Tensor]]
                       ) -> dict[str, dict]:
    """Per family k with (held-out real crops, samples conditioned on k): the share of each the classifier calls k,
    and the other family the samples are most often called (with its share)."""
    out = {}
    for k, (real_held, fake) in sets.items():
        pf, ph = classify(clf, fake), classify(clf, real_held)
        wrong = torch.bincount(pf[pf != k], minlength=len(families))
        r = {'recognised': round(float((pf == k).float().mean()), 3),
             'recognised_heldout': round(float((ph == k).float().mean()), 3)}
        if int(wrong.sum()):
            j = int(wrong.argmax())
            r.update({'confused_with': families[j], 'confused_share': round(float(wrong[j]) / len(pf), 3)})
        out[families[k]] = r
    return out


def luminance(x: torch.Tensor) -> np.ndarray:
    """Mean Rec. 709 luminance of each crop [B, 3+, H, W] in [-1, 1] (extra channels ignored), in [0, 1]."""
    w = torch.tensor([0.2126, 0.7152, 0.0722], dtype=x.dtype)[None, :, None, None]
    return (((x[:, :3].clamp(-1, 1) + 1) / 2) * w).sum(1).mean(dim=(1, 2)).numpy()


def tone_range(real: torch.Tensor, fake: torch.Tensor, held: torch.Tensor, q: float = 0.01) -> dict:
    """How often samples are darker or brighter overall than all but `q` of their family's training crops on each side:
    a near-black metal wall or a blank white brick wall is a tone the family's data hardly has, and SWD's patch
    statistics barely register a whole crop being off. `tone_outside_heldout` is the same for held-out real crops
    (a new source may be lighter or darker than every training image); a generator that paints the training tones
    has about 2 * q outside."""
    lr, lf, lh = luminance(real), luminance(fake), luminance(held)
    lo, hi = np.quantile(lr, [q, 1 - q])
    dark, bright = float(np.mean(lf < lo)), float(np.mean(lf > hi))
    return {'tone_dark': round(dark, 3), 'tone_bright': round(bright, 3), 'tone_outside': round(dark + bright, 3),
            'tone_outside_heldout': round(float(np.mean((lh < lo) | (lh > hi))), 3),
            'tone_range': [round(float(lo), 3), round(float(hi), 3)]}


def compute_families(g: Generator, net, train: MaterialSet, held: MaterialSet, n: int = 256, crop: int = 40,
                     bank: int = 4000, seed: int = 0, pairs: Path | None = None,
                     classifier_steps: int = 1500) -> tuple[dict, dict]:
    """Per family: the same figures as `compute`, on that family's real crops (training and held-out groups) and
    samples conditioned on it, plus the leave-one-group-out nn_ratio and how often a family classifier trained on
    real crops recognises the samples, and how many samples are darker or brighter than the family's training crops
    (`tone_range`); the means of those and the classifier's settings are the second value returned. With `pairs`, a
    sheet of the samples nearest to the training set beside their neighbours."""
    cells = (crop // g.cell_px, crop // g.cell_px)
    g0 = untrained_like(g, cells, seed)
    out = {}
    pair_rows = []
    judged = {}
    for k, name in enumerate(train.families):
        if not (train.family == k).any() or not (held.family == k).any():
            out[name] = {'n_train': int((train.family == k).sum()), 'n_heldout': int((held.family == k).sum()),
                         'skipped': 'no held-out images'}
            continue
        s = seed + 100 * (k + 1)
        real_train = material_crops(train, n, crop, s, k)
        real_held = material_crops(held, n, crop, s + 1, k)
        fake = generate(net, g, n, cells, s + 2, family=k)
        untrained = generate(g0.eval(), g0, n, cells, s + 3, family=k)
        ref = material_crops(train, n, crop, s + 4, k)
        big = generate(net, g, 32, (16, 16), s + 6, batch=8, family=k)
        bank_imgs = material_crops(train, bank, 32, s + 8, k).reshape(bank, -1)
        m = compare(real_train, real_held, fake, untrained, ref, big, bank_imgs, n, crop, s)
        out[name] = {key: m[key] for key in ('swd_floor', 'swd_trained', 'swd_untrained', 'swd_noise', 'swd_gap_ratio',
                                             'swd_gap_ratio_levels', 'nn_ratio', 'diversity_ratio', 'seam_ratio')}
        out[name].update(seam_reference(big, g.cell_px))
        out[name].update({'n_train': int((train.family == k).sum()), 'n_heldout': int((held.family == k).sum()),
                          'passes': passes(m)})
        out[name].update(tone_range(torch.cat([real_train, ref]), fake, real_held))
        q_fake = fake[: min(512, n), :, :32, :32].reshape(min(512, n), -1)
        out[name].update(family_nn_loo(train, held, k, q_fake, s + 9, bank=bank))
        if pairs is not None:
            pair_rows.append((name, closest_pairs(q_fake, bank_imgs).reshape(-1, 2, 3, 32, 32)))
        judged[k] = (real_held, fake)
        print(json.dumps({name: out[name]}), flush=True)
    if pairs is not None and pair_rows:
        pairs_sheet(pair_rows, pairs)
    if not judged:
        return out, {}
    means = ['tone_outside', 'tone_outside_heldout']
    classifier = None
    if classifier_steps:
        clf, train_acc = train_family_classifier(train, crop, steps=classifier_steps, seed=seed + 7)
        for name, r in family_recognition(clf, train.families, judged).items():
            out[name].update(r)
        means += ['recognised', 'recognised_heldout']
        classifier = {'steps': classifier_steps, 'crop': crop, 'train_accuracy': round(train_acc, 3),
                      'samples_per_family': n}
    # Means over the families that were judged (a family without held-out images has no figures).
    summary = {key: round(float(np.mean([out[train.families[k]][key] for k in judged])), 3) for key in means}
    if classifier is not None:
        summary['classifier'] = classifier
    print(json.dumps(summary), flush=True)
    return out, summary


def compare(real_train: torch.Tensor, real_held: torch.Tensor, fake: torch.Tensor, untrained: torch.Tensor,
            ref: torch.Tensor, big: torch.Tensor, bank_imgs: torch.Tensor, n: int, crop: int, seed: int) -> dict:
    """All figures from prepared sets: crops of training and held-out real images, samples, untrained samples,
    a second draw of training crops (for the noise baselines), whole tiles (seams) and the nearest-neighbour bank."""
    gen = torch.Generator().manual_seed(seed + 5)
    # Colour-matched noise: every pixel i.i.d. from one Gaussian with the training pixels' mean colour and 3x3 colour
    # covariance (the palette, nothing of any image). The per-image variant below (each noise image takes one real
    # crop's mean and std) is reported too, but it copies real images' low frequencies, so it is no baseline.
    pix = ref.permute(0, 2, 3, 1).reshape(-1, 3)
    mu, cov = pix.mean(0), torch.cov(pix.T)
    chol = torch.linalg.cholesky(cov + 1e-6 * torch.eye(3))
    z = torch.randn(n, ref.shape[2], ref.shape[3], 3, generator=gen)
    noise = (mu + z @ chol.T).permute(0, 3, 1, 2).clamp(-1, 1)
    noise_img = (ref.mean(dim=(2, 3), keepdim=True) + ref.std(dim=(2, 3), keepdim=True)
                 * torch.randn(ref.shape, generator=gen)).clamp(-1, 1)

    def s(x):
        lv = swd_levels(real_train, x, seed=seed)
        return {'levels': [round(v, 2) for v in lv], 'mean': round(float(np.mean(lv)), 2)}

    floor, trained, untr, nz, nz_img = s(real_held), s(fake), s(untrained), s(noise), s(noise_img)
    base = min(untr['mean'], nz['mean'])
    # Undefined when the held-out floor is not below the baselines (a family whose few held-out images differ from
    # its training images as much as noise does): no ratio is reported rather than a meaningless huge one.
    gap = (trained['mean'] - floor['mean']) / (base - floor['mean']) if base > floor['mean'] else None
    gap_levels = [round((t - f) / (min(u, z) - f), 3) if min(u, z) > f else None for t, f, u, z in
                  zip(trained['levels'], floor['levels'], untr['levels'], nz['levels'])]

    seam = seam_ratio(big)

    div_fake = mean_pairwise(texture_stats(fake[:512]))
    div_real = mean_pairwise(texture_stats(real_train[:512]))

    q = min(512, n)
    q_fake = fake[:q, :, :32, :32].reshape(q, -1)
    q_held = real_held[:q, :, :32, :32].reshape(q, -1)
    nn_fake, nn_held = nn_distance(q_fake, bank_imgs), nn_distance(q_held, bank_imgs)

    return {
        'swd_floor': floor['mean'], 'swd_trained': trained['mean'], 'swd_untrained': untr['mean'],
        'swd_noise': nz['mean'], 'swd_noise_per_image': nz_img['mean'], 'swd_noise_per_image_levels': nz_img['levels'],
        'swd_levels_px': [crop, crop // 2, crop // 4],
        'swd_floor_levels': floor['levels'], 'swd_trained_levels': trained['levels'],
        'swd_untrained_levels': untr['levels'], 'swd_noise_levels': nz['levels'],
        'swd_gap_ratio': round(gap, 3) if gap is not None else None, 'swd_gap_ratio_levels': gap_levels,
        'seam_ratio': round(seam, 4),
        'diversity_ratio': round(div_fake / div_real, 3), 'diversity_samples': round(div_fake, 4),
        'diversity_real': round(div_real, 4),
        'nn_ratio': round(nn_fake / nn_held, 3), 'nn_samples': round(nn_fake, 3), 'nn_heldout': round(nn_held, 3),
        'n_images': n, 'swd_descriptors_per_level': n * 64,
    }


def normals(height: torch.Tensor, px_per_unit: float) -> torch.Tensor:
    """Height [B, 1, H, W] (generator units) -> unit normals [B, 3, H, W] (x right, y up, z out), by central
    differences (edge pixels repeated: crops of real images need not tile)."""
    h = F.pad(height * px_per_unit, (1, 1, 1, 1), mode='replicate')[:, 0]
    dx = (h[:, 1:-1, 2:] - h[:, 1:-1, :-2]) / 2
    dy = (h[:, :-2, 1:-1] - h[:, 2:, 1:-1]) / 2  # rows run down, y up
    n = torch.stack([-dx, -dy, torch.ones_like(dx)], 1)
    return n / n.norm(dim=1, keepdim=True)


def mean_slope(height: torch.Tensor, px_per_unit: float) -> float:
    """Mean |dh/dx| + |dh/dy| in texture pixels per pixel: how steep the relief is on average."""
    h = height[:, 0] * px_per_unit
    return float((h[:, :, 1:] - h[:, :, :-1]).abs().mean() + (h[:, 1:] - h[:, :-1]).abs().mean())


def relief_figures(real_train: torch.Tensor, real_held: torch.Tensor, fake: torch.Tensor, px_per_unit: float,
                   seed: int) -> dict:
    """Height and normal-map SWD of samples against held-out real relief (and the train-vs-held-out floor), and
    relief_ratio = mean slope of samples / of held-out real (1: as steep as real; 0: flat)."""
    def s(a, b):
        return round(float(np.mean(swd_levels(a, b, seed=seed))), 2)

    nt, nh, nf = (normals(x, px_per_unit) for x in (real_train, real_held, fake))
    slope_real = mean_slope(real_held, px_per_unit)
    return {'swd_height': s(real_held, fake), 'swd_height_floor': s(real_held, real_train),
            'swd_normal': s(nh, nf), 'swd_normal_floor': s(nh, nt),
            'relief_ratio': round(mean_slope(fake, px_per_unit) / max(slope_real, 1e-6), 3),
            'mean_slope_samples': round(mean_slope(fake, px_per_unit), 4), 'mean_slope_heldout': round(slope_real, 4)}


def height_crops(data: MaterialSet, n: int, crop: int, seed: int, family: int | None = None) -> torch.Tensor:
    sampler = MaterialSampler(data, crop, seed, only=family, with_height=True)
    return torch.cat([sampler(min(256, n - i))[0][:, 3:] for i in range(0, n, 256)])


def compute_relief(g: Generator, net, train: MaterialSet, held: MaterialSet, px_per_unit: float, n: int = 256,
                   crop: int = 40, seed: int = 0) -> dict:
    """Relief figures overall (class-balanced over the families with held-out height maps) and per family, of the
    height as the world shows it: calibrated per family (`g.relief_calibration`, training/relief_calibration.py) when
    the model has a calibration, with the painted height's ratio beside it (`relief_ratio_painted`)."""
    from .relief_calibration import calibrate, family_factors, is_calibrated

    cal = getattr(g, 'relief_calibration', None)
    calibrated = is_calibrated(cal)
    cells = (crop // g.cell_px, crop // g.cell_px)
    ok = [k for k in range(len(train.families))
          if (train.has_height & (train.family == k)).any() and (held.has_height & (held.family == k)).any()]
    per = {}
    fakes, reals_t, reals_h = [], [], []
    for k in ok:
        s = seed + 1000 + 100 * k
        rt, rh = height_crops(train, n, crop, s, k), height_crops(held, n, crop, s + 1, k)
        painted = generate(net, g, n, cells, s + 2, family=k, channels=4)[:, 3:]
        gain, detail = family_factors(cal, train.families[k]) if calibrated else (1.0, 1.0)
        fk = calibrate(painted, gain, detail) if calibrated else painted
        raw = mean_slope(painted, px_per_unit) / max(mean_slope(rh, px_per_unit), 1e-6)
        per[train.families[k]] = {**relief_figures(rt, rh, fk, px_per_unit, s),
                                  **({'gain': gain, 'detail': detail, 'relief_ratio_painted': round(raw, 3)}
                                     if calibrated else {}),
                                  'n_heldout_height': int((held.has_height & (held.family == k)).sum()),
                                  'n_train_height': int((train.has_height & (train.family == k)).sum())}
        print(json.dumps({train.families[k]: per[train.families[k]]}), flush=True)
        m = max(1, n // len(ok))
        fakes.append(fk[:m])
        reals_t.append(rt[:m])
        reals_h.append(rh[:m])
    if not ok:
        return {'skipped': 'no family has held-out height maps', 'px_per_unit': px_per_unit, 'families': {}}
    overall = relief_figures(torch.cat(reals_t), torch.cat(reals_h), torch.cat(fakes), px_per_unit, seed)
    no = [f for k, f in enumerate(train.families) if k not in ok]
    return {**overall, 'px_per_unit': px_per_unit, **({'calibrated': True} if calibrated else {}), 'families': per,
            'families_without_heldout_height': no}


def compute_conditioned(g: Generator, net, data_path: str, n: int = 1024, crop: int = 40, bank: int = 20000,
                        seed: int = 0, pairs: Path | None = None, classifier_steps: int = 1500) -> dict:
    """A family-conditioned generator: overall figures on class-balanced crops (every family equally often, samples
    of uniformly drawn families), then the same per family under `families`."""
    relief = getattr(g, 'relief_data', None)
    train, held = MaterialSet(data_path, split=0, relief=relief), MaterialSet(data_path, split=1, relief=relief)
    cells = (crop // g.cell_px, crop // g.cell_px)

    real_train = material_crops(train, n, crop, seed)
    real_held = material_crops(held, n, crop, seed + 1)
    fake = generate(net, g, n, cells, seed + 2)
    g0 = untrained_like(g, cells, seed)
    untrained = generate(g0.eval(), g0, n, cells, seed + 3)
    ref = material_crops(train, n, crop, seed + 4)
    big = generate(net, g, 64, (16, 16), seed + 6, batch=8)
    bank_imgs = material_crops(train, bank, 32, seed + 8).reshape(bank, -1)
    m = compare(real_train, real_held, fake, untrained, ref, big, bank_imgs, n, crop, seed)
    m.update(seam_reference(big, g.cell_px))
    m['nn_bank_patches'] = bank
    m['heldout_images'] = len(held)
    m['families'], means = compute_families(g, net, train, held, n=max(128, n // 4), crop=crop,
                                            bank=max(2000, bank // 5), seed=seed, pairs=pairs,
                                            classifier_steps=classifier_steps)
    m.update(means)
    if relief:
        m['relief'] = compute_relief(g, net, train, held, g.height_px_per_unit, n=max(128, n // 4), crop=crop,
                                     seed=seed)
        for name, r in m['relief']['families'].items():
            m['families'][name]['relief'] = r
    return m


def passes(m: dict) -> dict:
    """The bars of the model issue."""
    return {
        'swd_gap_le_0.25': m['swd_gap_ratio'] is not None and m['swd_gap_ratio'] <= 0.25,
        'seam_ratio_le_1.1': m['seam_ratio'] <= 1.1,
        'nn_ratio_ge_1.0': m['nn_ratio'] >= 1.0,
        **({'nn_ratio_loo_ge_1.0': m['nn_ratio_loo'] >= 1.0} if 'nn_ratio_loo' in m else {}),
        'diversity_ratio_ge_0.5': m['diversity_ratio'] >= 0.5,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='surface')
    ap.add_argument('--run', default=None, help='default training/runs/<model>')
    ap.add_argument('--data', default=None, help="default: the run's dataset")
    ap.add_argument('--out', default=None, help='default public/models/<model>/metrics.json')
    ap.add_argument('--n', type=int, default=1024)
    ap.add_argument('--bank', type=int, default=20000)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--nn-pairs', default=None, help='surface: the nearest-pair sheet (PNG); default '
                    'docs/models/surface-nn-pairs.png when --out is the default')
    ap.add_argument('--from-export', default=None, metavar='DIR',
                    help='surface: measure an exported model (model.json + weights.bin) instead of a checkpoint, '
                    'with its training crop, the default dataset and relief maps')
    ap.add_argument('--ckpt', default='ckpt.pt', help='checkpoint file in the run folder (sky: best.pt from sky_select)')
    ap.add_argument('--crop', type=int, default=None,
                    help="measure on crops of this size instead of the weights' training crop (to set weights trained "
                    'on different crops side by side; the figures move with the crop)')
    ap.add_argument('--relief-only', action='store_true',
                    help='relief model: re-measure only the relief figures (e.g. after its calibration changed) and '
                    'merge them into the existing metrics file, leaving every other figure as it is (~3 min)')
    args = ap.parse_args()
    args.run = args.run or f'training/runs/{args.model}'
    if args.nn_pairs is None and args.out is None and args.model == 'surface':
        args.nn_pairs = 'docs/models/surface-nn-pairs.png'
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)  # the per-pixel noise is drawn from torch's RNG: figures repeat run to run
    if args.from_export:  # the weights as shipped: their checkpoint may be long gone
        g, layers, ls = load_exported(Path(args.from_export))
        net = FoldedGenerator(layers)
        ck = {'step': ls['training']['steps']}
        crop = ls['training']['crop']
        from .common import CACHE
        from .surface_relief import OUT as relief_npz

        args.data = args.data or str(CACHE / 'surface2.npz')  # where training.surface_data writes it
        check_dataset(Path(args.data), ls)  # the held-out split must be the one the weights never saw
        if g.out_ch == 4:
            g.relief_data = str(relief_npz)
            g.height_px_per_unit = ls['relief']['pxPerUnit']
            # as the world applies it
            g.relief_calibration = {k: ls['relief'][k] for k in ('familyGain', 'familyDetail') if k in ls['relief']}
    else:
        g, ck = load_ema(Path(args.run), args.model, args.ckpt)
        args.data = args.data or ck['config'].get('data') or f'training/.cache/{args.model}.npz'
        net = FoldedGenerator(fp16_layers(g))
        crop = ck['config']['crop']
        if g.out_ch == 4:  # a relief net: its paired height maps and their unit
            g.relief_data = ck['config']['relief']
            g.height_px_per_unit = ck['config']['height_px_per_unit']
            if g.family_dim:  # the calibration training.export writes beside these weights, fitted the same way
                from .relief_calibration import fit_families

                g.relief_calibration = fit_families(net, g, args.data, g.relief_data, g.height_px_per_unit, crop)
                torch.manual_seed(args.seed)  # the figures below draw the same noise as without the fit
    if args.crop is not None:
        if args.crop <= 0 or args.crop % g.cell_px:
            raise SystemExit(f'--crop {args.crop}: must be a positive multiple of the cell size, {g.cell_px} px')
        crop = args.crop
    out = Path(args.out) if args.out else Path('public/models') / args.model / 'metrics.json'
    if args.relief_only:
        if g.out_ch != 4 or not g.family_dim:
            raise SystemExit('--relief-only: not a family-conditioned relief model')
        m = json.loads(out.read_text())
        relief = g.relief_data
        train, held = MaterialSet(args.data, split=0, relief=relief), MaterialSet(args.data, split=1, relief=relief)
        m['relief'] = compute_relief(g, net, train, held, g.height_px_per_unit, n=max(128, args.n // 4), crop=crop,
                                     seed=args.seed)
        for name, r in m['relief']['families'].items():
            m['families'][name]['relief'] = r
        source = f'--from-export {args.from_export}' if args.from_export else f'--run {args.run}'
        m['relief_source'] = (f'training.metrics --relief-only {source} (step {ck["step"]}); the other figures are '
                              "the full run's before it")
        out.write_text(json.dumps(m, indent=1))
        if (out.parent / 'model.json').exists():
            write_card(out.parent)
        print(json.dumps(m['relief']))
        return
    if g.family_dim:
        m = compute_conditioned(g, net, args.data, n=args.n, crop=crop, bank=args.bank, seed=args.seed,
                                pairs=Path(args.nn_pairs) if args.nn_pairs else None)
    else:
        data = np.load(args.data)
        # Sky weights trained at another deck scale are measured against decks at that scale (sky_augment).
        images = decks_at_scale(data['images'], layer_scale(ck.get('config', {}).get('deck_scale')))
        m = compute(g, net, images, data['train'], n=args.n, crop=crop, bank=args.bank, seed=args.seed,
                    groups=data['group'] if 'group' in data.files else None)
        m['heldout_images'] = int((~data['train']).sum())
    m['step'] = ck['step']
    m['passes'] = passes(m)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(m, indent=1))
    if (out.parent / 'model.json').exists():
        write_card(out.parent)
    print(json.dumps(m))


if __name__ == '__main__':
    main()
