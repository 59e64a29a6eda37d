"""Paired relief for the `surface` v2 dataset: a height map beside every training image whose source ships a normal
map, for the generator's fourth (height) output channel.

    /usr/bin/python3 -m training.surface_relief          # writes training/.cache/surface2-relief.npz (+ .json)

Reads the colour dataset's manifest (`training.surface_data`), so it must run after that build; every height map is
cut exactly like its colour image (same resize to training scale, same piece), pixel for pixel.

Where the normal maps come from (the colour map's own licence and author cover its normal map: each is shipped and
credited as one texture):
- Red Eclipse: the `texture n` line that follows a colour map's `texture c`/`texture 0` line in its textures.cfg
  (`texture z` depth maps are not used: several folders point `z` at a specular map).
- 0 A.D. terrain and skins: `<name>_norm.png` beside `<name>.png`; for a region of a building atlas, the same box of
  the atlas's `_norm` map.
- Cube 2: gk `*_nm` beside `*_cc`, gor `*_nm` beside `*_cc`, yo_frankie `*_nor` beside `*_col`.
SuperTuxKart and MegaGlest textures have no normal maps: their images carry a zero height mask, and the height loss
ignores them rather than inventing relief.

Height from normals: slopes p = dh/dx, q = dh/dy (image axes, y down) from the decoded unit normal, integrated by
Frankot & Chellappa (1988): the least-squares surface whose forward differences best match (p, q), solved in the
Fourier domain. That is exact for periodic data, so a tiling source is integrated as it is; a non-tiling one is first
mirrored into a 2x2 periodic mosaic (slopes flip sign with the mirror) so its borders add no false cliff. Height is in
pixels of the image it was integrated at; resizing an image by s scales its height by s too, so slope (what lighting
sees) is unchanged by the resize to training scale.

Normal-map green conventions differ between engines (+Y up in OpenGL, down in DirectX). The sign per package is
measured, not assumed: on masonry and tiles, mortar and joints are darker than the blocks and recessed, so height must
correlate positively with brightness; `--check` prints that correlation for both signs.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from . import surface_data as sd
from .common import CACHE

OUT = CACHE / 'surface2-relief.npz'
OUT_JSON = CACHE / 'surface2-relief.json'
RELIEF_CACHE = CACHE / 'surface2-relief-src'

# Green (y) sign of each package's normal maps: +1 when green points to the top of the image as stored (row 0 first),
# -1 when it points down the rows. Measured with --check: with -1 the brightness-height correlation on masonry and
# tiles is +0.72 (0 A.D., 16 images), +0.46 (Cube 2, 9) and +0.45 (Red Eclipse, 114); with +1 it is about 0, the
# signature of a slope field that no surface fits (its y half contradicts its x half). The engines load images with
# row 0 at texture t = 0, so their "up" is down the stored rows.
GREEN_UP = {'redeclipse-data': -1, '0ad-data': -1, 'cube2-data': -1}

# Height is stored for the generator as h / HEIGHT_PX_PER_UNIT, clipped to [-1, 1] (its tanh range): 99.5% of |h|
# is under 8.4 px after the high-pass below.
HEIGHT_PX_PER_UNIT = 10.0

# Relief above this scale (training px) is dropped: a 128-px crop cannot show it, and a drifting offset would only
# push the generator's tanh towards saturation. The slopes it removes are tiny (see --check).
HIGHPASS_SIGMA = 24.0


def _re_normal_maps() -> dict[str, Path]:
    """Red Eclipse colour map path (relative to data/) -> its normal map file."""
    data = CACHE / 'xre' / sd.RE_DATA
    out = {}
    for folder in sd.RE_FOLDERS:
        for cfg in sorted((data / folder).rglob('textures.cfg')):
            colour = None
            for line in cfg.read_text(errors='replace').splitlines():
                m = re.match(r'\s*texture\s+(\w+)\s+(?:"([^"]+)"|(\S+))', line)
                if not m:
                    continue
                kind = m.group(1)
                rel = re.sub(r'<[^>]*>', '', m.group(2) or m.group(3)).strip()
                if kind in ('0', 'c'):
                    colour = _resolve(data, rel)
                elif kind == 'n' and colour is not None:
                    nm = _resolve(data, rel)
                    if nm is not None:
                        out.setdefault(str(colour.relative_to(data)), nm)
    return out


def _resolve(data: Path, rel: str) -> Path | None:
    p = data / rel
    if p.exists():
        return p
    return next((a for a in (p.with_suffix('.jpg'), p.with_suffix('.png')) if a.exists()), None)


def normal_opener(package: str, path: str, re_maps: dict):
    """A callable opening the normal map paired with a colour source, or None."""
    if package == 'redeclipse-data':
        p = re_maps.get(path)
        return (lambda q=p: Image.open(q)) if p is not None else None
    if package == 'cube2-data':
        data = CACHE / 'xc2' / sd.C2_DATA
        src = data / path
        for a, b in (('_cc', '_nm'), ('_col', '_nor')):
            if a in src.name:
                stem = src.name.replace(a, b)
                for cand in [src.with_name(stem)] + [src.with_name(Path(stem).stem + s) for s in ('.jpg', '.png', '.dds')]:
                    if cand.exists():
                        return lambda q=cand: Image.open(q)
        return None
    if package == '0ad-data':
        zpath, name = path.split(':', 1)
        name, _, crop = name.partition('#crop=')
        base = name.rsplit('/', 1)
        stem = re.sub(r'(\.(png|dds))?\.cached\.dds$|\.(png|dds)$', '', base[1])
        z = _zip()
        for cand in (f'{base[0]}/{stem}_norm.png.cached.dds', f'{base[0]}/{stem}_norm.png', f'{base[0]}/{stem}_norm.dds'):
            if cand in _zip_names():
                if not crop:
                    return lambda n=cand: Image.open(io.BytesIO(z.read(n)))
                # a region of a building atlas (surface_data.ATLAS_CROPS): the same box of the atlas's normal map
                box = tuple(float(v) for v in crop.split(','))
                return lambda n=cand, b=box: sd.crop_eighths(Image.open(io.BytesIO(z.read(n))), b)
        return None
    return None


_Z = None
_ZN = None


def _zip():
    global _Z
    if _Z is None:
        _Z = zipfile.ZipFile(CACHE / 'x0ad' / sd.ZAD_ZIP)
    return _Z


def _zip_names() -> set:
    global _ZN
    if _ZN is None:
        _ZN = set(_zip().namelist())
    return _ZN


def decode_normals(im: Image.Image, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(p, q) slopes dh/dx, dh/dy (image axes, y down; green up convention) at `size` (w, h)."""
    im = im.convert('RGB')
    if im.size != size:
        im = im.resize(size, Image.BOX if im.size[0] > size[0] else Image.BICUBIC)
    n = np.asarray(im, dtype=np.float32) / 127.5 - 1.0
    nz = np.clip(n[..., 2], 0.15, None)  # flat-ish where a bad texel would blow the slope up
    p = -n[..., 0] / nz
    q = n[..., 1] / nz  # +ny tilts towards the top row, so height rises going down the rows
    return p, q


def frankot_chellappa(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Least-squares height whose forward differences match (p, q) on the torus (mean 0)."""
    h, w = p.shape
    wx = np.exp(2j * np.pi * np.fft.fftfreq(w))[None, :] - 1.0
    wy = np.exp(2j * np.pi * np.fft.fftfreq(h))[:, None] - 1.0
    P, Q = np.fft.fft2(p), np.fft.fft2(q)
    den = np.abs(wx) ** 2 + np.abs(wy) ** 2
    den[0, 0] = 1.0
    Z = (np.conj(wx) * P + np.conj(wy) * Q) / den
    Z[0, 0] = 0.0
    return np.real(np.fft.ifft2(Z)).astype(np.float32)


def integrate(p: np.ndarray, q: np.ndarray, tiles: bool) -> np.ndarray:
    if tiles:
        return frankot_chellappa(p, q)
    # mirror into a periodic 2x2 mosaic: a horizontal mirror flips the x slope, a vertical one the y slope
    pe = np.block([[p, -p[:, ::-1]], [p[::-1], -p[::-1, ::-1]]])
    qe = np.block([[q, q[:, ::-1]], [-q[::-1], -q[::-1, ::-1]]])
    h, w = p.shape
    return frankot_chellappa(pe, qe)[:h, :w]


def highpass(h: np.ndarray, sigma: float, tiles: bool) -> np.ndarray:
    """h minus its Gaussian blur (wrap-around for tiling images, mirrored otherwise)."""
    H, W = h.shape
    src = h if tiles else np.block([[h, h[:, ::-1]], [h[::-1], h[::-1, ::-1]]])
    fy = np.fft.fftfreq(src.shape[0])[:, None]
    fx = np.fft.fftfreq(src.shape[1])[None, :]
    g = np.exp(-2 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    low = np.real(np.fft.ifft2(np.fft.fft2(src) * g))[:H, :W]
    return (h - low).astype(np.float32)


def source_height(s: dict, rgb_shape: tuple[int, int], tiles: bool, green: int) -> np.ndarray | None:
    """Height in pixels of the loaded colour image (<= 512 px), or None when the normal map cannot be read."""
    try:
        im = s['open_normal']()
        if hasattr(im, 'n_frames') and im.n_frames > 1:
            im.seek(0)
        p, q = decode_normals(im, (rgb_shape[1], rgb_shape[0]))
    except Exception:
        return None
    return integrate(p, green * q, tiles)


def _cut(h: np.ndarray, m: dict, rgb_shape: tuple[int, int], piece_shape: tuple[int, int]) -> np.ndarray | None:
    """The height piece matching colour piece `m`: the same resize to training scale, the same crop."""
    ppm = m['px_per_metre']
    iw = round(m['metres_across'] * ppm)
    scale = iw / rgb_shape[1]
    H, W = rgb_shape
    ow, oh = max(1, round(W * scale)), max(1, round(H * scale))
    img = np.asarray(Image.fromarray(h).resize((ow, oh), Image.BILINEAR), dtype=np.float32) * scale
    if m['tiles'] and img.shape[0] < piece_shape[0]:  # a small tiling source was wrap-tiled up to MIN_SIDE
        ky, kx = -(-piece_shape[0] // img.shape[0]), -(-piece_shape[1] // img.shape[1])
        img = np.tile(img, (ky, kx))
    y, x = m['piece_yx']
    out = img[y:y + piece_shape[0], x:x + piece_shape[1]]
    return out if out.shape == tuple(piece_shape) else None


def build(check: bool = False, log=print):
    man = json.loads((CACHE / 'surface2.manifest.json').read_text())
    z = np.load(CACHE / 'surface2.npz')
    shapes, offsets, pixels = z['shapes'], z['offsets'], z['pixels']
    re_maps = _re_normal_maps()
    by_source = {}
    for i, m in enumerate(man['images']):
        by_source.setdefault((m['package'], m['path']), []).append(i)
    n = len(man['images'])
    heights = [np.zeros(tuple(shapes[i]), np.float32) for i in range(n)]
    has = np.zeros(n, np.uint8)
    pairs = {}
    corr = {}
    for (pkg, path), idx in sorted(by_source.items()):
        opener = normal_opener(pkg, path, re_maps)
        if opener is None:
            continue
        got = sd.load({'package': pkg, 'path': path, 'open': None})  # cached colour at <= 512 px
        if got is None:
            continue
        rgb = got[0]
        m0 = man['images'][idx[0]]
        tiles_src = bool(m0['tiles']) or sd.tile_ratio(rgb) <= 2.0
        signs = (1, -1) if check else (GREEN_UP.get(pkg, 1),)
        for green in signs:
            hsrc = source_height({'open_normal': opener}, rgb.shape[:2], tiles_src, green)
            if hsrc is None:
                break
            if check and m0['family'] in ('brick', 'stone_blocks', 'floor_tiles', 'cobble'):
                lum = sd._grey(rgb).astype(np.float32)
                hp = highpass(hsrc, 8.0, tiles_src)
                c = float(np.corrcoef(hp.reshape(-1), (lum - sd._blur(lum, 8.0)).reshape(-1))[0, 1])
                corr.setdefault((pkg, green), []).append(c)
            if green != GREEN_UP.get(pkg, 1):
                continue
            hsrc = highpass(hsrc, HIGHPASS_SIGMA * rgb.shape[1] / max(1, round(m0['metres_across'] * m0['px_per_metre'])),
                            tiles_src)
            ok = 0
            for i in idx:
                m = man['images'][i]
                piece = _cut(hsrc, m, rgb.shape[:2], tuple(shapes[i]))
                if piece is not None:
                    heights[i] = piece
                    has[i] = 1
                    ok += 1
            if ok:
                pairs[f'{pkg}:{path}'] = ok
    if check:
        for (pkg, green), v in sorted(corr.items()):
            log(f'{pkg} green {"up" if green > 0 else "down"}: brightness-height corr median {np.median(v):+.3f} '
                f'(n={len(v)}, positive {np.mean(np.array(v) > 0):.0%})')
    return man, heights, has, pairs


def write(man, heights, has, pairs, log=print):
    flat = np.concatenate([h.reshape(-1) for h in heights]).astype(np.float32)
    with_h = np.concatenate([h.reshape(-1) for h, k in zip(heights, has) if k])
    slope = [np.abs(np.diff(h, axis=1)).mean() for h, k in zip(heights, has) if k]
    p99 = float(np.percentile(np.abs(with_h), 99.5))
    fams = man['families']
    per = {}
    for i, m in enumerate(man['images']):
        c = per.setdefault(m['family'], {'images': 0, 'with_height': 0, 'train_with_height': 0, 'heldout_with_height': 0})
        c['images'] += 1
        if has[i]:
            c['with_height'] += 1
            c[f'{m["split"]}_with_height'] += 1
    tmp = OUT.with_name(OUT.stem + '.tmp.npz')
    np.savez_compressed(tmp, height=flat.astype(np.float16), has_height=has)
    tmp.replace(OUT)
    info = {'images': len(heights), 'with_height': int(has.sum()), 'abs_height_p99_5_px': p99,
            'mean_abs_slope_x': float(np.mean(slope)), 'highpass_sigma_px': HIGHPASS_SIGMA, 'green_up': GREEN_UP,
            'families': {f: per.get(f) for f in fams}, 'pairs': pairs}
    OUT_JSON.write_text(json.dumps(info, indent=1))
    log(f'{OUT}: {OUT.stat().st_size / 2 ** 20:.1f} MiB, {int(has.sum())}/{len(heights)} images with height; '
        f'|h| p99.5 {p99:.2f} px; mean |dh/dx| {np.mean(slope):.3f}')
    for f in fams:
        log(f'  {f:13s} {per.get(f)}')
    return info


CARD = Path(__file__).resolve().parent / 'SURFACE-DATA.md'
SECTION = '## Relief (paired height maps)'


def card_section(info: dict) -> str:
    """The data card's relief section, from the figures `write` returns."""
    L = [SECTION, '',
         'Built by `training/surface_relief.py` (`/usr/bin/python3 -m training.surface_relief`, after the colour set)',
         f"into `training/.cache/surface2-relief.npz`: `height` float16, one value per colour pixel in the same flat order",
         "(pixel offset = colour offset / 3), in pixels at the training scale; `has_height` uint8 [N]. "
         f"{info['with_height']} of {info['images']} images have one.",
         '',
         'Normal maps: the `texture n` map listed after a colour map in Red Eclipse textures.cfg files, 0 A.D. terrain',
         '`*_norm` beside the colour map (for a region of a building atlas, the same box of the atlas\'s `_norm`), Cube 2',
         'gk and gor `*_nm`, Yo Frankie `*_nor`. Each is shipped and credited as',
         "part of the same texture as its colour map (same package, folder, author and licence). SuperTuxKart and",
         'MegaGlest ship none: those images train the colour only.',
         '',
         'Normals become height by Frankot-Chellappa integration on the torus (exact for tiling sources; a non-tiling one',
         'is mirrored into a periodic mosaic first), then resized and cut exactly like the colour image (height scales',
         f"with the resize, so slopes are kept), then high-passed (relief wider than a Gaussian of sigma",
         f"{info['highpass_sigma_px']} px is dropped). The generator stores height / {HEIGHT_PX_PER_UNIT:g} px in [-1, 1]; 99.5% of |h| is under",
         f"{info['abs_height_p99_5_px']:.1f} px; mean |dh/dx| {info['mean_abs_slope_x']:.3f}.",
         '',
         'Green channel sign (`GREEN_UP`, measured with `--check`): all three packages store green pointing down the image',
         'rows; with that sign height correlates with brightness on masonry and tiles (joints dark and low) at +0.72',
         '(0 A.D.), +0.46 (Cube 2), +0.45 (Red Eclipse), with the other sign about 0.',
         '',
         '| family | images | with height | train with height | held-out with height |',
         '|---|---|---|---|---|']
    for f, c in info['families'].items():
        if c:
            L.append(f"| {f} | {c['images']} | {c['with_height']} | {c['train_with_height']} | {c['heldout_with_height']} |")
    return '\n'.join(L) + '\n'


def write_card_section(info: dict) -> None:
    """Put (or replace) the relief section at the end of the data card."""
    text = CARD.read_text()
    text = text.split('\n' + SECTION)[0].rstrip('\n') + '\n\n' + card_section(info)
    CARD.write_text(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='print the brightness-height correlation for both green signs')
    a = ap.parse_args(argv)
    man, heights, has, pairs = build(check=a.check)
    write_card_section(write(man, heights, has, pairs))


if __name__ == '__main__':
    main()
