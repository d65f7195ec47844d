# Shared by scripts/test-browser and scripts/load-test (sourced, not run): a biased-mf model trained on MovieLens 100k
# u1.base, served with u.item titles on a free loopback port, stopped when the calling script exits.
# MovieLens is read from ../shared/data/ml-100k (or $LATENT_ML100K); it is never copied into the repository.

# start_server BIN WORKDIR [serve flags...]: sets SERVER_PID and BASE (http://127.0.0.1:PORT).
start_server() {
    local bin=$1 work=$2
    shift 2
    local data=${LATENT_ML100K:-../shared/data/ml-100k}
    [ -f "$data/u1.base" ] || { echo "MovieLens 100k not found at $data (download ml-100k.zip from GroupLens)"; exit 1; }
    mkdir -p "$work"
    if [ ! -f "$work/u1.latent" ]; then
        "$bin" train --data "$data/u1.base" --model biased-mf --output "$work/u1.latent" --quiet
    fi
    rm -f "$work/store.sqlite" "$work/store.sqlite-wal" "$work/store.sqlite-shm"
    nice -n 10 "$bin" serve --model "$work/u1.latent" --db "$work/store.sqlite" --items "$data/u.item" --port 0 "$@" \
        2>"$work/server.log" &
    SERVER_PID=$!
    trap 'kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true' EXIT
    local port=""
    for _ in $(seq 1 1200); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/server.log" | head -1)
        [ -n "$port" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$work/server.log"; echo "the server did not start"; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$work/server.log"; echo "the server did not say its port within 120 s"; exit 1; }
    BASE="http://127.0.0.1:$port"
    echo "serving $work/u1.latent at $BASE (log: $work/server.log)"
}

# need_package COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing.
need_package() {
    command -v "$1" >/dev/null && return 0
    echo "installing Debian's $2 ..."
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq "$2" >/dev/null; fi
}
