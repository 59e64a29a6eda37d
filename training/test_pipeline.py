"""Smoke test of the whole training pipeline on a tiny synthetic dataset (runs in the README's test
command): data filters, a few training steps, resume, export, golden fixture, metrics.

The real dataset is 2.2 GB of Debian packages; CI does not fetch it. The images here are tileable
synthetic patterns, enough to prove the mechanics (shapes, wrap-around, file formats), not quality.

Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m unittest training.test_pipeline -v
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

from . import data as data_mod
from .export import fp16_layers, load_ema
from .metrics import compute, seam_ratio
from .models import FoldedGenerator, Generator

ROOT = Path(__file__).resolve().parent.parent


def synthetic_images(n: int, size: int, seed: int = 0) -> np.ndarray:
    """Tileable RGB patterns: sums of integer-frequency sinusoids plus wrapped noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.arange(size), np.arange(size), indexing='ij')
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        img = np.zeros((size, size, 3))
        for _ in range(3):
            fy, fx = rng.integers(1, 6, size=2)
            phase = rng.random() * 6.28
            wave = np.sin(2 * np.pi * (fy * yy + fx * xx) / size + phase)
            img += wave[..., None] * rng.random(3)
        img += rng.normal(0, 0.1, img.shape)
        img = (img - img.min()) / (img.max() - img.min())
        out[i] = (img * 255).astype(np.uint8)
    return out


class PipelineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.tmp = Path(tempfile.mkdtemp(prefix='ls-smoke-'))
        imgs = synthetic_images(24, 96)
        train = np.arange(24) % 6 != 0
        np.savez(cls.tmp / 'tiny.npz', images=imgs, train=train)
        (cls.tmp / 'tiny.manifest.json').write_text(json.dumps({'files': [], 'synthetic': True}))
        cls.run_dir = cls.tmp / 'run'

    def _train(self, steps: int) -> str:
        cmd = [sys.executable, '-m', 'training.train', '--data', str(self.tmp / 'tiny.npz'), '--run',
               str(self.run_dir), '--steps', str(steps), '--batch', '4', '--sample-every', '1000', '--ckpt-every', '2']
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    def test_1_filters(self):
        tileable = synthetic_images(1, 64)[0]
        self.assertLess(data_mod.tile_ratio(tileable), 2.0, 'a wrapping pattern counts as tileable')
        ramp = np.tile(np.linspace(0, 255, 64)[None, :, None], (64, 1, 3)).astype(np.uint8)
        self.assertGreater(data_mod.tile_ratio(ramp), 2.0, 'a ramp has a hard seam at the wrap')
        rgba = np.dstack([tileable, np.full((64, 64), 255, np.uint8)])
        self.assertTrue(data_mod._accept(rgba)[0])
        flat = np.full((64, 64, 4), 255, np.uint8)
        self.assertEqual(data_mod._accept(flat), (False, 'flat'))

    def test_2_train_resume_export(self):
        out = self._train(4)
        ck = torch.load(self.run_dir / 'ckpt.pt', map_location='cpu')
        self.assertEqual(ck['step'], 4)
        out = self._train(6)
        self.assertIn('resumed at step 4', out)
        self.assertEqual(torch.load(self.run_dir / 'ckpt.pt', map_location='cpu')['step'], 6)
        cfg = json.loads((self.run_dir / 'config.json').read_text())
        for key in ('git_commit', 'manifest_sha256', 'seed', 'g_params'):
            self.assertIn(key, cfg)

        model_dir, golden = self.tmp / 'model', self.tmp / 'golden.json'
        subprocess.run([sys.executable, '-m', 'training.export', '--run', str(self.run_dir), '--out', str(model_dir),
                        '--golden', str(golden), '--sheet', str(self.tmp / 'sheet.png')],
                       cwd=ROOT, check=True, capture_output=True)
        manifest = json.loads((model_dir / 'model.json').read_text())
        layers = manifest['latentscape']['layers']
        lay = json.loads((ROOT / 'world-gen' / 'latent-layout.json').read_text())['surface']
        self.assertEqual(layers[0]['in'], lay['globalDim'] + lay['localDim'])
        self.assertEqual(layers[-1]['out'], 3)
        self.assertEqual(sum(l['upsample'] for l in layers), 4, 'one latent cell paints 16x16 px')
        specs = manifest['weightsManifest'][0]['weights']
        expected = sum(int(np.prod(s['shape'])) for s in specs) * 2  # float16
        self.assertEqual((model_dir / 'weights.bin').stat().st_size, expected)
        self.assertTrue((self.tmp / 'sheet.png').stat().st_size > 1000)

        # Rebuild the net from the exported files alone (as the TS runtime does) and match the golden.
        raw = np.frombuffer((model_dir / 'weights.bin').read_bytes(), dtype=np.float16)
        off, tensors = 0, {}
        for s in specs:
            n = int(np.prod(s['shape']))
            tensors[s['name']] = torch.from_numpy(raw[off : off + n].astype(np.float32).reshape(s['shape']))
            off += n
        rebuilt = [{'weight': tensors[f"{l['name']}/kernel"].permute(3, 2, 0, 1), 'bias': tensors[f"{l['name']}/bias"],
                    'up': l['upsample'], 'act': l['activation'],
                    **({'noise': tensors[f"{l['name']}/noise"]} if l['noise'] else {})} for l in layers]
        g = json.loads(golden.read_text())
        field = torch.tensor(g['field']).reshape(g['fieldShape']).permute(2, 0, 1)[None]
        noise = [torch.tensor(n).reshape(1, 1, *s) for n, s in zip(g['noise'], g['noiseShapes'])]
        self.assertEqual(len(noise), sum(l['noise'] for l in layers))
        out = FoldedGenerator(rebuilt)(field, noise)[0].permute(1, 2, 0).reshape(-1)
        self.assertEqual(g['outputShape'], [g['cells'][0] * 16, g['cells'][1] * 16, 3])
        self.assertLess(float((out - torch.tensor(g['output'])).abs().max()), 1e-4)

    def test_3_metrics_and_tiling(self):
        gen, ck = load_ema(self.run_dir, 'surface')
        net = FoldedGenerator(fp16_layers(gen))
        d = np.load(self.tmp / 'tiny.npz')
        m = compute(gen, net, d['images'], d['train'], n=32, bank=256)
        for key in ('swd_floor', 'swd_trained', 'swd_untrained', 'swd_noise', 'seam_ratio', 'diversity_ratio',
                    'nn_ratio'):
            self.assertIn(key, m)
            self.assertTrue(np.isfinite(m[key]), key)
        # Circular padding: the exported net tiles exactly, whatever its weights (noise rolled with the field).
        with torch.no_grad():
            field = gen.sample_field(2, 4, 4, torch.Generator().manual_seed(0))
            noise = [torch.randn(2, 1, h, w) for h, w in gen.noise_shapes(4, 4)]
            img = net(field, noise)
            rolled_noise = [torch.roll(n, (n.shape[2] // 4, n.shape[3] // 2), (2, 3)) for n in noise]
            rolled = net(torch.roll(field, (1, 2), (2, 3)), rolled_noise)
        self.assertLess(float((torch.roll(img, (16, 32), (2, 3)) - rolled).abs().max()), 1e-5,
                        'shifting the latent field by one cell shifts the image by 16 px: no edge effects')
        self.assertLess(seam_ratio(img), 1.5)

    def test_4_generator_sizes(self):
        g = Generator('surface').eval()
        with torch.no_grad():
            self.assertEqual(tuple(g(g.sample_field(1, 2, 3)).shape), (1, 3, 32, 48))
            self.assertEqual(tuple(g(g.sample_field(1, 8, 8)).shape), (1, 3, 128, 128))



def synthetic_decks(n: int, size: int, seed: int = 0) -> np.ndarray:
    """Cloud-layer-like images [n, size, size, 3] (not tileable): white blobs over the clear-sky colour."""
    from .sky_data import CLEAR_RGB, linear_to_srgb_u8

    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.arange(size), np.arange(size), indexing='ij')
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        alpha = np.zeros((size, size))
        for _ in range(rng.integers(2, 6)):
            cy, cx, r = rng.random() * size, rng.random() * size, 4 + rng.random() * size / 4
            alpha = np.maximum(alpha, np.clip(1.5 - np.hypot(yy - cy, xx - cx) / r, 0, 1))
        lin = alpha[..., None] * 0.9 + (1 - alpha[..., None]) * np.asarray(CLEAR_RGB)
        out[i] = linear_to_srgb_u8(lin)
    return out


class SkyPipelineTest(unittest.TestCase):
    """The `sky` path of the same pipeline: cube -> equirect, tone mapping, equirect -> cloud deck, cloud-layer
    separation, then train, export (with the cloud-layer spec), golden, metrics on tiny synthetic decks."""

    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.tmp = Path(tempfile.mkdtemp(prefix='ls-sky-smoke-'))
        imgs = synthetic_decks(12, 96)
        np.savez(cls.tmp / 'sky.npz', images=imgs, train=np.arange(12) % 4 != 0)
        (cls.tmp / 'sky.manifest.json').write_text(json.dumps({'files': [], 'synthetic': True}))
        cls.run_dir = cls.tmp / 'run'

    def test_1_cube_to_hemisphere(self):
        from .sky_data import cube_to_hemisphere, hemisphere_dirs

        colours = {'-z': 10, '+x': 60, '+z': 110, '-x': 160, '+y': 210}
        faces = {k: np.full((16, 16, 3), v, np.float32) for k, v in colours.items()}
        h = 16
        for conv in ('0ad', 'quake'):
            pano = cube_to_hemisphere(faces, h, conv)
            self.assertEqual(pano.shape, (h, 4 * h, 3))
            self.assertTrue(np.allclose(pano[0], 210), 'the zenith row looks up at the top face')
            last = pano[-1, :, 0]
            # Horizon row: column 2h looks along -z (front), 3h along +x, 0 along +z, h along -x.
            self.assertEqual([last[2 * h], last[3 * h], last[0], last[h]], [10, 60, 110, 160])
        d = hemisphere_dirs(8)
        self.assertTrue(np.allclose(np.linalg.norm(d, axis=-1), 1))
        self.assertTrue((d[..., 1] > 0).all(), 'upper hemisphere only')

    def test_2_tonemap(self):
        from .sky_data import tonemap

        hdr = np.concatenate([np.full((4, 8, 3), 0.05), np.full((4, 8, 3), 1.0), np.full((4, 8, 3), 5000.0)]).astype(np.float32)
        out = tonemap(hdr)
        self.assertEqual(out.dtype, np.uint8)
        self.assertTrue(out[0, 0, 0] < out[4, 0, 0] < out[8, 0, 0], 'monotonic')
        self.assertEqual(int(out[8, 0, 0]), 255, 'the sun saturates to white')
        self.assertTrue(np.array_equal(tonemap(hdr), tonemap(hdr * 10)), 'exposure is keyed on the log-average')

    def test_3_deck_orientation(self):
        """The deck is a map of the cloud plane overhead: its centre is the zenith, east (+x) right, north (-z) up."""
        from .sky_data import deck_from_hemisphere

        h = 32
        pano = np.zeros((h, 4 * h, 3), np.float32)
        pano[:4] = [0, 0, 255]  # near the zenith: blue
        lon = ((np.arange(4 * h) + 0.5) / (4 * h) * 2 - 1) * 180
        pano[4:, np.abs(lon - 90) < 20] = [255, 0, 0]  # east: red
        pano[4:, np.abs(lon) < 20] = [0, 255, 0]  # north: green
        deck = deck_from_hemisphere(pano, 64, 1.5)
        self.assertEqual(deck.shape, (64, 64, 3))
        self.assertGreater(deck[32, 32, 2], 200)
        self.assertGreater(deck[32, 60, 0], 200, 'east edge is red')
        self.assertGreater(deck[3, 32, 1], 200, 'north edge is green')

    def test_4_cloud_layer(self):
        """Clear sky becomes the flat clear colour (alpha 0); white cloud stays white (alpha 1)."""
        from .sky_data import CLEAR_RGB, cloud_layer, linear_to_srgb_u8

        lin = np.zeros((96, 96, 3), np.float32)
        lin[:] = [0.05, 0.15, 0.6]  # a clear sky, not the canonical blue
        lin[:, 60:] = 0.8  # a white cloud bank on the right
        deck = linear_to_srgb_u8(lin)
        out, alpha, bright = cloud_layer(deck)
        self.assertLess(float(alpha[:, :40].max()), 0.05)
        self.assertGreater(float(alpha[:, 70:].min()), 0.95)
        self.assertTrue(np.abs(out[:, :40].astype(int) - linear_to_srgb_u8(np.asarray(CLEAR_RGB, np.float32))).max() <= 2)
        self.assertGreater(int(out[:, 80:].min()), 220)
        self.assertAlmostEqual(float(bright[:, 80:].mean()), 1.0, delta=0.05)

    def test_5_train_export_golden_metrics(self):
        cmd = [sys.executable, '-m', 'training.train', '--model', 'sky', '--data', str(self.tmp / 'sky.npz'), '--run',
               str(self.run_dir), '--steps', '3', '--batch', '4', '--crop', '64', '--sample-every', '1000',
               '--ckpt-every', '3']
        subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        self.assertEqual(json.loads((self.run_dir / 'config.json').read_text())['cells'], [4, 4])
        model_dir, golden = self.tmp / 'model', self.tmp / 'golden.json'
        subprocess.run([sys.executable, '-m', 'training.export', '--model', 'sky', '--run', str(self.run_dir),
                        '--out', str(model_dir), '--golden', str(golden), '--sheet', str(self.tmp / 'sheet.png')],
                       cwd=ROOT, check=True, capture_output=True)
        lat = json.loads((model_dir / 'model.json').read_text())['latentscape']
        lay = json.loads((ROOT / 'world-gen' / 'latent-layout.json').read_text())['sky']
        self.assertEqual(lat['latent']['wrap'], 'xy')
        self.assertEqual(lat['latent']['inputChannels'], lay['globalDim'] + lay['localDim'])
        from .sky_data import CLEAR_RGB, PX_PER_UNIT

        self.assertEqual(lat['cloudLayer']['clearRgb'], list(CLEAR_RGB))
        self.assertEqual(lat['cloudLayer']['pxPerUnit'], PX_PER_UNIT)
        self.assertIn('sky', (model_dir / 'card.md').read_text())
        self.assertTrue((self.tmp / 'sheet.png').stat().st_size > 1000)

        gen, _ = load_ema(self.run_dir, 'sky')
        net = FoldedGenerator(fp16_layers(gen))
        d = np.load(self.tmp / 'sky.npz')
        m = compute(gen, net, d['images'], d['train'], n=16, crop=64, bank=64)
        for key in ('swd_floor', 'swd_trained', 'swd_untrained', 'swd_noise', 'seam_ratio', 'diversity_ratio',
                    'nn_ratio', 'nn_ratio_loo'):
            self.assertTrue(np.isfinite(m[key]), key)
        # The cloud layer tiles in both axes.
        with torch.no_grad():
            field = gen.sample_field(1, 3, 4, torch.Generator().manual_seed(0))
            noise = [torch.randn(1, 1, a, b) for a, b in gen.noise_shapes(3, 4)]
            img = net(field, noise)
            rolled = net(torch.roll(field, (1, 1), (2, 3)),
                         [torch.roll(n, (n.shape[2] // 3, n.shape[3] // 4), (2, 3)) for n in noise])
        self.assertLess(float((torch.roll(img, (16, 16), (2, 3)) - rolled).abs().max()), 1e-5)


if __name__ == '__main__':
    unittest.main()
