"""Build the `sky` training set: the CLOUD LAYER of real skies, seen from below (fetched here, never committed).

Sources (outdoor skies only; indoor/studio/space panoramas are left out by name)
- 0ad-data (Wildfire Games, CC-BY-SA-3.0): photographic cloud skyboxes, cube faces front/right/back/left/top
  in mods/public/public.zip, art/textures/skies/<name>/*.dds.
- redeclipse-data: every cube map with an `_up` face, licence and author from each folder's readme (CC-BY-SA-4.0,
  CC-BY-SA-3.0, CC-BY-3.0, zlib), faces ft/rt/bk/lf/up.
- cube2-data: Philo's and gk's skyboxes (same face names as Red Eclipse).
- supertuxkart-data: the track skyboxes whose every face is under a compatible licence (DEP-5 copyright file).
- npm @pmndrs/assets (Poly Haven, CC0): 512x256 equirectangular EXR panoramas (base64 in hdri/*.exr.js).
- blender-data (Greg Zaal / Poly Haven, CC0): datafiles/studiolights/world/*.exr, 1024x512 equirectangular.
Every source is looked at; those with no earth cloud layer overhead are listed in DECK_LEFT_OUT with the reason.

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


def deck_extent(deck_px: int) -> float:
    """Half the side, in units, of a deck of `deck_px` pixels at PX_PER_UNIT."""
    return deck_px / (2 * PX_PER_UNIT)

# Linear-light RGB of the clear sky behind the clouds in the training images (and in the generator's output).
CLEAR_RGB = (0.10, 0.25, 0.75)
# Sources left out, each with the reason, judged by eye on the decks (`--preview`) and the cube faces: no cloud layer
# overhead (city towers or a building in the deck, night, a sun whose glow fills much of the deck and would be learned
# as cloud), or not an earth sky at all (space, nebulae, underwater, abstract or painted backdrops). The data card
# lists every one.
DECK_LEFT_OUT = {
    '0ad/cloudless': 'no cloud layer: a clear gradient',
    '0ad/overcast': 'a featureless grey deck',
    '0ad/sunset 2': "the sun's glow fills the deck",
    'pmndrs/city': 'towers fill the deck', 'blender/city': 'towers fill the deck',
    'pmndrs/sunset': "the sun's glow fills the deck", 'blender/sunset': "the sun's glow fills the deck",
    'pmndrs/night': 'night: nothing lit', 'blender/night': 'night: nothing lit',
    'redeclipse/stormydays': "the sun's glow fills the deck",
    'redeclipse/sunsetflat': 'night-dark dusk: the deck is near black, no cloud can be separated',
    'redeclipse/interstellar': 'space: nebula and planets',
    'redeclipse/gradient': 'abstract: a gradient fill (GIMP)', 'redeclipse/grey': 'abstract: a flat grey gradient',
    'redeclipse/yellow': 'abstract: a flat yellow fill', 'redeclipse/stars': 'night: a star field',
    'redeclipse/skylump': 'abstract: procedural lumps, not clouds',
    'redeclipse/skylump2': 'abstract: coloured procedural lumps',
    'redeclipse/clouds': 'painted: a grey noise texture on every face, no sky behind it',
    'redeclipse/clouds2': 'painted: a white noise texture on every face, no sky behind it',
    'redeclipse/arch3': 'alien: dark sky with a spaceship', 'redeclipse/cave3': 'a cave, no sky',
    'redeclipse/hot': 'alien: lava-lit black sky', 'redeclipse/skyast': 'space: asteroids',
    'redeclipse/skyhsky': 'space: stars and planets', 'redeclipse/skype': 'space: planet and rings',
    'redeclipse/sp2': 'space: planets', 'redeclipse/sp3': 'space: planet', 'redeclipse/tron': 'abstract: a neon grid',
    'redeclipse/divine': 'space: a purple nebula', 'redeclipse/kenon': 'abstract: coloured noise',
    'redeclipse/space': 'space: stars', 'redeclipse/space2': 'space: stars',
    'redeclipse/city': 'towers fill the deck',
    'redeclipse/aqua4': 'underwater (Bryce): water surface and plants, not a sky',
    'redeclipse/aqua9': 'underwater (Bryce): water surface, not a sky',
    'redeclipse/corona': 'space: nebula', 'redeclipse/redeclipse': 'space: an eclipse in a red nebula',
    'redeclipse/unnamedspace': 'space: nebula', 'redeclipse/unnamedspace2': 'space: nebula',
    'redeclipse/unnamedspace3': 'space: stars',
    'redeclipse/arid': 'dust haze: an orange-brown deck with no blue behind it, read as one featureless cloud',
    'redeclipse/harmony': "haze and the sun's glow, no cloud shapes",
    'redeclipse/tropic': 'no cloud layer: a clear teal gradient',
    'redeclipse/violence': 'a purple sky: no blue behind the clouds, the whole deck is read as cloud',
    'redeclipse/flame': 'smoke over a lava field (Bryce), not cloud',
    'redeclipse/h2s': 'alien: yellow-green sulphur haze over a black sky',
    'redeclipse/prehistoric': "no cloud layer: a clear sky with the sun's disc and glow",
    'redeclipse/scorched': "a dark smoky sky; the sun's glow fills the deck",
    'stk/abyss': 'underwater (the abyss track): caustics, not a sky',
    'stk/arena_candela_city': 'night: a clear dark-blue sky, no cloud',
    'stk/candela_city': 'night: a clear dark-blue sky, no cloud',
    'stk/cocoa_temple': 'painted: stylised clouds, jungle canopy in the side faces frames the deck',
    'stk/gran_paradiso_island': 'painted: stylised repeating clouds, identical side faces frame the deck',
    'cube2/skysfJPG': "a darker, teal-tinted variant of skyfantasy's clouds (same author): little cloud separates",
    'cube2/cybersky': 'abstract: a neon grid', 'cube2/cyberskydark': 'abstract: a dark neon grid',
    'stk/fortmagma': 'painted: a flat red backdrop with stylised blots',
    'stk/sandtrack': 'painted: cartoon clouds on a flat blue',
    'stk/gpwin': 'night: dark blue with a painted blot',
    'stk/temple': 'night: dark blue with a painted blot',
    'stk/lasdunassoccer': 'night: dark sky, a red glow at the horizon only',
}

# Sources whose deck is clear sky only out to some distance from the zenith (units on the plane at unit height): the
# ground, a rock face or a tower rises into view lower down. A build whose deck reaches further leaves them out (the
# data card says so), where a crop of the rock would be learned as cloud; the held-out split is drawn as if they were
# there, so every other sky keeps its side.
DECK_CLEAR_TO = {
    'redeclipse/arid2': (1.5, 'a rock face fills one side and the bottom of the deck'),
    'redeclipse/barren': (1.5, 'dark rock slabs at two edges of the deck'),
    'redeclipse/dark': (1.5, 'a tower at one edge of the deck'),
    'redeclipse/miramar': (1.5, 'snowy mountain peaks along one edge of the deck'),
    'cube2/skyfantasy': (1.5, 'dark terrain in one corner of the deck'),
}



def terrain_in_view(name: str, extent: float) -> str | None:
    """Why source `name` is left out of a build whose deck reaches +-`extent` units (DECK_CLEAR_TO), or None."""
    if name not in DECK_CLEAR_TO or extent <= DECK_CLEAR_TO[name][0]:
        return None
    clear_to, why = DECK_CLEAR_TO[name]
    return f'{why} (clear sky only to +-{clear_to} units; this deck reaches +-{extent:g})'


PMNDRS_VERSION = '1.7.0'
BLENDER_VERSION = '3.4.1+dfsg-2'

# Outdoor panoramas of @pmndrs/assets (the rest are interiors: apartment, hall, lab, lobby, studio, warehouse, workshop).
# Also left out: bridge, esplanade and forest, where a canopy or trees fill the sky.
PMNDRS_OUTDOOR = ['city', 'dawn', 'night', 'park', 'sky', 'sunrise', 'sunset', 'venice']
# blender-data studiolights/world: open skies (interior, studio, courtyard arches and forest canopy are left out).
BLENDER_OUTDOOR = ['city', 'night', 'sunrise', 'sunset']
# Red Eclipse skyboxes (every cube map with an `_up` face): folder -> (licence, author, split group); a name in
# REDECLIPSE_NAMED overrides its folder's. Licences from the folders' readme.txt and Debian's copyright file
# (freezurbern: the readme's CC-BY-SA-4.0, newer than copyright's 3.0; folders without a readme of their own fall
# under the game's default, CC-BY-SA-3.0 or any later version). Sources in DECK_LEFT_OUT are listed, never trained on.
REDECLIPSE_FOLDERS = {
    'elyvisions': ('CC-BY-3.0', '3delyvisions (Red Eclipse elyvisions)', 'elyvisions'),
    'freezurbern': ('CC-BY-SA-4.0', 'Zachery "freezurbern" Slocum', 'freezurbern'),
    'jojo': ('CC-BY-SA-3.0', 'Red Eclipse Team (data/jojo)', 'redeclipse-team'),
    'jwin': ('CC-BY-3.0', 'JWindecker', 'jwin'),
    'mayhem': ('CC-BY-SA-3.0', 'Mayhem (Bryce 6)', 'mayhem'),
    'skyboxes': ('CC-BY-SA-3.0', 'Red Eclipse Team', 'redeclipse-team'),
    'ulukai': ('CC-BY-SA-3.0', 'Ulukai', 'ulukai'),
    'unnamed': ('CC-BY-SA-3.0', 'Red Eclipse Team (data/unnamed)', 'redeclipse-team'),
}
REDECLIPSE_NAMED = {
    'skyhigh': ('CC-BY-SA-3.0', 'Pieter Verhoeven', 'skyhigh'),
    'miramar': ('CC-BY-3.0', 'Jockum "hipshot" Skoglund', 'hipshot'),
    'stormydays': ('CC-BY-3.0', 'Jockum "hipshot" Skoglund', 'hipshot'),
    'interstellar': ('CC-BY-3.0', 'Jockum "hipshot" Skoglund', 'hipshot'),
    'sunsetflat': ('Zlib', 'LedIris', 'sunsetflat'),
    'gradient': ('CC-BY-SA-3.0', 'Quinton Reeves', 'redeclipse-team'),
    'stars': ('CC-BY-SA-3.0', 'Quinton Reeves', 'redeclipse-team'),
}
# Every Red Eclipse sky is named 'redeclipse/<name>' (the names are unique across its folders), as before.

# SuperTuxKart tracks whose <sky-box> (scene.xml: top, bottom, east, west, south, north) is under a compatible
# licence (per file, from the package's DEP-5 copyright file; the rest are GPL-3+ only). Each track's box is read
# from its scene.xml; the top face's orientation is found by matching its edges to the side faces.
STK_TRACKS = ['abyss', 'arena_candela_city', 'candela_city', 'cocoa_temple', 'fortmagma', 'gpwin',
              'gran_paradiso_island', 'lasdunassoccer', 'sandtrack', 'temple']
STK_VERSION = '1.4+dfsg-2'

# Packages searched for more skies (2026-11-27, revisited 2026-12) and why they are not used: the data card lists
# these, so the next person looking for data knows where not to look. The weights are CC-BY-SA-4.0 (CC BY-SA 3.0
# section 4(b) lets an adaptation of BY-SA 3.0 material be released under a later version), so a source must be
# CC0, CC-BY, zlib/MIT or CC-BY-SA 3.0/4.0; GPL-only material cannot go into the same weights.
SURVEYED = [
    ('supertuxkart-data 1.4', 'the other track skyboxes (textures/blue_sky_*, genericskybox_*, generic_*_skybox_*, '
     'snowmountain, snowtuxpeak, lighthouse, volcano_island, zengarden, xr591, ...)', 'GPL-3+ only'),
    ('flightgear-data-base 2020.3', 'six cloud-layer textures (Textures/Sky: few, scattered, broken, overcast, overcast_top, cirrus)',
     'GPL-2+'),
    ('trigger-rally-data 0.6.6.1', 'about eight cloud textures (data.zip textures/sky)', 'GPL-2+'),
    ('extremetuxracer-data 0.8.2', 'eight skyboxes (env/*)', 'no top face: nothing overhead to take a deck from'),
    ('torcs-data 1.3.7', 'track backgrounds', 'horizon strips, no sky overhead'),
    ('cube2-data', 'five skyboxes', 'not fetched for the sky yet (its licences are per folder, see the surface data card)'),
    ('openarena-data, neverball-data, megaglest-data, warzone2100-data', 'searched by file name',
     'no photographic sky or cloud images'),
    ('wallpaper packages (gnome-backgrounds, plasma-workspace-wallpapers, ...)', 'not fetched',
     'ordinary photographs of unknown projection, not hemispheres overhead'),
]

# Light under which each deck's cloud layer is separated again, for augmentation (linear-light gains on R, G, B
# applied to the deck before separation): neutral, two warmer and two cooler. Thin cloud edges read more or less
# blue under a different light, so each sky yields a few plausible cover maps, not one.
LIGHT_GAINS = [(1.0, 1.0, 1.0), (1.12, 1.0, 0.88), (1.25, 1.0, 0.78), (0.9, 1.0, 1.1), (0.82, 1.0, 1.2)]

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
    as a small puff of cloud; decks where the sun's glow fills much of the view are left out (DECK_LEFT_OUT).
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
               'kind': 'cube', 'name': f'0ad/{name}', 'group': '0ad', 'load': load}
    re_data = CACHE / 'xre/usr/share/games/redeclipse/data'
    for up in sorted(re_data.glob('*/*_up.*')):
        folder, name = up.parent.name, up.name.rsplit('_up', 1)[0]
        licence, author, group = REDECLIPSE_NAMED.get(name) or REDECLIPSE_FOLDERS[folder]
        def load(folder=folder, name=name):
            faces = {}
            for axis, suffix in (('-z', 'ft'), ('+x', 'lf'), ('+z', 'bk'), ('-x', 'rt'), ('+y', 'up')):
                p = next(iter(sorted((re_data / folder).glob(f'{name}_{suffix}.*'))))
                faces[axis] = np.asarray(Image.open(p).convert('RGB'), dtype=np.float32)
            return faces, 'quake'
        yield {'package': 'redeclipse-data', 'path': f'usr/share/games/redeclipse/data/{folder}/{name}_*',
               'licence': licence, 'author': author, 'kind': 'cube', 'name': f'redeclipse/{name}', 'group': group,
               'load': load}
    yield from list_supertuxkart()
    yield from list_cube2()
    for name in PMNDRS_OUTDOOR:
        def load(name=name):
            text = (CACHE / f'pmndrs/package/hdri/{name}.exr.js').read_text()
            return _read_exr(base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)', text).group(1))), 'hdr'
        yield {'package': f'npm @pmndrs/assets@{PMNDRS_VERSION}', 'path': f'hdri/{name}.exr.js', 'licence': 'CC0-1.0',
               'author': 'Poly Haven', 'kind': 'equirect', 'name': f'pmndrs/{name}', 'group': 'polyhaven', 'load': load}
    world = CACHE / 'xblender/usr/share/blender/datafiles/studiolights/world'
    for name in BLENDER_OUTDOOR:
        def load(name=name):
            return _read_exr((world / f'{name}.exr').read_bytes()), 'hdr'
        yield {'package': 'blender-data', 'path': f'usr/share/blender/datafiles/studiolights/world/{name}.exr',
               'licence': 'CC0-1.0', 'author': 'Greg Zaal (Poly Haven)', 'kind': 'equirect',
               'name': f'blender/{name}', 'group': 'polyhaven', 'load': load}


def orient_top(faces: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], float]:
    """Turn/mirror the top face (one of 8 ways) so its edges continue the side faces under the 'quake' convention;
    -> (faces, mean abs difference across the top/side border in 8-bit units). For boxes whose top orientation is not
    documented (SuperTuxKart's scene.xml gives only which file is which face)."""
    best = None
    for k in range(8):
        top = np.rot90(faces['+y'], k % 4)
        top = top[:, ::-1] if k >= 4 else top
        cand = {**faces, '+y': np.ascontiguousarray(top)}
        err = top_seam(cand)
        if best is None or err < best[1]:
            best = (cand, err)
    return best


def top_seam(faces: dict[str, np.ndarray], h: int = 64) -> float:
    """Mean abs colour difference (8-bit) between equirect rows just above and just below the top face's border."""
    pano = cube_to_hemisphere(faces, h, 'quake')
    d = hemisphere_dirs(h)
    on_top = np.abs(d[..., 1]) >= np.maximum(np.abs(d[..., 0]), np.abs(d[..., 2]))
    cross = on_top[:-1] & ~on_top[1:]
    return float(np.abs(pano[:-1] - pano[1:])[cross].mean())


# Cube 2 (Sauerbraten, the engine Red Eclipse grew from: same face names and orientation) skyboxes:
# (folder, file stem, licence, author, group), licences from cube2-data's Debian copyright file.
CUBE2_SKIES = [
    ('skyboxes/philo', 'sky3', 'Philo-License (any purpose)', 'Philo (philohome.com skycollec); Alon Zakai', 'philo'),
    ('gk/fantasy/skyfantasy', 'skyfantasy', 'CC-BY-3.0', 'gk (Cube 2 / BananaBread; Mozilla Foundation)', 'gk'),
    ('gk/future/skysfJPG', 'skysfJ', 'CC-BY-3.0', 'gk (Cube 2 / BananaBread; Mozilla Foundation)', 'gk'),
    ('gk/cyber/cybersky', 'gkskycyber', 'CC-BY-3.0', 'gk (Cube 2 / BananaBread; Mozilla Foundation)', 'gk'),
    ('gk/cyber/cyberskydark', 'gkskycyber', 'CC-BY-3.0', 'gk (Cube 2 / BananaBread; Mozilla Foundation)', 'gk'),
]


def list_cube2():
    data = CACHE / 'xc2/usr/share/games/cube2/packages'
    for folder, stem, licence, author, group in CUBE2_SKIES:
        def load(folder=folder, stem=stem):
            faces = {}
            for axis, suffix in (('-z', 'ft'), ('+x', 'lf'), ('+z', 'bk'), ('-x', 'rt'), ('+y', 'up')):
                p = next(q for q in sorted((data / folder).glob(f'{stem}_{suffix}.*')) if q.suffix != '.dds')
                faces[axis] = np.asarray(Image.open(p).convert('RGB'), dtype=np.float32)
            return faces, 'quake'
        yield {'package': 'cube2-data', 'path': f'usr/share/games/cube2/packages/{folder}/{stem}_*', 'licence': licence,
               'author': author, 'kind': 'cube', 'name': f"cube2/{folder.rsplit('/', 1)[-1]}", 'group': group,
               'load': load}


def list_supertuxkart():
    """SuperTuxKart track skyboxes under a compatible licence (per file, DEP-5), faces from each scene.xml."""
    from fnmatch import fnmatch

    from .surface_data import dep5_stanzas, licence_ok, pick_licence

    root = CACHE / 'xstk'
    data = root / 'usr/share/games/supertuxkart/data'
    stanzas = dep5_stanzas(root / 'usr/share/doc/supertuxkart-data/copyright')
    for track in STK_TRACKS:
        m = re.search(r'<sky-box texture="([^"]+)"', (data / 'tracks' / track / 'scene.xml').read_text())
        names = m.group(1).split()  # top, bottom, east, west, south, north
        paths = [(data / 'tracks' / track / n) if (data / 'tracks' / track / n).exists() else data / 'textures' / n
                 for n in names]
        lics, holders = [], []
        for q in paths:
            rel = 'data/' + str(q.relative_to(data))
            lic, who = 'GPL-3+', ''
            for globs, l, c in stanzas:  # the last matching stanza wins (DEP-5)
                if any(fnmatch(rel, g) for g in globs):
                    lic, who = l, c
            lics.append(lic)
            holders.append(who)
        if not all(licence_ok(l) for l in lics):
            continue
        licence = ' and '.join(sorted({pick_licence(l) for l in lics}))
        author = '; '.join(sorted({h for h in holders if h}))
        group = 'stk-' + re.sub(r'[^a-z]+', '-', re.sub(r'^[\d\s,-]+', '', author.split(';')[0]).lower()).strip('-')

        def load(paths=paths):
            faces = {axis: np.asarray(Image.open(paths[i]).convert('RGB'), dtype=np.float32)
                     for axis, i in (('+y', 0), ('+x', 2), ('-x', 3), ('+z', 4), ('-z', 5))}
            faces, _ = orient_top(faces)
            return faces, 'quake'
        yield {'package': 'supertuxkart-data', 'path': 'usr/share/games/supertuxkart/data/' + ', '.join(
                   sorted({str(q.relative_to(data)) for q in paths[:1] + paths[2:]})),
               'licence': licence, 'author': author, 'kind': 'cube', 'name': f'stk/{track}', 'group': group,
               'load': load}


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


# Groups always trained on: freezurbern holds the only CC BY-SA 4.0 skies (the reason for the weights' licence) and
# 0 A.D.'s 18 photographs are the core of the set; holding either out would leave training without them.
TRAIN_ONLY_GROUPS = {'freezurbern', '0ad'}


def split_by_group(groups: list[str], holdout: float, seed: int) -> set[str]:
    """Held-out groups (an author or source family: near-identical decks share one), so no group straddles train
    and held-out: groups in a seeded order (never TRAIN_ONLY_GROUPS), each taken while the held-out share stays
    under 1.5 x `holdout`, until it reaches `holdout`."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    names = sorted(sizes)
    order = np.random.default_rng(seed).permutation(len(names))
    target, held, n = holdout * len(groups), set(), 0
    for i in order:
        g = names[i]
        if n >= target:
            break
        if g not in TRAIN_ONLY_GROUPS and n + sizes[g] <= 1.5 * target:
            held.add(g)
            n += sizes[g]
    return held


def light_variants(deck: np.ndarray) -> np.ndarray:
    """The deck's cloud layer separated under each of LIGHT_GAINS (the first is neutral): uint8 [V, S, S, 3]."""
    lin = srgb_to_linear(deck)
    return np.stack([cloud_layer(linear_to_srgb_u8(lin * np.asarray(g, np.float32)))[0] for g in LIGHT_GAINS])


def build(h: int, holdout: float, seed: int, only: str | None = None, keep_left_out: bool = False,
          deck_px: int = DECK_PX):
    """-> (cloud-layer images uint8 [N, deck_px, deck_px, 3], the same under other light [N, V, ...], decks as seen
    [N, ...], manifest, stats). `keep_left_out` (inspection only) converts the left-out sources too. The deck keeps
    PX_PER_UNIT (the scale the app lays the generated layer at), so a larger deck reaches further from the zenith."""
    images, variants, decks, manifest, rejected, terrain_groups = [], [], [], [], {}, []
    extent = deck_extent(deck_px)
    for src in list_sources():
        if only and only not in src['name']:
            continue
        info = {k: v for k, v in src.items() if k != 'load'}
        if src['name'] in DECK_LEFT_OUT and not keep_left_out:
            rejected[src['name']] = {**info, 'reason': DECK_LEFT_OUT[src['name']]}
            continue
        terrain = terrain_in_view(src['name'], extent)
        if terrain and not keep_left_out:
            terrain_groups.append(src['group'])
            rejected[src['name']] = {**info, 'reason': terrain}
            continue
        try:
            deck = _srgb_u8(deck_from_hemisphere(convert(src, h), deck_px, extent))
        except Exception as e:  # an unreadable source is skipped and counted, never fatal
            rejected[src['name']] = {**info, 'reason': f'unreadable: {e}'}
            print(f"skip {src['name']}: {e}")
            continue
        layer, alpha, _ = cloud_layer(deck)
        images.append(layer)
        variants.append(light_variants(deck))
        decks.append(deck)
        manifest.append({**info, 'cloud_cover': round(float(alpha.mean()), 3)})
    held = split_by_group([m['group'] for m in manifest] + terrain_groups, holdout, seed)
    for m in manifest:
        m['split'] = 'heldout' if m['group'] in held else 'train'
    stats = {'kept': len(images), 'left_out': len(rejected),
             'train': sum(m['split'] == 'train' for m in manifest),
             'heldout': sum(m['split'] == 'heldout' for m in manifest),
             'heldout_groups': sorted(held & {m['group'] for m in manifest})}
    return np.stack(images), np.stack(variants), np.stack(decks), manifest, stats, list(rejected.values())


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
        f"- Skies kept: **{st['kept']}** ({st['train']} train, {st['heldout']} held out); left out: {st['left_out']}, each",
        '  with its reason below. Every sky with a view overhead in the packages searched was looked at (deck and',
        '  cloud layer side by side, `--preview`); space, nebula, underwater, abstract, painted and night backdrops',
        '  are left out, and so are decks where towers, haze or the sun\'s glow would be learned as cloud.',
        f"- Split by **group** (an author or source family), never by sky: near-identical decks (0 A.D.'s `sunny` and",
        f"  `sunny 1`, Poly Haven's sunrise in npm and in Blender) share a group, and a group is wholly in training or",
        f"  wholly held out. Held-out groups (seeded, never {' or '.join(sorted(TRAIN_ONLY_GROUPS))}): "
        f"{', '.join(st['heldout_groups'])}.",
        f"- Each is converted to the upper hemisphere in equirectangular projection ({4 * h}x{h} px), then reprojected",
        f"  onto a horizontal plane at unit height overhead: a \"cloud deck\" of {deck['px']}x{deck['px']} px over",
        f"  +-{deck['extent']} units ({deck['px_per_unit']:.1f} px per unit; elevations above "
        f"~{np.degrees(np.arctan(1 / (deck['extent'] * np.sqrt(2)))):.0f} degrees).",
        '- Cube skyboxes (0ad-data, redeclipse-data, cube2-data, supertuxkart-data) are resampled from their five upper',
        '  faces (2x2 supersampled; the top face of a SuperTuxKart box is turned to match its side faces\' edges);',
        '  HDR panoramas (Poly Haven EXR) are tone-mapped: exposure keyed on the log-average luminance, ACES filmic',
        '  curve, sRGB.',
        '- The cloud layer is separated from the sky behind it: cloud cover from how much bluer than grey each pixel',
        '  is, relative to the clear sky around it; cloud brightness from luminance relative to the bright cloud tops.',
        f"  The training image is that layer over one flat clear-sky colour (linear RGB {deck['clear_rgb']}): no",
        '  gradient, no time of day (the app adds those from a physical atmosphere model). A sun disc in the deck is',
        '  not removed: it reads as a small white puff.',
        f"- The layer is separated again under {len(man['light_gains'])} lights (linear RGB gains on the deck before",
        f"  separation: {man['light_gains']}): thin cloud edges read more or less blue under a warmer or cooler",
        '  light, so each sky gives a few plausible cover maps (`variants` in the `.npz`).',
        '- Augmentation at training time (`training/sky_augment.py`): one of those lights, a rotation about the zenith',
        '  by any angle (decks are top-down, so it is an image rotation) with a crop whose rotated footprint stays inside',
        '  the deck, a scale jitter of 0.75-1.33x, a mirror flip, and an exposure jitter of the clouds\' brightness',
        '  (0.7-1.3x) that leaves the clear-sky colour exact. The checkpoint is chosen by the leave-one-group-out',
        '  nearest-neighbour ratio (`training/sky_select.py`), not taken from the last step.',
        '',
        '| source | package | licence | author | group | cloud cover | split |',
        '|---|---|---|---|---|---|---|',
    ]
    for f in files:
        lines.append(f"| {f['name']} | {f['package']} | {f['licence']} | {f['author']} | {f['group']} | "
                     f"{f.get('cloud_cover', '')} | {f['split']} |")
    lics = {}
    for f in files:
        lics[f['licence']] = lics.get(f['licence'], 0) + 1
    lines += ['', '## Left out (looked at, not trained on)', '', '| source | package | licence | why |', '|---|---|---|---|',
              *[f"| {r['name']} | {r['package']} | {r['licence']} | {r['reason']} |" for r in man.get('left_out', [])]]
    lines += ['', '## Licences', '', *[f'- {k}: {v} skies' for k, v in sorted(lics.items())], '',
              'Weights trained on this set are distributed under **CC-BY-SA-4.0** (`training/export.py` writes it into',
              '`model.json`): CC BY-SA 4.0 material (freezurbern) can only go into a BY-SA 4.0 adaptation, and CC BY-SA',
              '3.0 section 4(b) lets an adaptation of BY-SA 3.0 material be released under a later version with the same',
              'licence elements; CC BY, CC0, zlib and Philo\'s any-purpose licence allow it. Every author is credited in',
              '`training/CREDITS.md`. (Weights trained on an earlier set without BY-SA 4.0 skies keep the licence written',
              'in their own `model.json`.)', '',
              '## Searched, not used',
              '',
              'More skies would do more for this model than anything else. These packages were searched for skies',
              'with a view overhead under a licence compatible with the weights:',
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
    lines = ['## Sky', '', 'The `sky` generator is trained on the clouds of panoramas and skyboxes by these authors. Thank you.', '']
    seen = []
    for f in man['files']:
        key = (f['author'], f['package'], f['licence'])
        if key not in seen:
            seen.append(key)
    lines += [f'- {a} — {p} — {l}' for a, p, l in sorted(seen)]
    lines += ['', 'Sources: Debian `0ad-data` (0 A.D. skyboxes; photographs from cgtextures.com, see the package\'s',
              'art/LICENSE), Debian `redeclipse-data` (the readme.txt of each folder names its author and licence;',
              'freezurbern\'s readme: CC BY-SA 4.0; folders without a readme of their own fall under the game\'s',
              'CC BY-SA 3.0-or-later default), Debian `cube2-data` (debian/copyright: Philo\'s skies "for any purpose",',
              f'gk textures CC BY 3.0), npm `@pmndrs/assets` {PMNDRS_VERSION} (Poly Haven HDRIs, CC0), Debian `blender-data`',
              f'{BLENDER_VERSION} (studiolights/world, CC0, Greg Zaal / HDRI Haven).', '']
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(CACHE / 'sky.npz'))
    ap.add_argument('--height', type=int, default=256, help='intermediate hemisphere height in px (width is 4x)')
    ap.add_argument('--deck-px', type=int, default=DECK_PX,
                    help=f'deck side in px at {PX_PER_UNIT:.1f} px per unit (default {DECK_PX}: +-{DECK_EXTENT} units); '
                         'larger decks hold whole clouds for larger training crops, and reach lower elevations')
    ap.add_argument('--holdout', type=float, default=0.2, help='share of skies held out, by whole groups')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--only', default=None, help='only sources whose name contains this (inspection)')
    ap.add_argument('--preview', default=None, help='also write a contact sheet PNG here: each deck beside its cloud layer')
    ap.add_argument('--preview-left-out', action='store_true', help='the contact sheet shows the left-out skies too')
    args = ap.parse_args()
    fetch_debs({'0ad-data': 'x0ad', 'redeclipse-data': 'xre', 'supertuxkart-data': 'xstk', 'cube2-data': 'xc2'})
    fetch_extra()
    images, variants, decks, manifest, stats, left_out = build(args.height, args.holdout, args.seed, args.only,
                                                               keep_left_out=args.preview_left_out,
                                                               deck_px=args.deck_px)
    if args.preview:
        extent = deck_extent(args.deck_px)
        def is_left_out(name: str) -> bool:
            return name in DECK_LEFT_OUT or terrain_in_view(name, extent) is not None

        contact_sheet(decks, images, [f"{m['name']} ({m['split']}{', LEFT OUT' if is_left_out(m['name']) else ''})"
                                      for m in manifest], Path(args.preview))
    if args.only or args.preview_left_out:
        return
    out = Path(args.out)
    split = np.array([m['split'] == 'train' for m in manifest])
    groups = sorted({m['group'] for m in manifest})
    group = np.array([groups.index(m['group']) for m in manifest], np.int16)
    # images: the neutral-light layer (metrics, the old samplers); variants: the layer under LIGHT_GAINS (training's
    # light-hue augmentation); group: the held-out unit (metrics' leave-one-group-out reference).
    np.savez(out, images=images, variants=variants, train=split, group=group)
    man = {'height': args.height,
           'deck': {'px': args.deck_px, 'extent': deck_extent(args.deck_px), 'px_per_unit': PX_PER_UNIT,
                    'clear_rgb': list(CLEAR_RGB)},
           'light_gains': LIGHT_GAINS, 'groups': groups,
           'seed': args.seed, 'stats': stats, 'files': manifest, 'left_out': left_out}
    text = json.dumps(man, indent=1)
    out.with_suffix('.manifest.json').write_text(text)
    write_card(man, ROOT / 'SKY-DATA.md')
    write_credits_section('sky', 'sky_data.py', credits_lines(man))
    print(json.dumps({**stats, 'manifest_sha256': hashlib.sha256(text.encode()).hexdigest(), 'out': str(out),
                      'npz_bytes': out.stat().st_size}))


def contact_sheet(decks: np.ndarray, images: np.ndarray, labels: list[str], path: Path, cols: int = 4) -> None:
    """Each deck as seen beside its cloud layer, labelled with the source name and split."""
    from PIL import ImageDraw

    s = decks.shape[1]
    cell_w, cell_h = 2 * s + 6, s + 18
    rows = (len(decks) + cols - 1) // cols
    sheet = Image.new('RGB', (cols * cell_w, rows * cell_h), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for k, (d, im, label) in enumerate(zip(decks, images, labels)):
        x, y = (k % cols) * cell_w, (k // cols) * cell_h
        sheet.paste(Image.fromarray(np.concatenate([d, im], axis=1)), (x, y + 16))
        draw.text((x + 2, y + 2), label, fill=(255, 230, 0))
    sheet.save(path)


if __name__ == '__main__':
    main()
