"""The training data of a GPU lease, small enough to travel: the surface set's training split and the sky set.

A lent GPU machine takes the work tree and at most 64 MiB with it. The surface data as built is 54 MiB (colour 38,
height 14) and the sky data 11 MiB; with the work tree that is too much for one call. Losslessly re-encoded they fit:
every image becomes a lossless WebP (about 43% of its raw bytes, where zip's deflate keeps 65%), the float16 height
maps are split into their high and low byte planes and xz-compressed (9.7 against 14.7 MB), and the surface set's
held-out images stay here (training never reads them; metrics run here). `unpack` rebuilds `surface2.npz`,
`surface2-relief.npz` (training split only: `MaterialSet` reads the same images in the same order), their manifest
byte for byte (the weights record its hash) and `sky.npz` with its manifest, and checks every array against the
SHA-256 `pack` recorded, so a transfer that changed one byte stops the lease before training.

Further sky builds (`sky_data --deck-px 192 --out training/.cache/sky192.npz`, larger decks for larger crops) travel
too when named with `--sky-build`: each is packed and unpacked the same way, under its own name, so a lease can train
on either (`SKY_ARGS="--data training/.cache/sky192.npz ..."` in gpu_run.sh).

CLI (here):  /usr/bin/python3 -m training.gpu_pack pack     # -> training/.cache/gpu/ (~37 MB), carry that folder
             /usr/bin/python3 -m training.gpu_pack pack --sky-build sky --sky-build sky192   # both sky builds (~42 MB)
     (there): python3 -m training.gpu_pack unpack           # training/.cache/gpu/ -> training/.cache/*.npz
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import lzma
import shutil
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from .common import CACHE

PACK = CACHE / 'gpu'
SURFACE = ('surface2.npz', 'surface2-relief.npz', 'surface2.manifest.json')
SKY_BUILD = 'sky'  # the default sky build: <name>.npz and <name>.manifest.json in the cache


def sky_files(name: str) -> tuple[str, str]:
    return f'{name}.npz', f'{name}.manifest.json'


def digest(a: np.ndarray) -> str:
    return hashlib.sha256(str(a.dtype).encode() + str(a.shape).encode() + np.ascontiguousarray(a).tobytes()).hexdigest()


def webp(img: np.ndarray) -> bytes:
    b = io.BytesIO()
    Image.fromarray(img).save(b, 'WEBP', lossless=True, quality=100, method=4)
    return b.getvalue()


def unwebp(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert('RGB'))


def write_images(path: Path, images: list[np.ndarray]) -> None:
    with ThreadPoolExecutor() as ex:
        blobs = list(ex.map(webp, images))
    with tarfile.open(path, 'w') as tar:
        for i, blob in enumerate(blobs):
            info = tarfile.TarInfo(f'{i:05d}.webp')
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))


def read_images(path: Path) -> list[np.ndarray]:
    with tarfile.open(path) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        blobs = [tar.extractfile(m).read() for m in members]
    with ThreadPoolExecutor() as ex:
        return list(ex.map(unwebp, blobs))


def xz_array(a: np.ndarray) -> bytes:
    """A float16 array as xz of its byte planes (high bytes of every value, then low: they compress apart)."""
    planes = np.ascontiguousarray(a.view(np.uint8).reshape(-1, a.itemsize).T)
    return lzma.compress(planes.tobytes(), preset=6)


def unxz_array(data: bytes, dtype: str, n: int) -> np.ndarray:
    size = np.dtype(dtype).itemsize
    planes = np.frombuffer(lzma.decompress(data), np.uint8).reshape(size, n)
    return np.ascontiguousarray(planes.T).view(dtype).reshape(n)


def surface_train(cache: Path) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    """The training split of the surface set as the arrays `unpack` writes (offsets recomputed), and its images."""
    z, r = np.load(cache / SURFACE[0]), np.load(cache / SURFACE[1])
    keep = np.flatnonzero(z['split'] == 0)
    shapes = z['shapes'][keep]
    n_px = shapes[:, 0].astype(np.int64) * shapes[:, 1]
    offsets = np.concatenate([[0], np.cumsum(n_px * 3)[:-1]]).astype(z['offsets'].dtype)
    pixels, height = z['pixels'], r['height']
    pix = [pixels[int(z['offsets'][i]): int(z['offsets'][i]) + int(n) * 3] for i, n in zip(keep, n_px)]
    hts = [height[int(z['offsets'][i]) // 3: int(z['offsets'][i]) // 3 + int(n)] for i, n in zip(keep, n_px)]
    images = [px.reshape(int(h), int(w), 3) for px, (h, w) in zip(pix, shapes)]
    return {'pixels': np.concatenate(pix), 'shapes': shapes, 'offsets': offsets, 'family': z['family'][keep],
            'group': z['group'][keep], 'split': z['split'][keep], 'tiles': z['tiles'][keep],
            'height': np.concatenate(hts), 'has_height': r['has_height'][keep]}, images


def pack(cache: Path = CACHE, out: Path = PACK, sky_builds: tuple[str, ...] = (SKY_BUILD,)) -> dict:
    if len(set(sky_builds)) != len(sky_builds) or not sky_builds:
        raise SystemExit(f'sky builds {list(sky_builds)}: name each once, at least one')
    for name in SURFACE + tuple(f for b in sky_builds for f in sky_files(b)):
        if not (cache / name).exists():
            raise SystemExit(f'{cache / name} is missing: build it first (training/README.md)')
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    s, imgs = surface_train(cache)
    write_images(out / 'surface-images.tar', imgs)
    (out / 'surface-height.xz').write_bytes(xz_array(s['height']))
    meta = {k: s[k] for k in ('shapes', 'offsets', 'family', 'group', 'split', 'tiles', 'has_height')}
    np.savez_compressed(out / 'surface-meta.npz', **meta)
    skies = {}
    for build in sky_builds:
        sky = np.load(cache / sky_files(build)[0])
        images, variants = sky['images'], sky['variants']
        write_images(out / f'{build}-images.tar', list(images) + list(variants.reshape(-1, *variants.shape[2:])))
        np.savez_compressed(out / f'{build}-meta.npz', train=sky['train'], group=sky['group'])
        skies[build] = {'images': digest(images), 'variants': digest(variants),
                        'variants_shape': list(variants.shape), 'train': digest(sky['train']),
                        'group': digest(sky['group'])}
    manifests = (SURFACE[2],) + tuple(sky_files(b)[1] for b in sky_builds)
    for name in manifests:
        (out / f'{name}.xz').write_bytes(lzma.compress((cache / name).read_bytes()))
    index = {
        'surface': {k: digest(v) for k, v in s.items()},
        'sky_builds': skies,
        'height_n': int(s['height'].size),
        'manifests': {name: hashlib.sha256((cache / name).read_bytes()).hexdigest() for name in manifests},
    }
    (out / 'pack.json').write_text(json.dumps(index, indent=1))
    return {'out': str(out), 'bytes': sum(f.stat().st_size for f in out.iterdir()),
            'surface_train_images': len(imgs), 'sky_builds': list(sky_builds)}


def check(expected: dict[str, str], arrays: dict[str, np.ndarray], what: str) -> None:
    for k, v in arrays.items():
        if digest(v) != expected[k]:
            raise SystemExit(f'{what}: {k} differs from what was packed; the pack is damaged, nothing was written')


def unpack(pack_dir: Path = PACK, cache: Path = CACHE) -> dict:
    index = json.loads((pack_dir / 'pack.json').read_text())
    meta = dict(np.load(pack_dir / 'surface-meta.npz'))
    imgs = read_images(pack_dir / 'surface-images.tar')
    pixels = np.concatenate([im.reshape(-1) for im in imgs]) if imgs else np.zeros(0, np.uint8)
    height = unxz_array((pack_dir / 'surface-height.xz').read_bytes(), 'float16', index['height_n'])
    check(index['surface'], {**meta, 'pixels': pixels, 'height': height}, 'surface')
    skies = {}
    for build, expected in index['sky_builds'].items():
        sky_meta = dict(np.load(pack_dir / f'{build}-meta.npz'))
        sky_imgs = read_images(pack_dir / f'{build}-images.tar')
        n = len(sky_meta['train'])
        images = np.stack(sky_imgs[:n])
        variants = np.stack(sky_imgs[n:]).reshape(expected['variants_shape'])
        check(expected, {'images': images, 'variants': variants, **sky_meta}, build)
        skies[build] = {'images': images, 'variants': variants, **sky_meta}
    manifests = {}
    for name, sha in index['manifests'].items():
        manifests[name] = lzma.decompress((pack_dir / f'{name}.xz').read_bytes())
        if hashlib.sha256(manifests[name]).hexdigest() != sha:
            raise SystemExit(f'{name}: differs from what was packed; nothing was written')
    cache.mkdir(parents=True, exist_ok=True)
    # Uncompressed: these files live only for the lease, and zip's deflate would cost the lease a minute.
    np.savez(cache / SURFACE[0], pixels=pixels, **{k: meta[k] for k in ('shapes', 'offsets', 'family', 'group',
                                                                         'split', 'tiles')})
    np.savez(cache / SURFACE[1], height=height, has_height=meta['has_height'])
    for build, arrays in skies.items():
        np.savez(cache / sky_files(build)[0], **arrays)
    for name, data in manifests.items():
        (cache / name).write_bytes(data)
    return {'surface_train_images': len(imgs), 'sky_images': {b: len(a['train']) for b, a in skies.items()},
            'cache': str(cache)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('verb', choices=['pack', 'unpack'])
    ap.add_argument('--cache', default=str(CACHE))
    ap.add_argument('--pack', default=str(PACK))
    ap.add_argument('--sky-build', action='append', default=None, metavar='NAME',
                    help=f'pack: a sky build to take, <cache>/NAME.npz and its manifest (repeatable; default '
                         f'{SKY_BUILD})')
    args = ap.parse_args()
    if args.verb == 'pack':
        print(json.dumps(pack(Path(args.cache), Path(args.pack), tuple(args.sky_build or (SKY_BUILD,)))))
    elif args.sky_build:
        raise SystemExit('--sky-build is for pack: unpack writes every build the pack holds')
    else:
        print(json.dumps(unpack(Path(args.pack), Path(args.cache))))


if __name__ == '__main__':
    main()
