"""Build the `surface` v2 training set: material families at a common real-world scale (fetched, never committed).

Why a second builder: v1 (training/data.py) fed the generator 0 A.D. terrain and Red Eclipse walls with no labels
and no notion of size, so every wall came out as speckle. v2 labels every source with a material family a person can
name (brick, tiles, planks, plaster, metal...), rescales it so one metre has the same number of pixels as the world
renders for that family, and keeps images that do not tile (crops are taken inside them).

Sources (Debian packages; per-file licences from each package's copyright file and readmes; GPL-only files are left
out because the weights are released under CC BY-SA 4.0):
- redeclipse-data: world textures listed as diffuse (`texture 0` / `texture c`) in the folders' textures.cfg; the
  licence and author of each folder from debian/copyright and the folder's readme.
- supertuxkart-data: data/textures and data/tracks/*; licence and author per file from the DEP-5 stanzas of
  debian/copyright (the last matching stanza wins; `Files: *` is GPL-3+, so an unlisted file stays out).
- cube2-data: packages/gk (colour maps `*_cc`), packages/gor (Gregor Koch, CC BY-SA 3.0 DE per its licence sheet),
  packages/yo_frankie (`*_col`).
- 0ad-data: terrain textures in mods/public/public.zip (DXT-compressed DDS).
- megaglest-data: tileset ground textures (named files and the surface slots of each tileset XML).

Labels come from ordered rules on the package and path (`RULES`; the first match wins, its name is recorded per image
in the manifest and in training/surface-labels.tsv). Before the rules, `SKIP` drops files that are not a material
surface (normal/spec/height maps, decals, signs, skies, lights, trims, UI...). Images with transparency or flat colour
are dropped after loading.

Scale: the world renders an S-px texture over S / px_per_metre metres (`PX_PER_METRE` per family). For the regular
families the structure period of each source (brick course, tile, plank, block, cobble stone, panel) is measured from
the autocorrelation of the high-passed grey image and the source is resized so that period lands on `TARGET_PERIOD`;
when no clear period is found the family's assumed real size of a whole texture (`DEFAULT_METRES`) is used, as for the
irregular families. Every image is at most 128 px a side at training scale: a larger one is cut into up to four
non-overlapping 128-px pieces that share its near-duplicate group.

Held-out: per family about 10% of near-duplicate groups (at least two) by a hash of the group key, for metrics.
The independent test list (HELDOUT_LIST) and every identical or near-identical copy of its images, in any package,
never enter the training file; they are written to surface-heldout-test.npz for metrics only.

CLI: /usr/bin/python3 -m training.surface_data              (writes training/.cache/surface2.npz + manifest, sheets)
     /usr/bin/python3 -m training.surface_data --cards      (also rewrites SURFACE-DATA.md, surface-labels.tsv and
                                                             the surface v2 section of CREDITS.md)
     /usr/bin/python3 -m training.surface_data --cards-only (only the cards, from the existing manifest)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import re
import sys
import time
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .common import CACHE, ROOT, fetch_debs, write_credits_section

SRC_CACHE = CACHE / 'surface2-src'
# An independent test set of structured materials, never trained on (nor identical copies): kept in the repository
# so the dataset can be rebuilt exactly.
HELDOUT_LIST = Path(os.environ.get('SURFACE_HELDOUT_LIST', ROOT / 'surface-heldout.txt'))

FAMILIES = ['brick', 'stone_blocks', 'floor_tiles', 'cobble', 'wood_planks', 'plaster', 'metal', 'rock', 'ground',
            'grass', 'snow']
# Pixels per metre at training scale (the world paints an S-px texture over S / ppm metres).
PX_PER_METRE = {'brick': 160, 'stone_blocks': 64, 'floor_tiles': 64, 'cobble': 80, 'wood_planks': 96, 'plaster': 64,
                'metal': 64, 'rock': 48, 'ground': 64, 'grass': 64, 'snow': 48}
# Structure period at training scale, in px, for the regular families: brick course ~75 mm, tile ~0.3 m, plank
# ~0.15 m wide, stone block course ~0.3 m, cobble stone ~0.12 m, metal panel ~0.5 m. Brick has the finest structure
# and the most px/m: at 96 px/m a course was 7 px with 1-px mortar, finer than the generator's 8-px latent cell, and
# 6,250 steps painted it as dark noise with light dashes; at 160 px/m a course is 12 px and a brick ~34 px long.
TARGET_PERIOD = {'brick': 12.0, 'floor_tiles': 19.0, 'wood_planks': 14.0, 'stone_blocks': 19.0, 'cobble': 10.0,
                 'metal': 32.0}
# Which autocorrelation axes carry the period: brick and block courses are horizontal (period along y); tiles and
# cobbles repeat both ways; planks and panels in whichever direction shows the clearest peak.
PERIOD_AXES = {'brick': 'y', 'stone_blocks': 'y', 'floor_tiles': 'mean', 'cobble': 'mean', 'wood_planks': 'best',
               'metal': 'best'}
# Assumed real width of a whole source texture (metres) when no period is measured: game textures of a material
# are drawn at a roughly fixed real size whatever their pixel count (e.g. a 512-px terrain texture covers ~2 m).
DEFAULT_METRES = {'brick': 1.0, 'stone_blocks': 1.5, 'floor_tiles': 1.2, 'cobble': 1.0, 'wood_planks': 1.0,
                  'plaster': 2.0, 'metal': 2.0, 'rock': 2.0, 'ground': 2.0, 'grass': 2.0, 'snow': 2.0}
MAX_SIDE = 128
MIN_SIDE = 48
MAX_PIECES = 4
NPZ_LIMIT = 64 * 2 ** 20

COMPATIBLE = {'CC0', 'CC0-1.0', 'public-domain', 'MIT', 'Expat', 'zlib', 'Zlib', 'BSD-3-Clause', 'BSD-2-Clause',
              'CC-BY-3.0', 'CC-BY-4.0', 'CC-BY-SA-3.0', 'CC-BY-SA-3.0+', 'CC-BY-SA-3.0-DE', 'CC-BY-SA-4.0'}

PACKAGES = {
    'redeclipse-data': 'xre', 'supertuxkart-data': 'xstk', 'cube2-data': 'xc2', '0ad-data': 'x0ad',
    'megaglest-data': 'xmg',
}
RE_DATA = 'usr/share/games/redeclipse/data'
STK_DATA = 'usr/share/games/supertuxkart/data'
C2_DATA = 'usr/share/games/cube2/packages'
MG_DATA = 'usr/share/games/megaglest/tilesets'
ZAD_ZIP = 'usr/share/games/0ad/mods/public/public.zip'

# Red Eclipse texture folders (torley: surreal/painterly set, CC-BY-3.0-US, not real materials; skyboxes etc. have
# no wall textures) with licence and author from debian/copyright and the folder readme.
RE_FOLDERS = {
    'wicked': ('CC-BY-SA-3.0+', 'Jonathan "Wicked" Roels (Red Eclipse)'),
    'trak/trak4': ('CC-BY-3.0', 'Georges "TRaK" Grondin'),
    'trak/trak5': ('MIT', 'Georges "TRaK" Grondin'),
    'trak/trak6': ('CC-BY-3.0', 'Georges "TRaK" Grondin'),
    'trak/trak7': ('CC-BY-3.0', 'Georges "TRaK" Grondin'),
    'philipk': ('CC-BY-3.0', 'Philip Klevestav'),
    'unnamed': ('CC-BY-SA-3.0', 'Unnamed (Viktor Hahn)'),
    'jojo': ('CC-BY-SA-3.0+', 'Derek "JoJo" Stegall (Red Eclipse)'),
    'luckystrike': ('CC-BY-SA-3.0+', 'LuckyStrike (Red Eclipse)'),
    'mikeplus64': ('CC-BY-SA-3.0+', 'Mike Ledger (mikeplus64)'),
    'appleflap': ('CC-BY-SA-3.0', 'Jeroen "appleflap" Boukens'),
    'dziq': ('CC-BY-SA-3.0+', 'Radek "Dziq" Jedrecki'),
    'misc': ('CC-BY-SA-3.0', 'John III, Quinton Reeves (Red Eclipse Team)'),
}

# Not a material surface, whatever else the name says (matched on the lower-cased path inside the package).
SKIP = re.compile(
    r'(_nm|_norm|normal|_nrm|_spec|specular|gloss|_bump|_height|_disp|_ao[._]|_occ|_rough|_metal(lic|ness)\.|_mask|'
    r'colormask|_alpha|_emit|_emis|_glow|_illum|_lightmap|_hm\.|_sc\.|_si\.|_nor\.|_col_2|_[nsz]\.|'
    r'light|sign|decal|glass|logo|window|flag|banner|sky|door|screen|lamp|danger|arrow|number|hud|fan\d|button|'
    r'warning|symbol|poster|graffiti|emblem|trim|pipe|crate|barrel|comp\d|computer|switch|cable|wire|ladder|font|'
    r'interface|circle|data\d|/map|container|beam|duct|vent|grate|grill|fence|rail|tire|tyre|kart|leaf|leaves|'
    r'plant|bush|tree|bark|flower|fern|palm|water|lava|cloud|crystal|particle|icon|font|/gui/|splash|caustic|'
    r'plain_color|grey\d|gray\d|blackness|whiteness|/(blue|brown|gray|green|purple|red|yellow|light blue|neon green)\.|'
    r'grid_|test|fiber|carpet|cloth|fabric|rope|chain|stair|holes|thingy|trisec|pits|base1|basictrim|ceil|'
    r'solar_cell|wickedmisc|tape|nitro|banana|gift|item|road_?line|lane|checker|target|bell|terrain_?mask|blend|'
    r'wave|ocean|coral|sea_|underwater|riparian|shore|wet\.|roof|_dirt_?red|tundra|farmland|furrow|crop|wheat|'
    r'bone|skull|hay|straw|shrub|glow|'
    # seen on the contact sheets: atlases, single bricks, ornaments, logs and bark, flat vector art, decals
    r'roadroundbrick|lonebrick|dirtbrick|randomwoodthing|woodpile|woodpost|/wooden\.png|wickedwood(05|06|09|10|11)|'
    r'jojo/concrete|unnamed/panels-|unnamedpanel0|unnamedmetal04|unnamed/wall0[34]|stk_generic_\w*ceramic|/ceramic\.|/marble\.|'
    r'bridge_wood_b|road_grass_wood|'
    r'wickedstone(10|16|18)|wickedmarble9|snow_new|volcanic|metal_tech)',
    re.I)

# Ordered labelling rules: (rule name, family, regex on "package:path" lower-cased). First match wins.
RULES = [
    # held-out test list names and obvious folder-wide sets first
    ('re-trak5-scifi-panels', 'metal', r'^redeclipse-data:(.*/)?trak5/(wall|vertpanel|graypanel|panel|floor|tile)'),
    ('re-philipk-scifi', 'metal', r'^redeclipse-data:(.*/)?philipk/pk0\d/(wall|floor|panels|plates|generic|wall_big)'),
    ('re-philipk-pk01-floor', 'metal', r'^redeclipse-data:(.*/)?philipk/pk01/(floor0|gra_floor|pan_floor|tile_floor)'),
    ('re-philipk-rock', 'rock', r'^redeclipse-data:(.*/)?philipk/.*rock'),
    ('re-philipk-sand', 'ground', r'^redeclipse-data:(.*/)?philipk/.*sand'),
    ('re-unnamed-stone01', 'stone_blocks', r'^redeclipse-data:(.*/)?unnamed/stone01'),
    ('re-unnamed-panels', 'metal', r'^redeclipse-data:(.*/)?unnamed/(panels|panel0|unnamedpanel|unnamedmetal|metal)'),
    ('re-wicked-flagstone', 'cobble', r'^redeclipse-data:(.*/)?wicked/(wickedstone(1|3|4|5|6|8|15|21)[a-d]?\.|stone03)'),
    ('re-wicked-stone-tiles', 'floor_tiles', r'^redeclipse-data:(.*/)?wicked/(wickedstone(2|14)[a-d]?\.|stone0[12])'),
    ('re-wicked-stone-rock', 'rock', r'^redeclipse-data:(.*/)?wicked/wickedstone17'),
    ('re-wicked-stone', 'stone_blocks', r'^redeclipse-data:(.*/)?wicked/wickedstone'),
    ('re-wicked-marble', 'floor_tiles', r'^redeclipse-data:(.*/)?wicked/wickedmarble'),
    ('re-wicked-wood', 'wood_planks', r'^redeclipse-data:(.*/)?wicked/wickedwood'),
    ('re-wicked-moss', 'grass', r'^redeclipse-data:(.*/)?wicked/wickedmoss'),
    ('re-wicked-ground', 'ground', r'^redeclipse-data:(.*/)?wicked/wickedground'),
    ('re-trak4-wood', 'wood_planks', r'^redeclipse-data:(.*/)?trak4/wood'),
    ('re-trak4-rust', 'metal', r'^redeclipse-data:(.*/)?trak4/rust'),
    ('re-trak-concrete', 'plaster', r'^redeclipse-data:(.*/)?trak\d/(concrete|plaster|paint|wallplain)'),
    ('re-trak67-panel', 'metal', r'^redeclipse-data:(.*/)?trak[67]/(panel|vpanel|wall|treadplate)'),
    ('re-jojo-debris', 'ground', r'^redeclipse-data:(.*/)?jojo/debris'),
    ('re-lucky-paris-wall', 'plaster', r'^redeclipse-data:(.*/)?luckystrike/paris_wall'),
    ('re-dziq-stones', 'cobble', r'^redeclipse-data:(.*/)?dziq/dq_stones'),
    ('re-dziq-dryone', 'ground', r'^redeclipse-data:(.*/)?dziq/dryone'),
    ('re-unnamed-darkness', 'plaster', r'^redeclipse-data:(.*/)?unnamed/darkness_'),
    ('re-unnamed-wall', 'metal', r'^redeclipse-data:(.*/)?unnamed/(wall0|floor0|retile)'),
    ('re-scifi-tiles', 'metal', r'^redeclipse-data:(.*/)?(mikeplus64/(sftile|pooptile|decktiles)|trak6/tile2)'),
    ('stk-enterprise', 'metal', r'^supertuxkart-data:tracks/stk_enterprise/(tile|wall|floor|vertpanel|graypanel|panel)'),
    ('stk-bow-tile', 'cobble', r'^supertuxkart-data:.*bow_tile'),
    ('stk-sandstone-blocks', 'stone_blocks', r'^supertuxkart-data:.*/(pyramidwall|texture_egypte)\.'),
    ('stk-slate-flagstone', 'cobble', r'^supertuxkart-data:.*/xx-61\.'),
    ('stk-canyon', 'rock', r'^supertuxkart-data:textures/canyon\.'),
    ('0ad-cave-walls', 'rock', r'^0ad-data:.*/cave_walls'),
    ('re-appleflap-floor', 'metal', r'^redeclipse-data:(.*/)?appleflap/floor'),
    ('re-misc-panel', 'metal', r'^redeclipse-data:(.*/)?misc/panel'),
    ('c2-castell-wall', 'stone_blocks', r'^cube2-data:.*castell_wall'),
    ('c2-castell-plaster', 'plaster', r'^cube2-data:.*plaster'),
    ('c2-stone-ground-tiles', 'cobble', r'^cube2-data:.*stone_ground'),
    ('c2-future', 'metal', r'^cube2-data:(.*/)?gk/(future|cyber)/'),
    ('c2-gor-walls', 'stone_blocks', r'^cube2-data:(.*/)?gor/cr_env_tex_00[3567]_'),
    ('c2-gor-concrete', 'plaster', r'^cube2-data:(.*/)?gor/cr_env_tex_002_'),
    ('c2-gor-grass', 'grass', r'^cube2-data:(.*/)?gor/cr_env_tex_004_'),
    ('c2-stone-cliff', 'rock', r'^cube2-data:.*stone_cliff'),
    ('0ad-citytile-flagstone', 'cobble', r'^0ad-data:.*(new_alpine_citytile|tropic_citytile)'),
    ('0ad-city-tile', 'floor_tiles', r'^0ad-data:.*(city_?tile|tile_plaza|savanna_tile)'),
    ('0ad-dirt-road', 'ground', r'^0ad-data:.*(road_med|road_rome_a|temp_road(_aut)?\.|temp_road_muddy|'
                                r'temp_road_overgrown|road_muddy)'),
    ('0ad-pavement', 'cobble', r'^0ad-data:.*(pavement|road_roman|road_stones|road1|road2|road_5|'
                               r'road_flat|road_tropic|temp_road_broken|medit_road)'),
    ('0ad-bridge-wood', 'wood_planks', r'^0ad-data:.*bridge_wood'),
    ('0ad-skin-planks', 'wood_planks', r'^0ad-data:.*/skins/.*/(wood_[a-e]|wrld_wood_[123])\.'),
    ('0ad-skin-tiles', 'floor_tiles', r'^0ad-data:.*/skins/.*/hele_tile'),
    ('mg-cobbles', 'cobble', r'^megaglest-data:(.*/)?cobble'),
    # generic keyword rules
    ('kw-snow-ice', 'snow', r'(snow|(^|[^a-z])ice([^a-z]|$)|glacial|frost)'),
    ('kw-brick', 'brick', r'brick'),
    ('kw-ashlar', 'stone_blocks', r'(ashlar|masonry|castelwall|castle_?wall|stone_?wall|stonewall|blockwall|'
                                  r'stone_?block|wall_?stone)'),
    ('kw-tile', 'floor_tiles', r'(tile|ceramic|parquet|mosaic|marble)'),
    ('kw-cobble', 'cobble', r'(cobble|paving|pavement|flagstone|paved|setts)'),
    ('kw-plank', 'wood_planks', r'(plank|board|floorwood|wood_?floor|wood)'),
    ('kw-plaster', 'plaster', r'(plaster|concrete|conc[_.]|conc\d|stucco|cement)'),
    ('kw-metal', 'metal', r'(metal|rust|steel|iron|treadplate|diamond_?plate|plate|panel|ribbed|alumin|corrugat|'
                          r'chrome|copper|brass)'),
    ('kw-grass', 'grass', r'(grass|moss|clover|lawn|meadow|turf)'),
    ('kw-rock', 'rock', r'(rock|cliff|boulder|granite|mountain|stone|basalt|volcanic)'),
    ('kw-ground', 'ground', r'(dirt|soil|sand|gravel|mud|earth|ground|clay|pebble|desert|beach|path|crack|peat|'
                            r'forestfloor|forest_floor|fissure|dune|scrub|steppe|highland|debris|dry)'),
]
_RULES = [(n, f, re.compile(r)) for n, f, r in RULES]
# Names that mix two natural families (e.g. `grass_dirt_50`, `snow rocks`) are transitions, not one material.
_NATURAL = {'grass': r'(grass|moss|clover)', 'ground': r'(dirt|sand|mud|soil|gravel|pebble|forr?est)',
            'rock': r'(rock|cliff|stone)', 'snow': r'(snow|(^|[^a-z])ice([^a-z]|$))'}


def label(package: str, path: str) -> tuple[str | None, str]:
    """(family, rule name) for a source, or (None, why it was left out)."""
    key = f'{package}:{path}'.lower()
    base = key.rsplit('/', 1)[-1]
    inner = key.split(':', 1)[1].replace('textures/', '/')
    if SKIP.search(inner if package != '0ad-data' else base):
        return None, 'not a material (name)'
    hits = [n for n, r in _NATURAL.items() if re.search(r, base)]
    for name, fam, rx in _RULES:
        if rx.search(key if not name.startswith('kw-') else base):
            if name.startswith('kw-') and len(hits) > 1 and fam in _NATURAL:
                return None, 'mixed natural families (transition texture)'
            return fam, name
    return None, 'no rule'


# ---------------------------------------------------------------------------------------------------------------
# Fetch and list sources


def fetch_packages() -> None:
    fetch_debs(PACKAGES)


def licence_ok(lic: str) -> bool:
    """A DEP-5 licence expression is usable if one `or` alternative has only compatible `and` parts."""
    for alt in re.split(r'\s+or\s+', lic.strip(), flags=re.I):
        parts = [p.strip() for p in re.split(r'\s+and\s+', alt, flags=re.I)]
        if all(p in COMPATIBLE for p in parts):
            return True
    return False


def pick_licence(lic: str) -> str:
    """The compatible alternative named in the manifest (e.g. `GPL-2+ OR CC-BY-SA-3.0` -> CC-BY-SA-3.0)."""
    for alt in re.split(r'\s+or\s+', lic.strip(), flags=re.I):
        parts = [p.strip() for p in re.split(r'\s+and\s+', alt, flags=re.I)]
        if all(p in COMPATIBLE for p in parts):
            return ' and '.join(parts)
    return lic


def dep5_stanzas(path: Path) -> list[tuple[list[str], str, str]]:
    """(file globs, licence, copyright holders) per `Files:` stanza of a DEP-5 copyright file, in order."""
    out, cur, field = [], None, None
    for line in path.read_text(errors='replace').splitlines() + ['']:
        if not line.strip():
            if cur and cur.get('files'):
                out.append((cur['files'], cur.get('license', ''), '; '.join(cur.get('copyright', []))))
            cur, field = None, None
            continue
        m = re.match(r'^([A-Za-z-]+):\s*(.*)$', line)
        if m:
            cur = cur or {}
            field = m.group(1).lower()
            val = m.group(2).strip()
            if field == 'files':
                cur['files'] = val.split()
            elif field == 'license':
                cur['license'] = val
            elif field == 'copyright':
                cur['copyright'] = [val] if val else []
            continue
        if cur is not None and line.startswith(' ') and field in ('files', 'copyright'):
            v = line.strip()
            if v and v != '.':
                if field == 'files':
                    cur['files'] += v.split()
                else:
                    cur['copyright'].append(v)
    return out


def _src(package, path, licence, author, opener):
    return {'package': package, 'path': path, 'licence': licence, 'author': author, 'open': opener}


def list_redeclipse():
    root = CACHE / 'xre'
    data = root / RE_DATA
    seen = set()
    for folder, (licence, author) in RE_FOLDERS.items():
        for cfg in sorted((data / folder).rglob('textures.cfg')):
            for line in cfg.read_text(errors='replace').splitlines():
                m = re.match(r'\s*texture\s+(0|c)\s+(?:"([^"]+)"|(\S+))', line)
                if not m:
                    continue
                rel = re.sub(r'<[^>]*>', '', m.group(2) or m.group(3)).strip()
                p = data / rel
                if not p.exists():
                    alts = [p.with_suffix(s) for s in ('.jpg', '.png')]
                    p = next((a for a in alts if a.exists()), None)
                    if p is None:
                        continue
                rel = str(p.relative_to(data))
                if rel in seen or not rel.startswith(folder + '/'):
                    continue
                seen.add(rel)
                yield _src('redeclipse-data', rel, licence, author, lambda q=p: Image.open(q))


def list_supertuxkart():
    root = CACHE / 'xstk'
    data = root / STK_DATA
    stanzas = dep5_stanzas(root / 'usr/share/doc/supertuxkart-data/copyright')
    files = sorted(p for p in list(data.glob('textures/*')) + list(data.glob('tracks/*/*'))
                   if p.suffix.lower() in ('.jpg', '.png', '.jpeg', '.dds', '.tga', '.webp'))
    for p in files:
        rel = 'data/' + str(p.relative_to(data))
        lic, holders = 'GPL-3+', ''
        for globs, l, c in stanzas:  # the last matching stanza wins (DEP-5)
            if any(fnmatch(rel, g) for g in globs):
                lic, holders = l, c
        if not licence_ok(lic):
            continue
        yield _src('supertuxkart-data', str(p.relative_to(data)), pick_licence(lic), holders or 'SuperTuxKart team',
                   lambda q=p: Image.open(q))


def list_cube2():
    data = CACHE / 'xc2' / C2_DATA
    for p in sorted((data / 'gk').rglob('*_cc.*')):
        if p.suffix.lower() == '.dds' and any(p.with_suffix(s).exists() for s in ('.jpg', '.png')):
            continue  # the same colour map also ships as jpg/png
        if p.suffix.lower() not in ('.jpg', '.png', '.dds', '.tga'):
            continue
        yield _src('cube2-data', str(p.relative_to(data)), 'CC-BY-3.0',
                   'gk texture set (Cube 2 / BananaBread; debian/copyright: Mozilla Foundation)',
                   lambda q=p: Image.open(q))
    # gor: the folder's license_info_img.jpg says "created by Gregor Koch", CC BY-SA 3.0 DE (stricter than the
    # CC-BY-3.0 of debian/copyright's `Files: *`, so the share-alike licence is the one recorded)
    for p in sorted((data / 'gor').glob('*_cc.jpg')):
        if '_001_' in p.name:  # a door
            continue
        yield _src('cube2-data', str(p.relative_to(data)), 'CC-BY-SA-3.0-DE', 'Gregor Koch (cube2-data gor)',
                   lambda q=p: Image.open(q))
    for p in sorted((data / 'yo_frankie').glob('*_col.jpg')):
        yield _src('cube2-data', str(p.relative_to(data)), 'CC-BY-3.0',
                   "John 'geartrooper' Siar, Gregor Koch, the Apricot project (Yo Frankie!)", lambda q=p: Image.open(q))


def list_0ad():
    z = zipfile.ZipFile(CACHE / 'x0ad' / ZAD_ZIP)
    seen = set()
    for name in sorted(z.namelist()):
        if not name.startswith('art/textures/terrain/types/'):
            continue
        base = name.rsplit('/', 1)[-1]
        stem = re.sub(r'(\.(png|dds))?\.cached\.dds$|\.(png|dds)$', '', base)
        if stem == base or stem in seen:
            continue
        seen.add(stem)
        yield _src('0ad-data', f'mods/public/public.zip:{name}', 'CC-BY-SA-3.0', 'Wildfire Games (0 A.D.)',
                   lambda n=name: Image.open(io.BytesIO(z.read(n))))
    # a few whole-material skins (most skins are UV atlases of buildings and would need crop boxes)
    for name in sorted(z.namelist()):
        if re.match(r'art/textures/skins/(props|structural)/(wood_[a-e]|wrld_wood_[123]|hele_tile_[abc])\.'
                    r'(png|dds)\.cached\.dds$', name):
            yield _src('0ad-data', f'mods/public/public.zip:{name}', 'CC-BY-SA-3.0', 'Wildfire Games (0 A.D.)',
                       lambda n=name: Image.open(io.BytesIO(z.read(n))))


# Regions of 0 A.D. building atlases (`art/textures/skins/structural/*_struct*`) that hold one material each, chosen
# and labelled by eye on the atlases: the thin families (brick, stone blocks, plaster, planks) gain sources this way.
# Box corners in eighths of the atlas (x to the right, y down); the civilisation prefix of the atlas name is the
# near-duplicate group (its atlases share art, so their crops never straddle train and held-out).
ATLAS_CROPS = ROOT / 'surface-atlas-crops.tsv'


def atlas_crops() -> list[dict]:
    rows = []
    for line in ATLAS_CROPS.read_text().splitlines()[1:]:
        if not line.strip():
            continue
        atlas, x0, y0, x1, y1, fam, what = line.split('\t')
        if fam not in PX_PER_METRE:
            raise ValueError(f'{ATLAS_CROPS.name}: unknown family {fam!r} for {atlas}')
        box = tuple(float(v) for v in (x0, y0, x1, y1))
        if not (0 <= box[0] < box[2] <= 8 and 0 <= box[1] < box[3] <= 8):
            raise ValueError(f'{ATLAS_CROPS.name}: bad box {box} for {atlas}')
        rows.append({'atlas': atlas, 'box': box, 'family': fam, 'what': what})
    return rows


def crop_eighths(im: Image.Image, box: tuple[float, ...]) -> Image.Image:
    """The region of `im` whose corners `box` = (x0, y0, x1, y1) are in eighths of its width and height."""
    w, h = im.size
    return im.crop(tuple(round(v * (w if k % 2 == 0 else h) / 8) for k, v in enumerate(box)))


def list_0ad_atlas_crops():
    z = zipfile.ZipFile(CACHE / 'x0ad' / ZAD_ZIP)
    names = z.namelist()
    for row in atlas_crops():
        prefix = f"art/textures/skins/structural/{row['atlas']}."
        found = sorted(n for n in names if n.startswith(prefix) and n.endswith('.cached.dds'))
        if not found:
            raise FileNotFoundError(f"no atlas {row['atlas']} in 0ad-data")
        name = found[0]
        box = row['box']

        def opener(n=name, b=box):
            # an atlas's alpha is a mask for the game (player colour, shine), not transparency: the colour alone
            return crop_eighths(Image.open(io.BytesIO(z.read(n))), b).convert('RGB')

        src = _src('0ad-data', f"mods/public/public.zip:{name}#crop={','.join(f'{v:g}' for v in box)}",
                   'CC-BY-SA-3.0', 'Wildfire Games (0 A.D.)', opener)
        src.update(crop_family=row['family'], atlas_group=row['atlas'].split('_')[0].lower())
        yield src


_MG_SLOT = {1: 'grass', 2: 'ground', 3: 'ground', 4: 'rock', 5: 'ground'}


def list_megaglest():
    data = CACHE / 'xmg' / MG_DATA
    for ts in sorted(data.iterdir()):
        xml = ts / f'{ts.name}.xml'
        slots = {}
        if xml.exists():
            text = xml.read_text(errors='replace')
            body = text.split('<surfaces>', 1)[-1].split('</surfaces>', 1)[0]
            for i, block in enumerate(body.split('<surface>')[1:], start=1):
                for m in re.finditer(r'path="([^"]+)"', block):
                    slots[m.group(1).rsplit('/', 1)[-1]] = i
        for p in sorted((ts / 'textures').glob('*')):
            if p.suffix.lower() not in ('.bmp', '.png', '.tga', '.jpg'):
                continue
            s = _src('megaglest-data', f'tilesets/{ts.name}/textures/{p.name}', 'CC-BY-SA-3.0',
                     'The Glest Team / The MegaGlest Team', lambda q=p: Image.open(q))
            s['slot'] = slots.get(p.name)
            yield s


def label_source(s: dict) -> tuple[str | None, str]:
    if s.get('crop_family'):
        return s['crop_family'], 'atlas-crop'
    fam, rule = label(s['package'], s['path'])
    if fam is None and rule == 'no rule' and s['package'] == 'megaglest-data' and s.get('slot'):
        if re.match(r'surface\d', s['path'].rsplit('/', 1)[-1]):
            fam = _MG_SLOT.get(s['slot'])
            if fam == 'grass' and 'winter' in s['path']:
                fam = 'snow'
            return (fam, f'mg-surface-slot{s["slot"]}') if fam else (None, 'no rule')
    return fam, rule


def all_sources():
    for lister in (list_redeclipse, list_supertuxkart, list_cube2, list_0ad, list_0ad_atlas_crops, list_megaglest):
        yield from lister()


# ---------------------------------------------------------------------------------------------------------------
# Loading (cached, reduced to at most 512 px a side)


def _cache_name(s: dict) -> Path:
    return SRC_CACHE / (hashlib.sha1(f'{s["package"]}:{s["path"]}'.encode()).hexdigest()[:20] + '.npz')


def load(s: dict):
    """(rgb uint8 at <= 512 px, original (w, h), transparent fraction) or None; cached on disk for reruns."""
    f = _cache_name(s)
    if f.exists():
        z = np.load(f)
        return z['rgb'], tuple(int(v) for v in z['size']), float(z['transp'])
    try:
        im = s['open']()
        size0 = im.size
        if im.format == 'JPEG':
            im.draft('RGB', (512, 512))
        if hasattr(im, 'n_frames') and im.n_frames > 1:
            im.seek(0)
        im = im.convert('RGBA')
    except Exception:  # an unreadable file is skipped and counted, never fatal
        return None
    w, h = im.size
    k = max(w, h) / 512
    if k > 1:
        im = im.resize((max(1, round(w / k)), max(1, round(h / k))), Image.BOX)
    a = np.asarray(im)
    transp = float((a[..., 3] < 250).mean())
    rgb = np.ascontiguousarray(a[..., :3])
    SRC_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(f, rgb=rgb, size=np.array(size0), transp=transp)
    return rgb, size0, transp


def tile_ratio(rgb: np.ndarray) -> float:
    """Wrap-border difference over the mean interior line difference (about 1 when the image tiles)."""
    a = rgb.astype(np.float32)
    inner = np.abs(np.diff(a, axis=1)).mean() + np.abs(np.diff(a, axis=0)).mean()
    edge = np.abs(a[:, 0] - a[:, -1]).mean() + np.abs(a[0] - a[-1]).mean()
    return float(edge / max(inner, 1e-6))


# ---------------------------------------------------------------------------------------------------------------
# Scale


def _grey(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _blur(g: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur with reflected borders (numpy only, so the builder needs no SciPy)."""
    r = max(1, int(3 * sigma))
    x = np.arange(-r, r + 1, dtype=np.float32)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    k /= k.sum()
    p = np.pad(g, r, mode='reflect')
    p = np.apply_along_axis(lambda v: np.convolve(v, k, mode='valid'), 0, p)
    return np.apply_along_axis(lambda v: np.convolve(v, k, mode='valid'), 1, p)


def autocorr_profiles(rgb: np.ndarray, tiles: bool) -> tuple[np.ndarray, np.ndarray]:
    """Normalised autocorrelation of the high-passed grey image along y (rows) and x (columns).

    High-pass (minus a blur of 1/12 of the size) removes shading gradients that would mask the structure; a small
    blur removes pixel grain. A tiling image is correlated circularly; one that does not tile is zero-padded and
    each lag divided by its overlap, so the frame does not fake a period."""
    g = _grey(rgb)
    h, w = g.shape
    if max(h, w) > 256:  # periods are measured on at most 256 px; enough for >= 2.5 periods of any structure kept
        k = max(h, w) / 256
        g = np.asarray(Image.fromarray(g).resize((max(8, round(w / k)), max(8, round(h / k))), Image.BOX))
        h, w = g.shape
    hp = _blur(g, 0.7) - _blur(g, max(h, w) / 12)
    hp -= hp.mean()
    if tiles:
        F = np.fft.rfft2(hp)
        ac = np.fft.irfft2(np.abs(F) ** 2, s=hp.shape)
        ac /= max(ac[0, 0], 1e-9)
        prof_y = ac[:, :3].mean(axis=1)[: h // 2]
        prof_x = ac[:3, :].mean(axis=0)[: w // 2]
        return prof_y, prof_x, (h, w)
    P = np.zeros((2 * h, 2 * w), np.float32)
    P[:h, :w] = hp
    M = np.zeros_like(P)
    M[:h, :w] = 1
    ac = np.fft.irfft2(np.abs(np.fft.rfft2(P)) ** 2, s=P.shape)
    cnt = np.fft.irfft2(np.abs(np.fft.rfft2(M)) ** 2, s=P.shape)
    ac = ac / np.maximum(cnt, 1)
    ac /= max(ac[0, 0], 1e-9)
    prof_y = ac[: h // 2, :3].mean(axis=1)
    prof_x = ac[:3, : w // 2].mean(axis=0)
    return prof_y, prof_x, (h, w)


def find_period(prof: np.ndarray, n: int) -> tuple[float | None, float]:
    """(period in px, peak strength) of the fundamental of a 1-D autocorrelation profile, or (None, 0).

    Candidates are local maxima at lags 3 .. n/2.5 (at least 2.5 periods in the image) that rise at least 0.12 above
    the lowest value before them; the strongest must reach 0.2 (weaker peaks come from grain or scattered stones,
    not from courses or grids). The strongest candidate is often a multiple of the structure period: a running-bond
    brick wall repeats exactly every two courses, and many game textures are a 128-px block pasted 4 times, which
    correlates perfectly. So the fundamental is the shortest candidate that reaches 40% of the strongest and of which
    the strongest lag is a whole multiple (within 12%); sub-pixel position by a parabola fit."""
    lo, hi = 3, int(min(len(prof) - 1, n / 2.5))
    cands = []
    for i in range(lo, hi):
        if prof[i] >= prof[i - 1] and prof[i] >= prof[i + 1]:
            prom = prof[i] - prof[1:i].min()
            if prom >= 0.12 and prof[i] > 0.05:
                cands.append((i, float(prof[i]), float(prom)))
    if not cands:
        return None, 0.0
    bi, best, _ = max(cands, key=lambda c: c[1])
    if best < 0.2:  # weak peaks (wood grain, scattered stones) are not a structure period
        return None, 0.0
    i, v = bi, best
    for ci, cv, _ in cands:
        ratio = bi / ci
        if cv >= 0.4 * best and abs(ratio - round(ratio)) <= 0.12 * ratio ** 0.5:
            i, v = ci, cv
            break
    a, b, c = prof[i - 1], prof[i], prof[i + 1]
    d = (a - c) / (2 * (a - 2 * b + c)) if (a - 2 * b + c) != 0 else 0.0
    return i + float(np.clip(d, -0.5, 0.5)), v


def measure_period(rgb: np.ndarray, fam: str, tiles: bool) -> tuple[float | None, str]:
    """(period in source px of the cached image, how) for a regular family; (None, why) when unclear."""
    prof_y, prof_x, (h, w) = autocorr_profiles(rgb, tiles)
    k = rgb.shape[0] / h  # profiles may be measured on a further reduced copy
    py, sy = find_period(prof_y, h)
    px, sx = find_period(prof_x, w)
    how = PERIOD_AXES[fam]
    if how == 'y':
        return (py * k, 'acf-y') if py else (None, 'no clear period')
    if how == 'best':
        if py and (not px or sy >= sx):
            return py * k, 'acf-y'
        return (px * k, 'acf-x') if px else (None, 'no clear period')
    # 'mean': tiles and cobbles repeat both ways; one clear axis is enough, two must agree within 35%
    if py and px:
        if max(py, px) / min(py, px) <= 1.35:
            return 0.5 * (py + px) * k, 'acf-xy'
        return (py * k, 'acf-y') if sy >= sx else (px * k, 'acf-x')
    if py or px:
        return (py or px) * k, 'acf-y' if py else 'acf-x'
    return None, 'no clear period'


def training_scale(rgb: np.ndarray, size0: tuple[int, int], fam: str, tiles: bool) -> dict:
    """Scale factor from the cached image to training scale, with how it was chosen.

    Default: the whole texture spans DEFAULT_METRES[fam] metres. Regular families: measured period -> target period,
    accepted when it is within 4x of the default (a stray peak, e.g. the diamond of a tread plate or the grain of a
    plank, would otherwise blow the image up or shrink it to nothing)."""
    h, w = rgb.shape[:2]
    ppm = PX_PER_METRE[fam]
    default = DEFAULT_METRES[fam] * ppm / w
    out = {'scale': default, 'how': 'default size', 'period_src_px': None}
    if fam in TARGET_PERIOD:
        p, how = measure_period(rgb, fam, tiles)
        if p:
            s = TARGET_PERIOD[fam] / p
            out['period_src_px'] = round(p * size0[0] / w, 2)
            if default / 4 <= s <= default * 4:
                out.update(scale=s, how=how)
            else:
                out['how'] = f'default size ({how} period {p:.1f}px rejected: {s / default:.2f}x default)'
        else:
            out['how'] = 'default size (no clear period)'
    return out


def rescale(rgb: np.ndarray, scale: float, tiles: bool) -> np.ndarray:
    """Resize by `scale` (area-averaging LANCZOS/box when reducing). A tiling image is resized as a 3x3 mosaic and
    the centre kept, so the filter sees wrapped neighbours and the result still tiles."""
    h, w = rgb.shape[:2]
    ow, oh = max(1, round(w * scale)), max(1, round(h * scale))
    if tiles:
        big = np.tile(rgb, (3, 3, 1))
        r = np.asarray(Image.fromarray(big).resize((3 * ow, 3 * oh), Image.LANCZOS, reducing_gap=2.0))
        return np.ascontiguousarray(r[oh:2 * oh, ow:2 * ow])
    return np.asarray(Image.fromarray(rgb).resize((ow, oh), Image.LANCZOS, reducing_gap=2.0))


def cut_pieces(img: np.ndarray, tiles: bool) -> list[tuple[np.ndarray, bool, tuple]]:
    """At most MAX_PIECES non-overlapping pieces of at most MAX_SIDE px; (piece, still tiles, (y, x))."""
    h, w = img.shape[:2]
    if h <= MAX_SIDE and w <= MAX_SIDE:
        if min(h, w) < MIN_SIDE:
            if not tiles:
                return []
            ky, kx = math.ceil(MIN_SIDE / h), math.ceil(MIN_SIDE / w)
            return [(np.tile(img, (ky, kx, 1)), True, (0, 0))]
        return [(img, tiles, (0, 0))]
    ny, nx = max(1, h // MAX_SIDE), max(1, w // MAX_SIDE)
    ph, pw = min(h, MAX_SIDE), min(w, MAX_SIDE)
    if min(ph, pw) < MIN_SIDE:
        return []
    ys = [round(i * (h - ph) / (ny - 1)) for i in range(ny)] if ny > 1 else [(h - ph) // 2]
    xs = [round(i * (w - pw) / (nx - 1)) for i in range(nx)] if nx > 1 else [(w - pw) // 2]
    pos = [(y, x) for y in ys for x in xs]
    if len(pos) > MAX_PIECES:  # spread the pieces over the image: corners first
        idx = np.linspace(0, len(pos) - 1, MAX_PIECES).round().astype(int)
        pos = [pos[i] for i in idx]
    return [(np.ascontiguousarray(img[y:y + ph, x:x + pw]), False, (y, x)) for y, x in pos]


# ---------------------------------------------------------------------------------------------------------------
# Near-duplicates and the held-out test list


def thumbs(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """8x8 RGB thumbnail (exact copies, rescaled copies) and a 16x16 z-scored grey one (recolours)."""
    t8 = np.asarray(Image.fromarray(rgb).resize((8, 8), Image.BOX), dtype=np.float32).reshape(-1)
    g = np.asarray(Image.fromarray(rgb).convert('L').resize((16, 16), Image.BOX), dtype=np.float32).reshape(-1)
    g = (g - g.mean()) / (g.std() + 1e-3)
    return t8, g


# Near-duplicate: 8x8 thumbnails within 8/255 mean absolute difference with the same layout (16x16 z-scored grey
# thumbnails correlated > 0.6), or layouts correlated > 0.93 whatever the colours (the same picture recoloured); also
# against the other image tiled 2x2 (a copy shipped pre-tiled). Colour alone is not enough: many different soils
# and plasters share a flat brownish or greyish 8x8 thumbnail, and grouping by it chains them into one giant group.
# Two unrelated textures correlate at 16x16 by about +-0.25, so 0.6 / 0.93 are far outside chance.
RGB_TOL = 8.0
LAYOUT_CORR = 0.6
GREY_CORR = 0.93


def load_heldout_list() -> set[tuple[str, str]]:
    out = set()
    if HELDOUT_LIST.exists():
        for line in HELDOUT_LIST.read_text().splitlines():
            if line.strip() and not line.startswith('#'):
                pkg, path = line.split('\t')[:2]
                out.add((pkg.strip(), path.strip()))
    return out


def _in_list(s: dict, listed: set) -> bool:
    p = s['path']
    for pkg, path in listed:
        if pkg == s['package'] and (p == path or p.endswith('/' + path) or path.endswith('/' + p)):
            return True
    return False


def _same_name(s: dict, listed: set) -> bool:
    """SuperTuxKart copies textures between track folders, sometimes re-encoded (castelwall.png beside the listed
    castelwall.jpg): a file there with the stem of a listed one is treated as a copy even when it escapes the
    thumbnail test. (Red Eclipse reuses names like tile3a for unrelated textures in other folders, so not there.)"""
    if s['package'] != 'supertuxkart-data':
        return False
    stem = re.sub(r'\.\w+$', '', s['path'].rsplit('/', 1)[-1]).lower()
    return any(pkg == s['package'] and re.sub(r'\.\w+$', '', path.rsplit('/', 1)[-1]).lower() == stem
               for pkg, path in listed)


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, i):
        while self.p[i] != i:
            self.p[i] = self.p[self.p[i]]
            i = self.p[i]
        return i

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.p[max(a, b)] = min(a, b)


def _hash01(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) / 16 ** 12


# ---------------------------------------------------------------------------------------------------------------
# Build


def collect(log=print):
    """Every labelled, loadable source: dicts with the cached image, family, rule and tileability."""
    kept, left_out = [], []
    t0 = time.time()
    for i, s in enumerate(all_sources()):
        fam, rule = label_source(s)
        if fam is None:
            left_out.append({**{k: v for k, v in s.items() if k != 'open'}, 'why': rule})
            continue
        got = load(s)
        if got is None:
            left_out.append({**{k: v for k, v in s.items() if k != 'open'}, 'why': 'unreadable'})
            continue
        rgb, size0, transp = got
        why = None
        if transp > 0.02:
            why = 'transparent'
        elif min(size0) < 64:
            why = 'tiny source (< 64 px)'
        elif rgb.std() < 6.0 or _grey(rgb).std() < 3.0:
            why = 'flat colour'
        if why:
            left_out.append({**{k: v for k, v in s.items() if k != 'open'}, 'why': why, 'family': fam})
            continue
        s = {k: v for k, v in s.items() if k != 'open'}
        s.update(family=fam, rule=rule, rgb=rgb, size0=size0, tile_ratio=tile_ratio(rgb))
        s['tiles_src'] = s['tile_ratio'] <= 2.0
        kept.append(s)
        if len(kept) % 100 == 0:
            log(f'  loaded {len(kept)} ({time.time() - t0:.0f}s)')
    return kept, left_out


def build(sources: list[dict], holdout: float = 0.1, log=print):
    listed = load_heldout_list()
    n = len(sources)
    th = [thumbs(s['rgb']) for s in sources]
    th2 = [thumbs(np.tile(s['rgb'], (2, 2, 1))) for s in sources]
    T, G = np.stack([t[0] for t in th]), np.stack([t[1] for t in th])
    T2, G2 = np.stack([t[0] for t in th2]), np.stack([t[1] for t in th2])
    uf = UnionFind(n)
    for i in range(1, n):
        hit = np.zeros(i, bool)
        for ta, ga, tb, gb in ((T[:i], G[:i], T[i], G[i]), (T[:i], G[:i], T2[i], G2[i]), (T2[:i], G2[:i], T[i], G[i])):
            corr = ga @ gb / G.shape[1]
            hit |= ((np.abs(ta - tb).mean(1) < RGB_TOL) & (corr > LAYOUT_CORR)) | (corr > GREY_CORR)
        for j in np.nonzero(hit)[0]:
            uf.union(i, int(j))
    # crops of one civilisation's building atlases share art: one group
    first_of = {}
    for i, s in enumerate(sources):
        if s.get('atlas_group'):
            uf.union(i, first_of.setdefault(s['atlas_group'], i))
    # the independent test set: listed files and anything near-identical to one of them
    test_idx = {i for i, s in enumerate(sources) if _in_list(s, listed) or _same_name(s, listed)}
    test_roots = {uf.find(i) for i in test_idx}
    for i in range(n):
        if i not in test_idx and uf.find(i) in test_roots:
            test_idx.add(i)
    # groups, keyed by their first member's package:path (stable across runs)
    groups = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    gkey = {r: min(f'{sources[i]["package"]}:{sources[i]["path"]}' for i in m) for r, m in groups.items()}
    gid = {r: k for k, r in enumerate(sorted(groups, key=lambda r: gkey[r]))}
    processed = []  # (source index, pieces, scale info, image size)
    n_default = {}
    for i, s in enumerate(sources):
        fam = s['family']
        sc = training_scale(s['rgb'], s['size0'], fam, s['tiles_src'])
        tiles = s['tiles_src']
        img = rescale(s['rgb'], sc['scale'], tiles)
        # a tiling image a little over MAX_SIDE is shrunk to it (<= 15% off scale) rather than cut, so it still tiles
        if tiles and MAX_SIDE < max(img.shape[:2]) <= MAX_SIDE * 1.15:
            sc['scale'] *= MAX_SIDE / max(img.shape[:2])
            img = rescale(s['rgb'], sc['scale'], True)
        pieces = cut_pieces(img, tiles)
        if not pieces:
            s['dropped'] = f'too small at training scale ({img.shape[1]}x{img.shape[0]} px, does not tile)'
            continue
        n_default.setdefault(fam, [0, 0])
        n_default[fam][0] += 1
        n_default[fam][1] += sc['how'].startswith('default')
        processed.append((i, pieces, sc, img.shape[:2]))

    # held-out groups per family, drawn among the groups that produced images
    held = set()
    for fam in FAMILIES:
        fg = sorted({uf.find(i) for i, *_ in processed if sources[i]['family'] == fam and i not in test_idx},
                    key=lambda r: _hash01(gkey[r]))
        if not fg:
            continue
        want = min(max(2, round(holdout * len(fg))), len(fg) // 3)
        chosen = [r for r in fg if _hash01(gkey[r]) < holdout]
        held.update(chosen if len(chosen) >= want else fg[:want])

    items, test_items = [], []
    for i, pieces, sc, (ih, iw) in processed:
        s = sources[i]
        fam = s['family']
        r = uf.find(i)
        ppm = PX_PER_METRE[fam]
        src_w = s['rgb'].shape[1]
        meta = {k: s[k] for k in ('package', 'path', 'licence', 'author', 'family', 'rule')}
        meta.update(px_per_metre=ppm, group=gid[r], scale_how=sc['how'], period_src_px=sc['period_src_px'],
                    source_px=list(s['size0']), metres_across=round(iw / ppm, 3),
                    scale_from_source=round(sc['scale'] * src_w / s['size0'][0], 5))
        for piece, ptiles, pos in pieces:
            m = dict(meta, tiles=int(ptiles), piece_yx=list(pos), split='heldout' if r in held else 'train')
            if i in test_idx:
                m['split'] = 'test'
                m['listed'] = _in_list(s, listed)
                if not m['listed']:
                    m['copy_of'] = sorted(f'{sources[j]["package"]}:{sources[j]["path"]}' for j in groups[r]
                                          if _in_list(sources[j], listed))
                test_items.append((piece, m))
            else:
                items.append((piece, m))
    return items, test_items, n_default


def write_npz(path: Path, items: list, families=FAMILIES) -> int:
    """Write the flat-pixel npz atomically (temp name, then os.replace); returns its size in bytes."""
    shapes = np.array([p.shape[:2] for p, _ in items], np.int32).reshape(-1, 2)
    sizes = shapes[:, 0].astype(np.int64) * shapes[:, 1] * 3
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if len(items) else np.zeros(0, np.int64)
    pixels = np.concatenate([p.reshape(-1) for p, _ in items]).astype(np.uint8) if items else np.zeros(0, np.uint8)
    fam = np.array([families.index(m['family']) for _, m in items], np.int16)
    group = np.array([m['group'] for _, m in items], np.int32)
    split = np.array([0 if m['split'] == 'train' else 1 for _, m in items], np.uint8)
    tiles = np.array([m['tiles'] for _, m in items], np.uint8)
    tmp = path.with_name(path.stem + '.tmp.npz')
    np.savez_compressed(tmp, pixels=pixels, shapes=shapes, offsets=offsets, family=fam, group=group, split=split,
                        tiles=tiles)
    os.replace(tmp, path)
    return path.stat().st_size


def write_json(path: Path, obj) -> None:
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps(obj, indent=1))
    os.replace(tmp, path)


def counts(items) -> dict:
    out = {f: {'train': 0, 'heldout': 0, 'train_sources': 0, 'heldout_sources': 0, 'train_groups': 0,
               'heldout_groups': 0} for f in FAMILIES}
    src, grp = {}, {}
    for _, m in items:
        c = out[m['family']]
        c[m['split']] += 1
        src.setdefault((m['family'], m['split']), set()).add((m['package'], m['path']))
        grp.setdefault((m['family'], m['split']), set()).add(m['group'])
    for (f, sp), v in src.items():
        out[f][f'{sp}_sources'] = len(v)
        out[f][f'{sp}_groups'] = len(grp[(f, sp)])
    return out


# ---------------------------------------------------------------------------------------------------------------
# Contact sheets


def _short(m: dict) -> str:
    pkg = {'redeclipse-data': 'RE', 'supertuxkart-data': 'STK', 'cube2-data': 'C2', '0ad-data': '0AD',
           'megaglest-data': 'MG'}[m['package']]
    p = m['path'].split(':')[-1]
    parts = p.split('/')
    name = '/'.join(parts[-2:]) if len(parts) > 1 else p
    name = re.sub(r'(\.png|\.dds|\.jpg|\.bmp|\.tga)+(\.cached\.dds)?$', '', name)
    return f'{pkg} {name}'[:26]


def contact_sheets(items, out_dir: Path, per_page: int = 48, all_pages: bool = True) -> list[Path]:
    """Per family: pages of up to 48 sources (first piece of each) at training scale, each labelled with its
    package and name (and `H` when held out, `T` when it tiles) so a wrong member can be traced to its rule."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob('*.png'):
        old.unlink()
    written = []
    cell, lab, cols = MAX_SIDE + 8, 22, 8
    for fam in FAMILIES + ['test']:
        seen, sel = set(), []
        for p, m in items:
            f = 'test' if m['split'] == 'test' else m['family']
            if f != fam:
                continue
            key = (m['package'], m['path'])
            if key not in seen:
                seen.add(key)
                sel.append((p, m))
        sel.sort(key=lambda pm: (pm[1]['package'], pm[1]['path']))
        pages = [sel[k:k + per_page] for k in range(0, len(sel), per_page)] if all_pages else [sel[:per_page]]
        for pi, page in enumerate(pages):
            rows = math.ceil(len(page) / cols)
            sheet = Image.new('RGB', (cols * cell, rows * (cell + lab) + 18), (40, 40, 40))
            d = ImageDraw.Draw(sheet)
            d.text((4, 3), f'{fam}  page {pi + 1}/{len(pages)}  ({len(sel)} sources, {PX_PER_METRE.get(fam, "")} '
                           f'px/m)', fill=(255, 255, 0))
            for k, (p, m) in enumerate(page):
                x, y = (k % cols) * cell + 4, (k // cols) * (cell + lab) + 22
                sheet.paste(Image.fromarray(p), (x, y))
                flag = ('H' if m['split'] == 'heldout' else '') + ('T' if m['tiles'] else '')
                if m['split'] == 'test':
                    flag = m['family'][:5]
                d.text((x, y + MAX_SIDE + 1), _short(m), fill=(230, 230, 230))
                d.text((x, y + MAX_SIDE + 10), f'{flag} {m["scale_how"][:18]}', fill=(150, 200, 150))
            f = out_dir / (f'{fam}.png' if pi == 0 else f'{fam}-{pi + 1}.png')
            sheet.save(f)
            written.append(f)
    return written


# ---------------------------------------------------------------------------------------------------------------


PACKAGE_NOTES = {
    'redeclipse-data': 'Debian `redeclipse-data` 1.6.0-1 (Red Eclipse; licence and author per folder from '
                       'debian/copyright and the folder readme)',
    'supertuxkart-data': 'Debian `supertuxkart-data` 1.4+dfsg-2 (SuperTuxKart; licence and author per file from the '
                         'DEP-5 stanzas of debian/copyright; files only under `Files: *` are GPL-3+ and left out)',
    'cube2-data': 'Debian `cube2-data` 1.3-1 (Cube 2 / BananaBread assets; debian/copyright: CC-BY-3.0)',
    '0ad-data': 'Debian `0ad-data` 0.0.26-1 (0 A.D., Wildfire Games, play0ad.com; CC-BY-SA-3.0)',
    'megaglest-data': 'Debian `megaglest-data` 3.13.0-3 (MegaGlest tilesets; CC-BY-SA-3.0)',
}


def _pct(v, q):
    return float(np.percentile(np.array(v, dtype=np.float64), q)) if v else float('nan')


def write_labels(man: dict, path: Path) -> None:
    """The label table: one row per source file used (train, held-out or independent test)."""
    rows, seen = [], set()
    for m in man['images'] + man['test']:
        key = (m['package'], m['path'])
        if key in seen:
            continue
        seen.add(key)
        use = m['split'] if m['split'] != 'test' else 'test-only'
        rows.append((m['family'], m['package'], m['path'], m['licence'], m['rule'], use))
    rows.sort(key=lambda r: (FAMILIES.index(r[0]), r[1], r[2]))
    lines = ['package\tpath\tfamily\tlicence\trule\tuse']
    lines += ['\t'.join((pkg, p, fam, lic, rule, use)) for fam, pkg, p, lic, rule, use in rows]
    path.write_text('\n'.join(lines) + '\n')


def write_card(man: dict, path: Path) -> None:
    """SURFACE-DATA.md, generated from the manifest."""
    imgs, test = man['images'], man['test']
    cnt = man['counts']
    L = ['# Data card: `surface` v2 training set (material families)', '',
         'Built by `training/surface_data.py` (`/usr/bin/python3 -m training.surface_data --cards`) from Debian packages',
         'it downloads and unpacks into the git-ignored `training/.cache/`; no image is committed. This page, the label',
         'table `training/surface-labels.tsv` (package, path, family, licence, labelling rule, use) and the `surface` v2',
         'section of `training/CREDITS.md` are generated from the manifest `training/.cache/surface2.manifest.json`.',
         'A model card names the manifest sha256 and the per-family counts of the build its weights were trained on,',
         'which may be an earlier build than the one this page describes.', '',
         '## Files', '',
         f'- `training/.cache/surface2.npz` ({man["npz_bytes"] / 2 ** 20:.1f} MiB, `np.savez_compressed`): `pixels` uint8, the '
         'flat concatenation of every image (H, W, 3, row-major); `shapes` int32 [N, 2] (H, W); `offsets` int64 [N]',
         '  (start of each image in `pixels`); `family` int16 [N] (index into the manifest\'s `families`); `group` int32',
         '  [N] (near-duplicate group; the pieces of one source and its copies share it); `split` uint8 [N] (0 train,',
         '  1 held-out); `tiles` uint8 [N] (1: the image tiles, wrap-around crops are fine; 0: crops must stay inside).',
         f'- Every image is at training scale, {MIN_SIDE}..{MAX_SIDE} px a side. A source larger than {MAX_SIDE} px at',
         f'  training scale is cut into up to {MAX_PIECES} non-overlapping {MAX_SIDE}-px pieces (spread over the image) that',
         '  share its group; such pieces do not tile. A tiling source up to 15% over 128 px is shrunk to 128 px instead so',
         f'  it keeps tiling. A source whose short side ends below {MIN_SIDE} px is wrap-tiled up to >= {MIN_SIDE} px if it',
         '  tiles, else left out.',
         '- `training/.cache/surface-heldout-test.npz` / `.json`: the independent test set (see below), same format.',
         '', '## Families and counts', '',
         '`images` = 128-px pieces in the npz, `sources` = distinct source files, `groups` = distinct near-duplicate groups',
         '(what "distinct" means for a GAN: recolours and copies of one texture are one group).', '',
         '| # | family | px/m | train images | train sources | train groups | held-out images | held-out groups | test-only sources |',
         '|---|---|---|---|---|---|---|---|---|']
    tcount = {}
    for m in test:
        tcount.setdefault(m['family'], set()).add((m['package'], m['path']))
    thin = []
    for k, f in enumerate(FAMILIES):
        c = cnt[f]
        L.append(f'| {k} | {f} | {PX_PER_METRE[f]} | {c["train"]} | {c["train_sources"]} | {c["train_groups"]} | '
                 f'{c["heldout"]} | {c["heldout_groups"]} | {len(tcount.get(f, ()))} |')
        if c['train_groups'] < 12:
            thin.append(f'{f} ({c["train_groups"]} train groups from {c["train_sources"]} sources, '
                        f'{c["heldout_groups"]} held-out groups)')
    tot = {k: sum(cnt[f][k] for f in FAMILIES) for k in ('train', 'heldout', 'train_sources', 'train_groups')}
    L.append(f'| | **all** | | {tot["train"]} | {tot["train_sources"]} | {tot["train_groups"]} | {tot["heldout"]} | | '
             f'{sum(len(v) for v in tcount.values())} |')
    L += ['', '**Thin families** (fewer than ~12 distinct train groups): ' + ('; '.join(thin) if thin else 'none') + '.',
          'Nothing is merged here: every image keeps its own family label, and whether to merge a thin family into a',
          'neighbour (brick and stone blocks into one "masonry" conditioning, say) is the model\'s decision. Brick, stone',
          'blocks, plaster and planks gain regions cut from 0 A.D. building UV atlases (`surface-atlas-crops.tsv`; the',
          'crops of one civilisation\'s atlases form one group). There is no more openly licensed whole brick texture in',
          'these packages: SuperTuxKart\'s other brick textures (`stk_generic_brickA`, `city_bricks`,',
          '`stk_generic_oldbricks_a`, `scotland/brick1`...) are GPL-3+ only. Metal is large but one-sided: most of it is sci-fi panelling (Red Eclipse trak5 and',
          'philipk, cube2 gk/future; trak5 ships 5 recolours of each panel, grouped as near-duplicates).', '',
          'Held-out split (for metrics): per family about 10% of near-duplicate groups, at least 2 (at most a third),',
          'chosen by a SHA-256 of the group key (the first member\'s `package:path`), so it is the same on every build',
          'and a group is wholly train or wholly held out.', '']
    # scale
    L += ['## Scale', '',
          'The world paints a texture of S px over S / px_per_metre metres, so each source is resized until one metre has',
          'the family\'s px_per_metre. How big a metre is in a source is estimated per source:', '',
          '- **Regular families** (brick, stone blocks, floor tiles, cobble, wood planks, metal): the structure period is',
          '  measured from the autocorrelation of the high-passed grey image (minus a blur of 1/12 of its size; a tiling',
          '  image is correlated circularly, one that does not tile is zero-padded and each lag divided by its overlap).',
          '  Candidate peaks rise >= 0.12 above the lowest value before them; the strongest must reach 0.2; the fundamental',
          '  is the shortest candidate reaching 40% of the strongest of which the strongest lag is a whole multiple (a',
          '  running-bond wall repeats exactly every two courses and many game textures are one block pasted 2x2, which',
          '  would otherwise double or quadruple the period). Brick and stone-block courses are measured along y, tiles and',
          '  cobbles along both axes (averaged when they agree within 35%), planks and panels along the clearer axis. The',
          '  source is resized so the period lands on the target below. A measured scale more than 4x away from the',
          '  family default is rejected (tread-plate diamonds, wood grain) and the default used.',
          '- **Irregular families** and the fallback: the whole source texture is assumed to span a fixed real width',
          '  (game textures of a material are drawn at about the same real size whatever their pixel count; e.g. a',
          '  512-px terrain texture covers ~2 m).',
          '- Resampling: PIL LANCZOS with `reducing_gap` (area-averaging when reducing). A tiling source is resized as a',
          '  3x3 mosaic and the centre kept, so the filter sees wrapped neighbours and the result still tiles.', '',
          '| family | px/m | target period (px at training scale) | default real width of a source | sources | period measured | fell back to default | metres across a source: median (10%..90%) |',
          '|---|---|---|---|---|---|---|---|']
    per_src = {}
    for m in imgs + test:
        per_src.setdefault(m['family'], {})[(m['package'], m['path'])] = m
    for f in FAMILIES:
        ms = list(per_src.get(f, {}).values())
        meas = [m for m in ms if not m['scale_how'].startswith('default')]
        metres = [m['metres_across'] for m in ms]
        tp = TARGET_PERIOD.get(f)
        what = {'brick': 'course 75 mm', 'floor_tiles': 'tile 0.3 m', 'wood_planks': 'plank 0.15 m wide',
                'stone_blocks': 'course 0.3 m', 'cobble': 'stone 0.12 m', 'metal': 'panel 0.5 m'}.get(f)
        L.append(f'| {f} | {PX_PER_METRE[f]} | ' + (f'{tp:g} ({what})' if tp else '— (irregular)') +
                 f' | {DEFAULT_METRES[f]:g} m | {len(ms)} | {len(meas) if tp else "—"} | '
                 f'{len(ms) - len(meas) if tp else len(ms)} | {np.median(metres):.2f} ({_pct(metres, 10):.2f}..'
                 f'{_pct(metres, 90):.2f}) |')
    L += ['', 'Checked on contact sheets (one per family, every source at training scale): within a family, brick',
          'courses, tiles and planks come out at similar sizes where the period was measured; where it fell back to',
          'the default the size is only as good as the assumption (see "Limits").', '']
    # sources
    L += ['## Sources and licences', '',
          'Only CC0, public domain, MIT/Expat, zlib, BSD, CC-BY 3.0/4.0 and CC-BY-SA 3.0/4.0 files are used. CC BY-SA 3.0',
          '(section 4(b)) allows adaptations under a later version with the same licence elements, so weights trained on',
          'this set are released under **CC BY-SA 4.0**, crediting every author (`training/CREDITS.md`). GPL-only files',
          '(most of SuperTuxKart\'s textures, which fall under its `Files: *` GPL-3+ stanza) are left out.', '',
          '| package | folder | licence | author | train | held-out | test-only | families |', '|---|---|---|---|---|---|---|---|']
    by = {}
    for m in imgs + test:
        parts = m['path'].split(':')[-1].split('/')[:-1]
        folder = '/'.join(parts[2:4] if m['package'] == '0ad-data' else
                          parts[1:2] if m['package'] == 'megaglest-data' else parts[:2])
        key = (m['package'], folder, m['licence'], m['author'][:70])
        e = by.setdefault(key, {'train': set(), 'heldout': set(), 'test': set(), 'fam': set()})
        e[m['split']].add(m['path'])
        e['fam'].add(m['family'])
    for (pkg, folder, lic, author), e in sorted(by.items()):
        L.append(f'| {pkg} | {folder} | {lic} | {author} | {len(e["train"])} | {len(e["heldout"])} | {len(e["test"])} | '
                 f'{", ".join(sorted(e["fam"], key=FAMILIES.index))} |')
    lic = {}
    for (pkg, path_), m in {(m['package'], m['path']): m for m in imgs + test}.items():
        lic[m['licence']] = lic.get(m['licence'], 0) + 1
    L += ['', 'Source files per licence: ' + ', '.join(f'{k} {v}' for k, v in sorted(lic.items())) + '.', '',
          'Packages: ' + '; '.join(PACKAGE_NOTES[p] for p in PACKAGES) + '.', '']
    # labelling
    rules = {}
    for m in {(m['package'], m['path']): m for m in imgs + test}.values():
        # the atlas regions take their family from the table, one rule for several families
        r = rules.setdefault(m['rule'], [m['family'], 0])
        if r[0] != m['family']:
            r[0] = 'several (the table)'
        r[1] += 1
    L += ['## Labelling', '',
          'Ordered rules on `package:path` (`RULES` in `surface_data.py`; the first match wins). Folder-specific rules come',
          'first (e.g. Red Eclipse `trak5` and `philipk` sci-fi walls -> metal, wicked `wickedstone*` split by eye into',
          'blocks / flagstone paving / tiles / rock), then keyword rules on the file name (`kw-*`). Before any rule, a',
          'skip list drops what is not a material surface: normal/spec/height/AO/gloss maps and masks, lights, signs,',
          'decals, doors, windows, trims, pipes, vents, crates, foliage, water, lava, skies, UI, plus files seen to be',
          'wrong on the contact sheets (atlases such as `roadRoundBrick`, a single-brick close-up, ornaments, bark and',
          'log piles, flat vector "concrete" with team logos, decorative sci-fi panels with screens). File names that mix',
          'two natural families (`grass_dirt_50`, `snow rocks`, `alpine_cliff_snow`) are transitions and left out.',
          'Red Eclipse files are taken only when a `textures.cfg` lists them as a diffuse map (`texture 0`/`texture c`).',
          'MegaGlest surface slots are labelled by their slot in the tileset XML (1 grass, 2/3/5 ground, 4 rock; winter',
          'tilesets: 1 snow). Regions of 0 A.D. building atlases are labelled by the table `surface-atlas-crops.tsv`',
          '(rule `atlas-crop`): each a box on one atlas holding one material, chosen and labelled by eye.', '',
          '| rule | family | source files |', '|---|---|---|']
    for r, (f, n) in sorted(rules.items(), key=lambda kv: (FAMILIES.index(kv[1][0]) if kv[1][0] in FAMILIES
                                                          else len(FAMILIES), kv[0])):
        L.append(f'| {r} | {f} | {n} |')
    # left out
    why = {}
    for x in man['left_out']:
        w = x['why'].split(' (')[0] if x['why'].startswith('too small') else x['why']
        why[w] = why.get(w, 0) + 1
    L += ['', '## Left out', '', '| reason | files |', '|---|---|']
    L += [f'| {k} | {v} |' for k, v in sorted(why.items(), key=lambda kv: -kv[1])]
    L += ['', '"not a material (name)" and "no rule" cover everything else in the packages\' texture folders (karts,',
          'characters, props, UI, skies, normal maps...). "transparent" = more than 2% of pixels with alpha < 250 (sprites,',
          'decals); "flat colour" = RGB std < 6 or grey std < 3; "tiny source" = under 64 px; "too small at training',
          'scale" = under 48 px after rescaling and does not tile. GPL-only and other incompatible files are not listed:',
          'they are never read. 0 A.D. building skins (`art/textures/skins/structural`) are UV atlases: only the few',
          'whole-material skins named in the rules and the single-material regions of building atlases listed, with their',
          'boxes and families, in `training/surface-atlas-crops.tsv` (chosen by eye) are used.', '']
    # test set
    listed = sorted({(m['package'], m['path']) for m in test if m.get('listed')})
    copies = sorted({(m['package'], m['path'],
                      'near-duplicate of ' + ', '.join(m['copy_of']) if m.get('copy_of') else
                      'the stem of a listed file') for m in test if not m.get('listed')})
    L += ['## Independent test set (never trained on)', '',
          f'{len(listed)} listed files (an independent list of structured-material textures kept out of training) and',
          f'{len(copies)} further files found to be identical or near-identical copies of them are excluded from',
          '`surface2.npz` entirely (not even held out) and written, processed the same way, to',
          '`training/.cache/surface-heldout-test.npz` / `.json` for metrics only. Copies are found across all packages:',
          '8x8 thumbnails within 8/255 mean absolute difference with the same layout (16x16 z-scored grey thumbnails',
          'correlated > 0.6), or layouts correlated > 0.93 whatever the colours (recolours), also against each image tiled',
          '2x2; plus, in SuperTuxKart, any file with the stem of a listed one (it copies textures between track folders).',
          'The same test groups all sources into near-duplicate groups (union-find) for the held-out split.',
          'Copies found: ' + ('; '.join(f'{p} `{q}` ({c})' for p, q, c in copies) if copies else 'none')
          + '.', '']
    L += ['## Limits', '',
          '- Labels come from names and folders and were checked by eye on contact sheets, not per pixel; a few members',
          '  are borderline (plain wood grain in planks, marble slabs without joints in floor tiles, two-tone painted',
          '  walls in plaster, stone slabs in stone blocks).',
          '- Where no period was found the scale is the family default, which can be 2x off for a source drawn at an',
          '  unusual size. The measured period can lock onto a sub-pattern (e.g. tiles with an inner motif).',
          '- Game textures are stylised; many are recolours of one another (grouped, but they still weigh several times).',
          '- A shift-invariant check (circular cross-correlation of 64x64 grey thumbnails) of every training source',
          '  against the listed test files peaks at 0.87: Red Eclipse trak5 `floor2*` and trak4 `tile2a/b` share the',
          '  8x8 grid geometry of the listed trak4 `tile3a/b/c` but not its surface (different artwork on the same',
          '  grid), so they stay in training; nothing else exceeds that.',
          '']
    path.write_text('\n'.join(L))




def write_credits(man: dict) -> None:
    """The `surface` section of CREDITS.md."""
    seen = {}
    for m in man['images'] + man['test']:
        seen[(m['author'], m['package'], m['licence'])] = True
    lines = ['## Surface (material families)', '',
             'The family-conditioned `surface` generator is trained on textures by these authors (every author of a',
             'file in `training/surface-labels.tsv`; weights released under CC BY-SA 4.0). Thank you.', '']
    lines += [f'- {a} — Debian package `{p}` — {l}' for a, p, l in sorted(seen)]
    lines += ['', 'Sources: ' + '; '.join(PACKAGE_NOTES[p] for p in PACKAGES) + '.']
    write_credits_section('surface', 'surface_data.py', lines)


def write_cards(man: dict) -> None:
    write_labels(man, ROOT / 'surface-labels.tsv')
    write_card(man, ROOT / 'SURFACE-DATA.md')
    write_credits(man)
    from .surface_relief import OUT_JSON, write_card_section  # the relief section, when that set has been built

    if OUT_JSON.exists():
        write_card_section(json.loads(OUT_JSON.read_text()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(CACHE / 'surface2.npz'))
    ap.add_argument('--holdout', type=float, default=0.1)
    ap.add_argument('--no-sheets', action='store_true')
    ap.add_argument('--cards', action='store_true', help='also write SURFACE-DATA.md, surface-labels.tsv, CREDITS.md')
    ap.add_argument('--cards-only', action='store_true', help='only rewrite the cards from the existing manifest')
    ap.add_argument('--ready', default=None, help='marker file to write with per-family train counts')
    args = ap.parse_args()
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    out = Path(args.out)
    if args.cards_only:
        write_cards(json.loads(out.with_name(out.stem + '.manifest.json').read_text()))
        return
    fetch_packages()
    t0 = time.time()
    sources, left_out = collect(log)
    log(f'{len(sources)} labelled sources loaded in {time.time() - t0:.0f}s; {len(left_out)} left out')
    items, test_items, n_default = build(sources, args.holdout, log)
    size = write_npz(out, items)
    log(f'npz {size / 2 ** 20:.1f} MiB, {len(items)} images')
    if size > NPZ_LIMIT:
        raise SystemExit(f'{out} is {size / 2 ** 20:.1f} MiB > 64 MiB')
    write_npz(CACHE / 'surface-heldout-test.npz', test_items)
    write_json(CACHE / 'surface-heldout-test.json', {
        'families': FAMILIES,
        'files': [m for _, m in test_items]})
    cnt = counts(items)
    dropped = [{'package': s['package'], 'path': s['path'], 'family': s['family'], 'why': s['dropped']}
               for s in sources if s.get('dropped')]
    man = {'families': FAMILIES, 'px_per_metre': PX_PER_METRE, 'target_period_px': TARGET_PERIOD,
           'default_metres': DEFAULT_METRES, 'counts': cnt, 'period_fallback': n_default,
           'npz_bytes': size, 'images': [m for _, m in items], 'left_out': left_out + dropped,
           'test': [m for _, m in test_items]}
    write_json(out.with_name(out.stem + '.manifest.json'), man)
    if args.ready:
        Path(args.ready).write_text(' '.join(f'{f}={cnt[f]["train"]}' for f in FAMILIES) + '\n')
    if not args.no_sheets:
        contact_sheets(items + test_items, CACHE / 'sheets')
    if args.cards:
        write_cards(man)
    print(json.dumps({f: [cnt[f]['train'], cnt[f]['heldout'], cnt[f]['train_groups'], cnt[f]['heldout_groups']]
                      for f in FAMILIES}))
    print(json.dumps({'images': len(items), 'test_images': len(test_items), 'npz_mib': round(size / 2 ** 20, 2),
                      'period_fallback': n_default}))


if __name__ == '__main__':
    main()
