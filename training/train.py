"""Train a Latentscape generator adversarially (seeded, checkpointed, resumable).

Loss: non-saturating GAN loss, lazy R1 penalty on real images (Mescheder et al. 2018), DiffAugment
(Zhao et al. 2020: colour, translation, cutout) on everything D sees, EMA copy of G for sampling.

CLI: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m training.train --run training/runs/surface --steps 20000
Re-running the same command resumes from <run>/ckpt.pt.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .models import Discriminator, Generator, recalibrate_bn
from .sheets import save_grid


def diff_augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """DiffAugment 'color,translation,cutout' with one draw per image; differentiable in x."""
    b, _, h, w = x.shape
    r = lambda *s: torch.rand(*s, generator=gen).to(x.device)  # noqa: E731
    x = x + (r(b, 1, 1, 1) - 0.5) * 0.5  # brightness
    m = x.mean(dim=1, keepdim=True)
    x = (x - m) * (r(b, 1, 1, 1) * 2) + m  # saturation
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - m) * (r(b, 1, 1, 1) + 0.5) + m  # contrast
    # translation by up to 1/8 with zero fill
    sh, sw = h // 8, w // 8
    ty = torch.randint(-sh, sh + 1, (b,), generator=gen)
    tx = torch.randint(-sw, sw + 1, (b,), generator=gen)
    padded = F.pad(x, (sw, sw, sh, sh))
    x = torch.stack([padded[i, :, sh + ty[i] : sh + ty[i] + h, sw + tx[i] : sw + tx[i] + w] for i in range(b)])
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


def git_commit() -> str:
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return 'unknown'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='surface', choices=['surface', 'sky'])
    ap.add_argument('--data', default=None, help='default training/.cache/<model>.npz')
    ap.add_argument('--run', default=None, help='default training/runs/<model>')
    ap.add_argument('--steps', type=int, default=20000, help='total steps (resume continues to this)')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--crop', type=int, default=64, help='surface: square crop px; sky: longitude crop width px')
    ap.add_argument('--lr', type=float, default=2e-4)
    ap.add_argument('--r1', type=float, default=0.1, help='R1 gamma')
    ap.add_argument('--r1-every', type=int, default=4)
    ap.add_argument('--ema', type=float, default=0.999)
    ap.add_argument('--sample-every', type=int, default=500)
    ap.add_argument('--ckpt-every', type=int, default=250)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-minutes', type=float, default=0, help='stop (with a checkpoint) after this long')
    args = ap.parse_args()
    args.data = args.data or f'training/.cache/{args.model}.npz'
    args.run = args.run or f'training/runs/{args.model}'

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cudnn.benchmark = device == 'cuda'

    run = Path(args.run)
    (run / 'samples').mkdir(parents=True, exist_ok=True)
    data = np.load(args.data)
    images = data['images'][data['train']]
    manifest = Path(args.data).with_suffix('.manifest.json')
    manifest_hash = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.exists() else None
    cells = (args.crop // 16, args.crop // 16)

    G = Generator(args.model).to(device)
    D = Discriminator().to(device)
    G_ema = copy.deepcopy(G).eval()
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.99))
    step = 0
    ckpt_path = run / 'ckpt.pt'
    aug_gen = torch.Generator().manual_seed(args.seed + 1)
    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=device)
        G.load_state_dict(ck['G'])
        D.load_state_dict(ck['D'])
        G_ema.load_state_dict(ck['G_ema'])
        opt_g.load_state_dict(ck['opt_g'])
        opt_d.load_state_dict(ck['opt_d'])
        step = ck['step']
        torch.set_rng_state(ck['torch_rng'].cpu())
        aug_gen.set_state(ck['aug_rng'].cpu())
        print(f'resumed at step {step}', flush=True)
    sampler = CropSampler(images, args.crop, args.seed + step, wrap=args.model != 'sky')

    config = {**vars(args), 'device': device, 'git_commit': git_commit(), 'manifest_sha256': manifest_hash,
              'train_images': int(len(images)), 'cells': list(cells),
              'g_params': sum(p.numel() for p in G.parameters()),
              'd_params': sum(p.numel() for p in D.parameters())}
    (run / 'config.json').write_text(json.dumps(config, indent=1))
    log = open(run / 'log.jsonl', 'a')
    fixed = G.sample_field(16, 4, 4, torch.Generator().manual_seed(1234), device)

    def save() -> None:
        tmp = ckpt_path.with_suffix('.tmp')
        torch.save({'G': G.state_dict(), 'D': D.state_dict(), 'G_ema': G_ema.state_dict(),
                    'opt_g': opt_g.state_dict(), 'opt_d': opt_d.state_dict(), 'step': step,
                    'torch_rng': torch.get_rng_state(), 'aug_rng': aug_gen.get_state(), 'config': config}, tmp)
        os.replace(tmp, ckpt_path)

    t0 = time.time()
    t_last = t0
    while step < args.steps:
        real = sampler(args.batch).to(device)
        # --- D step
        with torch.no_grad():
            fake = G(G.sample_field(args.batch, *cells, device=device))
        real_aug = diff_augment(real, aug_gen)
        lr_ = D(real_aug)
        lf_ = D(diff_augment(fake, aug_gen))
        loss_d = F.softplus(lf_).mean() + F.softplus(-lr_).mean()
        r1 = torch.zeros(())
        if args.r1 > 0 and step % args.r1_every == 0:
            real_r1 = real_aug.detach().requires_grad_(True)
            out = D(real_r1)
            (grad,) = torch.autograd.grad(out.sum(), real_r1, create_graph=True)
            r1 = grad.pow(2).sum(dim=(1, 2, 3)).mean()
            loss_d = loss_d + 0.5 * args.r1 * args.r1_every * r1
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # --- G step
        fake = G(G.sample_field(args.batch, *cells, device=device))
        loss_g = F.softplus(-D(diff_augment(fake, aug_gen))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():
            for pe, p in zip(G_ema.parameters(), G.parameters()):
                pe.lerp_(p, 1 - args.ema)
            for be, b in zip(G_ema.buffers(), G.buffers()):
                be.copy_(b)
        step += 1

        if step % 50 == 0:
            now = time.time()
            rec = {'step': step, 'loss_d': round(loss_d.item(), 4), 'loss_g': round(loss_g.item(), 4),
                   'r1': round(float(r1), 5), 'real_logit': round(lr_.mean().item(), 3),
                   'fake_logit': round(lf_.mean().item(), 3), 's_per_step': round((now - t_last) / 50, 3),
                   'elapsed_s': round(now - t0, 1)}
            t_last = now
            log.write(json.dumps(rec) + '\n')
            log.flush()
            print(json.dumps(rec), flush=True)
        if step % args.ckpt_every == 0 or step == args.steps:
            save()
        if step % args.sample_every == 0 or step == args.steps:
            snap = copy.deepcopy(G_ema)
            recalibrate_bn(snap, cells, batches=8, batch=32)
            with torch.no_grad():
                imgs = snap.eval()(fixed).cpu()
            save_grid(imgs, run / 'samples' / f'step_{step:06d}.png', cols=8, tile=True)
        if args.max_minutes and (time.time() - t0) > args.max_minutes * 60:
            save()
            print(f'stopping at step {step} after --max-minutes', flush=True)
            break


if __name__ == '__main__':
    main()
