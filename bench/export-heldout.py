"""Export the surface model's held-out test textures as PNGs for the style-fit benchmark (bench/style-fit.ts).

Reads training/.cache/surface-heldout-test.npz (+ .json: family, source file, licence, author), written by the
training pipeline, and writes training/.cache/style-heldout/<family>-<n>.png plus index.json (never committed: the
images are CC BY / BY-SA, credited in training/CREDITS.md). Numpy and the standard library only.
    python3 bench/export-heldout.py
"""
import json
import os
import sys

import struct
import zlib

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SRC = os.path.join(ROOT, 'training', '.cache', 'surface-heldout-test')
OUT = os.path.join(ROOT, 'training', '.cache', 'style-heldout')


def write_png(path: str, rgb: np.ndarray) -> None:
    """8-bit RGB PNG (filter 0 on every row), enough for these small images."""
    h, w, _ = rgb.shape
    raw = b''.join(b'\x00' + rgb[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main() -> int:
    if not os.path.exists(SRC + '.npz'):
        print(f'no {SRC}.npz: build the surface dataset first (training/README.md)', file=sys.stderr)
        return 1
    data = np.load(SRC + '.npz', allow_pickle=False)
    meta = json.load(open(SRC + '.json'))
    names = meta['families']
    os.makedirs(OUT, exist_ok=True)
    index = []
    count: dict[str, int] = {}
    for i, (shape, offset, fam) in enumerate(zip(data['shapes'], data['offsets'], data['family'])):
        h, w = int(shape[0]), int(shape[1])
        pixels = data['pixels'][int(offset):int(offset) + h * w * 3].reshape(h, w, 3)
        name = names[int(fam)]
        n = count.get(name, 0)
        count[name] = n + 1
        path = f'{name}-{n}.png'
        write_png(os.path.join(OUT, path), np.ascontiguousarray(pixels))
        src = meta['files'][i] if i < len(meta['files']) else {}
        index.append({'file': path, 'family': name, 'width': w, 'height': h,
                      'source': f"{src.get('package', '?')}:{src.get('path', '?')}", 'licence': src.get('licence'),
                      'author': src.get('author')})
    json.dump(index, open(os.path.join(OUT, 'index.json'), 'w'), indent=1)
    print(json.dumps({'out': OUT, 'images': len(index), 'families': count}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
