#!/usr/bin/env bash
# Import benchmark: `roibot import online-retail` of the whole UCI Online
# Retail file (541,909 lines: parse, validate, customers, products, orders
# and order lines, idempotent merge) against pandas.read_csv + COPY of the
# same file into one table, both into the same embedded PostgreSQL
# (scripts/db.sh, default settings), interleaved A B B A ... so that load on
# the machine falls on both alike. Each round uses fresh schemas.
#
#   scripts/bench-import.sh [ROUNDS]      (default 3)
#
# Needs a Python with pandas and psycopg outside the repository:
#   python3 -m venv /work/venvs/db && /work/venvs/db/bin/pip install pandas 'psycopg[binary]'
# Environment: ROIBOT_BENCH_PYTHON (default /work/venvs/db/bin/python),
# ROIBOT_BENCH_DB_PORT (default 54331; a throw-away server is started on it
# and removed at the end).
#
# roibot's time is the whole command (process start, migrations check,
# import); pandas' time is read_csv + COPY measured inside Python, without
# the interpreter's start or the imports of pandas and psycopg.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
py="${ROIBOT_BENCH_PYTHON:-/work/venvs/db/bin/python}"
file=data/online-retail/online_retail.csv.gz
"$py" -c 'import pandas, psycopg' 2>/dev/null ||
  { echo "bench-import: $py lacks pandas or psycopg (see the header of $0)" >&2; exit 1; }

export ROIBOT_DB_PORT="${ROIBOT_BENCH_DB_PORT:-54331}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/roibot-benchdb-XXXXXX")
chmod 755 "$tmp"
export ROIBOT_DB_DIR="$tmp/data"
unset ROIBOT_DB_FAST
cleanup() { scripts/db.sh stop || true; rm -rf "$tmp"; }
trap cleanup EXIT
url=$(scripts/db.sh start)
go build -o "$tmp/roibot" ./cmd/roibot

cat >"$tmp/pandas_copy.py" <<'EOF'
import io, sys, time
import pandas as pd
import psycopg

url, schema, path = sys.argv[1:4]
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute(f"create schema {schema}")
    conn.execute(f"""create table {schema}.online_retail (
        invoice_no text, stock_code text, description text, quantity bigint,
        invoice_date timestamp, unit_price double precision, customer_id double precision, country text)""")
    t0 = time.perf_counter()
    df = pd.read_csv(path, parse_dates=["InvoiceDate"])
    buf = io.StringIO()
    df.to_csv(buf, index=False, header=False)
    with conn.cursor() as cur:
        with cur.copy(f"copy {schema}.online_retail from stdin (format csv)") as cp:
            cp.write(buf.getvalue())
    dt = time.perf_counter() - t0
    n = conn.execute(f"select count(*) from {schema}.online_retail").fetchone()[0]
print(f"{dt:.2f} {n}")
EOF

now() { date +%s.%N; }
roibot_round() {
  local schema=$1 t0 t1
  ROIBOT_DB_SCHEMA=$schema DATABASE_URL=$url "$tmp/roibot" migrate >/dev/null
  t0=$(now)
  ROIBOT_DB_SCHEMA=$schema DATABASE_URL=$url "$tmp/roibot" import online-retail "$file" >"$tmp/$schema.log"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' 
}
pandas_round() { "$py" "$tmp/pandas_copy.py" "$url" "$1" "$file" | cut -d' ' -f1; }

echo "server: $url ($("$(scripts/db.sh install)/postgres" --version))"
echo "round roibot_s pandas_s"
r_all=() p_all=()
for i in $(seq 1 "$rounds"); do
  if [ $((i % 2)) = 1 ]; then
    r=$(roibot_round "bench_roibot_$i"); p=$(pandas_round "bench_pandas_$i")
  else
    p=$(pandas_round "bench_pandas_$i"); r=$(roibot_round "bench_roibot_$i")
  fi
  printf '%s %.2f %.2f\n' "$i" "$r" "$p"
  r_all+=("$r") p_all+=("$p")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rm=$(median "${r_all[@]}") pm=$(median "${p_all[@]}")
printf 'median roibot %.2f s, pandas %.2f s, roibot/pandas %.2f\n' "$rm" "$pm" "$(awk -v a="$rm" -v b="$pm" 'BEGIN {print a / b}')"
tail -n 3 "$tmp/bench_roibot_1.log"
