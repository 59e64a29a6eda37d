"""The model card of the `sky` generator (public/models/sky/card.md), from model.json and metrics.json."""

from __future__ import annotations

import json
from pathlib import Path

from .export import swd_table


def write_sky_card(model_dir: Path, man: dict) -> None:
    mpath = model_dir / 'metrics.json'
    m = json.loads(mpath.read_text()) if mpath.exists() else None
    lat, tr = man['latent'], man['training']
    params = sum(l['kernel'] ** 2 * l['in'] * l['out'] + l['out'] for l in man['layers'])
    chans = ' -> '.join([str(man['layers'][0]['in'])] + [f"{'up,' if l['upsample'] else ''}{l['out']}" for l in man['layers']])
    cells = tr.get('cells') or [8, tr['crop'] // 16]
    lines = [
        f"# Model card: `sky` generator ({man['version']})",
        '',
        '**Outputs are AI-generated** (IPTC digital source type `trainedAlgorithmicMedia`). They are 360-degree skies',
        '(equirectangular panoramas of the upper hemisphere) that Latentscape rooms stand under.',
        '',
        '## Architecture',
        f"- PSGAN-style fully convolutional generator (Bergmann et al. 2017), {params / 1e6:.2f} M parameters,",
        f"  float16 weights ({(model_dir / 'weights.bin').stat().st_size / 1e6:.1f} MB), BatchNorm folded into the convs.",
        f"- Input: a latent field of cells, each with {lat['globalDim']} global channels (the same in every cell: which",
        f"  sky) then {lat['localDim']} local i.i.d. N(0,1) channels (where clouds and the sun go) and one elevation",
        '  channel (+1 in the zenith row of cells, -1 in the horizon row, linear between): the generator knows how',
        f"  high each cell is, so it learns horizon haze, zenith blue and where the sun sits. One cell paints {lat['cellPx']}x{lat['cellPx']} px.",
        '- Output: the upper hemisphere in equirectangular projection, 8 cells high (128 px = 90 degrees of',
        '  elevation); the app asks for 8x32 cells = 512x128 px, i.e. the angular resolution of a 512x256 full',
        '  panorama (0.7 degree per pixel). The lower hemisphere is not generated: the app fades it from the',
        "  horizon row's colour to a darker ground tone (the rooms' floors hide it).",
        f"- Channels: {chans}; 3x3 convs with circular padding in longitude (the panorama closes around 360 degrees",
        '  with no seam) and edge padding in elevation; upsampling nearest x2 + [1,2,1] blur; ReLU, tanh output;',
        '  per-pixel noise inputs after each upsampling conv, seeded once per world in the app (with the local latents,',
        '  so only the global latent changes from room to room). Noise truncation: the exported noise strengths are',
        f"  the learned ones x {man.get('noiseScale', 1.0)} (at 1.0 the skies carry a fine grain real skies lack; at 0 they blur).",
        '- Layout definition shared with TypeScript: `world-gen/latent-layout.json`.',
        '',
        '## Training',
        f"- Data: {tr.get('trainImages')} training panoramas (0 A.D. photo skyboxes, Red Eclipse skyboxes, Poly Haven",
        '  HDRIs tone-mapped), see `training/SKY-DATA.md` and `training/CREDITS.md`; dataset manifest sha256',
        f"  `{tr.get('datasetManifestSha256')}`.",
        f"- {tr['steps']} steps, batch {tr['batch']}, crops of {cells[0] * 16}x{tr['crop']} px (the full elevation range x",
        f"  {tr['crop'] * 360 // 512} degrees of longitude, random start and mirror); non-saturating loss, lazy R1 (gamma 0.1",
        '  every 4 steps), DiffAugment (colour, translation, cutout), Adam 2e-4 (0.5, 0.99), EMA 0.999, on 2 shared',
        '  CPU cores (Debian python3-torch). Discriminator: 4 stride-2 convs (48-96-192-256) + minibatch std.',
        f"- Code commit at training start: `{tr.get('gitCommit')}`. Retrain: see `training/README.md`.",
        '',
        '## Metrics',
    ]
    if m:
        lines += [
            f"Computed by `training/metrics.py --model sky` at step {m['step']} on {m['n_images']} crops of",
            f"{cells[0] * 16}x{tr['crop']} px per set ({m['swd_descriptors_per_level']} descriptors per level). SWD x1e3,",
            f"Laplacian levels {m['swd_levels_px']} px:",
            '',
            *swd_table(m),
        ]
        lines += [
            '',
            f"- SWD gap ratio (trained - floor) / (min(untrained, noise) - floor): **{m['swd_gap_ratio']}**;",
            f"  per level {m['swd_gap_ratio_levels']}. Only {m.get('heldout_images', 'a few')} held-out panoramas: the floor is noisy.",
            f"- seam_ratio across the 360-degree wrap (longitude -180 = +180) vs interior columns: **{m['seam_ratio']}**",
            '  (1.0 = the wrap is like any other column).',
            f"- diversity_ratio (pairwise texture-statistics distance, samples / real): **{m['diversity_ratio']}**.",
            f"- nn_ratio (whole crops at 32x32, nearest training crop, samples / held-out real): **{m['nn_ratio']}**:",
            '  above 1 means samples are further from the training skies than unseen real skies are (no copying).',
        ]
    else:
        lines.append('Not computed yet: run `training/metrics.py --model sky`.')
    lines += [
        '',
        '## Limits',
        '- This is a weak model, shipped because it is the best this project could train here, and labelled as such.',
        '  35 training panoramas, 3,000 steps (about 1.5 hours on 2 CPU cores shared with other work). What it paints',
        '  reads as a sky at a glance: blue, hazy or overcast, brighter towards the horizon, with soft cloud banks and',
        '  dark hill or tree lines along the horizon. Up close many samples carry a speckled, snow-like texture where',
        '  clouds should be (partly the noise inputs, hence the truncation above, partly the convolutions), clouds have',
        '  no crisp structure, and the variety is narrow: mostly daylight blue and grey; sunsets, night skies and a',
        '  clear sun disc are rare. A user will see a plausible but painterly, sometimes grainy sky.',
        '- The generator sees 90 degrees of longitude at a time in training: a 360-degree sky can hold two bright',
        '  patches or none (the local latents decide); the app derives its sun light from the brightest region.',
        '- Skylines in the HDRIs (city, Venice, tree lines) leave dark, blurry shapes along the horizon.',
        '- A better design for the data available: a cloud-layer generator (trained on many crops of cloud photos,',
        '  which are plentiful and tile) composited over a physically based clear-sky model (e.g. Hosek-Wilkie or',
        '  Preetham) that supplies the gradient, the sun and the time of day; or this model trained far longer on a GPU.',
        '- Sample sheet: `docs/models/sky-samples.png` (eight 360-degree skies; below, a latent walk: six frames',
        '  with the same local latents and noise while the global latent moves, as between rooms in the world).',
        '',
        '## Intended use and licence',
        '- Intended: decorative skies in Latentscape worlds, labelled as AI-generated, exported with provenance',
        '  metadata. Not intended for passing off as photographs or lighting references.',
        f"- Weights licence: {man['licence']} (share-alike of the training data); credits in `training/CREDITS.md`.",
        '',
    ]
    (model_dir / 'card.md').write_text('\n'.join(lines))
