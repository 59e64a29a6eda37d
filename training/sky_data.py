"""Build the `sky` training set: the CLOUD LAYER of real skies, seen from below (fetched here, never committed).

Sources (outdoor skies only; indoor/studio/space panoramas are left out by name)
- 0ad-data (Wildfire Games, CC-BY-SA-3.0): photographic cloud skyboxes, cube faces front/right/back/left/top
  in mods/public/public.zip, art/textures/skies/<name>/*.dds.
- redeclipse-data: skyboxes with a licence in their readme (CC-BY-SA-3.0, CC-BY-3.0, zlib), faces ft/rt/bk/lf/up.
- npm @pmndrs/assets (Poly Haven, CC0): 512x256 equirectangular EXR panoramas (base64 in hdri/*.exr.js).
- blender-data (Greg Zaal / Poly Haven, CC0): datafiles/studiolights/world/*.exr, 1024x512 equirectangular.

Each source becomes an equirectangular image of the upper hemisphere (elevation 90 deg at row 0 down to the
horizon at the last row; longitude -180..180 deg across, wrapping) of `--height` x 4*`--height` px. HDR
panoramas are tone-mapped to display range: exposure keyed on the sky's log-average luminance, an ACES filmic
curve, then sRGB encoding.

The `sky` generator does not paint whole panoramas (39 are far too few for a GAN: a first model trained on them
copied its training compositions, nn_ratio 0.85). It paints the cloud layer: a tileable texture of clouds as seen
looking straight up, which the app lays on a plane over the world under a physically based atmosphere
(world-gen `sky-atmosphere.ts`), so gradient, sun and time of day come from physics and only clouds are learned.
So every panorama is reprojected onto a horizontal plane at unit height above the viewer (a "deck": `DECK_PX`
square pixels over +-`DECK_EXTENT` units, i.e. elevations above ~25 deg), and its cloud layer is separated from
the atmosphere behind it: cloud cover alpha from how much bluer than grey each pixel is (relative to the clear
sky around it, so haze and gradients do not count as cloud), cloud brightness from its luminance relative to the
deck's bright cloud tops (a sun disc stays in and reads as a small white puff). The training image is that layer composited over one constant
clear-sky colour (`CLEAR_RGB`): clouds on a flat blue, no gradient, no sun. The app decodes alpha and brightness
from the generated colours the same way (world-gen `sky-compose.ts`).

CLI: OPENCV_IO_ENABLE_OPENEXR=1 /usr/bin/python3 -m training.sky_data     (needs Debian python3-opencv for EXR)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from .common import CACHE, ROOT, fetch_debs, write_credits_section

# The cloud deck: a plane at unit height, DECK_EXTENT units each way from the point overhead, DECK_PX pixels square.
DECK_EXTENT = 1.5
DECK_PX = 128
PX_PER_UNIT = DECK_PX / (2 * DECK_EXTENT)
# Linear-light RGB of the clear sky behind the clouds in the training images (and in the generator's output).
CLEAR_RGB = (0.10, 0.25, 0.75)
# Sources with no usable cloud layer overhead: city towers or a building in the deck, night (nothing lit), or a sun
# whose glow fills much of the deck (its white would be learned as cloud).
DECK_LEFT_OUT = {'0ad/cloudless', '0ad/overcast', 'redeclipse/stormydays', 'pmndrs/city', 'pmndrs/sunset', 'blender/city', 'blender/sunset', 'blender/night', 'pmndrs/night',
                 '0ad/sunset 2', 'redeclipse/sunsetflat'}

PMNDRS_VERSION = '1.7.0'
BLENDER_VERSION = '3.4.1+dfsg-2'

# Outdoor panoramas of @pmndrs/assets (the rest are interiors: apartment, hall, lab, lobby, studio, warehouse, workshop).
# Also left out: bridge, esplanade and forest, where a canopy or trees fill the sky.
PMNDRS_OUTDOOR = ['city', 'dawn', 'night', 'park', 'sky', 'sunrise', 'sunset', 'venice']
# blender-data studiolights/world: open skies (interior, studio, courtyard arches and forest canopy are left out).
BLENDER_OUTDOOR = ['city', 'night', 'sunrise', 'sunset']
# Red Eclipse skyboxes: (folder, name, licence, author). Space/planet, alien, gradient-fill and
# synthetic boxes (interstellar, skyhsky, sp2, sp3, hot, tron, gradient, grey, ...) are left out.
REDECLIPSE_SKIES = [
    ('skyboxes', 'skyhigh', 'CC-BY-SA-3.0', 'Pieter Verhoeven'),
    ('skyboxes', 'miramar', 'CC-BY-3.0', 'Jockum "hipshot" Skoglund'),
    ('skyboxes', 'stormydays', 'CC-BY-3.0', 'Jockum "hipshot" Skoglund'),
    ('skyboxes', 'sunsetflat', 'Zlib', 'LedIris'),
    ('elyvisions', 'sh', 'CC-BY-3.0', '3delyvisions (Red Eclipse elyvisions)'),
    ('elyvisions', 'dark', 'CC-BY-3.0', '3delyvisions (Red Eclipse elyvisions)'),
]

# Packages searched for more skies (2026-11-27) and why none of them was added: the data card lists these, so the
# next person looking for data knows where not to look. The weights are CC-BY-SA-3.0, so a source must be CC0, CC-BY
# or CC-BY-SA-3.0 (GPL and CC-BY-SA-4.0 material cannot be combined with the CC-BY-SA-3.0 skies in one work).
SURVEYED = [
    ('supertuxkart-data 1.4', 'skyboxes in textures/skybox and tracks/* (summersky, snowsky, blue_sky, ...)',
     'GPL-3+ (the package default) or CC-BY-SA-4.0; only two flat cloud tiles are compatible (textures/sky3.jpg, '
     'CC-BY-SA-3.0; textures/sky.jpg, public domain)'),
    ('flightgear-data-base 2020.3', 'six cloud-layer textures (Textures/Sky: few, scattered, broken, overcast, overcast_top, cirrus)',
     'GPL-2+'),
    ('trigger-rally-data 0.6.6.1', 'about eight cloud textures (data.zip textures/sky)', 'GPL-2+'),
    ('extremetuxracer-data 0.8.2', 'eight skyboxes (env/*)', 'no top face: nothing overhead to take a deck from'),
    ('torcs-data 1.3.7', 'track backgrounds', 'horizon strips, no sky overhead'),
    ('openarena-data, neverball-data, megaglest-data, warzone2100-data', 'searched by file name',
     'no photographic sky or cloud images'),
    ('wallpaper packages (gnome-backgrounds, plasma-workspace-wallpapers, ...)', 'not fetched',
     'ordinary photographs of unknown projection, not hemispheres overhead'),
]

def fetch_extra() -> None:
    """@pmndrs/assets via `npm pack` and blender-data via `apt-get download`, unpacked into the cache."""
    if not (CACHE / 'pmndrs/package/hdri').exists():
        (CACHE / 'pmndrs').mkdir(parents=True, exist_ok=True)
        subprocess.run(['npm', 'pack', f'@pmndrs/assets@{PMNDRS_VERSION}', '--silent'], cwd=CACHE / 'pmndrs', check=True)
        subprocess.run(['tar', 'xzf', f'pmndrs-assets-{PMNDRS_VERSION}.tgz'], cwd=CACHE / 'pmndrs', check=True)
    target = CACHE / 'xblender'
    if not (target / 'usr').exists():
        debs = CACHE / 'debs'
        debs.mkdir(parents=True, exist_ok=True)
        found = list(debs.glob('blender-data_*.deb'))
        if not found:
            subprocess.run(['apt-get', 'download', 'blender-data'], cwd=debs, check=True)
            found = list(debs.glob('blender-data_*.deb'))
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(['dpkg', '-x', str(found[0]), str(target)], check=True)


# --- geometry -------------------------------------------------------------------------------------------------

def hemisphere_dirs(h: int) -> np.ndarray:
    """Unit view directions [h, 4h, 3] (x right, y up, z back) of the upper-hemisphere equirect pixel centres.

    Column 0 is longitude -180 deg, the centre column looks along -z ('front'); row 0 is the zenith, row h-1 the horizon.
    """
    w = 4 * h
    lon = ((np.arange(w) + 0.5) / w * 2 - 1) * np.pi
    el = (1 - (np.arange(h) + 0.5) / h) * (np.pi / 2)
    lon, el = np.meshgrid(lon, el)
    return np.stack([np.cos(el) * np.sin(lon), np.sin(el), -np.cos(el) * np.cos(lon)], axis=-1)


def _resize_float(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.stack([np.asarray(Image.fromarray(a[..., c].astype(np.float32), mode='F').resize(size, Image.BOX))
                     for c in range(a.shape[-1])], axis=-1)


def cube_to_hemisphere(faces: dict[str, np.ndarray], h: int, convention: str) -> np.ndarray:
    """Cube faces (float [S, S, 3], keyed by the axis they face: -z front, +x, +z, -x, +y top) -> [h, 4h, 3].

    Supersampled 2x2 per output pixel, bilinear within a face. Both packages name the face seen when turning right
    from 'front' the 'left' face (so 'left' files face +x); `convention` selects the top face's orientation ('0ad'
    or 'quake'). Worked out by matching face edges (every shared edge differs by < 3/255 on average).
    """
    ss = 2
    d = hemisphere_dirs(h * ss)
    x, y, z = d[..., 0], d[..., 1], d[..., 2]
    ax, ay, az = np.abs(x), np.abs(y), np.abs(z)
    out = np.zeros(d.shape[:2] + (3,), np.float32)
    # (face, mask, u, v) with u right and v down in the face image, both in [-1, 1]
    top = (ay >= ax) & (ay >= az)
    side_x = ~top & (ax >= az)
    side_z = ~top & ~side_x
    sel = [
        ('-z', side_z & (z < 0), x / az, -y / az),
        ('+z', side_z & (z > 0), -x / az, -y / az),
        ('+x', side_x & (x > 0), z / ax, -y / ax),
        ('-x', side_x & (x < 0), -z / ax, -y / ax),
        ('+y', top, x / ay, -z / ay) if convention == '0ad' else ('+y', top, -z / ay, -x / ay),
    ]
    for name, m, u, v in sel:
        f = faces[name]
        s = f.shape[0]
        fu = np.clip((u[m] + 1) / 2 * s - 0.5, 0, s - 1.001)
        fv = np.clip((v[m] + 1) / 2 * s - 0.5, 0, s - 1.001)
        i0, j0 = fv.astype(int), fu.astype(int)
        ti, tj = (fv - i0)[:, None], (fu - j0)[:, None]
        out[m] = (f[i0, j0] * (1 - ti) * (1 - tj) + f[i0 + 1, j0] * ti * (1 - tj)
                  + f[i0, j0 + 1] * (1 - ti) * tj + f[i0 + 1, j0 + 1] * ti * tj)
    return out.reshape(h, ss, 4 * h, ss, 3).mean(axis=(1, 3))


def deck_from_hemisphere(pano: np.ndarray, size: int = DECK_PX, extent: float = DECK_EXTENT) -> np.ndarray:
    """Upper-hemisphere equirect [h, 4h, 3] -> the view straight up onto a plane at unit height, float [size, size, 3].

    Pixel (row i, col j) is the plane point x = east, z = south (-z is north, like the world), each in
    [-extent, extent]; bilinear (wrapping in longitude), 2x2 supersampled.
    """
    h, w = pano.shape[:2]
    ss = 2
    n = size * ss
    t = -extent + (np.arange(n) + 0.5) / n * 2 * extent
    z, x = np.meshgrid(t, t, indexing='ij')
    lon = np.arctan2(x, -z)
    el = np.arctan2(1.0, np.hypot(x, z))
    u = (lon / (2 * np.pi) + 0.5) * w - 0.5
    v = np.clip((1 - el / (np.pi / 2)) * h - 0.5, 0, h - 1.001)
    j0 = np.floor(u).astype(int)
    tj = (u - j0)[..., None]
    i0 = v.astype(int)
    ti = (v - i0)[..., None]
    j0 %= w
    j1 = (j0 + 1) % w
    p = pano.astype(np.float32)
    out = (p[i0, j0] * (1 - ti) * (1 - tj) + p[i0 + 1, j0] * ti * (1 - tj)
           + p[i0, j1] * (1 - ti) * tj + p[i0 + 1, j1] * ti * tj)
    return out.reshape(size, ss, size, ss, 3).mean(axis=(1, 3))


def srgb_to_linear(u8: np.ndarray) -> np.ndarray:
    x = u8.astype(np.float32) / 255
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb_u8(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return _srgb_u8(np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055) * 255)


_LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


def cloud_layer(deck_u8: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A deck (sRGB uint8 [S, S, 3]) -> (training image sRGB uint8, cloud alpha [S, S], cloud brightness [S, S]).

    alpha = 1 - blueness / clear-sky blueness, blueness = (b - r) / b in linear light: 0 for grey or white cloud, high
    for clear sky; the clear-sky reference is the local upper envelope of blueness (a 41 px max filter, blurred),
    never below 0.6 x the deck's 98th percentile or 0.3, so a haze gradient is not cloud and an overcast deck is all
    cloud. Brightness = luminance / the 90th percentile of cloud luminance. A sun's disc is white, so it reads
    as a small puff of cloud; the three decks where the sun's glow fills much of the view are left out (DECK_LEFT_OUT).
    """
    import cv2

    x = srgb_to_linear(deck_u8)
    y = x @ _LUMA
    s = (x[..., 2] - x[..., 0]) / np.maximum(x[..., 2], 1e-3)
    env = cv2.GaussianBlur(cv2.dilate(s, np.ones((41, 41), np.uint8)), (0, 0), 12)
    ref = np.maximum(np.maximum(env, 0.6 * np.percentile(s, 98)), 0.3)
    alpha = np.clip(1 - s / ref, 0, 1)
    cloud = alpha > 0.5
    yref = float(np.percentile(y[cloud], 90)) if cloud.sum() > 50 else max(float(y.max()), 1e-3)
    bright = np.clip(y / max(yref, 1e-4), 0, 1)
    clear = np.asarray(CLEAR_RGB, np.float32)
    out = alpha[..., None] * bright[..., None] + (1 - alpha[..., None]) * clear
    return linear_to_srgb_u8(out), alpha, bright


# --- tone mapping -----------------------------------------------------------------------------------------------

def tonemap(hdr: np.ndarray, key: float = 0.22) -> np.ndarray:
    """Linear HDR [h, w, 3] -> sRGB uint8: exposure keyed on the log-average luminance, ACES filmic, sRGB."""
    lum = 0.2126 * hdr[..., 0] + 0.7152 * hdr[..., 1] + 0.0722 * hdr[..., 2]
    lavg = float(np.exp(np.log(np.maximum(lum, 1e-4)).mean()))
    x = np.maximum(hdr, 0) * (key / max(lavg, 1e-4))
    x = np.clip((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0, 1)  # Narkowicz ACES fit
    srgb = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(srgb * 255 + 0.5, 0, 255).astype(np.uint8)


def _srgb_u8(a: np.ndarray) -> np.ndarray:
    return np.clip(a + 0.5, 0, 255).astype(np.uint8)


def _read_exr(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """EXR bytes -> (linear RGB float [H, W, 3], mask [H, W] of pixels to inpaint)."""
    os.environ.setdefault('OPENCV_IO_ENABLE_OPENEXR', '1')
    import cv2  # Debian python3-opencv (OpenEXR with DWA compression)

    im = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if im is None:
        raise ValueError('unreadable EXR')
    rgb = np.nan_to_num(im[..., :3][..., ::-1].astype(np.float32), nan=0.0, posinf=65504.0, neginf=0.0)  # BGR -> RGB
    # The lossy DWA-compressed files hold broken 8x8 blocks around the clipped sun: channels at exactly 0 or large
    # negative values next to values in the thousands (a blue square after tone mapping). Mark them for inpainting.
    hot = (np.abs(rgb).max(axis=-1) > 50).astype(np.uint8)
    near_sun = cv2.dilate(hot, np.ones((17, 17), np.uint8)) > 0
    bad = near_sun & (rgb.min(axis=-1) <= 0)
    return np.maximum(rgb, 0.0), bad


# --- sources ----------------------------------------------------------------------------------------------------

def list_sources():
    z = zipfile.ZipFile(CACHE / 'x0ad/usr/share/games/0ad/mods/public/public.zip')
    names = sorted({n.split('/')[3] for n in z.namelist() if n.startswith('art/textures/skies/') and n.count('/') >= 4})
    for name in names:
        def load(name=name):
            faces = {}
            for f, axis in (('front', '-z'), ('left', '+x'), ('back', '+z'), ('right', '-x'), ('top', '+y')):
                faces[axis] = np.asarray(Image.open(io.BytesIO(z.read(f'art/textures/skies/{name}/{f}.dds.cached.dds')))
                                      .convert('RGB'), dtype=np.float32)
            return faces, '0ad'
        yield {'package': '0ad-data', 'path': f'mods/public/public.zip:art/textures/skies/{name}/',
               'licence': 'CC-BY-SA-3.0', 'author': 'Wildfire Games (photographs via cgtextures.com)',
               'kind': 'cube', 'name': f'0ad/{name}', 'load': load}
    re_data = CACHE / 'xre/usr/share/games/redeclipse/data'
    for folder, name, licence, author in REDECLIPSE_SKIES:
        def load(folder=folder, name=name):
            faces = {}
            for axis, suffix in (('-z', 'ft'), ('+x', 'lf'), ('+z', 'bk'), ('-x', 'rt'), ('+y', 'up')):
                p = next(iter(sorted((re_data / folder).glob(f'{name}_{suffix}.*'))))
                faces[axis] = np.asarray(Image.open(p).convert('RGB'), dtype=np.float32)
            return faces, 'quake'
        yield {'package': 'redeclipse-data', 'path': f'usr/share/games/redeclipse/data/{folder}/{name}_*',
               'licence': licence, 'author': author, 'kind': 'cube', 'name': f'redeclipse/{name}', 'load': load}
    for name in PMNDRS_OUTDOOR:
        def load(name=name):
            text = (CACHE / f'pmndrs/package/hdri/{name}.exr.js').read_text()
            return _read_exr(base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)', text).group(1))), 'hdr'
        yield {'package': f'npm @pmndrs/assets@{PMNDRS_VERSION}', 'path': f'hdri/{name}.exr.js', 'licence': 'CC0-1.0',
               'author': 'Poly Haven', 'kind': 'equirect', 'name': f'pmndrs/{name}', 'load': load}
    world = CACHE / 'xblender/usr/share/blender/datafiles/studiolights/world'
    for name in BLENDER_OUTDOOR:
        def load(name=name):
            return _read_exr((world / f'{name}.exr').read_bytes()), 'hdr'
        yield {'package': 'blender-data', 'path': f'usr/share/blender/datafiles/studiolights/world/{name}.exr',
               'licence': 'CC0-1.0', 'author': 'Greg Zaal (Poly Haven)', 'kind': 'equirect',
               'name': f'blender/{name}', 'load': load}


def convert(src: dict, h: int) -> np.ndarray:
    data, how = src['load']()
    if how == 'hdr':
        import cv2

        rgb, bad = data
        half = rgb.shape[0] // 2
        img = tonemap(_resize_float(rgb[:half], (4 * h, h)))
        mask = _resize_float(bad[:half, :, None].astype(np.float32), (4 * h, h))[..., 0] > 0
        mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8))
        return cv2.inpaint(img, mask, 3, cv2.INPAINT_TELEA) if mask.any() else img
    return _srgb_u8(cube_to_hemisphere(data, h, how))


def build(h: int, holdout: float, seed: int, only: str | None = None):
    """-> (cloud-layer images uint8 [N, DECK_PX, DECK_PX, 3], decks as seen [N, ...], manifest, stats)."""
    images, decks, manifest, rejected = [], [], [], {}
    for src in list_sources():
        if only and only not in src['name']:
            continue
        if src['name'] in DECK_LEFT_OUT:
            rejected['no cloud layer overhead (towers, building, night, sun glow)'] = rejected.get(
                'no cloud layer overhead (towers, building, night, sun glow)', 0) + 1
            continue
        try:
            deck = _srgb_u8(deck_from_hemisphere(convert(src, h)))
        except Exception as e:  # an unreadable source is skipped and counted, never fatal
            rejected['unreadable'] = rejected.get('unreadable', 0) + 1
            print(f"skip {src['name']}: {e}")
            continue
        layer, alpha, _ = cloud_layer(deck)
        images.append(layer)
        decks.append(deck)
        manifest.append({**{k: v for k, v in src.items() if k != 'load'}, 'cloud_cover': round(float(alpha.mean()), 3)})
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    n_hold = max(1, int(round(len(images) * holdout)))
    held = set(order[:n_hold].tolist())
    for i, m in enumerate(manifest):
        m['split'] = 'heldout' if i in held else 'train'
    stats = {'kept': len(images), 'rejected': rejected,
             'train': sum(m['split'] == 'train' for m in manifest),
             'heldout': sum(m['split'] == 'heldout' for m in manifest)}
    return np.stack(images), np.stack(decks), manifest, stats


def write_card(man: dict, path: Path) -> None:
    files = man['files']
    st = man['stats']
    h = man['height']
    deck = man['deck']
    lines = [
        '# Data card: `sky` training set (cloud layers)',
        '',
        'Built by `training/sky_data.py` from packages it downloads itself (Debian `apt-get download` + `dpkg -x`,',
        'npm `npm pack`) into the git-ignored `training/.cache/`; nothing here is committed. The per-file manifest is',
        '`training/.cache/sky.manifest.json`. This page is generated from it.',
        '',
        f"- Skies kept: **{st['kept']}** ({st['train']} train, {st['heldout']} held out); left out: "
        + (', '.join(f'{v} ({k})' for k, v in st['rejected'].items()) or 'none') + '.',
        f"- Each is converted to the upper hemisphere in equirectangular projection ({4 * h}x{h} px), then reprojected",
        f"  onto a horizontal plane at unit height overhead: a \"cloud deck\" of {deck['px']}x{deck['px']} px over",
        f"  +-{deck['extent']} units ({deck['px_per_unit']:.1f} px per unit; elevations above ~25 degrees).",
        '- Cube skyboxes (0ad-data, redeclipse-data) are resampled from their five upper faces (2x2 supersampled);',
        '  HDR panoramas (Poly Haven EXR) are tone-mapped: exposure keyed on the log-average luminance, ACES filmic',
        '  curve, sRGB. Indoor, studio and space panoramas are left out.',
        '- The cloud layer is separated from the sky behind it: cloud cover from how much bluer than grey each pixel',
        '  is, relative to the clear sky around it; cloud brightness from luminance relative to the bright cloud tops.',
        f"  The training image is that layer over one flat clear-sky colour (linear RGB {deck['clear_rgb']}): no",
        '  gradient, no time of day (the app adds those from a physical atmosphere model). A sun disc in the deck is',
        '  not removed: it reads as a small white puff, and the generator learned such puffs.',
        '- Augmentation at training time: random crops inside the decks, flips and 90-degree rotations.',
        '- Few skies: the model sees each many times. The model card reports nearest-neighbour distances to the',
        '  training set so memorisation shows. Sun discs are left in (they read as small bright puffs of cloud).',
        '',
        '| source | package | licence | author | cloud cover | split |',
        '|---|---|---|---|---|---|',
    ]
    for f in files:
        lines.append(f"| {f['name']} | {f['package']} | {f['licence']} | {f['author']} | {f.get('cloud_cover', '')} | {f['split']} |")
    lics = {}
    for f in files:
        lics[f['licence']] = lics.get(f['licence'], 0) + 1
    lines += ['', '## Licences', '', *[f'- {k}: {v} skies' for k, v in sorted(lics.items())], '',
              'The trained `sky` weights are distributed under **CC-BY-SA-3.0**, compatible with every licence above.',
              'Credits: `training/CREDITS.md`.', '',
              '## Searched, not used',
              '',
              'More skies would do more for this model than anything else (the card\'s nn_ratio is below 1). These',
              'packages were searched for skies with a view overhead under a licence compatible with the weights:',
              '',
              '| package | what it has | why not used |',
              '|---|---|---|',
              *[f'| {a} | {b} | {c} |' for a, b, c in SURVEYED],
              '',
              'The npm registry\'s search API does not answer from the build machine, so npm was checked by package name only.',
              '']
    path.write_text('\n'.join(lines))


def credits_lines(man: dict) -> list[str]:
    """The `sky` section of training/CREDITS.md."""
    lines = ['## Sky', '', 'The `sky` generator was trained on the clouds of panoramas and skyboxes by these authors. Thank you.', '']
    seen = []
    for f in man['files']:
        key = (f['author'], f['package'], f['licence'])
        if key not in seen:
            seen.append(key)
    lines += [f'- {a} — {p} — {l}' for a, p, l in sorted(seen)]
    lines += ['', 'Sources: Debian `0ad-data` (0 A.D. skyboxes; photographs from cgtextures.com, see the package\'s',
              'art/LICENSE), Debian `redeclipse-data` (skyboxes/readme.txt and elyvisions/readme.txt name each author and',
              f'licence), npm `@pmndrs/assets` {PMNDRS_VERSION} (Poly Haven HDRIs, CC0), Debian `blender-data`',
              f'{BLENDER_VERSION} (studiolights/world, CC0, Greg Zaal / HDRI Haven).', '']
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(CACHE / 'sky.npz'))
    ap.add_argument('--height', type=int, default=256, help='intermediate hemisphere height in px (width is 4x)')
    ap.add_argument('--holdout', type=float, default=0.15)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--only', default=None, help='only sources whose name contains this (inspection)')
    ap.add_argument('--preview', default=None, help='also write a contact sheet PNG here: each deck beside its cloud layer')
    args = ap.parse_args()
    fetch_debs({'0ad-data': 'x0ad', 'redeclipse-data': 'xre'})
    fetch_extra()
    images, decks, manifest, stats = build(args.height, args.holdout, args.seed, args.only)
    if args.preview:
        pairs = [np.pad(np.concatenate([d, im], axis=1), ((0, 4), (0, 4), (0, 0))) for d, im in zip(decks, images)]
        cols = 4
        pairs += [np.zeros_like(pairs[0])] * (-len(pairs) % cols)
        rows = [np.concatenate(pairs[r:r + cols], axis=1) for r in range(0, len(pairs), cols)]
        Image.fromarray(np.concatenate(rows, axis=0)).save(args.preview)
    if args.only:
        return
    out = Path(args.out)
    split = np.array([m['split'] == 'train' for m in manifest])
    np.savez(out, images=images, train=split)
    man = {'height': args.height, 'deck': {'px': DECK_PX, 'extent': DECK_EXTENT, 'px_per_unit': PX_PER_UNIT,
                                            'clear_rgb': list(CLEAR_RGB)},
           'seed': args.seed, 'stats': stats, 'files': manifest}
    text = json.dumps(man, indent=1)
    out.with_suffix('.manifest.json').write_text(text)
    write_card(man, ROOT / 'SKY-DATA.md')
    write_credits_section('sky', 'sky_data.py', credits_lines(man))
    print(json.dumps({**stats, 'manifest_sha256': hashlib.sha256(text.encode()).hexdigest(), 'out': str(out)}))


if __name__ == '__main__':
    main()
