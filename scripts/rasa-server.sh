#!/usr/bin/env bash
# A real Rasa 3.6 server beside journeybot, for the Rasa backend's tests and the benchmark.
#
#   scripts/rasa-server.sh setup                      Python 3.10 venv with rasa==3.6.21 (reused)
#   scripts/rasa-server.sh train [--epochs N] [DATA...]
#                                                     NLU model from nlu/data (or DATA files/
#                                                     folders) with nlu/rasa/config.yml (DIET's
#                                                     epochs set to N if given); prints its path;
#                                                     cached by a hash of config + data (the
#                                                     training time is kept beside it in
#                                                     nlu-HASH.seconds)
#   scripts/rasa-server.sh start [--port N] [--model PATH]
#                                                     `rasa run --enable-api` on 127.0.0.1 in the
#                                                     background; prints its pid once /status
#                                                     answers
#   scripts/rasa-server.sh stop [--port N]            stops the server started on that port
#
# Everything lives outside the clone, in $JOURNEYBOT_RASA_HOME (default
# ~/.cache/journeybot/rasa-3.6.21): venv/, models/, run/ (pid and log files). The Python 3.10
# interpreter is $JOURNEYBOT_RASA_PYTHON, python3.10 on PATH, or pyenv's; without one, setup
# exits with status 3. Only setup downloads (pip); Rasa's telemetry is off.
set -euo pipefail

RASA_VERSION=3.6.21
root=$(cd "$(dirname "$0")/.." && pwd)
# Every version pinned (nlu/rasa/constraints.txt): without them pip backtracks for minutes.
constraints=$root/nlu/rasa/constraints.txt
home=${JOURNEYBOT_RASA_HOME:-$HOME/.cache/journeybot/rasa-$RASA_VERSION}
venv=$home/venv
config=$root/nlu/rasa/config.yml
port=5005
stage=""
trap '[ -z "$stage" ] || rm -rf "$stage"' EXIT

export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export TF_ENABLE_ONEDNN_OPTS=0
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export PYTHONWARNINGS=ignore
export MPLCONFIGDIR=$home/matplotlib
export PIP_DISABLE_PIP_VERSION_CHECK=1

die() { echo "rasa-server: $*" >&2; exit "${2:-1}"; }
say() { echo "rasa-server: $*" >&2; }

find_python() {
  local candidates=() pyenv_root
  [ -n "${JOURNEYBOT_RASA_PYTHON:-}" ] && candidates+=("$JOURNEYBOT_RASA_PYTHON")
  command -v python3.10 >/dev/null && candidates+=("$(command -v python3.10)")
  pyenv_root=$( (command -v pyenv >/dev/null && pyenv root) || echo "$HOME/.pyenv")
  while IFS= read -r found; do candidates+=("$found"); done < <(
    ls -d "$pyenv_root"/versions/3.10*/bin/python 2>/dev/null | sort -rV)
  for python in "${candidates[@]}"; do
    if "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$python"
      return 0
    fi
  done
  return 1
}

# Serialises setup and training: a second caller waits, then reuses what the first made.
lock() {
  mkdir -p "$home"
  exec 9>"$home/.lock"
  flock 9
}

venv_ready() {
  [ -f "$venv/.journeybot-ready" ] && [ "$(cat "$venv/.journeybot-ready")" = "$1" ] \
    && [ -x "$venv/bin/rasa" ]
}

cmd_setup() {
  local want python started
  want="rasa==$RASA_VERSION $(sha256sum <"$constraints" | cut -c1-16)"
  if venv_ready "$want" || { lock; venv_ready "$want"; }; then
    say "reusing $venv"
    return 0
  fi
  python=$(find_python) || die "no Python 3.10 found (set JOURNEYBOT_RASA_PYTHON, or install it with pyenv); Rasa 3.6 needs 3.10" 3
  started=$SECONDS
  say "creating $venv with $python"
  rm -rf "$venv"
  mkdir -p "$home"
  "$python" -m venv "$venv"
  { "$venv/bin/python" -m pip install "pip==24.3.1" \
    && "$venv/bin/python" -m pip install -c "$constraints" "rasa==$RASA_VERSION"; } \
    >"$home/setup.log" 2>&1 \
    || { grep -v 'is ignored' "$home/setup.log" | tail -n 30 >&2; die "pip install failed (log: $home/setup.log)"; }
  "$venv/bin/python" -c 'import rasa.version; print("rasa", rasa.version.__version__)' >&2
  echo "$want" >"$venv/.journeybot-ready"
  say "setup took $((SECONDS - started)) s"
}

need_venv() {
  [ -f "$venv/.journeybot-ready" ] || die "no Rasa environment in $venv: run '$0 setup' first"
}

# Copies the Rasa YAML files among DATA (files or folders) into one folder for `rasa train`.
stage_data() {
  local stage=$1 item file n=0
  shift
  for item in "$@"; do
    [ -e "$item" ] || die "no such training data: $item"
    while IFS= read -r file; do
      n=$((n + 1))
      cp "$file" "$stage/$(printf '%03d' "$n")-$(basename "$file")"
    done < <(find "$item" -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort)
  done
  [ "$n" -gt 0 ] || die "no .yml training files in: $*"
}

cmd_train() {
  need_venv
  local digest model log pid epochs=""
  if [ "${1:-}" = "--epochs" ]; then
    [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "train: --epochs needs a positive whole number"
    epochs=$2
    shift 2
  fi
  [ $# -gt 0 ] || set -- "$root/nlu/data"
  stage=$(mktemp -d)
  mkdir "$stage/data"
  stage_data "$stage/data" "$@"
  # DIET's epochs are the only change --epochs makes; the config goes into the model's hash.
  sed -E "${epochs:+s/^( +epochs:) [0-9]+/\1 $epochs/}" "$config" >"$stage/config.yml"
  digest=$( (echo "$RASA_VERSION"; cat "$stage/config.yml"; cd "$stage/data" && for f in *; do
    echo "== $f"; cat "$f"; done) | sha256sum | cut -c1-16)
  model=$home/models/nlu-$digest.tar.gz
  log=$home/models/nlu-$digest.log
  if [ -f "$model" ] || { lock; [ -f "$model" ]; }; then
    say "reusing $model"
  else
    mkdir -p "$home/models"
    say "training on $* (this takes minutes; log: $log)"
    # In a session of its own, holding the lock: if this command is interrupted, the
    # training goes on, and the next caller waits for it and reuses the model.
    setsid "$0" fit "$stage" "$digest" </dev/null >"$log" 2>&1 &
    pid=$!
    stage=""  # fit removes it
    wait "$pid" || { tail -n 40 "$log" >&2; die "training failed (log: $log)"; }
    say "training took $(cat "${model%.tar.gz}.seconds") s (kept in ${model%.tar.gz}.seconds)"
  fi
  echo "$model"
}

# The training itself (run by train): STAGE is the folder of data files, removed at the end.
cmd_fit() {
  local digest=$2 started model
  stage=$1
  model=$home/models/nlu-$digest.tar.gz
  started=$(date +%s.%N)
  (cd "$stage" && "$venv/bin/rasa" train nlu --config "$stage/config.yml" --nlu "$stage/data" \
    --out "$home/models" --fixed-model-name "nlu-$digest")
  [ -f "$model" ] || die "rasa train wrote no model"
  awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' \
    >"${model%.tar.gz}.seconds"
}

status_ok() {
  "$venv/bin/python" - "$1" <<'EOF' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/status", timeout=2) as r:
    sys.exit(r.status != 200)
EOF
}

running_pid() {
  local pidfile=$home/run/rasa-$1.pid pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

cmd_start() {
  need_venv
  local model="" pid log started
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=$2; shift 2 ;;
      --model) model=$2; shift 2 ;;
      *) die "start: unknown argument $1" ;;
    esac
  done
  [ -n "$model" ] || model=$(cmd_train)
  [ -f "$model" ] || die "no such model: $model"
  mkdir -p "$home/run"
  if pid=$(running_pid "$port"); then
    if [ "$(cat "$home/run/rasa-$port.model" 2>/dev/null)" = "$model" ] && status_ok "$port"; then
      say "already running on port $port (pid $pid)"
      echo "$pid"
      return 0
    fi
    cmd_stop --port "$port"
  fi
  log=$home/run/rasa-$port.log
  started=$SECONDS
  (cd "$home/run" && exec setsid "$venv/bin/rasa" run --enable-api -i 127.0.0.1 -p "$port" \
    -m "$model" --log-file "$log" </dev/null >>"$log" 2>&1) &
  pid=$!
  echo "$pid" >"$home/run/rasa-$port.pid"
  echo "$model" >"$home/run/rasa-$port.model"
  until status_ok "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log" >&2
      rm -f "$home/run/rasa-$port.pid"
      die "rasa run exited before answering (log: $log)"
    fi
    [ $((SECONDS - started)) -lt 300 ] || { cmd_stop --port "$port"; die "no /status after 300 s"; }
    sleep 1
  done
  say "serving $(basename "$model") on http://127.0.0.1:$port (pid $pid, $((SECONDS - started)) s)"
  echo "$pid"
}

cmd_stop() {
  local pid
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=$2; shift 2 ;;
      *) die "stop: unknown argument $1" ;;
    esac
  done
  if ! pid=$(running_pid "$port"); then
    rm -f "$home/run/rasa-$port.pid"
    say "not running on port $port"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$home/run/rasa-$port.pid" "$home/run/rasa-$port.model"
  say "stopped pid $pid"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
  setup) cmd_setup "$@" ;;
  train) cmd_train "$@" ;;
  fit) cmd_fit "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  *) die "usage: $0 setup | train [DATA...] | start [--port N] [--model PATH] | stop [--port N]" 2 ;;
esac
