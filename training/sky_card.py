"""The model card of the `sky` generator (public/models/sky/card.md), from model.json and metrics.json."""

from __future__ import annotations

import json
from pathlib import Path

from .cards import swd_table


# Judged by eye on the sample sheets of the exported weights (not computed): what a user will see.
LIMITS = [
    '- Trained on 32 skies (40 with the held-out 8), still a small dataset for a texture. The checkpoint was picked by',
    '  eye among the run\'s snapshots (every one scored in select.json): the rule\'s lowest-SWD choice, later in the',
    '  run, paints mostly clear tiles with tiny hard-edged cloudlets rimmed in dark blue and faint hazy rings.',
    '- Tiles (docs/models/sky-layer-samples.png): lumpy white cumulus, scattered cloudlets and popcorn fields over',
    '  blue, a closed white deck, grey decks with blue holes. No salt-and-pepper grain: noise enters only at 2x and 4x',
    '  the latent resolution (the weights before these, with noise down to every pixel, built their cloud texture out',
    '  of it). The clouds are soft-edged rather than crisp, and the grey decks carry a few bright specks.',
    '- The clouds are small (cloudlets, not towering cumulus) and all of one kind within a tile (the global latent is',
    '  one value for the whole tile). The 256 px tile repeats across the sky; overhead the repetition can be seen.',
    '- From the ground (docs/models/sky-samples.png) the skies vary: flat overcast, dusk with clouds along the horizon,',
    '  broken white cumulus over blue, pink-lit cloud banks near a low sun. A thick deck under a low sun can turn a',
    '  dark mauve with blue holes, the clouds darker than the sky between them, which does not look real.',
    '- No night, no storm towers, no cirrus streaks worth the name: the data has almost none.',
]


def licence_note(man: dict) -> list[str]:
    """Why the weights carry their licence, from what they were trained on."""
    if man['licence'] == 'CC-BY-SA-4.0':
        return ['  The training skies are CC BY-SA 4.0, CC BY-SA 3.0, CC BY 3.0, CC0, zlib and Philo\'s any-purpose',
                '  licence: BY-SA 4.0 images can only go into a BY-SA 4.0 adaptation, and CC BY-SA 3.0 section 4(b) lets',
                '  an adaptation of BY-SA 3.0 images be released under a later version with the same licence elements.']
    return [f"  These weights were trained on {man['training'].get('trainImages')} skies under CC BY-SA 3.0, CC BY 3.0 and"
            ' CC0 only',
            '  (dataset manifest above), so BY-SA 3.0 is their licence. `training/SKY-DATA.md` now describes a larger',
            '  set that adds CC BY-SA 4.0 skies; weights trained on it are exported as CC-BY-SA-4.0 (CC BY-SA 3.0',
            '  section 4(b) lets BY-SA 3.0 images go into a 4.0 adaptation) and this card will say so.']


def training_lines(tr: dict) -> list[str]:
    """How the weights were trained: steps, crops and their augmentation, losses, device and speed, the choice of
    checkpoint."""
    scale = '-'.join(f'{v:g}' for v in tr.get('deckScale') or (0.75, 1.33))
    crops = (f"random {tr['crop']}x{tr['crop']} px crops inside the decks, each turned about the zenith by any angle"
             f" (its footprint kept inside the deck), scaled {scale}x"
             ' (deck px per crop px), mirrored, its clouds\' exposure varied'
             ' 0.7-1.3x and drawn from one of five lights (`training/sky_augment.py`)' if tr.get('deckAugment') else
             f"random {tr['crop']}x{tr['crop']} px crops inside the decks with flips and 90-degree rotations")
    where = (f"on one lent {tr.get('gpu') or 'NVIDIA GPU'} (CUDA PyTorch, `training/gpu_run.sh`)."
             if tr.get('device') == 'cuda' else 'on 2 CPU cores (Debian python3-torch).')
    r1 = tr.get('r1') or 0.1
    out = [f"- {tr['steps']} steps, batch {tr['batch']}, {crops}; non-saturating loss, lazy R1 (gamma {r1:g} every 4",
           '  steps), DiffAugment (colour, translation, cutout), Adam 2e-4 (0.5, 0.99), EMA 0.999, ' + where]
    if tr.get('speed'):
        out.append(f"- Speed: {tr['speed']}.")
    sel = tr.get('selection')
    if sel:
        out += [f"- Checkpoint: step {tr['steps']} of a run to step {sel['lastStep']}, chosen among its {sel['snapshots']}"
                f" scored EMA snapshots by `training/sky_select.py` ({sel['rule']}; every score in the run's `select.json`)."]
    return out


def noise_placement(man: dict) -> str:
    """Where the exported generator adds per-pixel noise, read from its layer list: the scale of each noise map
    decides whether it can only nudge the cloud shapes or paints grain of its own."""
    factor, where = 1, []
    for layer in man['layers']:
        factor *= 2 if layer['upsample'] else 1
        if layer.get('noise'):
            where.append(f"{factor}x ({man['latent']['cellPx'] // factor} px per value)")
    if not where:
        return 'no noise inputs'
    listed = where[0] if len(where) == 1 else ', '.join(where[:-1]) + ' and ' + where[-1]
    return f'noise maps added at {listed} the latent resolution'


def write_sky_card(model_dir: Path, man: dict) -> None:
    mpath = model_dir / 'metrics.json'
    m = json.loads(mpath.read_text()) if mpath.exists() else None
    lat, tr = man['latent'], man['training']
    params = sum(l['kernel'] ** 2 * l['in'] * l['out'] + l['out'] for l in man['layers'])
    chans = ' -> '.join([str(man['layers'][0]['in'])] + [f"{'up,' if l['upsample'] else ''}{l['out']}" for l in man['layers']])
    cells = tr.get('cells') or [tr['crop'] // 16, tr['crop'] // 16]
    cl = man.get('cloudLayer', {})
    ppu = cl.get('pxPerUnit', 0)
    lines = [
        f"# Model card: `sky` generator ({man['version']})",
        '',
        '**Outputs are AI-generated** (IPTC digital source type `trainedAlgorithmicMedia`). The generator paints the',
        "cloud layer of the sky every Latentscape room stands under; the app composes it with a physically based",
        'atmosphere into the 360-degree sky a user sees.',
        '',
        '## What is learned and what is physics',
        '- Learned (this model): a tileable texture of clouds seen from below, painted over one flat clear-sky colour',
        f"  (linear RGB {cl.get('clearRgb')}): how much cloud covers each point (cover) and how bright it is. The app",
        f"  lays it on a plane one unit above the viewer, {ppu:.1f} texels per unit, so it shrinks into perspective",
        '  towards the horizon like real clouds.',
        '- Not learned: the clear sky behind the clouds, the sun and the time of day. They come from the Preetham',
        '  analytic daylight model (Rayleigh + Mie scattering, as three.js Sky.js) in `world-gen/sky-atmosphere.ts`,',
        '  whose sun elevation and azimuth, turbidity and Rayleigh scale follow the same seeded latent walk as the',
        '  clouds. `world-gen/sky-compose.ts` decodes cover and brightness from the generated colours, lights the',
        '  clouds with the atmosphere\'s sun and sky light (silver lining towards the sun, grey under a thick deck),',
        '  hazes them with distance (aerial perspective), filters them with a mip pyramid near the horizon, tone-maps',
        '  (ACES) and writes the 512x128 upper-hemisphere panorama.',
        '- Why: a first model painted whole panoramas from 35 of them and copied their compositions (nn_ratio 0.85,',
        '  speckled, narrow variety). Clouds are a texture; a texture GAN learns them from few photographs, while',
        '  gradient, sun and light are better given by physics than guessed from 35 examples.',
        '',
        '## Architecture',
        f"- PSGAN-style fully convolutional generator (Bergmann et al. 2017), {params / 1e6:.2f} M parameters,",
        f"  float16 weights ({(model_dir / 'weights.bin').stat().st_size / 1e6:.1f} MB), BatchNorm folded into the convs.",
        f"- Input: a latent field of cells, each with {lat['globalDim']} global channels (the same in every cell: which",
        f"  clouds, from the latent walk) then {lat['localDim']} local i.i.d. N(0,1) channels (where they are, one field per",
        f"  world). One cell paints {lat['cellPx']}x{lat['cellPx']} px; the app asks for 16x16 cells = a 256x256 tile.",
        f"- Channels: {chans}; 3x3 convs with circular padding in both axes (the tile repeats with no seam),",
        '  upsampling nearest x2 + [1,2,1] blur, ReLU, tanh output; ' + noise_placement(man) + ',',
        f"  exported at {man.get('noiseScale', 1.0)} x the learned strengths.",
        '- Layout definition shared with TypeScript: `world-gen/latent-layout.json`.',
        '',
        '## Training',
        f"- Data: {tr.get('trainImages')} cloud decks (0 A.D. photo skyboxes, Red Eclipse and Cube 2 skyboxes, Poly"
        ' Haven',
        '  HDRIs tone-mapped): each sky reprojected onto the plane overhead (elevations above ~25 degrees), its clouds',
        '  separated from the clear sky by colour, see `training/SKY-DATA.md` and `training/CREDITS.md`; dataset',
        f"  manifest sha256 `{tr.get('datasetManifestSha256')}`.",
        *training_lines(tr),
        f"- Code commit at training start: `{tr.get('gitCommit')}`. Retrain: see `training/README.md`.",
        '',
        '## Metrics',
    ]
    if m:
        lines += [
            f"Computed by `training/metrics.py --model sky` at step {m['step']} on {m['n_images']} cloud-layer crops of",
            f"{tr['crop']}x{tr['crop']} px per set ({m['swd_descriptors_per_level']} descriptors per level). SWD x1e3,",
            f"Laplacian levels {m['swd_levels_px']} px:",
            '',
            *swd_table(m),
        ]
        lines += [
            '',
            f"- SWD gap ratio (trained - floor) / (min(untrained, noise) - floor): **{m['swd_gap_ratio']}**;",
            f"  per level {m['swd_gap_ratio_levels']}. Only {m.get('heldout_images', 'a few')} held-out skies: the floor is noisy.",
            *(['  Below 0 means the samples match the TRAINING clouds\' statistics more closely than unseen real clouds',
               '  do: the bar passes, but it is a sign of fitting the training set, not of a better-than-real model.']
              if m['swd_gap_ratio'] is not None and m['swd_gap_ratio'] < 0 else []),
            f"- seam_ratio across the tile's wrap (both axes) vs interior lines: **{m['seam_ratio']}** (1.0 = the wrap",
            '  is like any other line). The panorama has no longitude seam by construction (the plane has no border',
            '  there); `test/world-gen/sky-compose.test.ts` checks it.',
            f"- diversity_ratio (pairwise texture-statistics distance, samples / real): **{m['diversity_ratio']}**.",
            f"- nn_ratio (32x32 patches, distance to the nearest training patch, samples / held-out real): **{m['nn_ratio']}**",
            f"  (samples {m['nn_samples']}, held-out {m['nn_heldout']}): above 1 means samples are further from the training",
            '  clouds than unseen real clouds are (no copying).',
            *([(f"- nn_ratio_loo (leave-one-group-out reference over all {m['nn_loo_images']} skies in {m['nn_loo_groups']} author"
                " or source groups: each sky's patches against" if m.get('nn_loo_by_group') else
                f"- nn_ratio_loo (leave-one-out reference over all {m['nn_loo_images']} skies: each sky's patches against the other"),
               f"  {'the other groups' if m.get('nn_loo_by_group') else 'skies'}' training patches): **{m['nn_ratio_loo']}** (samples {m['nn_loo_samples']}, real {m['nn_loo_real']}; the",
               f"  {m.get('heldout_images', 'few')} held-out skies alone {m['nn_loo_real_heldout']}, training skies {m['nn_loo_real_train']}). With so few skies the",
               '  held-out ones decide the plain nn_ratio: a training sky measured the same way would score',
               f"  {round(m['nn_loo_real_train'] / m['nn_heldout'], 2)} on it.",
               ] if 'nn_ratio_loo' in m else []),
        ]
    else:
        lines.append('Not computed yet: run `training/metrics.py --model sky`.')
    lines += [
        '',
        '## Limits',
        *LIMITS,
        '- Sample sheets: `docs/models/sky-samples.png` (drawn by the app\'s code, `npm run sky-sheet`: eight worlds\'',
        '  start-room skies with their cloud tiles, then a walk through one world, every second room eastwards) and',
        '  `docs/models/sky-layer-samples.png` (the raw cloud tiles, 2x2, and a latent walk).',
        '',
        '## Intended use and licence',
        '- Intended: decorative skies in Latentscape worlds, labelled as AI-generated, exported with provenance',
        '  metadata. Not intended for passing off as photographs or lighting references.',
        f"- Weights licence: **{man['licence']}** (share-alike of the training data); credits in `training/CREDITS.md`.",
        *licence_note(man),
        '',
    ]
    (model_dir / 'card.md').write_text('\n'.join(lines))
