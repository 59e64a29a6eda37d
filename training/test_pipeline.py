"""Smoke test of the whole training pipeline on a tiny synthetic dataset (runs in the README's test
command): sampling, a few family-conditioned training steps, resume, export, golden fixture, metrics.

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
import torch.nn.functional as F
from PIL import Image

from .export import fp16_layers, load_ema, load_exported
from .metrics import (compute, compute_conditioned, family_nn_loo, family_recognition, luminance, seam_ratio,
                      seam_reference, tone_range, train_family_classifier)
from .models import Discriminator, FoldedGenerator, Generator, fold_bn, plan_with_noise, recalibrate_bn
from .train import MaterialSampler, MaterialSet, d_step, g_step

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


def write_material_set(path: Path, families: list[str], per_family: int = 6, seed: int = 0) -> None:
    """A tiny family-labelled set in training/surface_data.py's format: images of varied sizes (some tile, some
    do not), one family per pattern, one held-out image per family."""
    rng = np.random.default_rng(seed)
    imgs, fam, tiles, split = [], [], [], []
    for k in range(len(families)):
        base = synthetic_images(per_family, 64, seed + k)
        for i in range(per_family):
            h, w = (int(v) for v in rng.integers(48, 80, size=2))
            imgs.append(np.resize(base[i], (h, w, 3)))
            fam.append(k)
            tiles.append(i % 2)
            split.append(1 if i == 0 else 0)
    shapes = np.array([im.shape[:2] for im in imgs], np.int32)
    offsets = np.cumsum([0] + [im.size for im in imgs])[:-1].astype(np.int64)
    np.savez(path, pixels=np.concatenate([im.reshape(-1) for im in imgs]), shapes=shapes, offsets=offsets,
             family=np.array(fam, np.int16), group=np.arange(len(imgs), dtype=np.int32),
             split=np.array(split, np.uint8), tiles=np.array(tiles, np.uint8))
    path.with_suffix('.manifest.json').write_text(json.dumps({'families': families, 'images': [], 'synthetic': True}))


SMOKE_FAMILIES = ['brick', 'floor_tiles', 'wood_planks']


class PipelineTest(unittest.TestCase):
    """The family-conditioned `surface` path: sampling, a tiny conditioned run, resume, export with the family
    table, golden, metrics per family, tiling."""

    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.tmp = Path(tempfile.mkdtemp(prefix='ls-smoke-'))
        write_material_set(cls.tmp / 'tiny.npz', SMOKE_FAMILIES)
        cls.run_dir = cls.tmp / 'run'
        cls.layout = json.loads((ROOT / 'world-gen' / 'latent-layout.json').read_text())['surface']

    def _train(self, steps: int) -> str:
        cmd = [sys.executable, '-m', 'training.train', '--data', str(self.tmp / 'tiny.npz'), '--run',
               str(self.run_dir), '--steps', str(steps), '--batch', '6', '--crop', str(4 * self.layout['cellPx']),
               '--sample-every', '1000', '--ckpt-every', '2', '--noise-from', '5', '--augment', '--snapshot-every', '2']
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    def test_1_sampler(self):
        data = MaterialSet(self.tmp / 'tiny.npz')
        self.assertEqual(data.families, SMOKE_FAMILIES)
        self.assertEqual(data.counts(), {name: 5 for name in SMOKE_FAMILIES})
        crops, fams = MaterialSampler(data, 40, seed=0)(300)
        self.assertEqual(tuple(crops.shape), (300, 3, 40, 40))
        self.assertTrue(crops.min() >= -1 and crops.max() <= 1)
        counts = np.bincount(fams.numpy(), minlength=3)
        self.assertTrue((counts > 60).all(), f'class-balanced draws, got {counts}')
        _, fams = MaterialSampler(data, 40, seed=3, weights={SMOKE_FAMILIES[0]: 4.0})(600)
        counts = np.bincount(fams.numpy(), minlength=3)
        self.assertTrue(counts[0] > 2.5 * max(counts[1], counts[2]), f'weighted draws (4:1:1), got {counts}')
        only, fams = MaterialSampler(data, 40, seed=1, only=2)(20)
        self.assertTrue((fams == 2).all())
        # A crop of an image that does not tile lies inside it: every crop is a window of some source image.
        still = [i for i in range(len(data)) if not data.tiles[i]][0]
        img = data.images[still]
        sampler = MaterialSampler(data, 40, seed=2)
        sampler.by_family = [np.array([still])] * 3
        c, _ = sampler(1)
        window = ((c[0] + 1) * 127.5).round().to(torch.uint8)
        found = any(torch.equal(window, img[:, y : y + 40, x : x + 40].flip(2)) or
                    torch.equal(window, img[:, y : y + 40, x : x + 40])
                    for y in range(img.shape[1] - 39) for x in range(img.shape[2] - 39))
        self.assertTrue(found, 'a crop of a non-tiling image is a window inside it')
        # At a crop larger than some non-tiling images, those sit out (a wrapped crop would show a seam they lack);
        # images that tile, or are large enough, stay.
        big = 64
        sampler = MaterialSampler(data, big, seed=2)
        drawn = set(np.concatenate(sampler.by_family).tolist())
        for i in range(len(data)):
            fits = bool(data.tiles[i]) or min(data.images[i].shape[1:]) >= big
            self.assertEqual(i in drawn, fits, (i, data.images[i].shape, data.tiles[i]))

    def test_1_augmented_sampler(self):
        from .surface_augment import augment_probability, colour_jitter, hue_matrix, resize_window

        data = MaterialSet(self.tmp / 'tiny.npz')
        plain, fams = MaterialSampler(data, 40, seed=5)(24)
        again, _ = MaterialSampler(data, 40, seed=5)(24)
        self.assertTrue(torch.equal(plain, again), 'seeded')
        varied, vfams = MaterialSampler(data, 40, seed=5, augment=True)(24)
        self.assertEqual(tuple(varied.shape), (24, 3, 40, 40))
        self.assertTrue(varied.min() >= -1 and varied.max() <= 1)
        self.assertTrue(torch.equal(varied, MaterialSampler(data, 40, seed=5, augment=True)(24)[0]), 'seeded')
        self.assertFalse(torch.equal(varied, plain), 'augmentation changes the crops')
        # Thin families (5 images here) are varied on every crop; big ones on at least half.
        self.assertEqual(augment_probability(5), 1.0)
        self.assertEqual(augment_probability(5000), 0.5)
        self.assertAlmostEqual(augment_probability(200), 0.5)
        # The hue turn keeps greys grey and is a rotation (no change of brightness along the grey axis).
        m = hue_matrix(17.0)
        self.assertTrue(torch.allclose(m @ torch.ones(3), torch.ones(3), atol=1e-6))
        self.assertTrue(torch.allclose(m @ m.T, torch.eye(3), atol=1e-6))
        grey = torch.zeros(3, 8, 8)
        jit = colour_jitter(grey, np.random.default_rng(0))
        self.assertLess(float((jit - jit.mean(0, keepdim=True)).abs().max()), 1e-5, 'a grey crop stays grey')
        # A window resized up to the crop scales its height with it: the slopes stay the source's.
        window = torch.zeros(4, 32, 32)
        window[3] = torch.linspace(-0.4, 0.4, 32)[None, :]
        out = resize_window(window, 40)
        self.assertEqual(tuple(out.shape), (4, 40, 40))
        slope_in = float((window[3, :, 1:] - window[3, :, :-1]).mean())
        slope_out = float((out[3, :, 1:] - out[3, :, :-1]).mean())
        self.assertAlmostEqual(slope_out, slope_in, delta=0.05 * slope_in)

    def test_2_train_resume_export(self):
        self._train(4)
        ck = torch.load(self.run_dir / 'ckpt.pt', map_location='cpu')
        self.assertEqual(ck['step'], 4)
        noise = [p for n, p in ck['G'].items() if n.endswith('noise_weight')]
        self.assertTrue(noise and all(float(p.abs().max()) == 0 for p in noise), 'noise held at zero before --noise-from')
        out = self._train(6)
        self.assertIn('resumed at step 4', out)
        self.assertEqual(torch.load(self.run_dir / 'ckpt.pt', map_location='cpu')['step'], 6)
        cfg = json.loads((self.run_dir / 'config.json').read_text())
        for key in ('git_commit', 'manifest_sha256', 'seed', 'g_params', 'layout', 'families', 'family_counts'):
            self.assertIn(key, cfg)
        self.assertEqual(cfg['families'], SMOKE_FAMILIES)

        model_dir, golden = self.tmp / 'model', self.tmp / 'golden.json'
        subprocess.run([sys.executable, '-m', 'training.export', '--run', str(self.run_dir), '--out', str(model_dir),
                        '--golden', str(golden), '--sheet', str(self.tmp / 'sheet.png')],
                       cwd=ROOT, check=True, capture_output=True)
        lat = json.loads((model_dir / 'model.json').read_text())
        manifest = lat['latentscape']
        layers = manifest['layers']
        lay = self.layout
        self.assertEqual(manifest['latent']['familyDim'], lay['familyDim'])
        self.assertEqual(layers[0]['in'], lay['globalDim'] + lay['familyDim'] + lay['localDim'])
        self.assertEqual(layers[-1]['out'], 3)
        self.assertEqual(2 ** sum(l['upsample'] for l in layers), lay['cellPx'])
        fam = manifest['families']
        self.assertEqual(fam['names'], SMOKE_FAMILIES)
        self.assertEqual(np.array(fam['embedding']).shape, (3, lay['familyDim']))
        self.assertEqual(set(fam['pxPerMetre']), set(SMOKE_FAMILIES))
        self.assertEqual(manifest['licence'], 'CC-BY-SA-4.0')
        specs = lat['weightsManifest'][0]['weights']
        expected = sum(int(np.prod(s['shape'])) for s in specs) * 2  # float16
        self.assertEqual((model_dir / 'weights.bin').stat().st_size, expected)
        self.assertTrue((self.tmp / 'sheet.png').stat().st_size > 1000)
        self.assertIn('wood_planks', (model_dir / 'card.md').read_text())

        # Rebuild the net from the exported files alone (as the TS runtime does; metrics --from-export reads shipped
        # weights this way) and match the golden.
        shell, rebuilt, _ = load_exported(model_dir)
        self.assertEqual(len(rebuilt), len(layers))
        cond = shell.sample_field(1, 2, 2, torch.Generator().manual_seed(0), families=torch.tensor([2]))
        vec2 = cond[0, lay['globalDim'] : lay['globalDim'] + lay['familyDim'], 0, 0]
        self.assertLess(float((vec2 - torch.tensor(fam['embedding'][2])).abs().max()), 1e-6)
        g = json.loads(golden.read_text())
        field = torch.tensor(g['field']).reshape(g['fieldShape']).permute(2, 0, 1)[None]
        noise = [torch.tensor(n).reshape(1, 1, *s) for n, s in zip(g['noise'], g['noiseShapes'])]
        self.assertEqual(len(noise), sum(l['noise'] for l in layers))
        out = FoldedGenerator(rebuilt)(field, noise)[0].permute(1, 2, 0).reshape(-1)
        self.assertEqual(g['outputShape'], [g['cells'][0] * lay['cellPx'], g['cells'][1] * lay['cellPx'], 3])
        self.assertLess(float((out - torch.tensor(g['output'])).abs().max()), 1e-4)
        # The family vector in the golden field is a row of the exported table (fp16-rounded like the weights).
        vec = np.array(g['field'][lay['globalDim'] : lay['globalDim'] + lay['familyDim']])
        self.assertLess(float(np.abs(np.array(fam['embedding']) - vec).max(axis=1).min()), 1e-3)

    def test_3_metrics_and_tiling(self):
        gen, ck = load_ema(self.run_dir, 'surface')
        net = FoldedGenerator(fp16_layers(gen))
        sheet = self.tmp / 'nn-pairs.png'
        m = compute_conditioned(gen, net, str(self.tmp / 'tiny.npz'), n=32, crop=ck['config']['crop'], bank=256,
                                pairs=sheet, classifier_steps=20)
        self.assertEqual(m['classifier']['steps'], 20)
        self.assertTrue(0 <= m['recognised'] <= 1 and 0 <= m['recognised_heldout'] <= 1)
        self.assertTrue(0 <= m['tone_outside'] <= 1 and 0 <= m['tone_outside_heldout'] <= 1)
        with Image.open(sheet) as im:  # one row of nearest pairs per family
            self.assertGreater(im.height, 3 * 32 * len(SMOKE_FAMILIES))
        for key in ('swd_floor', 'swd_trained', 'swd_untrained', 'swd_noise', 'seam_ratio', 'diversity_ratio',
                    'nn_ratio'):
            self.assertTrue(np.isfinite(m[key]), key)
        self.assertEqual(list(m['families']), SMOKE_FAMILIES)
        for name, f in m['families'].items():
            for key in ('swd_floor', 'swd_trained', 'swd_gap_ratio', 'nn_ratio', 'nn_ratio_loo', 'diversity_ratio',
                        'seam_ratio', 'seam_ratio_cell_lines_max', 'n_train', 'n_heldout', 'recognised',
                        'recognised_heldout', 'tone_outside', 'tone_outside_heldout'):
                self.assertIn(key, f, f'{name}.{key}')
        # Circular padding: the exported net tiles exactly, whatever its weights (noise rolled with the field).
        c = gen.cell_px
        with torch.no_grad():
            field = gen.sample_field(2, 4, 4, torch.Generator().manual_seed(0))
            noise = [torch.randn(2, 1, h, w) for h, w in gen.noise_shapes(4, 4)]
            img = net(field, noise)
            rolled_noise = [torch.roll(n, (n.shape[2] // 4, n.shape[3] // 2), (2, 3)) for n in noise]
            rolled = net(torch.roll(field, (1, 2), (2, 3)), rolled_noise)
        self.assertLess(float((torch.roll(img, (c, 2 * c), (2, 3)) - rolled).abs().max()), 1e-5,
                        'shifting the latent field by one cell shifts the image by one cell: no edge effects')
        self.assertLess(seam_ratio(img), 1.5)

    def test_3f_snapshot_scores(self):
        """surface_select scores every snapshot (and exported weights beside them) per family on the same real crops
        and classifier: the same weights score the same figures whichever way they are read."""
        model_dir = self.tmp / 'model'
        r = subprocess.run([sys.executable, '-m', 'training.surface_select', '--run', str(self.run_dir), '--n', '16',
                            '--classifier-steps', '10', '--compare', str(model_dir)],
                           cwd=ROOT, capture_output=True, text=True, check=True)
        sel = json.loads((self.run_dir / 'select.json').read_text())
        self.assertEqual(sel['families'], SMOKE_FAMILIES)
        export, *snaps = sel['records']
        self.assertEqual([s['step'] for s in snaps], [2, 4, 6])
        self.assertTrue(export['same_dataset_build'])
        for rec in sel['records']:
            self.assertEqual(list(rec['families']), SMOKE_FAMILIES)
            for f in rec['families'].values():
                self.assertTrue(0 <= f['rec'] <= 1 and 0 <= f['tone'] <= 1 and np.isfinite(f['nn']) and f['nn'] > 0)
            self.assertEqual(rec['below_nn_1'], sum(f['nn'] < 1 for f in rec['families'].values()))
        # The export is the last checkpoint (step 6) as shipped, fp16 and BN-folded: its figures are the step-6
        # snapshot's (the same EMA generator), up to the family table's rounding in model.json (one sample in 16 may
        # fall the other side of a threshold).
        for name, f in export['families'].items():
            s = snaps[-1]['families'][name]
            self.assertAlmostEqual(f['nn'], s['nn'], delta=0.02 * s['nn'])
            self.assertLessEqual(abs(f['rec'] - s['rec']), 1 / 16 + 1e-6)
            self.assertLessEqual(abs(f['tone'] - s['tone']), 1 / 16 + 1e-6)
        self.assertIn('step 6', r.stdout)

    def test_3g_latent_scale(self):
        """--latent-scale scores exported weights alone (no run folder) with their latents scaled: the scale multiplies
        the global and local latents only, 1 is the default draw, and another scale changes what is scored."""
        g = Generator('surface', n_families=len(SMOKE_FAMILIES))
        draw = lambda psi: g.sample_field(2, 3, 3, torch.Generator().manual_seed(0), families=torch.tensor([0, 1]),
                                          latent_scale=psi)
        fam = slice(g.global_dim, g.global_dim + g.family_dim)
        one, half = draw(1.0), draw(0.5)
        self.assertTrue(torch.equal(one, g.sample_field(2, 3, 3, torch.Generator().manual_seed(0),
                                                        families=torch.tensor([0, 1]))))
        self.assertTrue(torch.equal(half[:, fam], one[:, fam]), 'family vectors are not scaled')
        latents = [i for i in range(one.shape[1]) if not fam.start <= i < fam.stop]
        self.assertTrue(torch.allclose(half[:, latents], 0.5 * one[:, latents]))

        out = self.tmp / 'psi.json'
        subprocess.run([sys.executable, '-m', 'training.surface_select', '--compare', str(self.tmp / 'model'),
                        '--data', str(self.tmp / 'tiny.npz'), '--n', '16', '--classifier-steps', '10',
                        '--latent-scale', '1', '--latent-scale', '0', '--out', str(out)],
                       cwd=ROOT, capture_output=True, text=True, check=True)
        first, zero = json.loads(out.read_text())['records']
        self.assertEqual([first['latent_scale'], zero['latent_scale']], [1.0, 0.0])
        self.assertTrue(zero['label'].endswith('psi=0') and not first['label'].endswith('psi=1'))
        self.assertNotEqual([f['nn'] for f in first['families'].values()],
                            [f['nn'] for f in zero['families'].values()])
        r = subprocess.run([sys.executable, '-m', 'training.surface_select'], cwd=ROOT, capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('--compare', r.stderr)

    def test_3c_seam_reference(self):
        """The cell-line reference: a pattern that repeats every cell has its border exactly like every cell line;
        a ramp that jumps back at the border has a seam far above every line."""
        x = torch.arange(64, dtype=torch.float32)
        wave = torch.sin(2 * torch.pi * x / 8)
        tiled = (wave[None, :] + 0.5 * wave[:, None]).expand(2, 3, 64, 64)
        r = seam_reference(tiled, 8)
        self.assertEqual(r['seam_ratio_cell_lines_n'], 7)
        self.assertAlmostEqual(r['seam_ratio_cell_lines_max'], seam_ratio(tiled), places=4)
        self.assertAlmostEqual(r['seam_ratio_cell_lines_mean'], seam_ratio(tiled), places=4)
        ramp = (x[None, :] / 63 + x[:, None] / 63).expand(2, 3, 64, 64)
        self.assertGreater(seam_ratio(ramp), 10 * seam_reference(ramp, 8)['seam_ratio_cell_lines_max'])

    def test_3b_leave_one_group_out_excludes_own_group(self):
        """An image's near-duplicate siblings are left out with it: two identical images in one group and a
        different one in another give a reference distance of the OTHER group, not zero."""
        data = object.__new__(MaterialSet)
        flat, other = torch.full((3, 48, 48), 60, dtype=torch.uint8), torch.full((3, 48, 48), 200, dtype=torch.uint8)
        data.images, data.families = [flat, flat.clone(), other], ['a']
        data.family, data.tiles = np.zeros(3, np.int64), np.ones(3, bool)
        data.group, data.has_height = np.array([0, 0, 1]), np.zeros(3, bool)
        held = object.__new__(MaterialSet)
        held.images, held.families, held.family = [], ['a'], np.zeros(0, np.int64)
        held.tiles, held.group, held.has_height = np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0, bool)
        q = torch.full((4, 3 * 32 * 32), 60 / 127.5 - 1)  # "samples" equal to the first group's images
        r = family_nn_loo(data, held, 0, q, seed=0, bank=64)
        self.assertEqual(r['nn_loo_images'], 3)
        self.assertAlmostEqual(r['nn_loo_samples'], 0.0, places=4)
        step = (200 - 60) / 127.5 * (3 * 32 * 32) ** 0.5  # the distance between the two flat colours
        self.assertAlmostEqual(r['nn_loo_real'], step, places=2)
        self.assertEqual(r['nn_ratio_loo'], 0.0)

    def test_3d_family_recognition(self):
        """The family classifier learns two families that differ in colour, then counts samples of the other colour
        as not recognised and names the family they were taken for."""
        rng = np.random.default_rng(0)

        def img(rgb):
            base = torch.tensor(rgb, dtype=torch.float32)[:, None, None].expand(3, 24, 24)
            return (base + torch.tensor(rng.normal(0, 12, (3, 24, 24)), dtype=torch.float32)).clamp(0, 255).byte()

        data = object.__new__(MaterialSet)
        data.families = ['red', 'blue']
        data.images = [img((200, 40, 40)), img((190, 60, 50)), img((40, 50, 200)), img((60, 40, 190))]
        data.family, data.tiles = np.array([0, 0, 1, 1]), np.ones(4, bool)
        data.group, data.has_height = np.arange(4), np.zeros(4, bool)
        clf, acc = train_family_classifier(data, 16, steps=60, batch=16, seed=0)
        self.assertEqual(acc, 1.0)
        crops = {k: MaterialSampler(data, 16, 5, only=k)(32)[0] for k in (0, 1)}
        r = family_recognition(clf, data.families, {0: (crops[0], crops[0]), 1: (crops[1], crops[0])})
        self.assertEqual(r['red'], {'recognised': 1.0, 'recognised_heldout': 1.0})
        self.assertEqual(r['blue']['recognised'], 0.0)
        self.assertEqual(r['blue']['recognised_heldout'], 1.0)
        self.assertEqual((r['blue']['confused_with'], r['blue']['confused_share']), ('red', 1.0))

    def test_3e_tone_range(self):
        """Samples darker or brighter than all but 1% of the training crops on a side are counted as such, and a draw
        from the training tones has about 2% outside."""
        gen = torch.Generator().manual_seed(0)

        def crops(lum):  # flat grey crops of the given luminances in [0, 1], as the generator's [-1, 1]
            return (torch.as_tensor(lum, dtype=torch.float32) * 2 - 1)[:, None, None, None].expand(-1, 3, 8, 8)

        real = crops(0.3 + 0.2 * torch.rand(2000, generator=gen))  # tones 0.3-0.5
        self.assertTrue(np.allclose(luminance(crops([0.0, 0.25, 1.0])), [0.0, 0.25, 1.0], atol=1e-6))
        fake = crops(torch.cat([torch.full((25,), 0.02), 0.32 + 0.16 * torch.rand(70, generator=gen),
                                torch.full((5,), 0.95)]))
        held = crops(0.3 + 0.2 * torch.rand(1000, generator=gen))
        t = tone_range(real, fake, held)
        self.assertEqual((t['tone_dark'], t['tone_bright']), (0.25, 0.05))
        self.assertAlmostEqual(t['tone_outside'], 0.30, places=2)
        self.assertLess(abs(t['tone_outside_heldout'] - 0.02), 0.015)
        self.assertTrue(0.30 <= t['tone_range'][0] < 0.31 and 0.49 < t['tone_range'][1] <= 0.50)

    def test_5_steps(self):
        """One discriminator and one generator step, called directly: each moves only its own network, and the
        projection discriminator gives a different logit for the same crop under another family."""
        torch.manual_seed(0)
        g = Generator('surface', n_families=3)
        d = Discriminator(n_classes=3)
        opt_g = torch.optim.Adam(g.parameters(), lr=1e-3)
        opt_d = torch.optim.Adam(d.parameters(), lr=1e-3)
        aug = torch.Generator().manual_seed(0)
        cells = (4, 4)
        real = torch.rand(4, 3, 4 * g.cell_px, 4 * g.cell_px) * 2 - 1
        fams = torch.tensor([0, 1, 2, 0])
        g0 = [p.clone() for p in g.parameters()]
        d0 = [p.clone() for p in d.parameters()]
        out = d_step(g, d, opt_d, real, fams, aug, cells, r1_gamma=1.0, r1_every=1, step=0)
        self.assertTrue(all(np.isfinite(v) for v in out.values()))
        self.assertGreater(out['r1'], 0)
        self.assertTrue(all(torch.equal(a, b) for a, b in zip(g0, g.parameters())), 'D step leaves G alone')
        self.assertFalse(all(torch.equal(a, b) for a, b in zip(d0, d.parameters())))
        d1 = [p.clone() for p in d.parameters()]
        out = g_step(g, d, opt_g, 4, fams, aug, cells, 'cpu', freeze_noise=True)
        self.assertTrue(np.isfinite(out['loss_g']))
        self.assertTrue(all(torch.equal(a, b) for a, b in zip(d1, d.parameters())), 'G step leaves D alone')
        self.assertFalse(all(torch.equal(a, b) for a, b in zip(g0, g.parameters())))
        noise = [blk.noise_weight for blk in g.blocks if blk.noise_weight is not None]
        self.assertTrue(all(float(w.abs().max()) == 0 for w in noise), 'frozen noise strengths stay at zero')
        with torch.no_grad():
            self.assertFalse(torch.allclose(d(real, torch.zeros(4, dtype=torch.long)),
                                            d(real, torch.full((4,), 2, dtype=torch.long))))

    def test_6_circ_pad_grad_and_bf16_steps(self):
        """circ_pad's folded backward equals autograd's through F.pad; a D and a G step under bfloat16 autocast
        with channels-last nets (--bf16) keep float32 weights and give finite losses."""
        from .models import circ_pad

        x = torch.randn(2, 3, 5, 6, dtype=torch.double, requires_grad=True)
        for p in (1, 2):
            w = torch.randn(2, 3, 5 + 2 * p, 6 + 2 * p, dtype=torch.double)
            (ours,) = torch.autograd.grad((circ_pad(x, p) * w).sum(), x)
            (ref,) = torch.autograd.grad((F.pad(x, (p,) * 4, mode='circular') * w).sum(), x)
            self.assertTrue(torch.equal(ours, ref))
        torch.manual_seed(0)
        g, d = Generator('surface', n_families=3), Discriminator(n_classes=3)
        for net in (g, d):
            net.to(memory_format=torch.channels_last)
        opt_g = torch.optim.Adam(g.parameters(), lr=1e-3)
        opt_d = torch.optim.Adam(d.parameters(), lr=1e-3)
        amp = lambda: torch.autocast(device_type='cpu', dtype=torch.bfloat16)  # noqa: E731
        real = (torch.rand(4, 3, 4 * g.cell_px, 4 * g.cell_px) * 2 - 1).contiguous(memory_format=torch.channels_last)
        fams, aug = torch.tensor([0, 1, 2, 0]), torch.Generator().manual_seed(0)
        out = d_step(g, d, opt_d, real, fams, aug, (4, 4), r1_gamma=1.0, r1_every=1, step=0, amp=amp)
        out.update(g_step(g, d, opt_g, 4, fams, aug, (4, 4), 'cpu', amp=amp))
        self.assertTrue(all(np.isfinite(v) for v in out.values()), out)
        self.assertTrue(all(p.dtype == torch.float32 for p in [*g.parameters(), *d.parameters()]))

    def test_4_generator_sizes_and_blends(self):
        g = Generator('surface', n_families=3).eval()
        c = g.cell_px
        with torch.no_grad():
            self.assertEqual(tuple(g(g.sample_field(1, 2, 3)).shape), (1, 3, 2 * c, 3 * c))
            self.assertEqual(tuple(g(g.sample_field(1, 8, 8)).shape), (1, 3, 8 * c, 8 * c))
            # A blend of two family vectors is a valid input (district borders in the world).
            ea, eb = g.family_vectors(torch.tensor([0, 2]))
            zl = torch.randn(1, g.local_dim, 2, 2)
            field = g.make_field(torch.randn(1, g.global_dim), zl, (0.5 * ea + 0.5 * eb)[None])
            self.assertEqual(field.shape[1], g.in_channels)
        with self.assertRaises(ValueError):
            g.make_field(torch.randn(1, g.global_dim), zl)

    def test_4c_family_bias_grows_without_changing_the_net(self):
        # Family offsets on every layer start at zero: a net grown from one without them paints the same, and the
        # BN-folded net (what is exported) adds them exactly.
        g = Generator('surface', n_families=3, out_ch=4).eval()
        grown = Generator('surface', n_families=3, out_ch=4, family_bias=True).eval()
        missing, unexpected = grown.load_state_dict(g.state_dict(), strict=False)
        self.assertFalse(unexpected)
        self.assertEqual(len(missing), len(g.blocks))  # every block after the first, and the output
        self.assertTrue(all('family_bias' in name for name in missing))
        field = g.sample_field(2, 3, 3, torch.Generator().manual_seed(0), families=torch.tensor([0, 2]))
        noise = [torch.randn(2, 1, h, w) for h, w in g.noise_shapes(3, 3)]
        with torch.no_grad():
            self.assertTrue(torch.equal(g(field, noise), grown(field, noise)))
            for name, p in grown.named_parameters():
                if 'family_bias' in name:
                    p.normal_(0, 0.5)
            out = grown(field, noise)
            self.assertGreater(float((out - g(field, noise)).abs().max()), 1e-2)
            folded = FoldedGenerator(fold_bn(grown))(field, noise)
        self.assertLess(float((folded - out).abs().max()), 1e-5)

    def test_4b_recalibrated_bn_is_deterministic(self):
        # The export folds the recalibrated statistics into the weights: the same checkpoint must give the same
        # weights whatever the global generator's state (the per-pixel noise draws from it), and leave that state
        # as it found it.
        g = Generator('sky', plan=plan_with_noise('sky', [2, 3]))
        for blk in g.blocks:
            if blk.noise_weight is not None:  # zero at initialisation: give the noise a say in the statistics
                torch.nn.init.constant_(blk.noise_weight, 0.5)
        stats = []
        for seed in (1, 2):
            torch.manual_seed(seed)
            recalibrate_bn(g, (2, 2), batches=2, batch=4)
            after = torch.randn(3)
            torch.manual_seed(seed)
            self.assertTrue(torch.equal(after, torch.randn(3)))
            stats.append([m.running_var.clone() for m in g.modules() if isinstance(m, torch.nn.BatchNorm2d)])
        for a, b in zip(*stats):
            self.assertTrue(torch.equal(a, b))


def write_relief(path: Path, data_path: Path, seed: int = 0) -> np.ndarray:
    """Paired heights for a tiny material set, in training/surface_relief.py's format (flat float16 heights in px,
    aligned with the colour pixels; every third image has none, so the relief loss must skip it)."""
    d = np.load(data_path)
    rng = np.random.default_rng(seed)
    flat = []
    for (h, w), o in zip(d['shapes'], d['offsets']):
        rgb = d['pixels'][o : o + h * w * 3].reshape(h, w, 3).astype(np.float32)
        flat.append(((rgb.mean(2) - rgb.mean()) / 32 + rng.normal(0, 0.1, (h, w))).reshape(-1))
    has = (np.arange(len(d['shapes'])) % 3 != 1).astype(np.uint8)  # the held-out first image of each family has one
    np.savez(path, height=np.concatenate(flat).astype(np.float16), has_height=has)
    return has


class ReliefTest(unittest.TestCase):
    """Height from normal maps (Frankot-Chellappa) and the 4-channel colour + height path: masked relief crops, a
    relief run started from a colour-only checkpoint, resume, export with the relief block, golden, relief metrics."""

    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.tmp = Path(tempfile.mkdtemp(prefix='ls-relief-smoke-'))
        write_material_set(cls.tmp / 'tiny.npz', SMOKE_FAMILIES)
        cls.has = write_relief(cls.tmp / 'relief.npz', cls.tmp / 'tiny.npz')
        cls.layout = json.loads((ROOT / 'world-gen' / 'latent-layout.json').read_text())['surface']

    def _train(self, run: Path, steps: int, *extra: str) -> str:
        cmd = [sys.executable, '-m', 'training.train', '--data', str(self.tmp / 'tiny.npz'), '--run', str(run),
               '--steps', str(steps), '--batch', '6', '--crop', str(4 * self.layout['cellPx']), '--sample-every',
               '1000', '--ckpt-every', '2', '--relief-batch', '4', *extra]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    def test_1_frankot_chellappa(self):
        from .surface_relief import frankot_chellappa, integrate

        rng = np.random.default_rng(0)
        yy, xx = np.meshgrid(np.arange(48), np.arange(64), indexing='ij')
        h = sum(rng.random() * np.sin(2 * np.pi * (rng.integers(1, 5) * yy / 48 + rng.integers(1, 5) * xx / 64)
                                      + rng.random() * 6) for _ in range(4))
        h = (h - h.mean()).astype(np.float32)
        p = np.roll(h, -1, 1) - h  # forward differences on the torus
        q = np.roll(h, -1, 0) - h
        self.assertLess(float(np.abs(frankot_chellappa(p, q) - h).max()), 1e-4, 'exact for periodic data')
        # A surface that does not tile (a tilted bump): the mirrored mosaic recovers it up to an offset.
        g = (0.05 * xx + 3 * np.exp(-((yy - 20) ** 2 + (xx - 30) ** 2) / 60)).astype(np.float32)
        p, q = np.gradient(g, axis=1), np.gradient(g, axis=0)
        rec = integrate(p.astype(np.float32), q.astype(np.float32), tiles=False)
        err = (rec - rec.mean()) - (g - g.mean())
        self.assertLess(float(np.abs(err).mean()), 0.05 * float(np.abs(g - g.mean()).mean()))

    def test_2_sampler_masks(self):
        from .train import MaterialSampler

        data = MaterialSet(self.tmp / 'tiny.npz', relief=self.tmp / 'relief.npz')
        crops, fams = MaterialSampler(data, 32, seed=0, with_height=True)(64)
        self.assertEqual(tuple(crops.shape), (64, 4, 32, 32))
        self.assertTrue(crops.min() >= -1 and crops.max() <= 1)
        sampler = MaterialSampler(data, 32, seed=0, with_height=True)
        drawn = np.concatenate([idx for idx in sampler.by_family])
        self.assertTrue(data.has_height[drawn].all(), 'only images with a height map reach the relief critic')
        self.assertGreater(float(crops[:, 3].abs().mean()), 0.01)
        colour, _ = MaterialSampler(data, 32, seed=0)(8)
        self.assertEqual(colour.shape[1], 3)

    def test_3_relief_run_export_golden_metrics(self):
        base, run = self.tmp / 'rgb', self.tmp / 'relief'
        self._train(base, 2)
        out = self._train(run, 4, '--relief', str(self.tmp / 'relief.npz'), '--init-from', str(base / 'ckpt.pt'))
        self.assertIn('initialised from', out)
        ck = torch.load(run / 'ckpt.pt', map_location='cpu')
        self.assertEqual(ck['step'], 4)
        self.assertIn('D_h', ck)
        self.assertEqual(tuple(ck['G']['to_rgb.weight'].shape[:1]), (4,))
        rgb0 = torch.load(base / 'ckpt.pt', map_location='cpu')
        self.assertEqual(rgb0['G']['to_rgb.weight'].shape[0], 3)
        # Resumes as a relief run without repeating --relief; in bfloat16 (channels-last nets), which export reads.
        out = self._train(run, 6, '--bf16')
        self.assertIn('resumed at step 4', out)

        model_dir, golden = self.tmp / 'model', self.tmp / 'golden.json'
        subprocess.run([sys.executable, '-m', 'training.export', '--run', str(run), '--out', str(model_dir),
                        '--golden', str(golden), '--sheet', str(self.tmp / 'sheet.png')],
                       cwd=ROOT, check=True, capture_output=True)
        manifest = json.loads((model_dir / 'model.json').read_text())['latentscape']
        self.assertEqual(manifest['layers'][-1]['out'], 4)
        self.assertEqual(manifest['relief']['channel'], 3)
        self.assertGreater(manifest['relief']['pxPerUnit'], 0)
        # The per-family relief calibration, fitted on the exported net against the training height maps.
        from .relief_calibration import GAIN_MAX, GAIN_MIN, calibrate

        gains, details = manifest['relief']['familyGain'], manifest['relief']['familyDetail']
        self.assertTrue(gains and set(gains) <= set(SMOKE_FAMILIES) and set(details) == set(gains), (gains, details))
        self.assertTrue(all(GAIN_MIN <= v <= GAIN_MAX for v in gains.values()), gains)
        self.assertTrue(all(0 <= v <= 1 for v in details.values()), details)
        # The formula the world applies (world-gen relief.ts calibrateHeight; its test holds these same numbers).
        h = torch.tensor([[0.5, -0.25, 0.0, 1.0], [0.25, 0.75, -1.0, 0.0], [-0.5, 0.0, 0.25, 0.5]])[None, None]
        want = [0.26875, -0.0425, 0.04375, 0.415, 0.19125, 0.22375, -0.26625, 0.06125, -0.05, 0.00875, 0.1125,
                0.23375]
        self.assertLess(float((calibrate(h, 0.8, 0.3).flatten() - torch.tensor(want)).abs().max()), 1e-6)
        # The fit recovers a known miscalibration: twice as steep at every scale is gain 0.5 with all detail kept.
        from .relief_calibration import fit, slopes

        x = torch.randn(8, 1, 32, 32, generator=torch.Generator().manual_seed(3))
        gain, detail, misfit = fit(2 * x, slopes(x, 10.0), 10.0)
        self.assertAlmostEqual(gain, 0.5, places=4)
        self.assertEqual(detail, 1.0)
        self.assertLess(misfit, 1e-6)
        self.assertTrue((self.tmp / 'sheet.png').exists() and (self.tmp / 'surface-relief.png').exists())
        g = json.loads(golden.read_text())
        self.assertEqual(g['outputShape'][2], 4)
        self.assertEqual(len(g['output']), int(np.prod(g['outputShape'])))

        gen, ck = load_ema(run, 'surface')
        self.assertEqual(gen.out_ch, 4)
        net = FoldedGenerator(fp16_layers(gen))
        gen.relief_data, gen.height_px_per_unit = ck['config']['relief'], ck['config']['height_px_per_unit']
        sheet = self.tmp / 'nn-pairs.png'
        m = compute_conditioned(gen, net, str(self.tmp / 'tiny.npz'), n=32, crop=ck['config']['crop'], bank=256,
                                pairs=sheet, classifier_steps=20)
        self.assertEqual(m['classifier']['steps'], 20)
        self.assertTrue(0 <= m['recognised'] <= 1 and 0 <= m['recognised_heldout'] <= 1)
        with Image.open(sheet) as im:  # one row of nearest pairs per family
            self.assertGreater(im.height, 3 * 32 * len(SMOKE_FAMILIES))
        r = m['relief']
        for key in ('swd_height', 'swd_height_floor', 'swd_normal', 'swd_normal_floor', 'relief_ratio'):
            self.assertTrue(np.isfinite(r[key]), key)
        self.assertTrue(set(r['families']) <= set(SMOKE_FAMILIES))
        for name, f in r['families'].items():
            self.assertIn('relief', m['families'][name])
        # The height channel wraps like the colour: the exported net tiles in all four channels.
        with torch.no_grad():
            field = gen.sample_field(1, 4, 4, torch.Generator().manual_seed(0))
            noise = [torch.randn(1, 1, h, w) for h, w in gen.noise_shapes(4, 4)]
            img = net(field, noise)
            rolled = net(torch.roll(field, (1, 1), (2, 3)),
                         [torch.roll(n, (n.shape[2] // 4, n.shape[3] // 4), (2, 3)) for n in noise])
        c = gen.cell_px
        self.assertLess(float((torch.roll(img, (c, c), (2, 3)) - rolled).abs().max()), 1e-5)

    def test_4_family_bias_grown_run_export(self):
        # A colour + height run grown into one whose every layer takes the family (--family-bias --init-from), resumed
        # without repeating the flag, exported: the runtime's layers carry the offsets and read back exactly.
        src, run = self.tmp / 'relief', self.tmp / 'family-bias'
        if not (src / 'ckpt.pt').exists():
            self._train(src, 2, '--relief', str(self.tmp / 'relief.npz'))
        step = torch.load(src / 'ckpt.pt', map_location='cpu')['step']
        out = self._train(run, step + 2, '--family-bias', '--relief', str(self.tmp / 'relief.npz'), '--init-from',
                          str(src / 'ckpt.pt'))
        self.assertIn('initialised from', out)
        self.assertNotIn('Adam starts afresh', out)  # the source's Adam moments lined up with the grown net's
        # Resumed without the flag, nor the crop and batch (which are not the defaults): all three carry over.
        cmd = [sys.executable, '-m', 'training.train', '--data', str(self.tmp / 'tiny.npz'), '--run', str(run),
               '--steps', str(step + 4), '--sample-every', '1000', '--ckpt-every', '2', '--relief-batch', '4']
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        self.assertIn(f'resumed at step {step + 2}', out)
        ck = torch.load(run / 'ckpt.pt', map_location='cpu')
        self.assertTrue(ck['config']['family_bias'])
        self.assertEqual((ck['config']['crop'], ck['config']['batch']), (4 * self.layout['cellPx'], 6))
        self.assertIn('blocks.1.family_bias.weight', ck['G_ema'])
        model_dir, golden = self.tmp / 'model-fb', self.tmp / 'golden-fb.json'
        subprocess.run([sys.executable, '-m', 'training.export', '--run', str(run), '--out', str(model_dir),
                        '--golden', str(golden), '--sheet', str(self.tmp / 'sheet-fb.png')],
                       cwd=ROOT, check=True, capture_output=True)
        ls = json.loads((model_dir / 'model.json').read_text())['latentscape']
        self.assertEqual([bool(a.get('familyBias')) for a in ls['layers']], [False] + [True] * (len(ls['layers']) - 1))
        g, layers, _ = load_exported(model_dir)
        fx = json.loads(golden.read_text())
        h, w, c = fx['fieldShape']
        field = torch.tensor(fx['field']).reshape(1, h, w, c).permute(0, 3, 1, 2)
        noise = [torch.tensor(n).reshape(1, 1, *s) for n, s in zip(fx['noise'], fx['noiseShapes'])]
        want = torch.tensor(fx['output']).reshape(1, *fx['outputShape']).permute(0, 3, 1, 2)
        self.assertLess(float((FoldedGenerator(layers)(field, noise) - want).abs().max()), 1e-3)
        ema, _ = load_ema(run, 'surface')
        self.assertLess(float((FoldedGenerator(fp16_layers(ema))(field, noise) - want).abs().max()), 1e-5)

    def test_5_training_goes_on_from_exported_weights(self):
        # The run behind shipped weights lives outside the repository and can be lost: a new run starts from the
        # exported (BN-folded, float16) files. The rebuilt net is the exported one in eval mode; refolded after the
        # export's own BatchNorm recalibration it gives back the exported layers; training goes on from the exported
        # step with new discriminators, warmed up first, and the run remembers where it began across a resume.
        from .export import trainable_from_export

        model_dir = self.tmp / 'model-fb'
        if not (model_dir / 'model.json').exists():
            self.test_4_family_bias_grown_run_export()
        cells = (4, 4)
        g = trainable_from_export(model_dir, cells)
        shell, layers, ls = load_exported(model_dir)
        gen = torch.Generator().manual_seed(11)
        field = shell.sample_field(3, *cells, gen)
        noise = [torch.randn(3, 1, h, w, generator=gen) for h, w in shell.noise_shapes(*cells)]
        with torch.no_grad():
            self.assertLess(float((g.eval()(field, noise) - FoldedGenerator(layers)(field, noise)).abs().max()), 1e-5)
        recalibrate_bn(g, cells)
        for old, new in zip(layers, fp16_layers(g)):
            for key in ('weight', 'bias', 'noise', 'family_bias'):
                if key in old:
                    self.assertLess(float((old[key] - new[key]).abs().max()), 2e-3 * float(old[key].abs().max()) + 1e-6,
                                    key)

        run = self.tmp / 'from-export'
        step = int(ls['training']['steps'])
        # Colour + height weights need the relief data: refused with the reason, nothing written.
        cmd = [sys.executable, '-m', 'training.train', '--data', str(self.tmp / 'tiny.npz'), '--run', str(run),
               '--steps', str(step + 2), '--batch', '6', '--crop', str(4 * self.layout['cellPx']),
               '--init-from-export', str(model_dir)]
        bad = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn('pass --relief', bad.stderr)
        self.assertFalse((run / 'ckpt.pt').exists())
        bad = subprocess.run([*cmd[:-2], '--d-warmup', '3'], cwd=ROOT, capture_output=True, text=True)
        self.assertIn('--d-warmup warms up the new discriminators', bad.stderr)
        out = self._train(run, step + 2, '--relief', str(self.tmp / 'relief.npz'), '--init-from-export',
                          str(model_dir), '--d-warmup', '3', '--lr-g', '5e-5')
        self.assertIn(f"initialised from the exported {ls['version']} (step {step})", out)
        self.assertIn('"d_warmup": 3', out)
        ck = torch.load(run / 'ckpt.pt', map_location='cpu', weights_only=False)
        self.assertEqual(ck['step'], step + 2)
        self.assertTrue(ck['config']['family_bias'])
        self.assertEqual(ck['opt_g']['param_groups'][0]['lr'], 5e-5)  # the generator fine-tunes at its own rate
        self.assertEqual(ck['opt_d']['param_groups'][0]['lr'], 2e-4)
        out = self._train(run, step + 4)
        self.assertIn(f'resumed at step {step + 2}', out)
        ck = torch.load(run / 'ckpt.pt', map_location='cpu', weights_only=False)
        self.assertEqual(ck['config']['init_from_export'], {'dir': str(model_dir), 'version': ls['version'],
                                                            'step': step})


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
        # As training/sky_data.py writes it: light variants (here the layer and its mirror image) and groups.
        np.savez(cls.tmp / 'sky.npz', images=imgs, variants=np.stack([imgs, imgs[:, :, ::-1]], axis=1),
                 train=np.arange(12) % 4 != 0, group=(np.arange(12) // 2).astype(np.int16))
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

    def test_6_deck_sampler(self):
        """The sky's augmented crops: shape and range, the same batches for the same seed, rotation by any angle
        that keeps the crop inside the deck, and an exposure that scales the clouds but never the clear sky."""
        from .sky_augment import CLEAR_RGB as AUG_CLEAR, SkyDeckSampler, decode_layer, max_scale, srgb_to_linear
        from .sky_data import CLEAR_RGB, linear_to_srgb_u8

        self.assertEqual(AUG_CLEAR, CLEAR_RGB)
        decks = synthetic_decks(6, 128, seed=4)
        variants = np.stack([decks, decks[:, ::-1]], axis=1)  # [N, V=2, S, S, 3]
        a = SkyDeckSampler(variants, 64, seed=7)(16)
        self.assertEqual(tuple(a.shape), (16, 3, 64, 64))
        self.assertEqual(a.dtype, torch.float32)
        self.assertTrue(a.min() >= -1 and a.max() <= 1)
        self.assertTrue(torch.equal(a, SkyDeckSampler(variants, 64, seed=7)(16)), 'same seed, same batch')
        self.assertFalse(torch.equal(a, SkyDeckSampler(variants, 64, seed=8)(16)), 'another seed, another batch')

        sampler = SkyDeckSampler(variants, 64, seed=1)
        p = sampler.params(4000)
        self.assertLess(p['angle'].min(), 0.3)
        self.assertGreater(p['angle'].max(), 2 * np.pi - 0.3, 'angles cover the full turn, not only 90-degree steps')
        self.assertTrue(0.74 <= p['scale'].min() and p['scale'].max() <= min(1.33, max_scale(128, 64)) + 1e-9)
        # Corners of every rotated, scaled footprint lie inside the deck (no wrap, no padding sampled).
        half = 0.5 * 64 * p['scale'] * (np.abs(np.cos(p['angle'])) + np.abs(np.sin(p['angle'])))
        self.assertTrue(((p['cx'] - half) >= -1e-9).all() and ((p['cx'] + half) <= 128 + 1e-9).all())
        self.assertTrue(((p['cy'] - half) >= -1e-9).all() and ((p['cy'] + half) <= 128 + 1e-9).all())
        self.assertTrue(set(p['light'].tolist()) == {0, 1} and 0.3 < p['flip'].mean() < 0.7)

        # A deck that is one colour on the left half and another on the right: a 90-degree turn puts the border
        # across the crop's rows instead of its columns.
        clear = linear_to_srgb_u8(np.asarray(CLEAR_RGB, np.float32))
        split = np.empty((1, 128, 128, 3), np.uint8)
        split[:, :, :64] = clear
        split[:, :, 64:] = 255
        s = SkyDeckSampler(split, 32, seed=0, scale=(1.0, 1.0), exposure=(1.0, 1.0))
        s.params = lambda b: {'deck': np.zeros(b, int), 'light': np.zeros(b, int), 'angle': np.array([0.0, np.pi / 2]),
                              'scale': np.ones(b), 'cx': np.full(b, 64.0), 'cy': np.full(b, 64.0),
                              'flip': np.zeros(b, bool), 'exposure': np.ones(b)}
        turned = s(2)
        def uniform(x: torch.Tensor) -> bool:
            return float((x - x.mean(dim=(1, 2), keepdim=True)).abs().max()) < 0.05

        self.assertTrue(uniform(turned[0, :, :, :12]), 'unturned: the left columns are one colour')
        self.assertFalse(uniform(turned[0, :, :12]), 'unturned: the top rows cross the border')
        self.assertTrue(uniform(turned[1, :, :12]), 'turned by 90 degrees: the top rows are one colour')
        self.assertFalse(uniform(turned[1, :, :, :12]), 'turned by 90 degrees: the left columns cross the border')

        # Exposure scales the clouds' brightness and leaves clear sky exactly clear.
        grey = np.empty((1, 128, 128, 3), np.uint8)
        grey[:, :, :64] = clear
        grey[:, :, 64:] = linear_to_srgb_u8(np.full(3, 0.5, np.float32))
        e = SkyDeckSampler(grey, 32, seed=0, scale=(1.0, 1.0), exposure=(1.0, 1.0))
        out = []
        for factor in (1.0, 1.3):
            e.params = lambda b, f=factor: {'deck': np.zeros(b, int), 'light': np.zeros(b, int), 'angle': np.zeros(b),
                                            'scale': np.ones(b), 'cx': np.array([24.0, 104.0]), 'cy': np.full(b, 64.0),
                                            'flip': np.zeros(b, bool), 'exposure': np.full(b, f)}
            out.append(e(2))
        a_clear, _ = decode_layer(srgb_to_linear((out[1][0] + 1) / 2))
        self.assertLess(float(a_clear.max()), 0.02, 'clear sky stays clear')
        self.assertLess(float((out[1][0] - out[0][0]).abs().max()), 1e-5, 'exposure leaves the clear sky alone')
        _, l1 = decode_layer(srgb_to_linear((out[0][1] + 1) / 2))
        _, l2 = decode_layer(srgb_to_linear((out[1][1] + 1) / 2))
        self.assertAlmostEqual(float(l2.mean() / l1.mean()), 1.3, delta=0.03)

        # Bicubic resampling keeps more of the decks' fine detail than bilinear on turned crops, stays in range and
        # takes the same draws; an unknown mode is refused.
        speckle = np.random.default_rng(3).integers(0, 256, (2, 128, 128, 3)).astype(np.uint8)
        sharp = {m: SkyDeckSampler(speckle, 32, seed=5, resample=m)(16) for m in ('bilinear', 'bicubic')}
        self.assertTrue(sharp['bicubic'].min() >= -1 and sharp['bicubic'].max() <= 1)
        lap = torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]).view(1, 1, 3, 3)
        energy = {m: float(F.conv2d(x.mean(1, keepdim=True), lap).abs().mean()) for m, x in sharp.items()}
        self.assertGreater(energy['bicubic'], 1.15 * energy['bilinear'])
        self.assertLess(float((sharp['bicubic'] - sharp['bilinear']).abs().mean()), 0.25, 'the same crops, resampled')
        with self.assertRaises(ValueError):
            SkyDeckSampler(speckle, 32, seed=5, resample='nearest')

    def test_7_select(self):
        """The checkpoint rule: within the SWD gate, the lowest SWD of those at nn_ratio_loo >= 1; with none at 1, the
        highest ratio in the gate; with none within the gate, the lowest SWD."""
        from .sky_select import choose

        recs = [{'step': 500, 'swd': 300.0, 'swd_floor': 100.0, 'seam_ratio': 1.0, 'nn_ratio_loo': 1.9},
                {'step': 1000, 'swd': 140.0, 'swd_floor': 100.0, 'seam_ratio': 1.0, 'nn_ratio_loo': 1.4},
                {'step': 1500, 'swd': 125.0, 'swd_floor': 100.0, 'seam_ratio': 1.0, 'nn_ratio_loo': 1.1},
                {'step': 2000, 'swd': 110.0, 'swd_floor': 100.0, 'seam_ratio': 1.0, 'nn_ratio_loo': 0.8},
                {'step': 2500, 'swd': 105.0, 'swd_floor': 100.0, 'seam_ratio': 1.3, 'nn_ratio_loo': 1.5}]
        # Not the least trained (1000, the highest ratio in the gate): the best SWD that still does not copy.
        self.assertEqual(choose(recs, 1.5)[0]['step'], 1500)
        copying = [dict(r, nn_ratio_loo=0.5 + r['step'] / 10000) for r in recs]
        self.assertEqual(choose(copying, 1.5)[0]['step'], 2000)
        self.assertEqual(choose(recs[:1], 1.5)[0]['step'], 500)
        self.assertEqual(choose([dict(r, swd=400.0 + r['step'] / 100) for r in recs], 1.5)[0]['step'], 500)

    def test_8_deeper_discriminator_kept_on_resume(self):
        """--d-channels builds the colour discriminator with one stride-2 layer per entry, is recorded with the run
        and is kept when the run resumes without it (a resumed checkpoint must load into the same net)."""
        from .sky_data import DECK_EXTENT, DECK_PX, deck_extent

        self.assertEqual(deck_extent(DECK_PX), DECK_EXTENT)
        self.assertEqual(deck_extent(192), 2.25)
        run = self.tmp / 'run-d5'
        base = [sys.executable, '-m', 'training.train', '--model', 'sky', '--data', str(self.tmp / 'sky.npz'),
                '--run', str(run), '--batch', '4', '--crop', '64', '--sample-every', '1000', '--ckpt-every', '2',
                '--snapshot-every', '1000']
        subprocess.run(base + ['--steps', '2', '--d-channels', '8,16,16,16,16'], cwd=ROOT, capture_output=True,
                       text=True, check=True)
        self.assertEqual(json.loads((run / 'config.json').read_text())['d_channels'], [8, 16, 16, 16, 16])
        d = torch.load(run / 'ckpt.pt', map_location='cpu', weights_only=False)['D']
        self.assertEqual([d[f'features.{2 * i}.weight'].shape[0] for i in range(5)], [8, 16, 16, 16, 16])
        self.assertNotIn('features.10.weight', d)
        out = subprocess.run(base + ['--steps', '4'], cwd=ROOT, capture_output=True, text=True, check=True)
        self.assertIn('resumed at step 2', out.stdout)
        self.assertEqual(json.loads((run / 'config.json').read_text())['d_channels'], [8, 16, 16, 16, 16])
        self.assertEqual(torch.load(run / 'ckpt.pt', map_location='cpu', weights_only=False)['step'], 4)
        # Another discriminator on resume is refused, and the run is left as it was.
        bad = subprocess.run(base + ['--steps', '6', '--d-channels', '8,16,16,16'], cwd=ROOT, capture_output=True,
                             text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn('--d-channels', bad.stderr)
        self.assertEqual(torch.load(run / 'ckpt.pt', map_location='cpu', weights_only=False)['step'], 4)

    def test_9_deck_resample_kept_on_resume(self):
        """--deck-resample is recorded with the run (bilinear unless given), kept when the run resumes without it,
        and another mode on resume is refused with the run left as it was."""
        base = [sys.executable, '-m', 'training.train', '--model', 'sky', '--data', str(self.tmp / 'sky.npz'),
                '--batch', '4', '--crop', '64', '--sample-every', '1000', '--ckpt-every', '2', '--snapshot-every',
                '1000']
        plain = self.tmp / 'run-bilinear'
        subprocess.run(base + ['--run', str(plain), '--steps', '1'], cwd=ROOT, capture_output=True, text=True,
                       check=True)
        self.assertEqual(json.loads((plain / 'config.json').read_text())['deck_resample'], 'bilinear')
        run = self.tmp / 'run-bicubic'
        subprocess.run(base + ['--run', str(run), '--steps', '2', '--deck-resample', 'bicubic'], cwd=ROOT,
                       capture_output=True, text=True, check=True)
        self.assertEqual(json.loads((run / 'config.json').read_text())['deck_resample'], 'bicubic')
        out = subprocess.run(base + ['--run', str(run), '--steps', '4'], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        self.assertIn('resumed at step 2', out.stdout)
        self.assertEqual(json.loads((run / 'config.json').read_text())['deck_resample'], 'bicubic')
        bad = subprocess.run(base + ['--run', str(run), '--steps', '6', '--deck-resample', 'bilinear'], cwd=ROOT,
                             capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn('--deck-resample', bad.stderr)
        self.assertEqual(torch.load(run / 'ckpt.pt', map_location='cpu', weights_only=False)['step'], 4)

    def test_9b_deck_scale(self):
        """--deck-scale draws crops that take in more (or less) deck than they have pixels: recorded with the run and
        kept on resume, refused where a crop would not fit the decks at every angle; the checkpoint scoring and the
        metrics compare with decks resized to that scale, and the export lays the layer out that much coarser."""
        from .sky_augment import decks_at_scale, layer_scale
        from .sky_data import PX_PER_UNIT

        decks = synthetic_decks(3, 96, seed=5)
        self.assertIs(decks_at_scale(decks, 1.0), decks)
        half = decks_at_scale(decks, 2.0)
        self.assertEqual(half.shape, (3, 48, 48, 3))
        self.assertLess(abs(float(half.mean()) - float(decks.mean())), 2.0, 'resizing keeps the mean colour')
        self.assertEqual(layer_scale(None), 1.0)
        self.assertAlmostEqual(layer_scale([1.5, 2.1]), (1.5 * 2.1) ** 0.5)

        run = self.tmp / 'run-scaled'
        base = [sys.executable, '-m', 'training.train', '--model', 'sky', '--data', str(self.tmp / 'sky.npz'),
                '--run', str(run), '--batch', '4', '--crop', '64', '--sample-every', '1000', '--ckpt-every', '2',
                '--snapshot-every', '2']
        # 96 px decks hold a 64 px crop at any angle only up to 96 / (64 sqrt 2) = 1.06 deck px per crop px.
        bad = subprocess.run(base + ['--steps', '2', '--deck-scale', '0.9,1.2'], cwd=ROOT, capture_output=True,
                             text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn('--deck-scale', bad.stderr)
        subprocess.run(base + ['--steps', '2', '--deck-scale', '0.9,1.05'], cwd=ROOT, capture_output=True, text=True,
                       check=True)
        self.assertEqual(json.loads((run / 'config.json').read_text())['deck_scale'], [0.9, 1.05])
        subprocess.run(base + ['--steps', '4'], cwd=ROOT, capture_output=True, text=True, check=True)
        self.assertEqual(json.loads((run / 'config.json').read_text())['deck_scale'], [0.9, 1.05])
        again = subprocess.run(base + ['--steps', '6', '--deck-scale', '0.8,1.0'], cwd=ROOT, capture_output=True,
                               text=True)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn('--deck-scale', again.stderr)
        subprocess.run([sys.executable, '-m', 'training.sky_select', '--run', str(run), '--n', '16'], cwd=ROOT,
                       capture_output=True, text=True, check=True)
        model_dir = self.tmp / 'model-scaled'
        subprocess.run([sys.executable, '-m', 'training.export', '--model', 'sky', '--run', str(run), '--out',
                        str(model_dir), '--golden', str(self.tmp / 'golden-scaled.json'), '--no-sheet', '--ckpt',
                        'best.pt'], cwd=ROOT, check=True, capture_output=True)
        lat = json.loads((model_dir / 'model.json').read_text())['latentscape']
        self.assertEqual(lat['training']['deckScale'], [0.9, 1.05])
        self.assertAlmostEqual(lat['cloudLayer']['pxPerUnit'], PX_PER_UNIT / (0.9 * 1.05) ** 0.5)
        self.assertIn('scaled 0.9-1.05x', (model_dir / 'card.md').read_text())

    def test_5_train_export_golden_metrics(self):
        cmd = [sys.executable, '-m', 'training.train', '--model', 'sky', '--data', str(self.tmp / 'sky.npz'), '--run',
               str(self.run_dir), '--steps', '4', '--batch', '4', '--crop', '64', '--sample-every', '1000',
               '--ckpt-every', '4', '--snapshot-every', '2']
        subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        cfg = json.loads((self.run_dir / 'config.json').read_text())
        self.assertEqual(cfg['cells'], [4, 4])
        # Per-pixel noise only at 2x and 4x the latent resolution (the sky's default), recorded with the run.
        self.assertEqual([entry[2] for entry in cfg['plan']], [False, False, True, True, False, False])
        # The checkpoint is chosen from the snapshots (steps 2 and 4) by training/sky_select.py.
        self.assertEqual(sorted(p.name for p in (self.run_dir / 'snapshots').iterdir()),
                         ['step_000002.pt', 'step_000004.pt'])
        subprocess.run([sys.executable, '-m', 'training.sky_select', '--run', str(self.run_dir), '--n', '16'],
                       cwd=ROOT, capture_output=True, text=True, check=True)
        sel = json.loads((self.run_dir / 'select.json').read_text())
        self.assertEqual([r['step'] for r in sel['records']], [2, 4])
        self.assertIn(sel['chosen']['step'], (2, 4))
        self.assertTrue(all(np.isfinite(r['nn_ratio_loo']) and np.isfinite(r['swd']) for r in sel['records']))
        self.assertTrue((self.run_dir / 'best.pt').exists())
        model_dir, golden = self.tmp / 'model', self.tmp / 'golden.json'
        subprocess.run([sys.executable, '-m', 'training.export', '--model', 'sky', '--run', str(self.run_dir),
                        '--out', str(model_dir), '--golden', str(golden), '--sheet', str(self.tmp / 'sheet.png'),
                        '--ckpt', 'best.pt'], cwd=ROOT, check=True, capture_output=True)
        lat = json.loads((model_dir / 'model.json').read_text())['latentscape']
        self.assertEqual(lat['training']['steps'], sel['chosen']['step'])
        self.assertEqual(lat['licence'], 'CC-BY-SA-4.0')
        lay = json.loads((ROOT / 'world-gen' / 'latent-layout.json').read_text())['sky']
        self.assertEqual(lat['latent']['wrap'], 'xy')
        self.assertEqual(lat['latent']['inputChannels'], lay['globalDim'] + lay['localDim'])
        from .sky_data import CLEAR_RGB, PX_PER_UNIT

        self.assertEqual(lat['cloudLayer']['clearRgb'], list(CLEAR_RGB))
        self.assertEqual(lat['cloudLayer']['pxPerUnit'], PX_PER_UNIT)
        self.assertIn('sky', (model_dir / 'card.md').read_text())
        self.assertTrue((self.tmp / 'sheet.png').stat().st_size > 1000)

        self.assertEqual([a['noise'] for a in lat['layers']], [False, False, True, True, False, False, False])
        gen, _ = load_ema(self.run_dir, 'sky')
        self.assertEqual(gen.noise_shapes(3, 4), [(6, 8), (12, 16)])
        # Read back from the export alone, the generator draws the same noise maps the runtime does.
        self.assertEqual(load_exported(model_dir)[0].noise_shapes(3, 4), gen.noise_shapes(3, 4))
        net = FoldedGenerator(fp16_layers(gen))
        d = np.load(self.tmp / 'sky.npz')
        m = compute(gen, net, d['images'], d['train'], n=16, crop=64, bank=64, groups=d['group'])
        self.assertTrue(m['nn_loo_by_group'])
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


class SurfaceDataTest(unittest.TestCase):
    """The hand-made table of single-material regions in 0 A.D. building atlases (no package needed)."""

    def test_atlas_crop_table(self):
        from .surface_data import FAMILIES, atlas_crops, label_source
        rows = atlas_crops()
        self.assertGreater(len(rows), 20)
        keys = [(r['atlas'], r['box']) for r in rows]
        self.assertEqual(len(keys), len(set(keys)), 'a region listed twice')
        for r in rows:
            self.assertIn(r['family'], FAMILIES)
            x0, y0, x1, y1 = r['box']
            # at least a sixteenth of the atlas each way: enough for two periods of the family's structure
            self.assertGreaterEqual(min(x1 - x0, y1 - y0), 0.5, r)
            self.assertTrue(r['what'])
        # a crop is labelled by the table, not by its atlas's name
        src = {'package': '0ad-data', 'path': 'mods/public/public.zip:art/textures/skins/structural/x.dds#crop=0,0,1,1',
               'crop_family': 'brick'}
        self.assertEqual(label_source(src), ('brick', 'atlas-crop'))


class RunSpeedTest(unittest.TestCase):
    """The card's speed line counts the run up to the exported step, across resumed legs."""

    def test_speed_up_to_the_exported_step(self):
        from .export import run_speed
        with tempfile.TemporaryDirectory() as tmp:
            run = Path(tmp)
            # Grown from another run's step 1,000; two legs (elapsed_s restarts at a resume); trained on past 1,400.
            legs = [[(1050, 50.0), (1100, 100.0), (1200, 200.0)], [(1250, 50.0), (1300, 100.0), (1400, 200.0)]]
            lines = [json.dumps({'step': s, 'elapsed_s': e, 's_per_step': 1.0}) for leg in legs for s, e in leg]
            (run / 'log.jsonl').write_text('\n'.join(lines) + '\n')
            self.assertEqual(run_speed(run, 'cpu', 1300),
                             '300 steps in 0.08 h of training (1.00 steps/s on 2 CPU cores) '
                             '(steps 1,000-1,300; the run started from an earlier checkpoint)')
            self.assertTrue(run_speed(run, 'cpu').startswith('400 steps in 0.11 h'))
            # A run started from exported weights (train.py --init-from-export) says so.
            (run / 'config.json').write_text(json.dumps({'init_from_export': {
                'dir': 'public/models/surface', 'version': 'surface-v2-0123456789ab', 'step': 1000}}))
            self.assertTrue(run_speed(run, 'cpu', 1300).endswith(
                '(steps 1,000-1,300; the run started from the exported weights surface-v2-0123456789ab (step 1,000) '
                'with new discriminators)'))


class GpuLeaseTest(unittest.TestCase):
    """What a GPU lease relies on: the packed data unpacks to exactly the training data (and a damaged pack is
    refused, nothing written), and crops drawn in worker processes are batches like those drawn in-process."""

    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.tmp = Path(tempfile.mkdtemp(prefix='ls-lease-smoke-'))
        cls.cache = cls.tmp / 'cache'
        cls.cache.mkdir()
        write_material_set(cls.cache / 'surface2.npz', SMOKE_FAMILIES)
        write_relief(cls.cache / 'surface2-relief.npz', cls.cache / 'surface2.npz')
        imgs = synthetic_decks(6, 64)
        np.savez(cls.cache / 'sky.npz', images=imgs, variants=np.stack([imgs, imgs[:, :, ::-1]], axis=1),
                 train=np.arange(6) % 3 != 0, group=(np.arange(6) // 2).astype(np.int16))
        (cls.cache / 'sky.manifest.json').write_text(json.dumps({'files': [], 'synthetic': True}))
        # A second sky build, as `sky_data --deck-px 96 --out <cache>/sky96.npz` would write one: larger decks.
        big = synthetic_decks(4, 96, seed=2)
        np.savez(cls.cache / 'sky96.npz', images=big, variants=np.stack([big, big[:, ::-1]], axis=1),
                 train=np.arange(4) != 0, group=np.arange(4).astype(np.int16))
        (cls.cache / 'sky96.manifest.json').write_text(json.dumps({'files': [], 'synthetic': True, 'deck_px': 96}))

    def test_1_pack_unpack_round_trip(self):
        from .gpu_pack import pack, unpack

        packed = self.tmp / 'pack'
        info = pack(self.cache, packed, ('sky', 'sky96'))
        self.assertEqual(info['surface_train_images'], 15)  # 3 families x 6, one held out each: never packed
        out = self.tmp / 'unpacked'
        unpack(packed, out)
        a = MaterialSet(self.cache / 'surface2.npz', relief=self.cache / 'surface2-relief.npz')
        b = MaterialSet(out / 'surface2.npz', relief=out / 'surface2-relief.npz')
        self.assertEqual(len(a), len(b))
        self.assertTrue(all(torch.equal(x, y) for x, y in zip(a.images, b.images)))
        self.assertTrue(all(torch.equal(x, y) for x, y in zip(a.height, b.height)))
        for key in ('family', 'tiles', 'group', 'has_height'):
            np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
        for name in ('surface2.manifest.json', 'sky.manifest.json', 'sky96.manifest.json'):
            self.assertEqual((out / name).read_bytes(), (self.cache / name).read_bytes())
        for build in ('sky', 'sky96'):
            s1, s2 = np.load(self.cache / f'{build}.npz'), np.load(out / f'{build}.npz')
            self.assertEqual(sorted(s1.files), sorted(s2.files))
            for key in s1.files:
                np.testing.assert_array_equal(s1[key], s2[key])
        # By default only the default sky build travels; a build that is not there is refused before anything is
        # written.
        only = self.tmp / 'pack-default'
        pack(self.cache, only)
        self.assertEqual(sorted(p.name for p in only.glob('*-images.tar')), ['sky-images.tar', 'surface-images.tar'])
        with self.assertRaises(SystemExit) as err:
            pack(self.cache, self.tmp / 'pack-missing', ('sky', 'sky192'))
        self.assertIn('sky192.npz is missing', str(err.exception))
        self.assertFalse((self.tmp / 'pack-missing').exists())

    def test_2_damaged_pack_refused(self):
        from .gpu_pack import pack, unpack

        packed = self.tmp / 'pack-damaged'
        pack(self.cache, packed)
        meta = dict(np.load(packed / 'surface-meta.npz'))
        meta['family'] = meta['family'][::-1].copy()
        np.savez_compressed(packed / 'surface-meta.npz', **meta)
        out = self.tmp / 'unpacked-damaged'
        with self.assertRaises(SystemExit) as err:
            unpack(packed, out)
        self.assertIn('family differs from what was packed', str(err.exception))
        self.assertFalse(out.exists())

    def test_3_loader_workers(self):
        from .train import batch_source

        data = MaterialSet(self.cache / 'surface2.npz', relief=self.cache / 'surface2-relief.npz')

        def build(seed):
            return (MaterialSampler(data, 32, seed),
                    MaterialSampler(data, 32, seed + 7, with_height=True))

        here = batch_source(build(5), build, 5, 6, 4, workers=0)
        there = batch_source(None, build, 5, 6, 4, workers=2)
        for source in (here, there):
            for _ in range(3):
                real, fams, real_h, fams_h = next(source)
                self.assertEqual(tuple(real.shape), (6, 3, 32, 32))
                self.assertEqual(tuple(real_h.shape), (4, 4, 32, 32))
                with_height = {k for k in range(3) if data.has_height[data.family == k].any()}
                self.assertTrue(set(fams_h.tolist()) <= with_height)
        # In-process batches are exactly the samplers' own draws (runs and resumes unchanged by the option).
        direct = build(5)
        real, fams, real_h, _ = next(batch_source(build(5), build, 5, 6, 4, workers=0))
        self.assertTrue(torch.equal(real, direct[0](6)[0]))
        self.assertTrue(torch.equal(real_h, direct[1](4)[0]))
        # Workers draw other batches than each other (seeded by their index), so none is repeated.
        first = [next(there)[0] for _ in range(2)]
        self.assertFalse(torch.equal(first[0], first[1]))


if __name__ == '__main__':
    unittest.main()
