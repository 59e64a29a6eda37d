#!/usr/bin/env bash
# One lease of a CUDA machine: train the sky generator in two legs (a mid-run checkpoint and the final one)
# and copy the checkpoints, logs and sample grids to $OUT. Used with the device tool; see training/README.md.
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())"
slim() { python3 -c "import torch,sys; ck=torch.load(sys.argv[1], map_location='cpu'); torch.save({k: ck[k] for k in ('G_ema','step','config')}, sys.argv[2])" "$1" "$2"; }
RUN=training/runs/sky
ARGS="--model sky --crop 64 --batch ${BATCH:-32} --steps 60000 --threads 8 --ckpt-every 1000 --sample-every 2000"
python3 -m training.train $ARGS --max-minutes "${LEG1:-3.6}" 2>&1 | grep -v '"step"' ; tail -1 $RUN/log.jsonl
slim $RUN/ckpt.pt "$OUT/ckpt-mid.pt"
python3 -m training.train $ARGS --max-minutes "${LEG2:-6.9}" 2>&1 | grep -v '"step"' ; tail -1 $RUN/log.jsonl
slim $RUN/ckpt.pt "$OUT/ckpt.pt"; cp $RUN/log.jsonl $RUN/config.json "$OUT/"
ls $RUN/samples | tail -2
last=$(ls $RUN/samples | tail -1); [ -n "$last" ] && cp "$RUN/samples/$last" "$OUT/last-samples.png"
ls -la "$OUT"
