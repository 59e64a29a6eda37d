"""The model card of the family-conditioned `surface` generator (public/models/surface/card.md), from model.json and
metrics.json: every figure comes from those files, the judgement by eye from LIMITS below."""

from __future__ import annotations

import json
from pathlib import Path

from .cards import swd_table

# Judged by eye on docs/models/surface-samples.png of the exported weights (not computed): what a visitor will see.
LIMITS = [
    '- Still an interim model: 44,000 steps on 2 CPU cores, the last 8,000 on 64 px crops (the runs of the one GPU',
    '  lease so far were measured and not shipped: "GPU trial" under Training).',
    '  By eye, row by row of the sheet (the same latents as the previous weights\' sheet, which is in git history):',
    '- brick: five of six read as brickwork: courses of small bricks with joints in grey-brown, brown, olive and',
    '  mossy green, and one white painted brick wall whose bricks are only faint outlines; the sixth is near-black',
    '  maroon with faint courses. Joints are soft and the courses waver, not crisp mortar lines.',
    '- stone_blocks: five of six are walls of blocks in courses: four pale cream ashlar walls with long course lines',
    '  and offset joints and a beige-brown wall of block outlines; the sixth a brown wall with a few strokes. The',
    '  cream walls are paler than most training images.',
    '- floor_tiles: four of six read as a tiled floor (white, pale blue-white and blue-violet square grids with dark',
    '  grout, the lines wavy); one gold crazy-paving crackle, one plain grey-green slab with curved lines.',
    '- cobble: the weakest row. One dark grey-green sheet of setts, a red-brown and a brown sheet with a faint square',
    '  grid, a flat mottled mustard-ochre sheet, and two fine gravels (grey, beige). The previous weights had three',
    '  clear sheets of setts.',
    '- wood_planks: four of six read as planks (grey-brown and dark boards with knots and grain); one yellow-gold',
    '  board pattern with faint plank lines, one flat dark red with vertical strokes (the previous weights had two',
    '  flat reds).',
    '- plaster: grey and dark grey concrete with cracks and slab lines, a cream rendered wall and a green-grey flat',
    '  one pass as concrete or plaster; one is a lumpy stone pile (reads as rubble, not plaster).',
    '- metal: five of six are plates with panel seams (three grey, one pale chrome, one dark navy with fine',
    '  scratches); one black plate with chrome blobs. Lighter than the previous weights\' dark grey plates.',
    '- rock (dark bark-like stone, grey cracked slabs, pale stone, boulders), ground (sand, yellow soil, olive mud,',
    '  grey dirt), grass and snow read as what they are.',
    '- Surfaces keep a slightly embossed, "melted" look (shapes outlined by thin light/dark contours).',
    '- The family walk (last row) passes from brick through dark maroon to red boards, as district borders do.',
    '- Tone (measured, "Overall tone", on 64 px crops): 12% of metal samples are darker than 99% of metal training',
    '  crops (18% for the previous weights), 17% of stone-block samples brighter (the pale cream walls; 25%), 13% of',
    '  brick samples darker (near-black maroon) and 12% brighter (white painted brick). Metal and stone blocks have',
    '  drifted this way in every run since the data grew; less in this one.',
    '- Seams: every family\'s seam_ratio is within the 1.1 bar.',
    '- Copying (`docs/models/surface-nn-pairs.png`, the six samples per family nearest to any training patch, beside',
    '  it): no sample is a crop of a training image. The nearest ones are flat patches in a training image\'s colours',
    '  (white painted brick, beige stone, dark tiles, red wood, dark plaster and metal, sand, grass, snow); one',
    '  orange cobble sample redraws a red paving source\'s pattern softly. Overall nn_ratio is 0.99, and seven',
    '  families are below 1 (plaster 0.66, brick 0.74, cobble 0.81, metal 0.84, wood 0.86, ground 0.88, stone blocks',
    '  0.93): the model recombines its thin families\' sources rather than inventing new looks (22 brick training',
    '  images, 29 stone blocks).',
    '- What would fix it: more steps at a larger batch on a lent GPU (`training/gpu_run.sh`, this recipe), and more',
    '  brick, block and tile data under compatible licences.',
]


# The one GPU lease so far (measured with training.metrics like the shipped weights, not shipped).
GPU_TRIAL = [
    '- GPU trial (not shipped): on a lent NVIDIA H200, `training/gpu_run.sh MODEL=all` ran the earlier recipe (40 px',
    '  crops, no family offsets, the older data build) at batch 32 and at batch 64 side by side (with the sky',
    '  generator) at 0.068 and 0.071 s/step, then a second call continued both without `--augment`: 8,400 and 8,116',
    '  steps in 11 minutes (~3,200 of them augmented). Against the weights of the time (24,000 CPU steps): overall',
    '  nn_ratio 1.10 / 1.07 (1.01), SWD 31.8 / 27.7 (29.9), families below nn_ratio 1: 7 / 6 (8), samples recognised',
    '  71% / 75% (80%), metal recognised 57% / 48% (81%). By eye the batch-64 sheet had brick courses in all six',
    '  samples but near-black, blobby metal; the batch-32 one white brick and black metal. A step is bound by Python',
    '  and kernel launches, not the GPU, so one 10-minute call is ~7,500 steps; `gpu_run.sh` now runs this card\'s',
    '  recipe (family offsets, a 40 px augmented leg, a 64 px plain leg), not yet tried on a GPU.',
]


# How the shipped run went, where its settings changed on the way (the checkpoint keeps only the last ones).
HISTORY = [
    '- Run history (three run folders, each grown from the last one\'s checkpoint): colour + height from step 0,',
    '  bfloat16 autocast (`--bf16`), crops of brick, stone blocks and floor tiles drawn 3x/2x/2x as often',
    '  (`--family-weights`) throughout, on this data build (0 A.D. atlas regions included) from step 0.',
    '- Steps 0-16,000 on 40 px crops with `--augment` (training/surface_augment.py: real crops varied in hue,',
    '  saturation, brightness, contrast and size, more often the thinner the family; metal learns the data\'s lighter',
    '  tones), 16,000-30,275 without (structure comes back).',
    '- Steps 30,275-36,000: grown into a net with family offsets on every layer (`--family-bias --init-from`; they',
    '  start at zero, so it painted the same at first), 40 px crops.',
    '- Steps 36,000-44,000 on 64 px crops (`--crop 64`): a 40 px crop holds two courses of bricks and blocks but not',
    '  two block lengths, nor two metal panels, so the discriminator never saw a whole period of those beside another.',
    '  Within 1,500 steps the sample grids showed block courses, tile grids and panel seams that the 40 px run had not',
    '  painted. The previous weights were this run\'s step 40,000; step 44,000 was chosen by eye over 45,500 and',
    '  46,000 (the same latents: whiter, blanker brick and a mossy stone-block sample at the later two) and over',
    '  40,000 (more stone-block courses, tile grids and metal panels, one flat red plank instead of two; weaker cobble).',
    '- Wall time of the three legs (their logs; the last line below is the last leg\'s alone): 30,275 steps in 4.58 h',
    '  (0.55 s/step at 40 px), 5,725 in 1.02 h (0.64 s/step, the cores partly shared), 8,000 in 2.72 h (1.02-1.05',
    '  s/step at 64 px with the cores to itself, slower while shared): about 8.3 h in all.',
]


# Judged by eye on docs/models/surface-relief.png (colour | height | lit from the upper left | lit from the lower right),
# drawn with the per-family calibration the world applies, beside the same sheet without it.
RELIEF_LIMITS = [
    '- Calibrated per family (model.json `familyGain`, `familyDetail`; training/relief_calibration.py). As painted,',
    '  these weights\' height is near the training height maps in brick, cobble and wood planks at the pixel scale',
    '  (within 17%), but floor tiles, plaster and snow are 1.5-1.6x as steep there, and wood planks and grass too flat',
    '  at four pixels (0.7x, 0.5x). The world keeps 15% (planks) to 100% (metal, ground) of the pixel-scale relief and',
    '  scales the rest (gain 0.69 for floor tiles to 2.3 for grass); the calibrated mean slopes match the training',
    '  maps within 2% at 1, 2 and 4 px in every family but ground (3%) and metal (4%).',
    '- Brick: courses with recessed joints in the lit views (grey-brown, dark maroon and red-brown brick).',
    '- Stone blocks: block outlines in the height of the beige and the dark mossy samples; the grey one rough.',
    '- Floor tiles: the white grid\'s grout lines recessed; a teal mosaic of raised pieces; a magenta pattern.',
    '- Cobble: the clearest relief on the sheet: grey setts standing proud of their joints; an orange paving.',
    '- Wood planks: dark boards with raised grain and dark gaps; yellow and grey vertical boards with soft grain.',
    '- Plaster: nearly flat, with slab lines and faint cracks.',
    '- Metal: grey plates with recessed panel seams; a brown rusted plate with raised shapes.',
    '- Rock (cracked slabs, lumps), ground (sand ripples), grass (lumpy) and snow (drifts) read as what they are.',
    '- Against held-out real relief (the table): relief_ratio overall 1.05 (the previous weights 1.08), height SWD',
    '  76 against a floor of 77 (83), normal-map SWD 58 against 54 (61). Per family the held-out maps are few (brick',
    '  1, grass 3) and often unlike the training ones: held-out metal is 2.2x as steep as training metal, held-out',
    '  grass and plaster a third and three fifths as steep. The calibration follows the training maps, so metal',
    '  (0.40) and rock (0.51) read flatter than held-out and grass (2.9), cobble (2.1), floor tiles (1.6) and plaster',
    '  (1.6) steeper.',
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
        *(['- Family offsets on every layer after the first, and the output: a per-channel shift linear in the family',
           '  vector, added before the (folded) BatchNorm, the shift of a class-conditional BatchNorm (BigGAN); exported as',
           '  `<layer>/familyBias`, so the family steers every layer, not only the input field.']
          if any(l.get('familyBias') for l in man['layers']) else []),
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
