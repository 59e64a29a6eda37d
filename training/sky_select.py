"""Choose the `sky` checkpoint by how little it copies, not by when training stopped.

With a few dozen skies a GAN drifts towards its training clouds the longer it trains, and the last step is not the
best one to ship. `train.py --model sky` keeps a slim EMA snapshot every 500 steps (`<run>/snapshots/`); this scores
each on the figures that matter (training/metrics.py):
- nn_ratio_loo: nearest-neighbour distance of sample patches to the training patches over the same for real skies
  measured leave-one-GROUP-out (each sky against the training skies of the other author/source groups; >= 1 means
  the samples are no closer to the training clouds than a new real sky is);
- swd: sliced Wasserstein distance (x1e3, mean of 3 levels) of samples to training crops, with the held-out floor;
- seam_ratio of whole tiles.
Rule: the best clouds that are not copies. Among snapshots whose SWD is at most `--swd-gate` x the held-out floor
(they paint clouds about as close to real clouds as unseen skies are: an untrained net scores ~2.5x) and whose
seam_ratio <= 1.1, those with nn_ratio_loo >= 1 (no closer to the training clouds than a new real sky is) and of
them the lowest SWD; if none is at 1, the highest nn_ratio_loo in the gate; if none passes the gate, the lowest
SWD. (Taking the highest ratio even where several are above 1 would ship the least trained snapshot: early in a run
samples are far from every real cloud because they are poor, not because they are new.) The choice is copied to `<run>/best.pt` (what
`training.export --ckpt best.pt` and `training.metrics --ckpt best.pt` read) and every score to `<run>/select.json`.

CLI: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m training.sky_select [--run training/runs/sky]
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import torch

from .common import snapshots
from .export import fp16_layers
from .metrics import crops_of, generate, leave_one_out_nn, nn_distance, seam_ratio, swd_levels
from .models import FoldedGenerator, Generator, recalibrate_bn
from .sky_augment import decks_at_scale, layer_scale


def load_snapshot(path: Path) -> tuple[Generator, dict]:
    """A snapshot's EMA generator with BatchNorm statistics recomputed (as export.load_ema)."""
    ck = torch.load(path, map_location='cpu', weights_only=False)
    cfg = ck['config']
    g = Generator('sky', plan=cfg.get('plan'), layout=cfg.get('layout'))
    g.load_state_dict(ck['G_ema'])
    recalibrate_bn(g, tuple(cfg['cells']))
    return g.eval(), ck


class SkyScorer:
    """The real side of every figure, computed once: training and held-out crops, the SWD floor and the
    leave-one-group-out reference inputs."""

    def __init__(self, images: np.ndarray, train: np.ndarray, groups: np.ndarray | None, crop: int = 64,
                 n: int = 512, seed: int = 0):
        self.images, self.train, self.groups = images, train, groups
        self.crop, self.n, self.seed = crop, n, seed
        self.real_train = crops_of(images[train], n, crop, seed, 'sky')
        self.floor = float(np.mean(swd_levels(self.real_train, crops_of(images[~train], n, crop, seed + 1, 'sky'),
                                              seed=seed)))
        # The real side of the leave-one-group-out ratio does not depend on the generator: its reference distance once
        # (metrics.leave_one_out_nn, any query), and the training bank it measures samples against, drawn with the same
        # seeds, so a snapshot's ratio is exactly what training/metrics.py would report for it.
        per_image, loo_seed = 800, seed + 9
        ref = leave_one_out_nn(images, train, torch.zeros(1, 3 * 32 * 32), loo_seed, 'sky', per_image=per_image,
                               groups=groups)
        self.loo_real = ref['nn_loo_real']
        self.bank = torch.cat([crops_of(images[i:i + 1], per_image, 32, loo_seed + i, 'sky').reshape(per_image, -1)
                               for i in range(len(images)) if train[i]])

    def score(self, g: Generator) -> dict:
        net = FoldedGenerator(fp16_layers(g))
        cells = (self.crop // g.cell_px, self.crop // g.cell_px)
        with torch.no_grad():
            fake = generate(net, g, self.n, cells, self.seed + 2)
            big = generate(net, g, 16, (8, 8), self.seed + 6, batch=8)
        swd = float(np.mean(swd_levels(self.real_train, fake, seed=self.seed)))
        nn_fake = nn_distance(fake[:, :, :32, :32].reshape(self.n, -1), self.bank)
        return {'swd': round(swd, 2), 'swd_floor': round(self.floor, 2), 'seam_ratio': round(seam_ratio(big), 4),
                'nn_ratio_loo': round(nn_fake / self.loo_real, 3), 'nn_loo_samples': round(nn_fake, 3),
                'nn_loo_real': self.loo_real}


def choose(records: list[dict], swd_gate: float) -> tuple[dict, str]:
    """The chosen record and why (the rule in the module docstring)."""
    ok = [r for r in records if r['swd'] <= swd_gate * r['swd_floor'] and r['seam_ratio'] <= 1.1]
    new = [r for r in ok if r['nn_ratio_loo'] >= 1.0]
    if new:
        best = min(new, key=lambda r: (r['swd'], -r['nn_ratio_loo']))
        return best, (f'lowest swd of {len(new)} snapshots with nn_ratio_loo >= 1, swd <= {swd_gate} x floor and '
                      'seam <= 1.1')
    if ok:
        best = max(ok, key=lambda r: (r['nn_ratio_loo'], -r['swd']))
        return best, f'highest nn_ratio_loo of {len(ok)} snapshots with swd <= {swd_gate} x floor and seam <= 1.1'
    best = min(records, key=lambda r: r['swd'])
    return best, f'no snapshot within swd <= {swd_gate} x floor: the lowest swd'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', default='training/runs/sky')
    ap.add_argument('--data', default=None, help="default: the run's dataset")
    ap.add_argument('--swd-gate', type=float, default=1.5)
    ap.add_argument('--n', type=int, default=512, help='samples and crops per snapshot')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--every', type=int, default=0,
                    help='score only snapshots at multiples of this many steps (on 2 CPU cores a snapshot takes ~20 s)')
    ap.add_argument('--pick', type=int, default=None,
                    help="ship the snapshot of this step instead of the rule's choice: for a choice made by eye on the "
                         "tile sheets, when the rule's lowest-SWD snapshot paints worse clouds than the figures show. "
                         "Every score and the rule's own choice stay in select.json and the card")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    run = Path(args.run)
    snaps = snapshots(run, every=args.every)
    if not snaps:
        raise SystemExit(f'no snapshots in {run}/snapshots (train with --snapshot-every)')
    first = torch.load(snaps[0], map_location='cpu', weights_only=False)['config']
    data = np.load(args.data or first['data'])
    # A run trained at another deck scale paints its clouds smaller in its pixels: score against decks at that scale.
    images = decks_at_scale(data['images'], layer_scale(first.get('deck_scale')))
    scorer = SkyScorer(images, data['train'], data['group'] if 'group' in data.files else None,
                       crop=first['crop'], n=args.n)
    records = []
    for path in snaps:
        g, ck = load_snapshot(path)
        rec = {'step': ck['step'], 'file': path.name, **scorer.score(g)}
        records.append(rec)
        print(json.dumps(rec), flush=True)
    best, why = choose(records, args.swd_gate)
    if args.pick is not None:
        picked = [r for r in records if r['step'] == args.pick]
        if not picked:
            raise SystemExit(f"--pick {args.pick}: no scored snapshot of that step "
                             f"(scored: {', '.join(str(r['step']) for r in records)})")
        why = f"picked by eye on the tile sheets; the rule ({why}) chose step {best['step']}"
        best = picked[0]
    shutil.copyfile(run / 'snapshots' / best['file'], run / 'best.pt')
    out = {'chosen': best, 'rule': why, 'swd_gate': args.swd_gate, 'records': records}
    (run / 'select.json').write_text(json.dumps(out, indent=1))
    print(json.dumps({'chosen_step': best['step'], 'rule': why, 'nn_ratio_loo': best['nn_ratio_loo'],
                      'swd': best['swd'], 'swd_floor': best['swd_floor']}))


if __name__ == '__main__':
    main()
