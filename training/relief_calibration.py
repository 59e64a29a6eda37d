"""Per-family relief calibration of a colour + height `surface` generator, written into model.json
(`latentscape.relief.familyGain` and `familyDetail`): the world turns each surface's painted height h into
gain * (B(h) + detail * (h - B(h))) before deriving its normal, roughness and height maps, where B is the wrap-around
[1, 2, 1] / 4 blur in both axes (world-gen `relief.ts`, `calibrateHeight`). `detail` keeps that share of the
finest, pixel-scale relief; `gain` scales the whole.

Why: one generator paints every family, and the shipped weights' height is steeper than their data's everywhere:
1.5-2.8 times at the pixel scale (a per-pixel grain the normal map turns into the speckle of gravel on every wall),
much less at two and four pixels, where brick joints and plank gaps are (brick 1.45 at one pixel, 1.05 at two, 1.00
at four; plaster 2.41, 1.31, 1.04; floor tiles 2.20, 1.79, 1.61; grass 1.60, 0.72, 0.59: too flat beyond its
finest scale). One factor per family would flatten the joints with the grain; the two factors take the grain away
and keep the shapes.

Fitted on the training split (its height maps outnumber the held-out ones 10 to 1; brick has one held-out height
map): `n` crops of each family that has height maps against `n` samples of it at the training crop, mean slope
(|dh/dx| + |dh/dy| in texture pixels, as `training.metrics`) at full resolution and after 2x2 and 4x4 average
pooling. For each detail in 0, 0.05, ..., 1 the gain that best matches the three slopes is closed-form (slopes scale
with it), and the detail with the smallest remaining misfit wins. The gain is clipped to [GAIN_MIN, GAIN_MAX]. A
family without height maps keeps its height as painted. `relief_ratio` against held-out real relief
(`training.metrics`) stays an independent check.

CLI: /usr/bin/python3 -m training.relief_calibration --model-dir public/models/surface \
         --sheet docs/models/surface-relief.png          (the shipped weights, ~1 min; rewrites their model.json)
     training.export calls `fit_families` for every family-conditioned relief model it exports.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F

GAIN_MIN, GAIN_MAX = 0.2, 2.5
DETAILS = [i / 20 for i in range(21)]
POOLS = (1, 2, 4)


def blur121(h: torch.Tensor) -> torch.Tensor:
    """[N, 1, H, W] blurred by [1, 2, 1] / 4 along both axes with wrap-around (generated heights tile)."""
    h = (torch.roll(h, 1, 3) + 2 * h + torch.roll(h, -1, 3)) / 4
    return (torch.roll(h, 1, 2) + 2 * h + torch.roll(h, -1, 2)) / 4


def calibrate(h: torch.Tensor, gain: float, detail: float) -> torch.Tensor:
    """gain * (B(h) + detail * (h - B(h))) for heights [N, 1, H, W] (world-gen `calibrateHeight`)."""
    b = blur121(h)
    return gain * (b + detail * (h - b))


def family_factors(calibration: dict, name: str) -> tuple[float, float]:
    """(gain, detail) of family `name` in a relief block's `familyGain` / `familyDetail` (1 where it is not listed)."""
    return (calibration.get('familyGain') or {}).get(name, 1.0), (calibration.get('familyDetail') or {}).get(name, 1.0)


def is_calibrated(calibration: dict | None) -> bool:
    """Does a relief block (or the metrics' copy of its tables) carry a calibration?"""
    return bool(calibration and (calibration.get('familyGain') or calibration.get('familyDetail')))


def slopes(h: torch.Tensor, px_per_unit: float) -> list[float]:
    """Mean slope (as `training.metrics.mean_slope`) at full resolution and after each of POOLS' average poolings."""
    from .metrics import mean_slope

    return [mean_slope(F.avg_pool2d(h, p) if p > 1 else h, px_per_unit) for p in POOLS]


def fit(painted: torch.Tensor, real_slopes: list[float], px_per_unit: float) -> tuple[float, float, float]:
    """(gain, detail, rms log misfit) that bring the painted heights' slopes at every pooling nearest the real ones."""
    best = None
    for d in DETAILS:
        logs = [math.log(max(p, 1e-9) / max(r, 1e-9))
                for p, r in zip(slopes(calibrate(painted, 1.0, d), px_per_unit), real_slopes)]
        gain = min(GAIN_MAX, max(GAIN_MIN, math.exp(-sum(logs) / len(logs))))
        misfit = math.sqrt(sum((x + math.log(gain)) ** 2 for x in logs) / len(logs))
        if best is None or misfit < best[2] - 1e-9:
            best = (gain, d, misfit)
    return best


def fit_families(net, g, data_path: str, relief_path: str, px_per_unit: float, crop: int, n: int = 512,
                 seed: int = 0) -> dict:
    """{'familyGain': {family: gain}, 'familyDetail': {family: detail}, 'fit': {family: slopes before/after}} over
    the families whose training images have height maps."""
    from .metrics import generate, height_crops
    from .train import MaterialSet

    train = MaterialSet(data_path, split=0, relief=relief_path)
    cells = (crop // g.cell_px, crop // g.cell_px)
    gains, details, report = {}, {}, {}
    for k, name in enumerate(train.families):
        if not (train.has_height & (train.family == k)).any():
            continue
        s = seed + 5000 + 100 * k
        real = slopes(height_crops(train, n, crop, s, k), px_per_unit)
        painted = generate(net, g, n, cells, s + 1, family=k, channels=4)[:, 3:]
        gain, detail, misfit = fit(painted, real, px_per_unit)
        gains[name], details[name] = round(gain, 3), round(detail, 2)
        after = slopes(calibrate(painted, gains[name], details[name]), px_per_unit)
        report[name] = {'pools': list(POOLS), 'real': [round(v, 4) for v in real],
                        'painted': [round(v, 4) for v in slopes(painted, px_per_unit)],
                        'calibrated': [round(v, 4) for v in after], 'rms_log_misfit': round(misfit, 3)}
    return {'familyGain': gains, 'familyDetail': details, 'fit': report}


def relief_block(relief: dict, fitted: dict) -> dict:
    """model.json's relief block with the fitted calibration (and how to read it) in place."""
    out = {k: v for k, v in relief.items() if k not in ('familyGain', 'familyDetail', 'calibration')}
    out['familyGain'] = fitted['familyGain']
    out['familyDetail'] = fitted['familyDetail']
    out['calibration'] = (
        "the world paints each surface's relief as gain * (B(h) + detail * (h - B(h))), B the wrap-around [1,2,1]/4 "
        "blur in both axes, with its family's gain and detail (1 and 1 for a family not listed), before deriving "
        'normal, roughness and height maps; fitted so the mean slope at 1, 2 and 4 px matches the training height '
        'maps (training/relief_calibration.py)')
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model-dir', default='public/models/surface', help='an exported relief model (model.json)')
    ap.add_argument('--n', type=int, default=512)
    ap.add_argument('--sheet', default=None, metavar='PNG',
                    help='also redraw the relief sheet (training.export relief_sheet) with the fitted calibration, '
                    'e.g. docs/models/surface-relief.png')
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)  # the per-pixel noise is drawn from torch's RNG: the fit repeats run to run
    from .common import CACHE
    from .export import check_dataset, load_exported
    from .models import FoldedGenerator
    from .surface_relief import OUT as relief_npz

    model_dir = Path(args.model_dir)
    g, layers, ls = load_exported(model_dir)
    if g.out_ch != 4 or 'relief' not in ls or not g.family_dim:
        raise SystemExit(f'{model_dir}: not a family-conditioned relief model')
    data = CACHE / 'surface2.npz'  # where training.surface_data writes it
    check_dataset(data, ls)  # the training split must be the one these weights saw
    fitted = fit_families(FoldedGenerator(layers), g, str(data), str(relief_npz), ls['relief']['pxPerUnit'],
                          ls['training']['crop'], n=args.n)
    path = model_dir / 'model.json'
    doc = json.loads(path.read_text())
    doc['latentscape']['relief'] = relief_block(doc['latentscape']['relief'], fitted)
    path.write_text(json.dumps(doc, indent=1))  # as training.export writes it
    if args.sheet:
        from .export import relief_sheet

        relief_sheet(FoldedGenerator(layers), g, ls['families']['names'], Path(args.sheet), ls['relief']['pxPerUnit'],
                     calibration=doc['latentscape']['relief'])
    print(json.dumps(fitted))


if __name__ == '__main__':
    main()
