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

from .common import dataset_manifest_sha256
from .models import FoldedGenerator, Generator, fold_bn, latent_layout, plan_of_layers, recalibrate_bn
from .sky_augment import layer_scale
from .sheets import grid, to_uint8
from .sky_card import write_sky_card
from .surface_card import write_surface_card

ROOT = Path(__file__).resolve().parent.parent


def load_ema(run: Path, model: str, ckpt: str = 'ckpt.pt') -> tuple[Generator, dict]:
    """The EMA generator of a run's checkpoint (`ckpt`: the last, or `best.pt` chosen by training/sky_select.py), built
    with the latent layout and families it was trained with."""
    ck = torch.load(run / ckpt, map_location='cpu', weights_only=False)
    cfg = ck['config']
    g = Generator(model, plan=cfg.get('plan'), n_families=len(cfg.get('families') or []), layout=cfg.get('layout'),
                  out_ch=cfg.get('out_ch', 3), family_bias=bool(cfg.get('family_bias')))
    g.load_state_dict(ck['G_ema'])
    cells = tuple(cfg['cells']) if 'cells' in cfg else (cfg['crop'] // g.cell_px, cfg['crop'] // g.cell_px)
    recalibrate_bn(g, cells)
    return g.eval(), ck


# Noise truncation: the exported per-pixel noise strengths are the learned ones times this (1 = as trained). Applied to
# what is exported, so the metrics, the golden fixture and the app all see the same net.
NOISE_SCALE = {'surface': 1.0, 'sky': 1.0}


def check_dataset(data: Path, ls: dict) -> None:
    """Exit unless `data` is the dataset build the exported weights (their `latentscape` block `ls`) were trained on,
    byte for byte by its manifest: measuring them on another build would mix their held-out split with training."""
    want = ls['training'].get('datasetManifestSha256')
    have = dataset_manifest_sha256(data)
    if want != have:
        raise SystemExit(f'{data}: dataset manifest sha256 {have} is not the one these weights were trained on '
                         f'({want}); rebuild it with training.surface_data at that commit')


def load_exported(model_dir: Path) -> tuple[Generator, list[dict], dict]:
    """An exported model read back (model.json + weights.bin): a Generator shell that draws latent fields (with the
    exported family table), the BN-folded layers FoldedGenerator runs, and the manifest's `latentscape` block. The
    layers are exactly what the browser runs; metrics can be recomputed from them after the checkpoint is gone."""
    man = json.loads((model_dir / 'model.json').read_text())
    ls = man['latentscape']
    raw = np.frombuffer((model_dir / 'weights.bin').read_bytes(), dtype=np.float16)
    tensors, o = {}, 0
    for spec in man['weightsManifest'][0]['weights']:
        n = int(np.prod(spec['shape']))
        tensors[spec['name']] = torch.from_numpy(raw[o : o + n].astype(np.float32).reshape(spec['shape']))
        o += n
    if o != raw.size:
        raise ValueError(f'{model_dir}: weights.bin holds {raw.size} values, the manifest {o}')
    layers = []
    for a in ls['layers']:
        layer = {'weight': tensors[f"{a['name']}/kernel"].permute(3, 2, 0, 1).contiguous(),
                 'bias': tensors[f"{a['name']}/bias"], 'up': a['upsample'], 'act': a['activation']}
        if a['noise']:
            layer['noise'] = tensors[f"{a['name']}/noise"]
        if a.get('familyBias'):
            layer['family_bias'] = tensors[f"{a['name']}/familyBias"].T.contiguous()
            layer['family_from'] = ls['latent']['globalDim']
        layers.append(layer)
    fam = ls.get('families')
    g = Generator(ls['model'], plan=plan_of_layers(ls['layers']), n_families=len(fam['names']) if fam else 0,
                  layout=exported_layout(ls),
                  out_ch=ls['layers'][-1]['out'], family_bias=any(a.get('familyBias') for a in ls['layers']))
    if fam:
        with torch.no_grad():
            g.family_embed.weight.copy_(torch.tensor(fam['embedding']))
    return g.eval(), layers, ls


@torch.no_grad()
def trainable_from_export(model_dir: Path, cells: tuple[int, int], batches: int = 32, batch: int = 32,
                          seed: int = 0) -> Generator:
    """A trainable Generator rebuilt from exported weights, so training can go on from what ships when the run that
    made it is gone (its checkpoint lived outside the repository).

    The export folded each BatchNorm into its conv: W' = W * s, with s = gamma / sigma_run. BatchNorm trains on batch
    statistics, which remove any scale and shift of its input: BN(W' x) = gamma' (W x - mu_B) / sigma_B * sign(s) +
    beta'. So the rebuilt block keeps the folded conv and gives its BatchNorm gamma' = the standard deviation and
    beta' = the mean of the folded conv's output (measured on fresh latents like `recalibrate_bn`), plus the folded
    bias; in eval mode that block is the exported layer exactly, in train mode it is the original block up to the
    float16 rounding of the weights. Exactly what the rebuilt net paints depends on those statistics, as the original's
    did."""
    folded, layers, ls = load_exported(model_dir)
    g = Generator(ls['model'], plan=folded.plan, n_families=folded.n_families, layout=folded.layout,
                  out_ch=folded.out_ch, family_bias=folded.family_bias)
    if g.family_embed is not None:
        g.family_embed.weight.copy_(folded.family_embed.weight)
    for blk, layer in zip(g.blocks, layers):
        blk.conv.weight.copy_(layer['weight'])
        if blk.noise_weight is not None:
            blk.noise_weight.copy_(layer['noise'])
        if blk.family_bias is not None:
            blk.family_bias.weight.copy_(layer['family_bias'])
        # Identity BatchNorm plus the folded bias, so eval mode is the exported net while the statistics are measured.
        blk.bn.reset_running_stats()
        blk.bn.running_var.fill_(1.0 - blk.bn.eps)
        blk.bn.weight.fill_(1.0)
        blk.bn.bias.copy_(layer['bias'])
    g.to_rgb.weight.copy_(layers[-1]['weight'])
    g.to_rgb.bias.copy_(layers[-1]['bias'])
    if g.to_rgb_family_bias is not None:
        g.to_rgb_family_bias.weight.copy_(layers[-1]['family_bias'])

    class _Stop(Exception):
        pass

    seen: list[tuple[torch.Tensor, torch.Tensor]] = []  # the block being measured: (mean, variance) per batch

    def record(_module, inputs):
        y = inputs[0].float()
        seen.append((y.mean(dim=(0, 2, 3)), y.var(dim=(0, 2, 3))))
        raise _Stop  # the blocks after it wait for their turn

    # Block by block, in train mode, as `recalibrate_bn` measured the statistics the export folded: the blocks before k
    # already rebuilt (they normalise by batch statistics), so block k sees what it saw in the original net.
    g.train()
    measured = []
    for blk, layer in zip(g.blocks, layers):
        seen.clear()
        handle = blk.bn.register_forward_pre_hook(record)
        gen = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for _ in range(batches):
                try:
                    g(g.sample_field(batch, cells[0], cells[1], gen))
                except _Stop:
                    pass
        handle.remove()
        mean = torch.stack([m for m, _ in seen]).mean(0)
        var = torch.stack([v for _, v in seen]).mean(0)
        blk.bn.weight.copy_(torch.sqrt(var + blk.bn.eps))
        blk.bn.bias.copy_(mean + layer['bias'])
        measured.append((mean, var))
    # Running statistics last: the train-mode passes above moved those of the blocks they ran through.
    for blk, (mean, var) in zip(g.blocks, measured):
        blk.bn.running_mean.copy_(mean)
        blk.bn.running_var.copy_(var)
    return g.train()


def exported_layout(ls: dict) -> dict:
    """The latent layout an exported model (its `latentscape` block `ls`) was trained with: the shared definition
    overlaid with what model.json records (less the input width, which follows from it)."""
    return {**latent_layout(ls['model']), **{k: v for k, v in ls['latent'].items() if k != 'inputChannels'}}


def fp16_layers(g: Generator) -> list[dict]:
    """BN-folded layers with weights rounded to float16 (what the browser gets), kept as fp32."""
    layers = fold_bn(g)
    scale = NOISE_SCALE.get(g.model, 1.0)
    for layer in layers:
        if 'noise' in layer:
            layer['noise'] = layer['noise'] * scale
        for key in ('weight', 'bias', 'noise', 'family_bias'):
            if key in layer:
                layer[key] = layer[key].half().float()
    return layers


def family_spec(g: Generator, names: list[str], px_per_metre: dict[str, float]) -> dict:
    """model.json's `families`: the learned embedding table (rounded to float16 like the weights) that the runtime
    appends to the global latent, and each family's scale (the world repeats a texture of S px every
    S / pxPerMetre metres)."""
    table = g.family_embed.weight.detach().half().float()
    return {'names': names, 'dim': g.family_dim, 'embedding': [[round(v, 5) for v in row] for row in table.tolist()],
            'pxPerMetre': {n: px_per_metre[n] for n in names}}


def relief_spec(px_per_unit: float) -> dict:
    """model.json's `relief` (4-channel surface generators): which output channel is height and its unit."""
    return {'channel': 3, 'pxPerUnit': px_per_unit,
            'meaning': 'channel 3 is height h in [-1, 1] (tanh); h * pxPerUnit is the relief in texture pixels at the '
                       "texture's own scale, so the slope between neighbouring pixels is (h1 - h0) * pxPerUnit; "
                       'learned from normal maps integrated to height (training/surface_relief.py)'}


def write_model(layers: list[dict], g: Generator, out_dir: Path, meta: dict, families: dict | None = None,
                relief: dict | None = None) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    specs, blobs, arch = [], [], []
    for i, layer in enumerate(layers):
        k = layer['weight'].permute(2, 3, 1, 0).contiguous().numpy().astype(np.float16)
        b = layer['bias'].numpy().astype(np.float16)
        tensors = [(f'l{i}/kernel', k), (f'l{i}/bias', b)]
        if 'noise' in layer:
            tensors.append((f'l{i}/noise', layer['noise'].numpy().astype(np.float16)))
        if 'family_bias' in layer:  # [out, F] -> [F, out]: the family vector [1, F] times it in the runtime
            tensors.append((f'l{i}/familyBias', layer['family_bias'].T.contiguous().numpy().astype(np.float16)))
        for name, arr in tensors:
            specs.append({'name': name, 'shape': list(arr.shape), 'dtype': 'float32',
                          'quantization': {'dtype': 'float16', 'original_dtype': 'float32'}})
            blobs.append(arr.tobytes())
        arch.append({'name': f'l{i}', 'kernel': int(k.shape[0]), 'in': int(k.shape[2]), 'out': int(k.shape[3]),
                     'upsample': bool(layer['up']), 'noise': 'noise' in layer,
                     **({'familyBias': True} if 'family_bias' in layer else {}), 'activation': layer['act']})
    data = b''.join(blobs)
    (out_dir / 'weights.bin').write_bytes(data)
    weights_sha = hashlib.sha256(data).hexdigest()
    lay = g.layout
    conditioned = families is not None
    manifest = {
        'format': 'latentscape-generator',
        'generatedBy': 'training/export.py',
        'latentscape': {
            'model': g.model,
            'version': f"{g.model}-{'v2' if conditioned else 'v1'}-{weights_sha[:12]}",
            'architecture': 'psgan-conv-v2-family' if conditioned else 'psgan-conv-v1',
            'latent': {**{k: lay[k] for k in ('globalDim', 'localDim', 'cellPx', 'wrap')},
                       **({'familyDim': g.family_dim} if conditioned else {}),
                       'inputChannels': arch[0]['in']},
            **({'families': families} if conditioned else {}),
            'upsample': 'nearest2x+blur121',
            'noise': 'layers with noise: true add noise[H, W] (i.i.d. N(0,1), one map per layer at its resolution)'
                     ' x <name>/noise[out] after conv + bias, before the activation',
            **({'familyBias': 'layers with familyBias: true add f x <name>/familyBias[familyDim, out] to their bias, '
                              "f the field's family vector (the mean over cells of its family channels)"}
               if any('family_bias' in layer for layer in layers) else {}),
            'padding': 'circular',
            'output': ('RGB + height' if relief else 'RGB') + ', channels-last, tanh in [-1, 1]; colour byte = '
                      'round((v + 1) * 127.5)',
            **({'relief': relief} if relief else {}),
            'layers': arch,
            'weightsSha256': weights_sha,
            'noiseScale': NOISE_SCALE.get(g.model, 1.0),
            **({'cloudLayer': cloud_layer_spec(layer_scale(meta['training'].get('deckScale')))}
               if g.model == 'sky' else {}),
            # The family-conditioned surface set and the sky set hold CC BY-SA 4.0 images (BY-SA 3.0 material may go
            # into a 4.0 adaptation: its section 4(b)); only the old single-family surface set was BY-SA 3.0 at most.
            'licence': 'CC-BY-SA-4.0' if conditioned or g.model == 'sky' else 'CC-BY-SA-3.0',
            'aiGenerated': True,
            **meta,
        },
        'weightsManifest': [{'paths': ['weights.bin'], 'weights': specs}],
    }
    (out_dir / 'model.json').write_text(json.dumps(manifest, indent=1))
    return manifest


def cloud_layer_spec(scale: float = 1.0) -> dict:
    """How the sky's cloud-layer texture maps onto the cloud plane (world-gen `sky-compose.ts`), from the dataset:
    weights trained at deck scale `scale` (sky_augment.layer_scale) paint `scale` deck px in one of theirs, so the
    app lays them out that many times coarser."""
    from .sky_data import CLEAR_RGB, PX_PER_UNIT

    return {'pxPerUnit': PX_PER_UNIT / scale, 'clearRgb': list(CLEAR_RGB), 'planeHeight': 1,
            'meaning': 'RGB = alpha * (L, L, L) + (1 - alpha) * clearRgb in linear light: alpha = cloud cover, '
                       'L = cloud brightness; one texel = 1 / pxPerUnit of the cloud plane at unit height'}


def golden(layers: list[dict], g: Generator, path: Path, cells=(2, 3), seed: int = 7) -> None:
    """A fixed latent field (channels-last, [h, w, C]) and the exported net's output [H, W, 3 or 4]."""
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
        'outputShape': [out.shape[2], out.shape[3], out.shape[1]],
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


def family_sheet(net: FoldedGenerator, g: Generator, names: list[str], path: Path, per_row: int = 6,
                 cells: int = 16, walk: tuple[str, str] = ('brick', 'wood_planks'), steps: int = 8,
                 seed: int = 3) -> None:
    """One labelled row per family (`per_row` samples of cells x cells, each tiled 2x2 so a seam would show), then a
    row walking from one family to another (the family vector blended, latents fixed), as the world does at a
    district border."""
    gen = torch.Generator().manual_seed(seed)
    pad = 4
    rows = []
    for k, name in enumerate(names):
        fams = torch.full((per_row,), k, dtype=torch.long)
        imgs = to_uint8(net(g.sample_field(per_row, cells, cells, gen, families=fams))[:, :3])
        rows.append((name, grid(np.tile(imgs, (1, 2, 2, 1)), cols=per_row, pad=pad)))
    a, b = (names.index(walk[0]), names.index(walk[1])) if set(walk) <= set(names) else (0, len(names) - 1)
    ea, eb = g.family_vectors(torch.tensor([a, b])).detach()
    zg = torch.randn(1, g.global_dim, generator=gen)
    zl = torch.randn(1, g.local_dim, cells, cells, generator=gen)
    strip = []
    for i in range(steps):
        t = i / (steps - 1)
        strip.append(to_uint8(net(g.make_field(zg, zl, ((1 - t) * ea + t * eb)[None]))[:, :3])[0])
    rows.append((f'{names[a]} -> {names[b]}', grid(np.stack(strip), cols=steps, pad=pad)))
    labelled_sheet(rows, path)


def labelled_sheet(rows: list[tuple[str, np.ndarray]], path: Path, label_w: int = 190) -> None:
    """Stack image rows under one another, each with its label on the left ("a -> b" on two lines), and save."""
    from PIL import Image, ImageDraw, ImageFont

    try:  # Debian fonts-dejavu-core; the sheet is still drawn (with a small bitmap font) where it is missing
        font = ImageFont.truetype('DejaVuSans-Bold.ttf', 22)
    except OSError:
        font = ImageFont.load_default()
    width = label_w + max(r.shape[1] for _, r in rows)
    canvas = Image.new('RGB', (width, sum(r.shape[0] for _, r in rows)), (24, 24, 24))
    draw = ImageDraw.Draw(canvas)
    y = 0
    for name, r in rows:
        canvas.paste(Image.fromarray(r), (label_w, y))
        for i, part in enumerate(name.split(' -> ')):
            draw.text((10, y + r.shape[0] // 2 - 14 + 26 * i), part if i == 0 else f'-> {part}', fill=(235, 235, 235),
                      font=font)
        y += r.shape[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, optimize=True)


def shade(rgb: np.ndarray, height: np.ndarray, px_per_unit: float, light: tuple[float, float, float]) -> np.ndarray:
    """Colour lit by one directional light over the relief (Lambert on wrap-around central-difference normals, divided
    by what a flat patch gets): a quick check that relief and colour agree, not the app's renderer."""
    h = height * px_per_unit
    dx = (np.roll(h, -1, 1) - np.roll(h, 1, 1)) / 2
    dy = (np.roll(h, -1, 0) - np.roll(h, 1, 0)) / 2
    n = np.stack([-dx, dy, np.ones_like(h)], -1)  # x right, y up (rows run down), z out of the wall
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    ld = np.array(light, np.float32)
    ld /= np.linalg.norm(ld)
    # relative to a flat patch under the same light, so the sheet shows the relief, not the light's angle
    lam = np.clip(n @ ld, 0, 1) / ld[2]
    return np.clip(rgb.astype(np.float32) * lam[..., None], 0, 255).astype(np.uint8)


def relief_sheet(net: FoldedGenerator, g: Generator, names: list[str], path: Path, px_per_unit: float, per_row: int = 3,
                 cells: int = 16, seed: int = 5, calibration: dict | None = None) -> None:
    """Per family, `per_row` samples each as colour | height (grey, mid = 0) | lit from the upper left (40 degrees up)
    | lit from the lower right: a recessed joint darkens on its side nearer the light, a raised edge on the far one.
    The height is the world's: calibrated per family (`calibration`: model.json's relief block with `familyGain` and
    `familyDetail`, training/relief_calibration.py) where the model has one."""
    from .relief_calibration import calibrate, family_factors, is_calibrated

    gen = torch.Generator().manual_seed(seed)
    pad = 4
    rows = []
    for k, name in enumerate(names):
        out = net(g.sample_field(per_row, cells, cells, gen, families=torch.full((per_row,), k, dtype=torch.long)))
        rgb = to_uint8(out[:, :3])
        height = calibrate(out[:, 3:], *family_factors(calibration, name)) if is_calibrated(calibration) else out[:, 3:]
        hgt = height[:, 0].numpy()
        cellsx = []
        for i in range(per_row):
            grey = np.repeat(((np.clip(hgt[i], -1, 1) + 1) * 127.5).astype(np.uint8)[..., None], 3, -1)
            cellsx += [rgb[i], grey, shade(rgb[i], hgt[i], px_per_unit, (-1, 1, 1.2)),
                       shade(rgb[i], hgt[i], px_per_unit, (1, -1, 1.2))]
        rows.append((name, grid(np.stack(cellsx), cols=4 * per_row, pad=pad)))
    labelled_sheet(rows, path)


def run_speed(run: Path, device: str, upto: int | None = None) -> str | None:
    """Steps per second and wall time of a run up to step `upto` (the exported one; a run may have trained on past
    the snapshot that ships), from its log (elapsed time restarts at every resume: legs)."""
    path = run / 'log.jsonl'
    if not path.exists():
        return None
    recs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    recs = [r for r in recs if upto is None or r['step'] <= upto]
    wall, last = 0.0, None
    for r in recs:
        if last is not None and r['elapsed_s'] < last['elapsed_s']:
            wall += last['elapsed_s']
        last = r
    wall += last['elapsed_s'] if last else 0
    # A run started from another's checkpoint (--init-from) logs from that step on: count only its own steps.
    start = recs[0]['step'] - 50 if recs else 0
    steps = recs[-1]['step'] - start if recs else 0
    if not steps or not wall:
        return None
    if device == 'cuda':
        where = 'GPU'
    else:
        where = '2 CPU cores'
        per_step = sorted(r['s_per_step'] for r in recs if r.get('s_per_step'))
        if per_step and per_step[len(per_step) // 2] > 1.3 * per_step[len(per_step) // 10]:
            # The median step well above the fast ones: the cores were shared with other work for much of the run.
            where += ', shared with other work for much of the run'
    began = 'the run started from an earlier checkpoint'
    config = run / 'config.json'
    source = json.loads(config.read_text()).get('init_from_export') if config.exists() else None
    if isinstance(source, dict):
        began = (f"the run started from the exported weights {source['version']} (step {source['step']:,}) with new "
                 'discriminators')
    since = f' (steps {start:,}-{recs[-1]["step"]:,}; {began})' if start else ''
    return f'{steps} steps in {wall / 3600:.2f} h of training ({steps / wall:.2f} steps/s on {where}){since}'


def write_card(model_dir: Path) -> None:
    """public/models/<model>/card.md from model.json and metrics.json (figures are never typed by hand)."""
    man = json.loads((model_dir / 'model.json').read_text())['latentscape']
    if man['model'] == 'sky':
        write_sky_card(model_dir, man)
    else:
        write_surface_card(model_dir, man)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='surface')
    ap.add_argument('--run', default=None, help='default training/runs/<model>')
    ap.add_argument('--out', default=None, help='default public/models/<model>')
    ap.add_argument('--golden', default=None, help='default test/fixtures/<model>-golden.json')
    ap.add_argument('--sheet', default=None, help='default docs/models/<model>-samples.png')
    ap.add_argument('--no-sheet', action='store_true')
    ap.add_argument('--ckpt', default='ckpt.pt', help='checkpoint file in the run folder (sky: best.pt from sky_select)')
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    run = Path(args.run or f'training/runs/{args.model}')
    g, ck = load_ema(run, args.model, args.ckpt)
    cfg = ck['config']
    layers = fp16_layers(g)
    names = cfg.get('families') or []
    families = None
    if names:
        from .surface_data import PX_PER_METRE

        families = family_spec(g, names, PX_PER_METRE)
    meta = {'training': {'steps': ck['step'], 'batch': cfg['batch'], 'crop': cfg['crop'], 'r1': cfg.get('r1'),
                         'gitCommit': cfg.get('git_commit'), 'datasetManifestSha256': cfg.get('manifest_sha256'),
                         'trainImages': cfg.get('train_images'), 'cells': cfg.get('cells'),
                         'device': cfg.get('device', 'cpu')}}
    if cfg.get('gpu'):
        meta['training']['gpu'] = cfg['gpu']
    out_dir = Path(args.out) if args.out else ROOT / 'public' / 'models' / args.model
    meta['training']['families'] = cfg.get('family_counts')
    meta['training']['speed'] = run_speed(run, cfg.get('device', 'cpu'), ck['step'])
    if args.model == 'sky':
        # The sky's crops are drawn by sky_augment.SkyDeckSampler when the dataset has the light variants (train.py).
        data = Path(cfg.get('data') or '')
        meta['training']['deckAugment'] = data.exists() and 'variants' in np.load(data).files
        if cfg.get('deck_scale'):
            meta['training']['deckScale'] = cfg['deck_scale']
        select = run / 'select.json'
        if args.ckpt == 'best.pt' and select.exists():
            sel = json.loads(select.read_text())
            log = [json.loads(line) for line in (run / 'log.jsonl').read_text().splitlines() if line.strip()]
            meta['training']['selection'] = {'rule': sel['rule'], 'snapshots': len(sel['records']),
                                             'lastStep': log[-1]['step'] if log else ck['step']}
    relief = relief_spec(cfg['height_px_per_unit']) if g.out_ch == 4 else None
    if relief:
        meta['training']['familiesWithHeight'] = cfg.get('families_with_height')
        if names:  # per-family relief calibration, fitted on the exported (fp16, BN-folded) net the world runs
            from .relief_calibration import fit_families, relief_block

            relief = relief_block(relief, fit_families(FoldedGenerator(layers), g, cfg['data'], cfg['relief'],
                                                       cfg['height_px_per_unit'], cfg['crop']))
    manifest = write_model(layers, g, out_dir, meta, families, relief)
    golden(layers, g, Path(args.golden) if args.golden else ROOT / 'test' / 'fixtures' / f'{args.model}-golden.json')
    if not args.no_sheet:
        net = FoldedGenerator(layers)
        # The sky's panoramas (cloud layer + atmosphere) are drawn by the app's own code: scripts/sky-sheet.ts.
        name = 'sky-layer' if args.model == 'sky' else args.model
        sheet = Path(args.sheet) if args.sheet else ROOT / 'docs' / 'models' / f'{name}-samples.png'
        if names:
            family_sheet(net, g, names, sheet)
            if relief:
                relief_sheet(net, g, names, sheet.with_name(f'{name}-relief.png'), cfg['height_px_per_unit'],
                             calibration=relief)
        else:
            sample_sheet(net, g, sheet)
    write_card(out_dir)
    size = (out_dir / 'weights.bin').stat().st_size
    print(json.dumps({'model': args.model, 'step': ck['step'], 'version': manifest['latentscape']['version'],
                      'weights_bytes': size}))


if __name__ == '__main__':
    main()
