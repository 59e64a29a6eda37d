"""Export a trained generator to the web format the TypeScript runtime loads, plus a golden fixture
and the sample sheet.

Writes
- public/models/<model>/model.json   tfjs-style weights manifest + a `latentscape` section that
                                     describes the layers (the TS runtime rebuilds the net from it)
- public/models/<model>/weights.bin  float16 weights (BatchNorm folded into the convs)
- test/fixtures/<model>-golden.json  a fixed latent field and the exported net's output for it
- docs/models/<model>-samples.png    a grid of 256x256 samples, each tiled 2x2, and a latent walk

Conv kernels go from torch [out, in, kh, kw] to tfjs [kh, kw, in, out] (permute(2, 3, 1, 0)).

CLI: /usr/bin/python3 -m training.export [--model sky]    (reads training/runs/<model>/ckpt.pt)
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from .models import FoldedGenerator, Generator, fold_bn, latent_layout, recalibrate_bn
from .sheets import grid, to_uint8

ROOT = Path(__file__).resolve().parent.parent


def load_ema(run: Path, model: str) -> tuple[Generator, dict]:
    ck = torch.load(run / 'ckpt.pt', map_location='cpu')
    g = Generator(model)
    g.load_state_dict(ck['G_ema'])
    cfg = ck['config']
    cells = tuple(cfg['cells']) if 'cells' in cfg else (cfg['crop'] // 16, cfg['crop'] // 16)
    recalibrate_bn(g, cells)
    return g.eval(), ck


# Noise truncation: the exported per-pixel noise strengths are the learned ones times this (1 = as trained). Applied to
# what is exported, so the metrics, the golden fixture and the app all see the same net.
NOISE_SCALE = {'surface': 1.0, 'sky': 1.0}


def fp16_layers(g: Generator) -> list[dict]:
    """BN-folded layers with weights rounded to float16 (what the browser gets), kept as fp32."""
    layers = fold_bn(g)
    scale = NOISE_SCALE.get(g.model, 1.0)
    for layer in layers:
        if 'noise' in layer:
            layer['noise'] = layer['noise'] * scale
        for key in ('weight', 'bias', 'noise'):
            if key in layer:
                layer[key] = layer[key].half().float()
    return layers


def write_model(layers: list[dict], g: Generator, out_dir: Path, meta: dict) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    specs, blobs, arch = [], [], []
    for i, layer in enumerate(layers):
        k = layer['weight'].permute(2, 3, 1, 0).contiguous().numpy().astype(np.float16)
        b = layer['bias'].numpy().astype(np.float16)
        tensors = [(f'l{i}/kernel', k), (f'l{i}/bias', b)]
        if 'noise' in layer:
            tensors.append((f'l{i}/noise', layer['noise'].numpy().astype(np.float16)))
        for name, arr in tensors:
            specs.append({'name': name, 'shape': list(arr.shape), 'dtype': 'float32',
                          'quantization': {'dtype': 'float16', 'original_dtype': 'float32'}})
            blobs.append(arr.tobytes())
        arch.append({'name': f'l{i}', 'kernel': int(k.shape[0]), 'in': int(k.shape[2]), 'out': int(k.shape[3]),
                     'upsample': bool(layer['up']), 'noise': 'noise' in layer, 'activation': layer['act']})
    data = b''.join(blobs)
    (out_dir / 'weights.bin').write_bytes(data)
    weights_sha = hashlib.sha256(data).hexdigest()
    lay = latent_layout(g.model)
    manifest = {
        'format': 'latentscape-generator',
        'generatedBy': 'training/export.py',
        'latentscape': {
            'model': g.model,
            'version': f"{g.model}-v1-{weights_sha[:12]}",
            'architecture': 'psgan-conv-v1',
            'latent': {**{k: lay[k] for k in ('globalDim', 'localDim', 'cellPx', 'wrap')},
                       'inputChannels': arch[0]['in']},
            'upsample': 'nearest2x+blur121',
            'noise': 'layers with noise: true add noise[H, W] (i.i.d. N(0,1), one map per layer at its resolution)'
                     ' x <name>/noise[out] after conv + bias, before the activation',
            'padding': 'circular',
            'output': 'RGB, channels-last, tanh in [-1, 1]; byte = round((v + 1) * 127.5)',
            'layers': arch,
            'weightsSha256': weights_sha,
            'noiseScale': NOISE_SCALE.get(g.model, 1.0),
            **({'cloudLayer': cloud_layer_spec()} if g.model == 'sky' else {}),
            'licence': 'CC-BY-SA-3.0',
            'aiGenerated': True,
            **meta,
        },
        'weightsManifest': [{'paths': ['weights.bin'], 'weights': specs}],
    }
    (out_dir / 'model.json').write_text(json.dumps(manifest, indent=1))
    return manifest


def cloud_layer_spec() -> dict:
    """How the sky's cloud-layer texture maps onto the cloud plane (world-gen `sky-compose.ts`), from the dataset."""
    from .sky_data import CLEAR_RGB, PX_PER_UNIT

    return {'pxPerUnit': PX_PER_UNIT, 'clearRgb': list(CLEAR_RGB), 'planeHeight': 1,
            'meaning': 'RGB = alpha * (L, L, L) + (1 - alpha) * clearRgb in linear light: alpha = cloud cover, '
                       'L = cloud brightness; one texel = 1 / pxPerUnit of the cloud plane at unit height'}


def golden(layers: list[dict], g: Generator, path: Path, cells=(2, 3), seed: int = 7) -> None:
    """A fixed latent field (channels-last, [h, w, C]) and the exported net's output [H, W, 3]."""
    gen = torch.Generator().manual_seed(seed)
    field = g.sample_field(1, cells[0], cells[1], gen)
    noise = [torch.randn(1, 1, h, w, generator=gen) for h, w in g.noise_shapes(cells[0], cells[1])]
    out = FoldedGenerator(layers)(field, noise)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        'model': g.model,
        'cells': list(cells),
        'field': [round(v, 6) for v in field[0].permute(1, 2, 0).reshape(-1).tolist()],
        'fieldShape': [cells[0], cells[1], field.shape[1]],
        'noise': [[round(v, 6) for v in n.reshape(-1).tolist()] for n in noise],
        'noiseShapes': [list(n.shape[2:]) for n in noise],
        'output': [round(v, 5) for v in out[0].permute(1, 2, 0).reshape(-1).tolist()],
        'outputShape': [out.shape[2], out.shape[3], 3],
    }))


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    na, nb = a / a.norm(), b / b.norm()
    omega = torch.arccos((na * nb).sum().clamp(-1, 1))
    if omega < 1e-4:
        return a + (b - a) * t
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def sample_sheet(net: FoldedGenerator, g: Generator, path: Path, n: int = 12, size_cells: int = 16,
                 walk: int = 8, seed: int = 3) -> None:
    """n samples at 16x16 cells (256 px) shown tiled 2x2, then a latent walk between two samples."""
    gen = torch.Generator().manual_seed(seed)
    tiles = []
    for _ in range(n):
        tiles.append(to_uint8(net(g.sample_field(1, size_cells, size_cells, gen)))[0])
    tiled = np.tile(np.stack(tiles), (1, 2, 2, 1))  # 512 x 512 each
    small = np.stack([np.asarray(__import__('PIL.Image', fromlist=['Image']).fromarray(t).resize((256, 256)))
                      for t in tiled])
    top = grid(small, cols=6)
    za, zb = torch.randn(g.global_dim, generator=gen), torch.randn(g.global_dim, generator=gen)
    zl = torch.randn(1, g.local_dim, 8, 8, generator=gen)
    strip = []
    for i in range(walk):
        zg = slerp(za, zb, i / (walk - 1))[None]
        strip.append(to_uint8(net(g.make_field(zg, zl)))[0])
    bottom = grid(np.stack(strip), cols=walk)
    from PIL import Image

    w = max(top.shape[1], bottom.shape[1])
    canvas = np.full((top.shape[0] + bottom.shape[0], w, 3), 24, np.uint8)
    canvas[: top.shape[0], : top.shape[1]] = top
    canvas[top.shape[0] :, : bottom.shape[1]] = bottom
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(canvas).save(path)


def swd_table(m: dict) -> list[str]:
    """The model cards' SWD table (per level and mean) of floor, trained, untrained and noise, from metrics.json."""
    lines = ['| set | ' + ' | '.join(f'{p} px' for p in m['swd_levels_px']) + ' | mean |', '|---|---|---|---|---|']
    for name, key in (('held-out real vs train (floor)', 'swd_floor'), ('trained generator (EMA)', 'swd_trained'),
                      ('same net, untrained', 'swd_untrained'), ('colour-matched noise', 'swd_noise')):
        lines.append(f"| {name} | " + ' | '.join(str(v) for v in m[f'{key}_levels']) + f" | {m[key]} |")
    return lines


def write_card(model_dir: Path) -> None:
    """public/models/<model>/card.md from model.json and metrics.json (figures are never typed by hand)."""
    man = json.loads((model_dir / 'model.json').read_text())['latentscape']
    if man['model'] == 'sky':
        from .sky_card import write_sky_card

        write_sky_card(model_dir, man)
        return
    mpath = model_dir / 'metrics.json'
    m = json.loads(mpath.read_text()) if mpath.exists() else None
    lat, tr = man['latent'], man['training']
    params = sum(l['kernel'] ** 2 * l['in'] * l['out'] + l['out'] for l in man['layers'])
    chans = ' -> '.join([str(man['layers'][0]['in'])] + [f"{'up,' if l['upsample'] else ''}{l['out']}" for l in man['layers']])
    lines = [
        f"# Model card: `{man['model']}` generator ({man['version']})",
        '',
        '**Outputs are AI-generated** (IPTC digital source type `trainedAlgorithmicMedia`). They are tileable',
        'material textures for the floors, walls and trim of Latentscape rooms.',
        '',
        '## Architecture',
        f"- PSGAN-style fully convolutional generator (Bergmann et al. 2017), {params / 1e6:.2f} M parameters,",
        f"  float16 weights ({(model_dir / 'weights.bin').stat().st_size / 1e6:.1f} MB), BatchNorm folded into the convs.",
        f"- Input: a latent field of cells, each with {lat['globalDim']} global channels (the same in every cell: which",
        f"  material) then {lat['localDim']} local i.i.d. N(0,1) channels (the arrangement). One cell paints",
        f"  {lat['cellPx']}x{lat['cellPx']} px: 8x8 cells = 128 px, 16x16 = 256 px, 64x64 = 1024 px, same weights.",
        f"- Channels: {chans}; every conv is 3x3 with circular padding in both axes, so every output tiles",
        '  seamlessly; upsampling is nearest x2 + [1,2,1] blur (bilinear with wrap-around); ReLU, tanh output.',
        '- Per-pixel noise inputs (StyleGAN-style) after each upsampling conv: one i.i.d. N(0,1) map per layer,',
        '  scaled by a learned per-channel weight. A first run without them (and with the same blur upsampling)',
        '  produced smooth marbled blobs with no grain after 1,500 steps; with them, grain appeared within 750.',
        '  In the world the maps are seeded by (room seed, slot), so a texture is fully determined by its room.',
        '- Floors, walls and trim come from the same unconditioned model: world-gen gives each slot its own',
        '  latent walk (separate keyframes), so a room mixes three materials that drift independently.',
        '- Layout definition shared with TypeScript: `world-gen/latent-layout.json`.',
        '',
        '## Training',
        f"- Data: {tr.get('trainImages')} training images (0 A.D. terrain, Red Eclipse walls/floors), see",
        '  `training/DATA.md` and `training/CREDITS.md`; dataset manifest sha256',
        f"  `{tr.get('datasetManifestSha256')}`.",
        f"- {tr['steps']} steps, batch {tr['batch']}, {tr['crop']}x{tr['crop']} crops; non-saturating loss, lazy R1",
        '  (gamma 0.1 every 4 steps), DiffAugment (colour, translation, cutout), Adam 2e-4 (0.5, 0.99), EMA 0.999,',
        '  on 2 CPU cores (Debian python3-torch). Discriminator: 4 stride-2 convs + minibatch std.',
        f"- Code commit at training start: `{tr.get('gitCommit')}`. Retrain: see `training/README.md`.",
        '',
        '## Metrics',
    ]
    if m:
        lines += [
            f"Computed by `training/metrics.py` at step {m['step']} on {m['n_images']} 64x64 crops per set",
            f"({m['swd_descriptors_per_level']} descriptors per level). SWD x1e3, Laplacian levels {m['swd_levels_px']} px:",
            '',
            *swd_table(m),
        ]
        lines += [
            '',
            f"- SWD gap ratio (trained - floor) / (min(untrained, noise) - floor): **{m['swd_gap_ratio']}** (bar <= 0.25);",
            f"  per level {m['swd_gap_ratio_levels']}.",
            f"- seam_ratio (wrap border vs interior lines): **{m['seam_ratio']}** (bar <= 1.1).",
            f"- diversity_ratio (pairwise texture-statistics distance, samples / real): **{m['diversity_ratio']}** (bar >= 0.5).",
            f"- nn_ratio (nearest training patch distance, samples / held-out real): **{m['nn_ratio']}** (bar >= 1.0):",
            '  samples are not closer to the training set than unseen real textures are, i.e. no copying.',
            f"- Bars: {m['passes']}",
        ]
    else:
        lines.append('Not computed yet: run `training/metrics.py`.')
    lines += [
        '',
        '## Limits',
        '- Trained for about 1.5 hours on 2 shared CPU cores. What it paints reads as ground and rough stone:',
        '  sand, gravel, dry and green grass, soil, speckled granite-like surfaces, in the palette of the data.',
        '  It does NOT reproduce structured materials of the training set: no brick courses, tile grids, planks,',
        '  panels or metal. Walls therefore get stone/gravel-like textures too. Closing that gap needs longer',
        '  training (a GPU run) and likely larger crops and material-class conditioning.',
        '- The SWD figures are lenient (shared/notes/gan-prototype.md): they measure local patch statistics at',
        '  64/32/16 px, which this model matches well, not the large structures it misses. Judge the sheet too.',
        '- Colour-matched noise draws every pixel from one Gaussian with the training pixels\' mean colour and',
        '  covariance. A stronger variant that copies each real crop\'s mean and std (so it contains real images\'',
        "  low frequencies) is also reported as swd_noise_per_image in metrics.json; the generator beats it too.",
        '- No text, signs or people.',
        '- Sample sheet: `docs/models/surface-samples.png` (each sample tiled 2x2; bottom row a latent walk).',
        '',
        '## Intended use and licence',
        '- Intended: decorative textures in Latentscape worlds, labelled as AI-generated, exported with provenance',
        '  metadata. Not intended for passing off as photographs or as the work of the dataset authors.',
        f"- Weights licence: {man['licence']} (share-alike of the training data); credits in `training/CREDITS.md`.",
        '',
    ]
    (model_dir / 'card.md').write_text('\n'.join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='surface')
    ap.add_argument('--run', default=None, help='default training/runs/<model>')
    ap.add_argument('--out', default=None, help='default public/models/<model>')
    ap.add_argument('--golden', default=None, help='default test/fixtures/<model>-golden.json')
    ap.add_argument('--sheet', default=None, help='default docs/models/<model>-samples.png')
    ap.add_argument('--no-sheet', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    run = Path(args.run or f'training/runs/{args.model}')
    g, ck = load_ema(run, args.model)
    cfg = ck['config']
    layers = fp16_layers(g)
    meta = {'training': {'steps': ck['step'], 'batch': cfg['batch'], 'crop': cfg['crop'],
                         'gitCommit': cfg.get('git_commit'), 'datasetManifestSha256': cfg.get('manifest_sha256'),
                         'trainImages': cfg.get('train_images'), 'cells': cfg.get('cells'),
                         'device': cfg.get('device', 'cpu')}}
    out_dir = Path(args.out) if args.out else ROOT / 'public' / 'models' / args.model
    manifest = write_model(layers, g, out_dir, meta)
    golden(layers, g, Path(args.golden) if args.golden else ROOT / 'test' / 'fixtures' / f'{args.model}-golden.json')
    if not args.no_sheet:
        net = FoldedGenerator(layers)
        # The sky's panoramas (cloud layer + atmosphere) are drawn by the app's own code: scripts/sky-sheet.ts.
        name = 'sky-layer' if args.model == 'sky' else args.model
        sheet = Path(args.sheet) if args.sheet else ROOT / 'docs' / 'models' / f'{name}-samples.png'
        sample_sheet(net, g, sheet)
    write_card(out_dir)
    size = (out_dir / 'weights.bin').stat().st_size
    print(json.dumps({'model': args.model, 'step': ck['step'], 'version': manifest['latentscape']['version'],
                      'weights_bytes': size}))


if __name__ == '__main__':
    main()
