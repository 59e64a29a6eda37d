"""Pieces the model cards share (each generator's card has its own module: sky_card.py, surface_card.py)."""

from __future__ import annotations


def swd_table(m: dict) -> list[str]:
    """The SWD table (per level and mean) of floor, trained, untrained and noise, from metrics.json."""
    lines = ['| set | ' + ' | '.join(f'{p} px' for p in m['swd_levels_px']) + ' | mean |', '|---|---|---|---|---|']
    for name, key in (('held-out real vs train (floor)', 'swd_floor'), ('trained generator (EMA)', 'swd_trained'),
                      ('same net, untrained', 'swd_untrained'), ('colour-matched noise', 'swd_noise')):
        lines.append(f"| {name} | " + ' | '.join(str(v) for v in m[f'{key}_levels']) + f" | {m[key]} |")
    return lines
