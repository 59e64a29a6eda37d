#!/usr/bin/env bash
# One lease of a CUDA machine: train generators and copy their checkpoints, logs and sample grids to $OUT. Sized for
# one 10-minute call. Used with the device tool; see training/README.md.
#   MODEL=all (carry training/.cache/gpu, made by `python3 -m training.gpu_pack pack`): the surface generator at
#     each batch size in SURFACE_BATCHES (default 64 and 128: on the first lease batch 64 learned more than batch 32
#     in the same time, a step costing about the same) and the sky generator with its checkpoint selection, all at
#     once on the one GPU (each alone leaves it mostly idle: the nets are small and the steps short).
#   SKY_ARGS: more train.py arguments for the sky run (e.g. "--data training/.cache/sky192.npz --crop 128
#     --d-channels 64,128,256,384,384", the larger-cloud recipe, with that build packed: gpu_pack --sky-build).
#   SKY_SEEDS: one sky run per seed, side by side (default 1): the sky's character changes from seed to seed, and
#     tiles are chosen by eye. LEG1/LEG2 (surface legs) and SKY_MIN: minutes.
#   MODEL=surface or MODEL=sky: that one alone (carry its .npz files and manifest, or training/.cache/gpu).
#   MODEL=surface-on: go on from the shipped surface weights (public/models/surface, in the working tree) instead of
#     from step 0: new discriminators warmed up D_WARMUP steps, then the generator at learning rate LR_G (default 4e-5)
#     for the rest of the lease, snapshots every 500 steps; ON_MIN minutes.
# Everything stops by DEADLINE_S seconds after the start, whatever is left running, and what exists is copied.
set -uo pipefail
export PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=PASSIVE
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
START=$(date +%s)
DEADLINE_S=${DEADLINE_S:-550}
MODEL=${MODEL:-surface}
RUNS=${RUNS:-training/runs}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())"
if [ -f training/.cache/gpu/pack.json ] && [ ! -f training/.cache/surface2.npz ]; then
  python3 -m training.gpu_pack unpack || exit 1
fi
left() { local s=$((START + DEADLINE_S - $(date +%s))); echo $((s > 1 ? s : 1)); }
slim() { python3 -c "import torch,sys; ck=torch.load(sys.argv[1], map_location='cpu', weights_only=False); torch.save({k: ck[k] for k in ('G_ema','step','config')}, sys.argv[2])" "$1" "$2"; }

# surface RUN BATCH LEG1_MIN LEG2_MIN WORKERS: the shipped recipe in two legs, with family offsets on every layer
# from the start: the first on 40 px crops with --augment (colour and size variation of the real crops: metal
# learns the data's lighter tones), the second on 64 px crops without (structure comes back, and a crop holds two
# block lengths and two metal panels; training/README.md). Snapshots every 1,000 steps, so the checkpoint can be
# chosen here afterwards.
surface() {
  local run=$1 batch=$2 leg1=$3 leg2=$4 workers=$5
  local args="--model surface --run $run --batch $batch --relief-batch $((batch / 2)) --r1 0.1 --family-bias"
  args="$args --noise-from 3000 --steps 1000000 --threads 2 --loader-workers $workers --ckpt-every 500"
  args="$args --sample-every 2000 --snapshot-every 1000 --family-weights brick=3,stone_blocks=2,floor_tiles=2"
  [ -f training/.cache/surface2-relief.npz ] && args="$args --relief training/.cache/surface2-relief.npz"
  timeout -k 5 "$(left)" python3 -m training.train $args --crop 40 --augment --max-minutes "$leg1" 2>&1 |
    grep -v '"step"'
  tail -1 "$run/log.jsonl"
  slim "$run/ckpt.pt" "$run/ckpt-mid.pt"
  timeout -k 5 "$(left)" python3 -m training.train $args --crop 64 --max-minutes "$leg2" 2>&1 | grep -v '"step"'
  tail -1 "$run/log.jsonl"
  slim "$run/ckpt.pt" "$run/ckpt-final.pt"
}

# surface_on RUN MINUTES: the shipped surface weights trained on (train.py --init-from-export), with the shipped
# recipe's family weights, on 64 px crops at batch 32 as they were trained.
surface_on() {
  local run=$1
  local args="--model surface --run $run --crop 64 --batch 32 --relief-batch 16 --steps 1000000 --threads 2"
  args="$args --loader-workers 6 --ckpt-every 500 --sample-every 1000 --snapshot-every 500"
  args="$args --family-weights brick=3,stone_blocks=2,floor_tiles=2,cobble=2 --lr-g ${LR_G:-4e-5}"
  [ -f training/.cache/surface2-relief.npz ] && args="$args --relief training/.cache/surface2-relief.npz"
  timeout -k 5 "$(left)" python3 -m training.train $args --init-from-export public/models/surface \
    --d-warmup "${D_WARMUP:-4000}" --max-minutes "$2" 2>&1 | grep -v '"step"'
  tail -1 "$run/log.jsonl"
  slim "$run/ckpt.pt" "$run/ckpt-final.pt"
}

# sky RUN MINUTES SEED: one leg, snapshots every 500 steps, then the checkpoint chosen by the leave-one-group-out
# nn_ratio (training/sky_select.py), not the last step.
sky() {
  local run=$1
  timeout -k 5 "$(left)" python3 -m training.train --model sky --run "$run" --crop 64 --batch "${SKY_BATCH:-32}" \
    --steps 1000000 --threads 2 --ckpt-every 500 --sample-every 2000 --max-minutes "$2" --seed "${3:-1}" \
    ${SKY_ARGS:-} 2>&1 |
    grep -v '"step"'
  tail -1 "$run/log.jsonl"
  slim "$run/ckpt.pt" "$run/ckpt-final.pt"
  timeout -k 5 "$(left)" python3 -m training.sky_select --run "$run" --threads 6 | tail -1
}

# collect RUN NAME: the run's slim checkpoints, log, config, selection, console output and last sample grids as
# $OUT/NAME.tar, and its last snapshots as $OUT/NAME-snapshots.tar (each under the 16 MiB a returned file may have:
# one of the surface generator's, two of the sky's; `sky_select` can be run here on those if it ran out of time).
collect() {
  local run=$1 name=$2
  [ -d "$run" ] || return 0
  local files=() f
  for f in ckpt-mid.pt ckpt-final.pt best.pt select.json log.jsonl config.json console.txt; do
    [ -f "$run/$f" ] && files+=("$f")
  done
  for f in $(ls "$run/samples" 2>/dev/null | grep -v '^raw_' | tail -2); do files+=("samples/$f"); done
  tar -C "$run" -cf "$OUT/$name.tar" "${files[@]}"
  local keep=1; [[ "$name" == sky* ]] && keep=2
  local snaps=$(ls "$run/snapshots" 2>/dev/null | tail -$keep)
  [ -n "$snaps" ] && (cd "$run/snapshots" && tar -cf "$OUT/$name-snapshots.tar" $snaps)
  return 0
}

# The sky runs of SKY_SEEDS side by side: $RUNS/sky for one seed (as before), $RUNS/sky-s<seed> for several.
sky_name() { local seeds=(${SKY_SEEDS:-1}); [ ${#seeds[@]} -eq 1 ] && echo sky || echo "sky-s$1"; }
skies() {
  local seed name
  for seed in ${SKY_SEEDS:-1}; do
    name=$(sky_name "$seed"); mkdir -p "$RUNS/$name"
    sky "$RUNS/$name" "$1" "$seed" > "$RUNS/$name/console.txt" 2>&1 &
  done
  wait
}
collect_skies() {
  local seed name
  for seed in ${SKY_SEEDS:-1}; do name=$(sky_name "$seed"); collect "$RUNS/$name" "$name"; done
}

case "$MODEL" in
  all)
    batches=${SURFACE_BATCHES:-64 128}
    for b in $batches; do
      mkdir -p "$RUNS/surface-b$b"
      surface "$RUNS/surface-b$b" "$b" "${LEG1:-5.2}" "${LEG2:-2.2}" 5 > "$RUNS/surface-b$b/console.txt" 2>&1 &
    done
    skies "${SKY_MIN:-5.0}" &
    wait
    tail -n 4 "$RUNS"/*/console.txt
    for b in $batches; do collect "$RUNS/surface-b$b" "surface-b$b"; done
    collect_skies ;;
  surface)
    surface "$RUNS/surface" "${BATCH:-32}" "${LEG1:-4.8}" "${LEG2:-2.8}" 6; collect "$RUNS/surface" surface ;;
  sky)
    skies "${SKY_MIN:-6.0}"; collect_skies ;;
  surface-on)
    surface_on "$RUNS/surface-on" "${ON_MIN:-8.0}"; collect "$RUNS/surface-on" surface-on ;;
  *) echo "MODEL must be all, surface, surface-on or sky, not $MODEL" >&2; exit 2 ;;
esac
echo "done in $(( $(date +%s) - START )) s"
ls -la "$OUT"
