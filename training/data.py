"""Build the `surface` training set from Debian packages (fetched here, never committed).

Sources
- 0ad-data (Wildfire Games, CC-BY-SA-3.0): tileable terrain diffuse textures in
  mods/public/public.zip, art/textures/terrain/types/**.dds.
- redeclipse-data (Red Eclipse authors; per-folder licences, CC-BY-SA-3.0 / CC-BY-3.0 / CC0):
  world textures listed as diffuse (`texture 0` / `texture c`) in the folders' textures.cfg.

Every kept file goes to a manifest (package, path, licence, author, split). Images are centre-cropped
to a square, downscaled to `--size` px and stored as uint8 [N, S, S, 3]. The split into train /
held-out is by source file, after grouping near-duplicates (same 8x8 thumbnail within a tolerance)
so the held-out set does not leak.

CLI: /usr/bin/python3 -m training.data --out training/.cache/surface.npz
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / '.cache'

PACKAGES = {
    '0ad-data': {'dir': 'x0ad', 'version': '0.0.26-1'},
    'redeclipse-data': {'dir': 'xre', 'version': '1.6.0-1'},
}

# 0ad: diffuse terrain only (drop normal/spec/ao maps, alpha maps for blending, water).
_0AD_SKIP = re.compile(r'(_norm|_spec|_ao|_nm|_height|_bump|normal|specular|alphamaps|/water/|water_|test)', re.I)

# Red Eclipse texture folders that hold walls/floors (skies, models, HUD and the surreal 'torley'
# set are left out), with the licence each folder's readme gives.
REDECLIPSE_FOLDERS = {
    'wicked': ('CC-BY-SA-3.0', 'Wicked (Red Eclipse)'),
    'trak': ('CC-BY-SA-3.0', 'Trak (Red Eclipse)'),
    'philipk': ('CC-BY-3.0', 'Philip Klevestav'),
    'unnamed': ('CC-BY-SA-3.0', 'Unnamed (Viktor Hahn)'),
    'jojo': ('CC-BY-SA-3.0', 'JoJo (Red Eclipse)'),
    'luckystrike': ('CC-BY-SA-3.0', 'LuckyStrike (Red Eclipse)'),
    'mikeplus64': ('CC-BY-SA-3.0', 'mikeplus64 (Red Eclipse)'),
    'appleflap': ('CC-BY-SA-3.0', 'Appleflap (Red Eclipse)'),
    'dziq': ('CC-BY-SA-3.0', 'Dziq (Red Eclipse)'),
    'misc': ('CC-BY-SA-3.0', 'Red Eclipse authors'),
}
# Decals, lights, signs, glass and the like are not materials.
_RE_SKIP = re.compile(
    r'(light|sign|decal|glass|logo|window|flag|banner|sky|door|screen|lamp|danger|arrow|text|number|'
    r'_add|_local_n|spot|hud|glow|fan|button|warning|symbol|poster|graffiti|emblem)',
    re.I,
)


def fetch_packages() -> None:
    """apt-get download + dpkg -x each source package into the git-ignored cache."""
    debs = CACHE / 'debs'
    debs.mkdir(parents=True, exist_ok=True)
    for name, info in PACKAGES.items():
        target = CACHE / info['dir']
        if (target / 'usr').exists():
            continue
        found = list(debs.glob(f'{name}_*.deb'))
        if not found:
            subprocess.run(['apt-get', 'download', name], cwd=debs, check=True)
            found = list(debs.glob(f'{name}_*.deb'))
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(['dpkg', '-x', str(found[0]), str(target)], check=True)


def _square(img: Image.Image, size: int) -> np.ndarray:
    img = img.convert('RGBA')
    w, h = img.size
    s = min(w, h)
    img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
    img = img.resize((size, size), Image.BICUBIC if s < size else Image.LANCZOS)
    return np.asarray(img)


def tile_ratio(rgb: np.ndarray) -> float:
    """Wrap-border difference over the mean interior line difference (1 = tiles like its interior)."""
    a = rgb.astype(np.float32)
    inner_x = np.abs(np.diff(a, axis=1)).mean()
    inner_y = np.abs(np.diff(a, axis=0)).mean()
    edge_x = np.abs(a[:, 0] - a[:, -1]).mean()
    edge_y = np.abs(a[0] - a[-1]).mean()
    return float((edge_x + edge_y) / max(inner_x + inner_y, 1e-6))


def _accept(arr: np.ndarray, min_std: float = 6.0) -> tuple[bool, str]:
    alpha = arr[..., 3]
    if (alpha < 250).mean() > 0.02:
        return False, 'transparent'
    rgb = arr[..., :3]
    if rgb.std() < min_std:
        return False, 'flat'
    if tile_ratio(rgb) > 2.0:
        return False, 'not tileable'
    return True, ''


def list_0ad():
    zpath = CACHE / 'x0ad/usr/share/games/0ad/mods/public/public.zip'
    z = zipfile.ZipFile(zpath)
    for name in sorted(z.namelist()):
        if not name.startswith('art/textures/terrain/types/') or not name.endswith('.dds'):
            continue
        if _0AD_SKIP.search(name):
            continue
        yield {
            'package': '0ad-data',
            'path': f'mods/public/public.zip:{name}',
            'licence': 'CC-BY-SA-3.0',
            'author': 'Wildfire Games',
            'domain': 'ground',
            'open': (lambda n=name: Image.open(io.BytesIO(z.read(n)))),
        }


def list_redeclipse():
    data = CACHE / 'xre/usr/share/games/redeclipse/data'
    seen = set()
    for folder, (licence, author) in REDECLIPSE_FOLDERS.items():
        for cfg in sorted((data / folder).rglob('textures.cfg')):
            for line in cfg.read_text(errors='replace').splitlines():
                m = re.match(r'\s*texture\s+(0|c)\s+"([^"]+)"', line)
                if not m:
                    continue
                rel = re.sub(r'<[^>]*>', '', m.group(2)).strip()
                if rel in seen or _RE_SKIP.search(rel):
                    continue
                p = data / rel
                if not p.exists():
                    # Red Eclipse lists some textures without their extension.
                    alts = [p.with_suffix(s) for s in ('.jpg', '.png')]
                    p = next((a for a in alts if a.exists()), None)
                    if p is None:
                        continue
                seen.add(rel)
                yield {
                    'package': 'redeclipse-data',
                    'path': f'usr/share/games/redeclipse/data/{p.relative_to(data)}',
                    'licence': licence,
                    'author': author,
                    'domain': 'architecture',
                    'open': (lambda q=p: Image.open(q)),
                }


def _thumb(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize((8, 8), Image.BOX), dtype=np.float32)


def build(size: int, holdout: float, seed: int, limit: int | None = None):
    images, manifest = [], []
    rejected = {}
    for src in list(list_0ad()) + list(list_redeclipse()):
        try:
            with src['open']() as im:
                if min(im.size) < 128:
                    rejected['tiny'] = rejected.get('tiny', 0) + 1
                    continue
                arr = _square(im, size)
        except Exception:  # an unreadable file is skipped and counted, never fatal
            rejected['unreadable'] = rejected.get('unreadable', 0) + 1
            continue
        ok, why = _accept(arr)
        if not ok:
            rejected[why] = rejected.get(why, 0) + 1
            continue
        images.append(arr[..., :3].copy())
        manifest.append({k: v for k, v in src.items() if k != 'open'})
        if limit and len(images) >= limit:
            break

    # Group near-duplicates (e.g. recoloured variants, the same texture in two biome folders)
    # so a group lands wholly in train or wholly in held-out.
    thumbs = np.stack([_thumb(a) for a in images]).reshape(len(images), -1)
    group = list(range(len(images)))
    for i in range(len(images)):
        d = np.abs(thumbs[:i] - thumbs[i]).mean(axis=1) if i else np.array([])
        near = np.nonzero(d < 6.0)[0]
        if near.size:
            group[i] = group[int(near[0])]
    rng = np.random.default_rng(seed)
    groups = sorted(set(group))
    rng.shuffle(groups)
    n_hold = max(1, int(round(len(groups) * holdout)))
    held = set(groups[:n_hold])
    for m, g in zip(manifest, group):
        m['split'] = 'heldout' if g in held else 'train'
        m['group'] = int(g)
    stats = {
        'kept': len(images),
        'rejected': rejected,
        'groups': len(groups),
        'near_duplicate_files': int(len(images) - len(groups)),
        'train': sum(m['split'] == 'train' for m in manifest),
        'heldout': sum(m['split'] == 'heldout' for m in manifest),
    }
    return np.stack(images), manifest, stats


def write_cards(man: dict, data_md: Path, credits_md: Path) -> None:
    """The data card (counts and licences) and the credits file, generated from the manifest."""
    files = man['files']
    by = {}
    for f in files:
        folder = f['path'].split(':')[-1].split('/')[-2] if f['package'] == '0ad-data' else f['path'].split('/')[5]
        key = (f['package'], folder, f['licence'], f['author'])
        c = by.setdefault(key, {'train': 0, 'heldout': 0})
        c[f['split']] += 1
    st = man['stats']
    lines = [
        '# Data card: `surface` training set',
        '',
        'Built by `training/data.py` from Debian packages it downloads itself (`apt-get download` + `dpkg -x`',
        'into the git-ignored `training/.cache/`); nothing here is committed. The full per-file manifest',
        '(package, path, licence, author, split, near-duplicate group) is written next to the dataset as',
        '`training/.cache/surface.manifest.json`. This page is generated from it.',
        '',
        f"- Images kept: **{st['kept']}** ({st['train']} train, {st['heldout']} held out), resized to "
        f"{man['size']}x{man['size']} px (centre-cropped square).",
        f"- Rejected: {', '.join(f'{k}: {v}' for k, v in sorted(st['rejected'].items()))}. 'not tileable' means the",
        '  wrap-border difference was over 2x the mean interior line difference; transparent = decals/sprites.',
        f"- Near-duplicate groups: {st['groups']} ({st['near_duplicate_files']} files share an 8x8 thumbnail with an",
        '  earlier file within 6/255 mean difference: recolours and biome copies). The train / held-out split is',
        '  drawn by group, so no near-duplicate of a held-out image is trained on.',
        '- Kept: 0ad-data `art/textures/terrain/types/**` diffuse maps (normal/spec/ao maps, alpha maps and water',
        '  dropped); Red Eclipse world textures listed as diffuse (`texture 0`/`texture c`) in the `textures.cfg` of',
        '  the folders below (lights, signs, decals, doors, glass, skies dropped by name).',
        '- Augmentation at training time: random wrap-around 64x64 crops, horizontal flips, 90 degree rotations.',
        '',
        '| package | folder | licence | author | train | held out |',
        '|---|---|---|---|---|---|',
    ]
    for (pkg, folder, lic, author), c in sorted(by.items()):
        lines.append(f'| {pkg} | {folder} | {lic} | {author} | {c["train"]} | {c["heldout"]} |')
    lics = {}
    for f in files:
        lics[f['licence']] = lics.get(f['licence'], 0) + 1
    lines += ['', '## Licences', '', *[f'- {k}: {v} files' for k, v in sorted(lics.items())], '',
              'The trained weights are distributed under **CC-BY-SA-3.0**, compatible with every licence above',
              '(CC-BY-SA-3.0, CC-BY-3.0, CC0). Credits: `training/CREDITS.md`.', '']
    data_md.write_text('\n'.join(lines))
    authors = sorted({(f['author'], f['package'], f['licence']) for f in files})
    credits = ['# Credits', '', 'The `surface` generator was trained on textures by these authors. Thank you.', '']
    credits += [f'- {a} — Debian package `{p}` — {l}' for a, p, l in authors]
    credits += ['', 'Sources: Debian `0ad-data` 0.0.26-1 (0 A.D., Wildfire Games, play0ad.com) and Debian',
                '`redeclipse-data` 1.6.0-1 (Red Eclipse, redeclipse.net; per-folder readme files name each author',
                'and licence).', '']
    sky_manifest = CACHE / 'sky.manifest.json'
    if sky_manifest.exists():  # the sky generator's sources (training/sky_data.py)
        from .sky_data import credits_lines

        credits += credits_lines(json.loads(sky_manifest.read_text()))
    credits_md.write_text('\n'.join(credits))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(CACHE / 'surface.npz'))
    ap.add_argument('--size', type=int, default=192, help='source images are resized to size x size px')
    ap.add_argument('--holdout', type=float, default=0.1)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--limit', type=int, default=None, help='stop after this many images (smoke tests)')
    ap.add_argument('--cards-only', action='store_true', help='only regenerate DATA.md and CREDITS.md')
    args = ap.parse_args()
    out = Path(args.out)
    if args.cards_only:
        write_cards(json.loads(out.with_suffix('.manifest.json').read_text()), ROOT / 'DATA.md', ROOT / 'CREDITS.md')
        return
    fetch_packages()
    images, manifest, stats = build(args.size, args.holdout, args.seed, args.limit)
    split = np.array([m['split'] == 'train' for m in manifest])
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, images=images, train=split)
    man = {'size': args.size, 'seed': args.seed, 'stats': stats, 'files': manifest}
    text = json.dumps(man, indent=1)
    out.with_suffix('.manifest.json').write_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if not args.limit:
        write_cards(man, ROOT / 'DATA.md', ROOT / 'CREDITS.md')
    print(json.dumps({**stats, 'manifest_sha256': digest, 'out': str(out)}))


if __name__ == '__main__':
    main()
