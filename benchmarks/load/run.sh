#!/usr/bin/env bash
# The load test of issue 13.2, bounded and on loopback only:
#   benchmarks/load/run.sh                       # full: 200 learners, 20 coordinators, 10 min
#   LEARNERS=40 COORDINATORS=4 DURATION=2m benchmarks/load/run.sh   # a short one
# Makes (drops first) the PostgreSQL database $LOAD_DB (muster_load) on 127.0.0.1,
# serves it with gunicorn (gunicorn.conf.py; MUSTER_WEB_WORKERS and
# MUSTER_WEB_THREADS as set) on 127.0.0.1:$PORT with database connections kept
# between requests (MUSTER_DB_CONN_MAX_AGE, 60 s as docs/deploy.md recommends),
# runs locust headless for DURATION, then counts heartbeats and attempts in the
# database (count.py). Two runs side by side need their own LOAD_DB, PORT and OUT.
# Users arrive RATE a second (a sign-in burst of a whole shift, not all at one
# instant); the figures are reset once all have arrived (--reset-stats), so they
# describe DURATION of steady traffic, which follows the ramp.
set -euo pipefail
cd "$(dirname "$0")/../.."
LEARNERS=${LEARNERS:-200}
COORDINATORS=${COORDINATORS:-20}
DURATION=${DURATION:-10m}
RATE=${RATE:-4}
PORT=${PORT:-8765}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
LOAD_DB=${LOAD_DB:-muster_load}
OUT=${OUT:-var/load}
mkdir -p "$OUT"
export DATABASE_URL="$PG/$LOAD_DB" MUSTER_DEBUG=0 MUSTER_SECURE_COOKIES=0 \
  MUSTER_SSL_REDIRECT=0 MUSTER_SECRET_KEY=load-test-only-not-secret \
  MUSTER_BIND="127.0.0.1:$PORT" MUSTER_ALLOWED_HOSTS=127.0.0.1 \
  MUSTER_DB_CONN_MAX_AGE="${MUSTER_DB_CONN_MAX_AGE:-60}" \
  LEARNERS COORDINATORS LOAD_PREPARED="$OUT/prepared.json" LOAD_COUNTS="$OUT/counts.json"
case "$LOAD_DB" in *[!a-z0-9_]*) echo "LOAD_DB: letters, digits and _ only" >&2; exit 2 ;; esac
psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $LOAD_DB" -c "CREATE DATABASE $LOAD_DB"
.venv/bin/python benchmarks/load/prepare.py "$OUT/prepared.json"
[ -f var/static/staticfiles.json ] || .venv/bin/python manage.py collectstatic --no-input --verbosity 0
.venv/bin/gunicorn muster.wsgi -c gunicorn.conf.py > "$OUT/gunicorn.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/health/" > /dev/null && break; sleep 1; done
users=$((LEARNERS + COORDINATORS))
case "$DURATION" in
  *m) steady=$(( ${DURATION%m} * 60 )) ;;
  *s) steady=${DURATION%s} ;;
  *) steady=$DURATION ;;
esac
ramp=$(( (users + RATE - 1) / RATE + 5 ))
.venv/bin/locust -f benchmarks/load/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u "$users" -r "$RATE" -t "$(( steady + ramp ))s" --reset-stats --stop-timeout 10 \
  --csv "$OUT/locust" --only-summary > "$OUT/locust.txt" 2>&1 || true
kill $server; wait $server 2>/dev/null || true
tail -40 "$OUT/locust.txt"
.venv/bin/python benchmarks/load/count.py "$OUT/counts.json"
