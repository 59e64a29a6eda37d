"""The model card of the family-conditioned `surface` generator (public/models/surface/card.md), from model.json and
metrics.json: every figure comes from those files, the judgement by eye from LIMITS below."""

from __future__ import annotations

import json
from pathlib import Path

from .cards import swd_table

# Judged by eye on docs/models/surface-samples.png of the exported weights (not computed): what a visitor will see.
LIMITS = [
    '- Still an interim model: 14,750 steps on 2 CPU cores (no GPU was lent), the last 3,250 of them painting colour and',
    '  height together. By eye, row by row of the sheet:',
    '- brick: reads as brickwork in four of six samples: courses of small rectangular bricks with vertical joints, in',
    '  grey, red-brown, dark brown-grey and dark mossy green; one is pale pink-grey stonework, one near-white painted',
    '  brick with barely visible outlines. Joints are soft, not crisp mortar lines.',
    '- stone_blocks: three of six are block walls (beige and taupe rectangular blocks in courses); one is dark and mossy,',
    '  one rough grey stone, one blotchy beige with faint blocks.',
    '- floor_tiles: two of six read as a tiled floor (a grey square grid, a beige grid); the rest are lilac-grey',
    '  "crazy paving" with irregular outlines and swirls.',
    '- wood_planks: reads as wood: horizontal boards in orange, yellow, brown and dark red with grain; one pale knotty',
    '  plank. The best family.',
    '- plaster: smooth grey and dark walls with faint streaks; passes as concrete or painted plaster.',
    '- metal: dark grey plates with streaks and panel outlines; one mottled grey-green, one near-black brown.',
    '  Measured ("Overall tone"): 28% of metal samples are darker than 99% of metal training crops (0.4% of held-out',
    '  metal is), and the bright steel of the data is rare: metal walls and trim in the world are often near-black.',
    '  Brick has the opposite slip too: 7% of its samples are blank, brighter than its training crops.',
    '- cobble: sandy and brown speckle with small rectangles, a blue-violet one; weak, it does not read as cobbles.',
    '  rock, ground (sand, soil), grass and snow read as what they are (one rock sample is red lava-like).',
    '- Surfaces keep a slightly embossed, "melted" look (shapes outlined by thin light/dark contours).',
    '- The family walk (last row) passes smoothly from brick to wood planks, as district borders do in the world.',
    '- Seams: metal\'s seam_ratio (1.119; 1.121 on a second noise draw) sits at the top of its 15 cell-boundary lines',
    '  (mean 1.049, max 1.119). Those lines differ 5% more than the average line in metal: the 8 px latent grid shows',
    '  through faintly, as panel edges on the cell grid. The border is one of them by construction (circular padding;',
    '  the smoke test shifts the field by a cell and gets the image shifted exactly), so metal misses the 1.1 bar on',
    '  the grid, not on a break in tiling: its samples, tiled 2x2 on the sheet, show repeats but no seam line.',
    '- Copying (`docs/models/surface-nn-pairs.png`, the six samples per family nearest to any training patch, beside',
    '  it): no sample is a crop of a training image. The nearest ones are flat patches in a training image\'s colours',
    '  (grey plaster, sand, grass, snow) and, for two families, the look of one source redrawn softer and shifted:',
    '  cobble\'s orange square-in-square paving, brick\'s white painted brick. The leave-one-group-out column agrees',
    '  with nn_ratio: samples sit nearer the training images than a real image of a new source does. The model',
    '  recombines its sources\' looks rather than inventing new ones, which thin families (11 brick images) invite.',
    '- What would fix it: more steps (the run resumes from its checkpoint; on a lent GPU, training/gpu_run.sh trains',
    '  tens of thousands of steps in ten minutes) and more brick, block and tile data under compatible licences.',
]


# How the shipped run went, where its settings changed on the way (the checkpoint keeps only the last ones).
HISTORY = [
    '- Run history: steps 0-2,000 with R1 gamma 1; the discriminator sat near chance (loss ~1.3) and every family',
    '  drifted towards the same smooth outlined blobs, so the run resumed from step 2,000 with gamma 0.1.',
    '- At step 7,500 the dataset was rebuilt with brick at 160 px/m instead of 96 (a course of 12 px instead of 7,',
    '  whose 1-px mortar was finer than the 8-px latent cell); brick had stayed one dark look with light dashes.',
    '- At step 8,250 the crops were drawn with brick 3x, stone blocks 2x and floor tiles 2x as often as the other',
    '  families (`--family-weights`), to give the discriminator more of the structured materials.',
    '- At step 11,500 a colour + height run started from the colour-only checkpoint (`--init-from`): colour output and',
    '  colour discriminator carried over, a fourth (height) output started near zero, and a fresh relief',
    '  discriminator joined. From step 12,000 that discriminator sees height x4: at x1 it sat at chance.',
]


# Judged by eye on docs/models/surface-relief.png (colour | height | lit from the upper left | lit from the lower right).
RELIEF_LIMITS = [
    '- Brick and stone blocks: joints read recessed: a joint darkens on its side nearer the light and catches light on',
    '  the far side, and the pattern flips when the light moves to the other side; the blocks between are raised and',
    '  fairly flat. The painted brick has the faintest relief of the row, as its colour has.',
    '- Wood planks: boards raised with dark gaps between them in both lights; grain adds fine ridges.',
    '- Plaster: two of three samples are nearly flat (no relief on plain paint); a blue one has stucco-like bumps.',
    '- Floor tiles follow their colour: the three samples here are paving, raised irregular slabs with recessed',
    '  outlines.',
    '- Metal has the strongest relief, blobby raised plates rather than crisp panel seams: too soft.',
    '- Rock and snow are bumpy, ground and grass nearly flat with small bumps.',
    '- After 3,250 steps of colour + height training, edges are rounded rather than sharp steps, and the steepness is',
    '  off both ways (relief_ratio above): metal, rock and stone blocks about half as steep as their held-out maps,',
    '  plaster, grass, cobble and tiles 1.6-2.5x as steep (plaster at a mean slope of 0.13, still nearly flat).',
]


def relief_table(r: dict) -> list[str]:
    """Height and normal-map SWD (x1e3, samples vs held-out real; the floor is training vs held-out real) and
    relief_ratio (mean slope of samples / of held-out real) per family with held-out height maps."""
    lines = ['| family | train / held-out with height | SWD height (floor) | SWD normal (floor) | relief_ratio |',
             '|---|---|---|---|---|']
    for name, f in r.get('families', {}).items():
        lines.append(f"| {name} | {f['n_train_height']} / {f['n_heldout_height']} | {f['swd_height']} "
                     f"({f['swd_height_floor']}) | {f['swd_normal']} ({f['swd_normal_floor']}) | {f['relief_ratio']} |")
    if 'relief_ratio' in r:
        lines.append(f"| **all** | | {r['swd_height']} ({r['swd_height_floor']}) | {r['swd_normal']} "
                     f"({r['swd_normal_floor']}) | {r['relief_ratio']} |")
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
        '  class-balanced (every family drawn equally often), crops wrapping around images that tile and inside those',
        '  that do not; mirror flips, 90-degree rotations only for unoriented families. Non-saturating loss, lazy R1',
        f"  (gamma {tr.get('r1')} every 4 steps), DiffAugment (colour, translation, cutout), Adam 2e-4 (0.5, 0.99), EMA",
        f"  0.999, on {device}.",
        *HISTORY,
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
        f"- Code commit at training start: `{tr.get('gitCommit')}`. Retrain: see `training/README.md`.",
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
                'slope |dh/dx| + |dh/dy| of samples / of held-out real (1: as steep as real, 0: flat):',
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
