"""The model card of the family-conditioned `surface` generator (public/models/surface/card.md), from model.json and
metrics.json: every figure comes from those files, the judgement by eye from LIMITS below."""

from __future__ import annotations

import json
from pathlib import Path

from .cards import swd_table

# Judged by eye on docs/models/surface-samples.png of the exported weights (not computed): what a visitor will see.
LIMITS = [
    '- Still an interim model: 24,000 steps on 2 CPU cores, colour and height together throughout (the runs of the one',
    '  GPU lease so far were measured and not shipped: "GPU trial" under Training).',
    '  By eye, row by row of the sheet:',
    '- brick: five of six read as brickwork: courses of small bricks with joints, mossy green (two), dark brown-grey,',
    '  red and brown; one is a near-white sheet with a few dark strokes (painted brick with its outlines lost: 12% of',
    '  brick samples are brighter than its training crops). Joints are soft, not crisp mortar lines.',
    '- stone_blocks: weaker on this sheet than the previous weights\' (which had three clear block walls): two beige',
    '  walls with faint, irregular block outlines, four grey or dark rough stone with faint courses. In the world\'s',
    '  rooms the beige block floors read better than the previous weights\' brown wavy ones.',
    '- floor_tiles: three of six read as a tiled floor (beige, cream and white square grids, the grout lines wavy);',
    '  one blue glazed pattern, one lilac speckle, and a cream pebble mosaic: white or grey pebbles with dark outlines',
    '  and strong relief, a look the tiles family often paints in the world (the README\'s start room has it on its',
    '  walls).',
    '- cobble: one of six reads as cobblestones (grey setts); one blue-black, the rest sandy and brown speckle with',
    '  faint grids. Better than the previous weights, which painted no cobbles, but still weak.',
    '- wood_planks: a yellow board floor with dark gaps, a grey grain, two dark brown boards with crackled grain and two',
    '  dark red ones with black dashes (one red wood source redrawn flat; see the nearest pairs). Planks read less',
    '  clearly than the previous weights\' boards.',
    '- plaster: dark grey concrete with crack and slab outlines, one smooth grey wall: passes as concrete.',
    '- metal: grey and dark grey plates with panel lines and scratches, a chrome-like blotched plate, one near-black.',
    '  Measured ("Overall tone"): 7% of metal samples are darker than 99% of metal training crops (28% for the previous',
    '  weights; 0.4% of held-out metal is); metal trim in the world is still mostly dark grey to black.',
    '- rock (grey stone, pebbles, dark red-brown, rounded boulders, sandstone), ground (sand, soil), grass and snow read',
    '  as what they are.',
    '- Surfaces keep a slightly embossed, "melted" look (shapes outlined by thin light/dark contours).',
    '- The family walk (last row) passes smoothly from dark brick to dark crackled planks, as district borders do.',
    '- Seams: every family\'s seam_ratio is within the 1.1 bar (metal\'s was 1.12 with the previous weights, its 8 px',
    '  latent grid showing through as faint panel edges; now 0.96).',
    '- Copying (`docs/models/surface-nn-pairs.png`, the six samples per family nearest to any training patch, beside',
    '  it): no sample is a crop of a training image. The nearest ones are flat patches in a training image\'s colours',
    '  (white painted brick, red wood, dark plaster and metal, sand, grass, snow). Overall nn_ratio is 1.01, but eight',
    '  families stay below 1 (plaster 0.54, brick 0.74): the model recombines its thin families\' sources rather than',
    '  inventing new looks (11 brick training images, 17 stone blocks).',
    '- What would fix it: more steps at a larger batch (on a lent GPU a surface step takes 0.07 s at batch 32 or 64,',
    '  so one 10-minute call is ~7,500 steps: see "GPU trial") and more brick, block and tile data under compatible',
    '  licences. The data has since grown (regions of 0 A.D. building atlases: brick 11 -> 22 training images, stone',
    '  blocks 17 -> 29, planks 29 -> 35, plaster 36 -> 49; `training/SURFACE-DATA.md`); these weights predate it.',
    '  The same recipe on the grown data (30,275 CPU steps, measured at 29,000: SWD 23.8, nn_ratio 1.05, seven families',
    '  below 1) was a wash by eye (better brick and tiles; pale stone blocks, green and orange cobble, darker metal',
    '  walls) and was not shipped: `training/README.md`.',
]


# The one GPU lease so far (measured with training.metrics like the shipped weights, not shipped).
GPU_TRIAL = [
    '- GPU trial (not shipped): on a lent NVIDIA H200, `training/gpu_run.sh MODEL=all` ran this recipe at batch 32 and',
    '  at batch 64 side by side (with the sky generator) at 0.068 and 0.071 s/step, then a second call continued both',
    '  without `--augment`: 8,400 and 8,116 steps in 11 minutes (~3,200 of them augmented). Against these weights',
    '  (24,000 CPU steps): overall nn_ratio 1.10 / 1.07 (1.01), SWD 31.8 / 27.7 (29.9), families below nn_ratio 1:',
    '  7 / 6 (8), samples recognised 71% / 75% (80%), metal recognised 57% / 48% (81%). By eye the batch-64 sheet',
    '  has brick courses in all six samples (88% recognised) but near-black, blobby metal and darker plaster; the',
    '  batch-32 one has white brick, black metal and blotched stone blocks. At the same wall time batch 64 learned',
    '  more than batch 32 (a step is bound by Python and kernel launches, not the GPU), but ~3,200 augmented steps',
    '  were too few for metal\'s tones, so these weights stay.',
]


# How the shipped run went, where its settings changed on the way (the checkpoint keeps only the last ones).
HISTORY = [
    '- Run history: colour + height from step 0, bfloat16 autocast from step 650 (`--bf16`), crops of brick, stone',
    '  blocks and floor tiles drawn 3x/2x/2x as often (`--family-weights`) throughout.',
    '- Steps 0-20,000 with `--augment` (training/surface_augment.py): real crops varied in hue, saturation,',
    '  brightness, contrast and size, more often the thinner the family. On its own that run painted fewer nameable',
    '  bricks, blocks and planks than the previous weights (training/README.md).',
    '- Steps 20,000-24,000 continued the same run without `--augment`: structure came back (tile grids, block',
    '  courses) while metal kept the lighter tones the augmented steps had taught it. Snapshots at every 1,000',
    '  steps to 28,000 were compared by eye and by the recognition and tone figures; step 24,000 was the best of them',
    '  (samples recognised 81% / 78-79% at 26,000-28,000; near-black metal 7% / 14%).',
]


# Judged by eye on docs/models/surface-relief.png (colour | height | lit from the upper left | lit from the lower right),
# drawn with the per-family calibration the world applies, beside the same sheet without it.
RELIEF_LIMITS = [
    '- Calibrated per family (model.json `familyGain`, `familyDetail`; training/relief_calibration.py): as painted,',
    '  the height was 1.5-2.8x as steep as the training height maps at the pixel scale (a grain the normal map turned',
    '  into speckle), much less at two and four pixels (brick, cobble, planks within 10%; floor tiles 1.6-1.8x). The',
    '  world keeps 0-40% of the pixel-scale relief and scales the rest; the calibrated samples\' mean slope then',
    '  matches the training maps within 5% at 1, 2 and 4 px in every family but ground (6%) and snow (8%). Beside',
    '  the uncalibrated sheet: the grit between the tiles\' pebbles and on the brick faces is gone; joints, pebble',
    '  outlines and plank gaps are as before.',
    '- Brick: joints recessed in the lit views (mossy and brown brick); the white brick is nearly flat.',
    '- Stone blocks: faint block outlines in the height; the lit views show gentle courses.',
    '- Floor tiles: still the strongest relief: the pebble mosaic\'s pebbles stand out with recessed outlines.',
    '- Wood planks: the dark boards stand proud with recessed gaps; the red and pale ones carry soft grain ridges.',
    '- Plaster: nearly flat paint now (5% of its fine relief kept).',
    '- Metal: soft dents and wavy ridges rather than crisp panel seams.',
    '- Rock, ground, grass and snow: gentle bumps; grass is the one family painted too flat beyond the pixel scale',
    '  (gain 2).',
    '- Against held-out real relief (the table): relief_ratio overall 0.86 (1.49 uncalibrated), normal-map SWD 71',
    '  (99; floor 52). Per family the held-out maps are few (brick 1, grass 3) and often unlike the training ones:',
    '  held-out metal is 2.4x as steep as training metal (mean slope 0.69 against 0.29), held-out grass and plaster',
    '  a third and three fifths as steep. The calibration follows the training maps, so metal (0.42) and rock (0.48)',
    '  read flatter than held-out and grass (3.1), cobble (1.9) and plaster (1.5) steeper.',
]


def relief_table(r: dict) -> list[str]:
    """Height and normal-map SWD (x1e3, samples vs held-out real; the floor is training vs held-out real) and
    relief_ratio (mean slope of samples / of held-out real) per family with held-out height maps; with a calibrated
    model, its gain and detail and the ratio of the height as painted."""
    cal = bool(r.get('calibrated'))
    head = '| family | train / held-out with height | SWD height (floor) | SWD normal (floor) | relief_ratio |'
    rule = '|---|---|---|---|---|'
    if cal:
        head += ' gain / detail | relief_ratio as painted |'
        rule += '---|---|'
    lines = [head, rule]
    for name, f in r.get('families', {}).items():
        row = (f"| {name} | {f['n_train_height']} / {f['n_heldout_height']} | {f['swd_height']} "
               f"({f['swd_height_floor']}) | {f['swd_normal']} ({f['swd_normal_floor']}) | {f['relief_ratio']} |")
        if cal:
            row += f" {f['gain']} / {f['detail']} | {f['relief_ratio_painted']} |"
        lines.append(row)
    if 'relief_ratio' in r:
        lines.append(f"| **all** | | {r['swd_height']} ({r['swd_height_floor']}) | {r['swd_normal']} "
                     f"({r['swd_normal_floor']}) | {r['relief_ratio']} |" + (' | |' if cal else ''))
    if r.get('families_without_heldout_height'):
        lines += ['', 'No held-out height maps (no figures): ' + ', '.join(r['families_without_heldout_height']) + '.']
    return lines


def family_table(m: dict) -> list[str]:
    """Per-family figures: the bars are swd_gap_ratio <= 0.25, nn_ratio >= 1.0, seam_ratio <= 1.1."""
    loo = any('nn_ratio_loo' in f for f in m.get('families', {}).values())
    cl = any('seam_ratio_cell_lines_max' in f for f in m.get('families', {}).values())
    lines = ['| family | train | held-out | SWD floor | SWD trained | gap ratio | nn_ratio | '
             + ('nn_ratio, leave one group out | ' if loo else '') + 'diversity | seam |'
             + (' seam, cell lines mean / max |' if cl else ''),
             '|---|---|---|---|---|---|---|' + ('---|' if loo else '') + '---|---|' + ('---|' if cl else '')]
    for name, f in m.get('families', {}).items():
        if 'skipped' in f:
            lines.append(f"| {name} | {f['n_train']} | {f['n_heldout']} | – | – | – | – | " + ('– | ' if loo else '')
                         + f"– | – ({f['skipped']}) |" + (' – |' if cl else ''))
            continue
        gap = 'n/a (floor above a baseline)' if f['swd_gap_ratio'] is None else f['swd_gap_ratio']
        lines.append(f"| {name} | {f['n_train']} | {f['n_heldout']} | {f['swd_floor']} | {f['swd_trained']} | "
                     f"{gap} | {f['nn_ratio']} | " + (f"{f.get('nn_ratio_loo', '–')} | " if loo else '')
                     + f"{f['diversity_ratio']} | {f['seam_ratio']} |"
                     + (f" {f.get('seam_ratio_cell_lines_mean', '–')} / {f.get('seam_ratio_cell_lines_max', '–')} |"
                        if cl else ''))
    failing = {name: [bar for bar, ok in f['passes'].items() if not ok and bar != 'diversity_ratio_ge_0.5']
               for name, f in m.get('families', {}).items() if 'passes' in f}
    failing = {name: bars for name, bars in failing.items() if bars}
    lines += ['', 'Bars per family (swd_gap_ratio <= 0.25, nn_ratio >= 1.0, seam_ratio <= 1.1): ' +
              ('all pass.' if not failing else 'failing: ' + '; '.join(f"{n} {', '.join(b)}" for n, b in failing.items())
               + '. A negative gap ratio with nn_ratio below 1 means the samples sit closer to the training images'
               ' than the few held-out ones do: the model fits those families\' training sets more than it generalises'
               ' (whether that is copying is judged on the pair sheet, below).')]
    if cl:
        lines += ['', 'seam, cell lines: the same ratio with each interior line at a latent-cell boundary (the border\'s'
                  ' phase) standing in for the border, rolled there by whole cells. Circular padding and i.i.d. latents'
                  ' make the border one of these lines by construction: a seam_ratio within their range is no seam; it'
                  ' exceeds 1 where the cell grid itself shows through (cell-boundary lines differ more than the'
                  ' average line).']
    if loo:
        lines += ['', 'The leave-one-group-out nn_ratio measures each real image of the family (up to 48, training and'
                  ' held-out) against the training images of the other near-duplicate groups, so a family\'s reference is'
                  ' not one or two held-out sources. Whether a low nn_ratio is copying is judged on'
                  ' `docs/models/surface-nn-pairs.png`: per family, the six samples nearest to any training patch, each'
                  ' beside that patch (32 px, shown 3x).']
    return lines


def recognition_table(m: dict) -> list[str]:
    """Per family: the share of samples a family classifier (trained on real training crops) calls that family, the
    same for held-out real crops, and what the samples are most often taken for instead."""
    c = m['classifier']
    lines = [f"A family classifier (a small CNN, {c['steps']} steps on class-balanced real training crops of "
             f"{c['crop']} px; {c['train_accuracy']:.0%} right on a fresh draw of them) labels {c['samples_per_family']} samples"
             ' per family and as many held-out real crops. Samples called their own family:'
             f" **{m['recognised']:.0%}** on average; held-out real crops called right: {m['recognised_heldout']:.0%}.",
             'It stands in for a person naming the material, with two blind spots: colour counts as much as structure,'
             ' and a sample that redraws a training look is recognised easily (nn_ratio judges that).',
             '',
             '| family | samples recognised | held-out real recognised | samples most often taken for |',
             '|---|---|---|---|']
    for name, f in m.get('families', {}).items():
        if 'recognised' not in f:
            continue
        other = f"{f['confused_with']} ({f['confused_share']:.0%})" if 'confused_with' in f else '–'
        lines.append(f"| {name} | {f['recognised']:.0%} | {f['recognised_heldout']:.0%} | {other} |")
    return lines


def tone_table(m: dict) -> list[str]:
    """Per family: the share of samples darker or brighter overall than all but 1% of the family's training crops on
    that side, beside the same for held-out real crops."""
    lines = ['The mean luminance of each sample against the range of its family\'s training crops (1st to 99th',
             'percentile): a sample outside it is a near-black or blank-bright surface the data hardly has (about 2% for',
             f"a generator that paints the training tones). Samples outside: **{m['tone_outside']:.0%}** on average;",
             f"held-out real crops outside: {m['tone_outside_heldout']:.0%} (a new source may be lighter or darker).",
             '',
             '| family | training range | samples darker | samples brighter | held-out real outside |',
             '|---|---|---|---|---|']
    for name, f in m.get('families', {}).items():
        if 'tone_outside' not in f:
            continue
        lo, hi = f['tone_range']
        lines.append(f"| {name} | {lo:.2f}–{hi:.2f} | {f['tone_dark']:.0%} | {f['tone_bright']:.0%} "
                     f"| {f['tone_outside_heldout']:.0%} |")
    return lines


def write_surface_card(model_dir: Path, man: dict) -> None:
    mpath = model_dir / 'metrics.json'
    m = json.loads(mpath.read_text()) if mpath.exists() else None
    lat, tr, fam = man['latent'], man['training'], man['families']
    params = sum(l['kernel'] ** 2 * l['in'] * l['out'] + l['out'] for l in man['layers'])
    chans = ' -> '.join([str(man['layers'][0]['in'])] + [f"{'up,' if l['upsample'] else ''}{l['out']}" for l in man['layers']])
    trunk = sum(1 for l in man['layers'] if not l['upsample']) - 1
    cell = lat['cellPx']
    rf_cells = 2 * trunk + 1
    device = ('one lent datacenter GPU (`training/gpu_run.sh`)' if tr.get('device') == 'cuda'
              else '2 CPU cores (Debian python3-torch)')
    ppm = fam['pxPerMetre']
    lines = [
        f"# Model card: `surface` generator ({man['version']})",
        '',
        '**Outputs are AI-generated** (IPTC digital source type `trainedAlgorithmicMedia`). They are tileable',
        'material textures for the floors, walls and trim of Latentscape rooms, in eleven families a person can name.',
        '',
        '## Architecture',
        f"- PSGAN-style fully convolutional generator (Bergmann et al. 2017), {params / 1e6:.2f} M parameters,",
        f"  float16 weights ({(model_dir / 'weights.bin').stat().st_size / 1e6:.1f} MB), BatchNorm folded into the convs.",
        f"- Input: a latent field of cells, each holding {lat['globalDim']} global channels (the same in every cell, from",
        f"  the world's latent walk: which variant of the material), then the {lat['familyDim']}-channel **family vector**,",
        f"  then {lat['localDim']} local i.i.d. N(0,1) channels (the arrangement). One cell paints {cell}x{cell} px: a",
        f"  256 px texture is a {256 // cell}x{256 // cell}-cell field, same weights at any size.",
        f"- Family conditioning: a learned embedding table ({len(fam['names'])} x {fam['dim']}, in model.json) whose row is",
        '  appended to the global latent; a district border in the world blends two rows. The discriminator is a',
        '  projection discriminator (Miyato & Koyama 2018): the family embedding dotted with its pooled features.',
        f"- Channels: {chans}; every conv is 3x3 with circular padding in both axes (every output tiles seamlessly);",
        '  upsampling nearest x2 + [1,2,1] blur (bilinear with wrap-around); ReLU, tanh output.',
        f"- Layout is decided at the latent resolution by a trunk of {trunk + 1} convs: a receptive field of {rf_cells} cells",
        f"  = {rf_cells * cell} px before upsampling, more than two periods of the largest regular structure at the training",
        '  scale (brick length ~21 px, tile ~19 px, stone course ~19 px).',
        '- Per-pixel noise only at full resolution, held at zero for the first steps: with noise at every scale the',
        '  generator satisfied the discriminator with grain and did not learn layout (family-conditioned prototypes).',
        *([f"- **Relief**: a fourth output channel is height (tanh; x {man['relief']['pxPerUnit']} = texture pixels), painted",
           '  by the same net as the colour so the two agree. The app derives a tiling normal map from it (wrap-around',
           '  differences) and a roughness map; see the README.'] if man.get('relief') else []),
        '',
        '## Scale (pixels per metre at the training scale; the world repeats an S px texture every S / ppm metres)',
        '',
        '| family | px per metre | a 256 px texture covers |',
        '|---|---|---|',
        *[f"| {n} | {ppm[n]} | {256 / ppm[n]:.2f} m |" for n in fam['names']],
        '',
        '## Training',
        f"- Data: {tr.get('trainImages')} training images in {len(fam['names'])} families from Red Eclipse, SuperTuxKart,",
        '  Cube 2, 0 A.D. and MegaGlest (Debian packages), see `training/SURFACE-DATA.md` and `training/CREDITS.md`;',
        f"  dataset manifest sha256 `{tr.get('datasetManifestSha256')}`. Per family (train): {tr.get('families')}.",
        f"- {tr['steps']} steps, batch {tr['batch']}, {tr['crop']}x{tr['crop']} px crops ({tr['crop'] // cell}x{tr['crop'] // cell} cells),",
        '  class-balanced (every family drawn equally often, unless the history below weights some), crops wrapping',
        '  around images that tile and inside those that do not; mirror flips, 90-degree rotations only for unoriented',
        '  families. Non-saturating loss, lazy R1',
        f"  (gamma {tr.get('r1')} every 4 steps), DiffAugment (colour, translation, cutout), Adam 2e-4 (0.5, 0.99), EMA",
        f"  0.999, on {device}.",
        *HISTORY,
        *GPU_TRIAL,
        *([f"- Relief: height maps integrated from the normal maps shipped beside the colour maps (Red Eclipse, 0 A.D.,",
           '  Cube 2; `training/surface_relief.py`, Frankot-Chellappa). A second, smaller projection discriminator judges',
           '  colour and height together on crops of images that have a height map, 16 per step, drawn only from the',
           f"  families that have any ({', '.join(tr.get('familiesWithHeight') or [])}); images without one are never",
           '  shown to it, so their height is not invented. The colour discriminator still judges every crop\'s colour.']
          if man.get('relief') else []),
    ]
    if tr.get('speed'):
        lines.append(f"- Speed: {tr['speed']}.")
    lines += [
        f"- Code commit of the run's last leg (its checkpoint's config): `{tr.get('gitCommit')}`.",
        '  Retrain: see `training/README.md`.',
        '',
        '## Metrics',
    ]
    if m:
        lines += [
            f"Computed by `training/metrics.py` at step {m['step']}: overall on {m['n_images']} class-balanced",
            f"{tr['crop']}x{tr['crop']} px crops per set ({m['swd_descriptors_per_level']} descriptors per level), SWD x1e3,",
            f"Laplacian levels {m['swd_levels_px']} px:",
            '',
            *swd_table(m),
            '',
            f"- SWD gap ratio (trained - floor) / (min(untrained, noise) - floor): **{m['swd_gap_ratio']}** (bar <= 0.25);",
            f"  per level {m['swd_gap_ratio_levels']}.",
            f"- seam_ratio (wrap border vs interior lines): **{m['seam_ratio']}** (bar <= 1.1).",
            f"- diversity_ratio (pairwise texture-statistics distance, samples / real): **{m['diversity_ratio']}**.",
            f"- nn_ratio (nearest training patch distance, samples / held-out real): **{m['nn_ratio']}** (bar >= 1.0).",
            '',
            'Per family (held-out = whole near-duplicate groups never trained on):',
            '',
            *family_table(m),
            '',
            'The SWD figures are lenient: they compare local patch statistics, which a model can match while missing',
            'the structure that makes a material nameable. Judge the sample sheet too (below).',
        ]
        if 'recognised' in m:
            lines += ['', '### Recognised as its family', *recognition_table(m)]
        if 'tone_outside' in m:
            lines += ['', '### Overall tone', *tone_table(m)]
        if m.get('relief') and 'relief_ratio' in m['relief']:
            lines += [
                '',
                '### Relief',
                'Height and normal-map patches of samples against held-out real relief (crops of held-out images that have',
                'a height map), SWD x1e3 as above with the training-vs-held-out floor in brackets; relief_ratio = mean',
                'slope |dh/dx| + |dh/dy| of samples / of held-out real (1: as steep as real, 0: flat). The samples\'',
                'height is the calibrated one the world shows (gain / detail per family, see the relief limits below);',
                '"as painted" is the ratio before calibration:',
                '',
                *relief_table(m['relief']),
            ]
    else:
        lines.append('Not computed yet: run `training/metrics.py`.')
    lines += [
        '',
        '## Limits (by eye, from the sample sheet)',
        *LIMITS,
        '- Sample sheet: `docs/models/surface-samples.png`: one row per family (six samples of 128 px, each tiled',
        '  2x2 so a seam would show), then a row walking from brick to wood planks by blending the family vector.',
        *(['', '### Relief (by eye, from `docs/models/surface-relief.png`: per family three samples, each as colour,',
           'height, lit from the upper left and lit from the lower right at a grazing angle)', *RELIEF_LIMITS]
          if man.get('relief') else []),
        '',
        '## Intended use and licence',
        '- Intended: decorative textures in Latentscape worlds, labelled as AI-generated, exported with provenance',
        '  metadata. Not intended for passing off as photographs or as the work of the dataset authors.',
        f"- Weights licence: {man['licence']} (CC BY-SA 3.0 data may be adapted under 4.0, section 4(b); BY, CC0, MIT,",
        '  zlib and public-domain data are compatible); every author is credited in `training/CREDITS.md`.',
        '',
    ]
    (model_dir / 'card.md').write_text('\n'.join(lines))
