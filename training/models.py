"""Latentscape generators and discriminator (PyTorch side; the TypeScript runtime rebuilds the
generator from the `layers` description that export.py writes next to the weights).

Generator: a fully convolutional PSGAN-style generator (Bergmann, Jetchev & Vollgraf 2017,
"Learning Texture Manifolds with the Periodic Spatial GAN", arXiv:1705.06566). Its input is a
latent *field* [B, globalDim + localDim, cellsH, cellsW] (layout in world-gen/latent-layout.json):
global channels repeat in every cell, local channels are i.i.d. N(0, 1). Every 3x3 conv pads
circularly in both axes (surface textures and the sky's cloud tiles both tile), so a field of any size gives an
image of cellPx times its size that wraps seamlessly. Upsampling is nearest x2 followed by a fixed [1,2,1]
blur, which equals bilinear (half-pixel) upsampling with wrap-around and avoids the alternate-line
artefact that plain nearest upsampling left in the prototype (shared/notes/gan-prototype.md).
BatchNorm + ReLU trained stably in that prototype; at export BN is folded into the convs.

Discriminator: stride-2 convs with LeakyReLU, minibatch standard deviation (Karras et al. 2018),
no normalisation (R1 regularises it).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

LAYOUT_PATH = Path(__file__).resolve().parent.parent / 'world-gen' / 'latent-layout.json'


def latent_layout(model: str) -> dict:
    """The latent layout of `model` ('surface' | 'sky'), the one definition shared with TypeScript."""
    return json.loads(LAYOUT_PATH.read_text())[model]


class _CircPad(torch.autograd.Function):
    """Circular padding whose backward folds the border gradients back onto the rows and columns they copy.
    Autograd's own backward for it builds a zero tensor of the whole input per padded edge and adds them up: on a CPU
    that was a quarter of a training step, more than the convolutions' forward in bfloat16."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, p: int) -> torch.Tensor:
        ctx.p = p
        return F.pad(x, (p, p, p, p), mode='circular')

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        p = ctx.p
        # Padded rows [0, p) copy the last p rows, padded rows [H + p, H + 2p) the first p; columns likewise.
        rows = g[:, :, p:-p].clone()
        rows[:, :, :p] += g[:, :, -p:]
        rows[:, :, -p:] += g[:, :, :p]
        out = rows[..., p:-p].clone()
        out[..., :p] += rows[..., -p:]
        out[..., -p:] += rows[..., :p]
        return out, None


def circ_pad(x: torch.Tensor, p: int = 1) -> torch.Tensor:
    """Pad H and W by p, circularly."""
    if torch.is_grad_enabled() and x.requires_grad:
        return _CircPad.apply(x, p)
    return F.pad(x, (p, p, p, p), mode='circular')


class Upsample2x(nn.Module):
    """Nearest x2 then a fixed depthwise [1,2,1]/4 blur per axis: bilinear upsampling that wraps."""

    def __init__(self):
        super().__init__()
        k = torch.tensor([1.0, 2.0, 1.0])
        self.register_buffer('kernel', (k[:, None] * k[None, :] / 16.0)[None, None], persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2, mode='nearest')
        c = x.shape[1]
        return F.conv2d(circ_pad(x), self.kernel.expand(c, 1, 3, 3), groups=c)


class ConvBlock(nn.Module):
    """[upsample x2] -> wrap-pad -> 3x3 conv [+ per-pixel noise x learned per-channel weight] -> BatchNorm -> ReLU.

    The noise input (StyleGAN, Karras et al. 2019, section 3.2) gives the generator per-pixel stochastic detail
    (grain, speckle) that a smooth upsampled latent field cannot; it is i.i.d. N(0, 1), so it tiles on the torus.
    """

    def __init__(self, cin: int, cout: int, up: bool, noise: bool | None = None, family_dim: int = 0):
        super().__init__()
        self.up = up
        self.upsample = Upsample2x() if up else None
        self.conv = nn.Conv2d(cin, cout, 3, padding=0, bias=False)
        self.noise_weight = nn.Parameter(torch.zeros(cout)) if (up if noise is None else noise) else None
        self.bn = nn.BatchNorm2d(cout)
        self.family_bias = family_bias_layer(family_dim, cout)

    def forward(self, x: torch.Tensor, noise: torch.Tensor | None = None,
                cond: torch.Tensor | None = None) -> torch.Tensor:
        if self.upsample is not None:
            x = self.upsample(x)
        y = self.conv(circ_pad(x))
        if self.family_bias is not None:
            y = y + self.family_bias(cond).to(y.dtype)[:, :, None, None]
        if self.noise_weight is not None:
            if noise is None:
                noise = torch.randn(y.shape[0], 1, y.shape[2], y.shape[3], device=y.device, dtype=y.dtype)
            y = y + self.noise_weight[None, :, None, None] * noise
        return F.relu(self.bn(y))


def family_bias_layer(family_dim: int, cout: int) -> nn.Linear | None:
    """The family bias of one layer: a per-channel offset linear in the family vector, added after the conv (so before
    BatchNorm and the activation). Zero at the start, so a net grown from one without it starts out painting the same.

    The input field carries the family only into the first layer, as 16 of its 96 channels; deeper layers see it only
    through what the first kept of it, and samples took the colours of other families (green cobble, red planks). A
    bias at every layer (and on the output) lets each family switch channels on or off at every depth, the
    conditioning of a class-conditional BatchNorm's shift (BigGAN, Brock et al. 2019), for one small matrix per layer.
    """
    if not family_dim:
        return None
    layer = nn.Linear(family_dim, cout, bias=False)
    nn.init.zeros_(layer.weight)
    return layer


# (channels out, upsample before[, noise]) per block; noise defaults to "on the upsampling blocks".
# Surface v2: materials have regular structure (brick courses, tile grids, planks) whose layout is decided at the
# latent resolution, so the trunk there is four convs deep (a receptive field of 9 cells = 72 px, more than two
# periods of the largest structure at the training scale); three upsamplings (one cell paints 8x8 px). Per-pixel
# noise only at full resolution: with noise at every scale the generator satisfied the discriminator with grain
# and never learned layout (measured in the family-conditioned prototypes). ~9 GFLOP per 256x256 px.
SURFACE_PLAN = [(192, False, False)] * 4 + [(128, True, False), (64, True, False), (32, True, True)]
# The sky's cloud layer is smoother than materials: a narrower generator (0.6 GFLOP per 128x128 px, 0.94 M params).
SKY_PLAN = [(192, False), (192, False), (160, True), (96, True), (48, True), (24, True)]
PLANS = {'surface': SURFACE_PLAN, 'sky': SKY_PLAN}


def plan_with_noise(model: str, noise_blocks: list[int]) -> list[tuple]:
    """`model`'s plan with per-pixel noise on exactly the blocks `noise_blocks` (indices into the plan): where the
    stochastic detail enters decides its scale (a block at 2^k x the latent resolution draws one value per
    cellPx / 2^k px)."""
    plan = PLANS[model]
    bad = [i for i in noise_blocks if not 0 <= i < len(plan)]
    if bad:
        raise ValueError(f'{model}: no block {bad} (the plan has blocks 0..{len(plan) - 1})')
    return [(entry[0], entry[1], i in noise_blocks) for i, entry in enumerate(plan)]


def plan_of_layers(layers: list[dict]) -> list[tuple]:
    """The plan of an exported generator, from its layer list (all but the last, to-RGB layer)."""
    return [(int(a['out']), bool(a['upsample']), bool(a['noise'])) for a in layers[:-1]]


class Generator(nn.Module):
    """Latent field [B, G+F+L, h, w] -> RGB [B, 3, c*h, c*w] in [-1, 1] (c = the layout's cellPx); with `out_ch` 4,
    RGB + height [B, 4, c*h, c*w].

    Family conditioning (surface): a learned embedding of the material family (F = `familyDim` channels) is appended
    to the global latent in every cell. It is part of the input field, so the exported net is a plain conv stack; the
    runtime looks the vector up in model.json's embedding table, and a district boundary blends two families by
    blending their vectors.
    """

    def __init__(self, model: str = 'surface', plan=None, n_families: int = 0, layout: dict | None = None,
                 out_ch: int = 3, family_bias: bool = False):
        super().__init__()
        plan = plan or PLANS[model]
        lay = layout or latent_layout(model)
        self.layout = lay
        self.model = model
        if lay['wrap'] != 'xy':
            raise ValueError(f"{model}: only circular padding in both axes is supported, layout says {lay['wrap']!r}")
        self.global_dim, self.local_dim = lay['globalDim'], lay['localDim']
        self.family_dim = lay.get('familyDim', 0) if n_families else 0
        self.n_families = n_families if self.family_dim else 0
        self.cell_px = lay['cellPx']
        ups = sum(1 for entry in plan if entry[1])
        if 2**ups != self.cell_px:
            raise ValueError(f'{model}: the plan upsamples x{2**ups}, the layout says cellPx={self.cell_px}')
        self.family_embed = nn.Embedding(self.n_families, self.family_dim) if self.n_families else None
        cin = self.global_dim + self.family_dim + self.local_dim
        # With `family_bias`, every layer after the first also takes the family (see `family_bias_layer`); the first
        # already does, through its input.
        self.family_bias = bool(family_bias and self.family_dim)
        fb_dim = self.family_dim if self.family_bias else 0
        blocks = []
        for i, entry in enumerate(plan):
            blocks.append(ConvBlock(cin, entry[0], entry[1], entry[2] if len(entry) > 2 else None,
                                    family_dim=fb_dim if i else 0))
            cin = entry[0]
        self.blocks = nn.ModuleList(blocks)
        # 3: RGB; 4: RGB + height (the relief channel, see training/surface_relief.py), painted by one net so colour
        # and relief agree.
        self.out_ch = out_ch
        self.to_rgb = nn.Conv2d(cin, out_ch, 3, padding=0, bias=True)
        self.to_rgb_family_bias = family_bias_layer(fb_dim, out_ch)
        self.plan = plan

    @property
    def in_channels(self) -> int:
        return self.global_dim + self.family_dim + self.local_dim

    def family_vectors(self, families: torch.Tensor) -> torch.Tensor:
        """Family indices [B] -> embedding vectors [B, F]."""
        return self.family_embed(families)

    def make_field(self, z_global: torch.Tensor, z_local: torch.Tensor, cond: torch.Tensor | None = None):
        """z_global [B, G], z_local [B, L, h, w], cond [B, F] (family vectors; conditioned models only)
        -> field [B, G+F+L, h, w]."""
        b, _, h, w = z_local.shape
        if self.family_dim:
            if cond is None:
                raise ValueError('a family-conditioned generator needs family vectors')
            z_global = torch.cat([z_global, cond.to(z_global.dtype)], dim=1)
        g = z_global.shape[1]
        return torch.cat([z_global[:, :, None, None].expand(b, g, h, w), z_local], dim=1)

    def sample_field(self, b: int, h: int, w: int, gen: torch.Generator | None = None, device='cpu',
                     families: torch.Tensor | None = None, latent_scale: float = 1.0):
        """A random field; conditioned models take family indices [B] (uniformly drawn when None). `latent_scale`
        multiplies the global and local latents (the truncation trick's psi; the family vectors are not scaled): the
        world and training draw at 1, surface_select can score other scales."""
        zg = torch.randn(b, self.global_dim, generator=gen).to(device) * latent_scale
        zl = torch.randn(b, self.local_dim, h, w, generator=gen).to(device) * latent_scale
        cond = None
        if self.family_dim:
            if families is None:
                families = torch.randint(0, self.n_families, (b,), generator=gen)
            cond = self.family_vectors(families.to(device))
        return self.make_field(zg, zl, cond)

    def noise_shapes(self, h: int, w: int) -> list[tuple[int, int]]:
        """[H, W] of the noise map of each noise-taking block, for a field of h x w cells."""
        shapes, f = [], 1
        for blk in self.blocks:
            if blk.up:
                f *= 2
            if blk.noise_weight is not None:
                shapes.append((h * f, w * f))
        return shapes

    def field_family(self, field: torch.Tensor) -> torch.Tensor:
        """The family vector of a field [B, F]: the mean over cells of its family channels (every cell holds the same
        vector, so the mean is that vector; the TypeScript runtime reads it the same way)."""
        return family_of_field(field, self.global_dim, self.family_dim)

    def forward(self, field: torch.Tensor, noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        x = field
        cond = self.field_family(field) if self.family_bias else None
        k = 0
        for blk in self.blocks:
            n = None
            if blk.noise_weight is not None:
                n = noise[k] if noise is not None else None
                k += 1
            x = blk(x, n, cond)
        y = self.to_rgb(circ_pad(x))
        if self.to_rgb_family_bias is not None:
            y = y + self.to_rgb_family_bias(cond).to(y.dtype)[:, :, None, None]
        return torch.tanh(y)


def family_of_field(field: torch.Tensor, start: int, dim: int) -> torch.Tensor:
    """Channels [start, start + dim) of a latent field [B, C, h, w], averaged over its cells -> [B, dim]."""
    return field[:, start : start + dim].float().mean(dim=(2, 3))


class MinibatchStd(nn.Module):
    def __init__(self, group: int = 4):
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        g = min(self.group, b)
        while b % g:
            g -= 1
        y = x.reshape(g, -1, c, h, w)
        y = (y.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # [b/g]
        y = y.reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
        return torch.cat([x, y], dim=1)


class Discriminator(nn.Module):
    """RGB [B, 3, H, W] crops -> logit [B]. With `n_classes`, a projection discriminator (Miyato & Koyama 2018):
    the logit adds the inner product of a learned class embedding with the pooled features, so D judges "a
    plausible brick wall" rather than "a plausible texture"."""

    def __init__(self, channels=(64, 128, 256, 384), in_ch: int = 3, n_classes: int = 0, height_gain: float = 1.0):
        super().__init__()
        # A relief discriminator (RGB + height) multiplies the height channel by this before its first conv: real
        # height varies about a quarter as much as colour does, and at gain 1 a fresh critic sat at chance for
        # hundreds of steps, giving the height output no signal.
        self.height_gain = height_gain
        layers, cin = [], in_ch
        for cout in channels:
            layers += [nn.Conv2d(cin, cout, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.mbstd = MinibatchStd()
        self.head_conv = nn.Conv2d(cin + 1, cin, 3, padding=1)
        self.head = nn.Linear(cin, 1)
        self.class_embed = nn.Embedding(n_classes, cin) if n_classes else None

    def forward(self, x: torch.Tensor, classes: torch.Tensor | None = None) -> torch.Tensor:
        if self.height_gain != 1.0 and x.shape[1] > 3:
            x = torch.cat([x[:, :3], x[:, 3:] * self.height_gain], dim=1)
        x = self.features(x)
        x = F.leaky_relu(self.head_conv(self.mbstd(x)), 0.2)
        # Global average over positions keeps D usable on any crop size.
        h = x.mean(dim=(2, 3))
        out = self.head(h).squeeze(1)
        if self.class_embed is not None:
            out = out + (self.class_embed(classes) * h).sum(dim=1)
        return out


@torch.no_grad()
def recalibrate_bn(g: Generator, cells: tuple[int, int], batches: int = 32, batch: int = 32, seed: int = 0):
    """Re-estimate BatchNorm running statistics of `g` (e.g. the EMA copy) on fresh latents."""
    gen = torch.Generator().manual_seed(seed)
    was = g.training
    for m in g.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    g.train()
    # The per-pixel noise is drawn from the global generator: seeded here (and the caller's state restored) so the
    # same checkpoint always exports the same weights and scores the same in sky_select and metrics.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for _ in range(batches):
            g(g.sample_field(batch, cells[0], cells[1], gen, device=next(g.parameters()).device))
    for m in g.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
    g.train(was)


def fold_bn(g: Generator) -> list[dict]:
    """Fold BatchNorm into the convs: [{weight [out,in,3,3], bias [out], up, act}] for export."""
    layers = []
    for blk in g.blocks:
        bn = blk.bn
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        w = blk.conv.weight * scale[:, None, None, None]
        b = bn.bias - bn.running_mean * scale
        layer = {'weight': w.detach(), 'bias': b.detach(), 'up': blk.up, 'act': 'relu'}
        if blk.noise_weight is not None:
            layer['noise'] = (blk.noise_weight * scale).detach()
        if blk.family_bias is not None:
            # BN scales the offset like the conv's output: [out, F].
            layer['family_bias'] = (blk.family_bias.weight * scale[:, None]).detach()
            layer['family_from'] = g.global_dim
        layers.append(layer)
    last = {'weight': g.to_rgb.weight.detach(), 'bias': g.to_rgb.bias.detach(), 'up': False, 'act': 'tanh'}
    if g.to_rgb_family_bias is not None:
        last['family_bias'] = g.to_rgb_family_bias.weight.detach()
        last['family_from'] = g.global_dim
    layers.append(last)
    return layers


class FoldedGenerator(nn.Module):
    """The exported (BN-folded) generator, run in PyTorch: the reference for the golden fixture."""

    def __init__(self, layers: list[dict]):
        super().__init__()
        self.layers = layers
        self.up = Upsample2x()

    @torch.no_grad()
    def forward(self, field: torch.Tensor, noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        """noise: one [B, 1, H, W] map per noise-taking layer (drawn from torch's RNG when None). A layer with a
        `family_bias` [out, F] adds it times the field's family vector (channels `family_from` on) to its bias."""
        x = field
        k = 0
        for layer in self.layers:
            if layer['up']:
                x = self.up(x)
            x = F.conv2d(circ_pad(x), layer['weight'], layer['bias'])
            if 'family_bias' in layer:
                fb = layer['family_bias']
                x = x + (family_of_field(field, layer['family_from'], fb.shape[1]) @ fb.T)[:, :, None, None]
            if 'noise' in layer:
                n = noise[k] if noise is not None else torch.randn(x.shape[0], 1, x.shape[2], x.shape[3])
                x = x + layer['noise'][None, :, None, None] * n
                k += 1
            x = torch.relu(x) if layer['act'] == 'relu' else torch.tanh(x)
        return x
