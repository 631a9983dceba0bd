#!/usr/bin/env bash
# End-to-end check of the native library with the real engine (build/engine.mjs embedded in it)
# through the C host driver: a local `ws` echo server, Cyrillic/emoji text, out-parameters,
# engine loss and its policies, DestroyObject during a blocked Receive, start failures, ПринятьСообщение (hosts without out-parameters).
#
#   npm run build:ts && npm run build:bundle && npm run build:native && make -C native driver
#   bash native/test/e2e.sh
#   (sanitizers: make -C native asan; LIB=$PWD/native/obj/asan/lib.so DRIVER=$PWD/native/obj/asan/driver bash native/test/e2e.sh)
#
# Everything runs in a private temp directory; only processes started here are stopped (by pid).
set -u
cd "$(dirname "$0")/.."  # native/
ROOT=$(cd .. && pwd)
VERSION=$(node -p "require('$ROOT/package.json').version")
LIB=${LIB:-$ROOT/build/onec-websocket_Linux_x86_64_$VERSION.so}
DRIVER=${DRIVER:-$PWD/obj/driver}
[ -f "$LIB" ] || { echo "missing $LIB (npm run build:native)"; exit 2; }
[ -x "$DRIVER" ] || make -s driver || exit 2

TMP=$(mktemp -d)
export ONEC_WEBSOCKET_DIR=$TMP/rt ONEC_WEBSOCKET_IDLE_MS=3000
unset ONEC_WEBSOCKET_NODE
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  local engine
  engine=$(pgrep -f "$TMP/rt/engine-") && kill $engine 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

passed=0
failed=0
step() {  # step NAME COMMAND...: passes when the command exits 0
  local name=$1
  shift
  if "$@" >"$TMP/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    sed 's/^/     /' "$TMP/out"
  fi
}
drive() { timeout 60 "$DRIVER" "$LIB" "$@"; }
# connected PATH: waits (up to 30 s) until the echo server has accepted a connection on PATH
connected() {
  for _ in $(seq 300); do grep -qx "$1" "$TMP/paths" 2>/dev/null && return 0; sleep 0.1; done
  echo "no connection on $1 within 30 s"
  return 1
}
# kill_engine: SIGKILL the engine serving $TMP/rt (fails when there is none)
kill_engine() {
  local engine
  engine=$(pgrep -f "$TMP/rt/engine-") || { echo "no engine process to kill"; return 1; }
  kill -9 $engine
}

# a local echo server (ws from the project's node_modules)
cat >"$TMP/echo.cjs" <<'EOF'
const { WebSocketServer } = require(process.argv[2]);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws, request) => {
  require('fs').appendFileSync(process.argv[3], request.url + '\n');
  ws.on('message', (data, binary) => ws.send(data, { binary }));
});
wss.on('listening', () => console.log(wss.address().port));
setTimeout(() => process.exit(0), 300000);
EOF
node "$TMP/echo.cjs" "$ROOT/node_modules/ws" "$TMP/paths" >"$TMP/port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
URL=ws://127.0.0.1:$PORT

step "exports: only the five entry points" bash -c "
  [ \"\$(nm -D --defined-only '$LIB' | awk '{print \$3}' | sort | tr '\n' ' ')\" = \
    'DestroyObject GetAttachType GetClassNames GetClassObject SetPlatformCapabilities ' ]"
step "binary contract checks" drive abi
step "echo: Cyrillic and emoji, out-parameter" drive new Client \
  get Статус expect n:0 \
  call Подключиться "s:$URL/path" expect b:1 \
  get Status expect n:1 \
  call Отправить "s:Привет, мир 😀 ase1ЦУ" expect b:1 \
  call Получить n:2000 - expect b:1 expect-param 2 "s:Привет, мир 😀 ase1ЦУ" \
  call Receive n:300 s:old expect b:0 expect-param 2 "s:" \
  call Отключиться expect b:1 call Отключиться expect b:1
step "server and two clients" drive new Server \
  call Запустить s:127.0.0.1 n:0 xcall Запустить s:127.0.0.1 n:1 \
  new Server call Run s:127.0.0.1 n:$((PORT + 1)) \
  new Client call Connect "s:ws://127.0.0.1:$((PORT + 1))/first" \
  call Send "s:ase1ЙЦУ 🙂" \
  use 1 call Receive n:2000 n:0 - expect b:1 expect-param 3 "s:ase1ЙЦУ 🙂" \
  call Отключить n:1 expect b:1 call Stop
step "ПринятьСообщение and ИДОтправителя (hosts without out-parameters)" drive new Server \
  call Run s:127.0.0.1 n:$((PORT + 2)) \
  new Client call Connect "s:ws://127.0.0.1:$((PORT + 2))/message" call Send "s:первое 😀" \
  use 0 call ПринятьСообщение n:2000 expect "s:первое 😀" get ИДОтправителя expect n:1 \
  call ReceiveMessage n:100 expect u get SenderID expect n:0 \
  call Send n:1 s:ответ use 1 call ПринятьСообщение n:2000 expect s:ответ call ReceiveMessage n:100 expect u \
  use 0 call Stop
step "ErrorDescription after a failure (English)" drive new Client lang en \
  xcall Send s:x call ErrorDescription expect "s:Not connected to a server: call Connect() first"
step "DestroyObject during a blocked Receive(0)" drive new Client \
  call Connect "s:$URL/a" async-destroy 300 Receive n:0 -

# engine killed while a Receive(0) blocks: engineLost, then the policies
drive new Client lang en call Connect "s:$URL/lost" xcall Receive n:0 - \
  get Status expect n:-1 get Server expect s: \
  xcall Send s:x call Disconnect expect b:1 \
  call Connect "s:$URL/again" expect b:1 call Send s:back call Receive n:2000 - expect-param 2 s:back \
  >"$TMP/lost" 2>&1 &
LOST=$!
# killed once the driver is connected and (a moment later) blocked in Receive(0)
connected /lost >>"$TMP/lost" && sleep 0.3 && kill_engine >>"$TMP/lost"
if wait $LOST && grep -q "fail 1006 AddIn.WebSocket The WebSocket add-in engine process ended" "$TMP/lost"; then
  passed=$((passed + 1)); echo "ok   engine lost: engineLost, whenEngineLost values, error/succeed/restart policies"
else
  failed=$((failed + 1)); echo "FAIL engine lost"; sed 's/^/     /' "$TMP/lost"
fi

# engine killed between calls: the next calls already follow the policies
drive new Client lang en call Connect "s:$URL/idle" sleep 3000 \
  get Status expect n:-1 call Disconnect expect b:1 \
  call Connect "s:$URL/idle2" expect b:1 call Send s:z call Receive n:2000 - expect-param 2 s:z \
  >"$TMP/idle" 2>&1 &
IDLE=$!
# killed while the driver sleeps between Connect and Status
connected /idle >>"$TMP/idle" && kill_engine >>"$TMP/idle"
if wait $IDLE; then
  passed=$((passed + 1)); echo "ok   engine lost between calls: Status -1, Disconnect succeeds, Connect restarts"
else
  failed=$((failed + 1)); echo "FAIL engine lost between calls"; sed 's/^/     /' "$TMP/idle"
fi

# passes the library's version check, then fails to start the engine
printf '#!/bin/sh\n[ "$1" = --version ] && { echo v22.0.0; exit 0; }\necho "fake node: cannot start" >&2\nexit 1\n' >"$TMP/fakenode"
chmod +x "$TMP/fakenode"
step "engine start failure shows the log" bash -c "
  ONEC_WEBSOCKET_DIR='$TMP/rt2' ONEC_WEBSOCKET_NODE='$TMP/fakenode' '$DRIVER' '$LIB' new Client lang en xget Status |
  grep -q 'Could not start the WebSocket add-in engine: fake node: cannot start'"
ln -s "$TMP/rt" "$TMP/link"
step "a symlinked runtime dir is refused" bash -c "
  ONEC_WEBSOCKET_DIR='$TMP/link' '$DRIVER' '$LIB' new Client lang en xget Status |
  grep -q 'is unsafe: symbolic link'"
mkdir -m 0755 "$TMP/open"
step "a too open runtime dir is tightened to 0700" bash -c "
  ONEC_WEBSOCKET_DIR='$TMP/open' ONEC_WEBSOCKET_IDLE_MS=500 '$DRIVER' '$LIB' new Client get Status expect n:0 &&
  [ \"\$(stat -c %a '$TMP/open')\" = 700 ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
