"""Score a `surface` run's snapshots family by family, to choose the checkpoint to export.

The surface generator's figures do not move together as it trains: a family can get more recognisable while another
turns near-black or starts redrawing its few training images, and the last step is rarely best in every family.
`train.py --snapshot-every N` keeps a slim EMA snapshot every N steps (`<run>/snapshots/`); this scores each one, per
family, on the quick forms of three training/metrics.py figures, all against the same real crops and the same
family classifier, so snapshots (and shipped weights, `--compare`) can be read side by side:
- rec: the share of samples conditioned on the family that a classifier trained on real training crops calls that
  family (metrics' `recognised`);
- tone: the share of samples darker or brighter overall than 99% of the family's training crops (`tone_outside`);
- nn: mean distance of sample patches to the nearest training patch of the family over the same for held-out crops
  (`nn_ratio` on a smaller bank, so lower than the full figure: compare snapshots with each other, not with the bar).
It chooses nothing: a checkpoint is chosen by eye on the sample sheets among the ones the figures favour, then
exported with `training.export --ckpt snapshots/step_NNNNNN.pt` and measured in full with `training.metrics`.

`--latent-scale PSI` (repeatable) scores every net with its latents scaled by PSI as well, the truncation trick:
samples nearer the latent mean are recognised more often and sit nearer the training set (lower nn), so the two
figures trade against each other along PSI. The world, training/metrics.py and every shipped figure draw at 1.

CLI: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m training.surface_select --run R [--every 1000] [--from 16000]
     [--compare public/models/surface]   (writes <run>/select.json; ~1 min a snapshot on 2 CPU cores)
     /usr/bin/python3 -m training.surface_select --compare public/models/surface --latent-scale 1 --latent-scale 0.8
     (exported weights alone, at their training crop, on the default dataset; --out FILE to keep the records)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .common import CACHE, dataset_manifest_sha256, snapshots
from .export import fp16_layers, load_ema, load_exported
from .metrics import (family_recognition, generate, material_crops, nn_distance, tone_range,
                      train_family_classifier)
from .models import FoldedGenerator, Generator
from .train import MaterialSet


class FamilyScorer:
    """The real side of every figure, drawn once: per family, training and held-out crops and the patch bank; and
    the family classifier."""

    def __init__(self, data: str, n: int = 256, crop: int = 40, bank: int = 2000, classifier_steps: int = 1500,
                 seed: int = 0):
        self.train, self.held = MaterialSet(data, split=0), MaterialSet(data, split=1)
        self.families = self.train.families
        self.n, self.crop, self.seed = n, crop, seed
        self.q = min(32, crop)  # the nearest-neighbour patch side
        self.clf, self.clf_accuracy = train_family_classifier(self.train, crop, steps=classifier_steps, seed=seed + 7)
        self.real = {}
        for k in range(len(self.families)):
            if not (self.train.family == k).any() or not (self.held.family == k).any():
                continue  # no held-out images: no reference for nn or recognition
            s = seed + 100 * (k + 1)
            held = material_crops(self.held, n, crop, s + 1, k)
            pool = material_crops(self.train, bank, self.q, s + 8, k).reshape(bank, -1)
            nn_held = nn_distance(self.patches(held), pool)  # the same for every snapshot: once
            self.real[k] = (material_crops(self.train, n, crop, s, k), held, pool, nn_held)

    def patches(self, x: torch.Tensor) -> torch.Tensor:
        """The top-left q x q patch of each crop, flattened: what the nearest-neighbour distance compares."""
        return x[:, :, : self.q, : self.q].reshape(x.shape[0], -1)

    def score(self, net, g: Generator, latent_scale: float = 1.0) -> dict:
        """Per family {rec, tone, nn} and their means over the families scored, with how many are below nn 1; the
        samples' latents drawn at `latent_scale` (1: as the world draws them)."""
        cells = (self.crop // g.cell_px, self.crop // g.cell_px)
        torch.manual_seed(self.seed)  # the per-pixel noise: the same draws for every snapshot
        fam, judged = {}, {}
        for k, (real_train, real_held, bank, nn_held) in self.real.items():
            fake = generate(net, g, self.n, cells, self.seed + 100 * (k + 1) + 2, family=k, latent_scale=latent_scale)
            nn_fake = nn_distance(self.patches(fake), bank)
            fam[self.families[k]] = {'nn': round(nn_fake / nn_held, 3),
                                     'tone': tone_range(real_train, fake, real_held)['tone_outside']}
            judged[k] = (real_held, fake)
        for name, r in family_recognition(self.clf, self.families, judged).items():
            fam[name]['rec'] = r['recognised']
        means = {key: round(float(np.mean([f[key] for f in fam.values()])), 3) for key in ('rec', 'tone', 'nn')}
        return {**means, 'below_nn_1': sum(f['nn'] < 1 for f in fam.values()), 'families': fam}


def table(records: list[dict], families: list[str]) -> str:
    """One line per record: the means, then rec / tone / nn per family."""
    head = ['what'.ljust(32), 'rec   tone  nn    <1'] + [f[:14].ljust(14) for f in families]
    lines = ['  '.join(head)]
    for r in records:
        cells = [r['label'][:32].ljust(32), f"{r['rec']:.2f}  {r['tone']:.2f}  {r['nn']:.2f}  {r['below_nn_1']:>2}"]
        for f in families:
            v = r['families'].get(f)
            cells.append(f"{v['rec']:.2f} {v['tone']:.2f} {v['nn']:.2f}" if v else '-'.ljust(14))
        lines.append('  '.join(cells))
    return '\n'.join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', default=None, help='a run folder whose snapshots to score (optional with --compare)')
    ap.add_argument('--data', default=None, help="default: the run's dataset, else training/.cache/surface2.npz")
    ap.add_argument('--out', default=None, help='where to write the records (default <run>/select.json)')
    ap.add_argument('--every', type=int, default=0, help='score only snapshots at multiples of this many steps')
    ap.add_argument('--from', dest='start', type=int, default=0, help='score only snapshots from this step on')
    ap.add_argument('--compare', action='append', default=[], metavar='DIR',
                    help='exported weights (model.json + weights.bin) to score beside the snapshots, e.g. the shipped '
                         'ones; repeatable')
    ap.add_argument('--latent-scale', type=float, action='append', default=None, metavar='PSI',
                    help='score every net with its latents scaled by PSI (the truncation trick; repeatable, '
                         'default 1): how recognition and nn trade against each other')
    ap.add_argument('--n', type=int, default=256, help='samples and real crops per family')
    ap.add_argument('--classifier-steps', type=int, default=1500)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.run is None and not args.compare:
        raise SystemExit('give --run (a run folder with snapshots) or --compare (exported weights), or both')
    run = Path(args.run) if args.run else None
    snaps = snapshots(run, args.start, args.every) if run else []
    if run and not snaps and not args.compare:
        raise SystemExit(f'no snapshots to score in {run}/snapshots (train with --snapshot-every)')
    exports = [(d, *load_exported(Path(d))) for d in args.compare]  # (dir, shell, layers, latentscape block)
    if run:
        cfg = json.loads((run / 'config.json').read_text())
        data, crop = args.data or cfg['data'], cfg['crop']
    else:  # exported weights alone: scored at the (first) export's training crop, as the weights were trained
        data = args.data or str(CACHE / 'surface2.npz')
        crop = exports[0][-1]['training']['crop']
    have = dataset_manifest_sha256(data)
    scorer = FamilyScorer(data, n=args.n, crop=crop, classifier_steps=args.classifier_steps)
    records = []

    def add(label: str, net, g: Generator, **extra) -> None:
        for psi in args.latent_scale or [1.0]:
            named = label if psi == 1.0 else f'{label} psi={psi:g}'
            rec = {'label': named, **extra, 'latent_scale': psi, **scorer.score(net, g, latent_scale=psi)}
            records.append(rec)
            print(json.dumps(rec), flush=True)

    for d, g, layers, ls in exports:
        # Weights trained on another build of the dataset may have trained on images this build holds out: their
        # nn and recognition are then flattered, so the record says so rather than refusing (metrics refuses).
        same = ls['training'].get('datasetManifestSha256') == have
        add(f"{ls['version']}", FoldedGenerator(layers), g, export=str(d), same_dataset_build=same)
    for path in snaps:
        g, ck = load_ema(run, 'surface', str(path.relative_to(run)))
        add(f"step {ck['step']}", FoldedGenerator(fp16_layers(g)), g, step=ck['step'], file=path.name)
    out = {'data': str(data), 'classifier_accuracy': round(scorer.clf_accuracy, 3), 'n': args.n,
           'families': [scorer.families[k] for k in scorer.real], 'records': records}
    dest = Path(args.out) if args.out else (run / 'select.json' if run else None)
    if dest:
        dest.write_text(json.dumps(out, indent=1))
    print(table(records, out['families']))


if __name__ == '__main__':
    main()
