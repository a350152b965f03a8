#!/usr/bin/env bash
# Hold a running app's sync API to its OpenAPI document as an outside integrator would: the
# schemathesis CLI with every check (--checks all) over the examples, coverage, fuzzing and
# stateful phases, logged in as an inspector, then logged out. Before them, a photo is walked
# through its routes (tests/photo_chain.py: announced, asked after, sent in pieces), each answer
# held to every check, since the stateful phase reaches a stored piece only by chance.
# Exits non-zero on any failure.
#
#   make run                                  # in another terminal: the app with demo data
#   tests/api_contract.sh                     # http://127.0.0.1:5000, 200 examples, seed 1
#   tests/api_contract.sh http://127.0.0.1:5101
#
# Settings (environment): API_USER (inspector), API_PASSWORD (demo1234), EXAMPLES (200),
# LOGGED_OUT_EXAMPLES (50), SEED (1), SCHEMATHESIS (the project's .venv/bin/schemathesis),
# PYTHON (the project's .venv/bin/python).
# It writes through the API as the user does: run it against demo data, not a real park's.
set -euo pipefail

base="${1:-http://127.0.0.1:5000}"
base="${base%/}"
user="${API_USER:-inspector}"
password="${API_PASSWORD:-demo1234}"
examples="${EXAMPLES:-200}"
logged_out_examples="${LOGGED_OUT_EXAMPLES:-50}"
seed="${SEED:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
schemathesis="${SCHEMATHESIS:-$root/.venv/bin/schemathesis}"
python="${PYTHON:-$root/.venv/bin/python}"
# Flask-Login's session protection ties the login to the device: log in and test as one agent.
agent="inspection-contract/1"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jar="$work/cookies"

token=$(curl -fsS -c "$jar" -A "$agent" "$base/login" |
	grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" -A "$agent" \
	--data-urlencode "csrf_token=$token" --data-urlencode "username=$user" \
	--data-urlencode "password=$password" "$base/login")
# The session call puts the write token in the session: take the cookie after it.
csrf=$(curl -fsS -b "$jar" -c "$jar" -A "$agent" "$base/api/v1/session" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])') || {
	echo "Could not log in to $base as $user (login answered $status)." >&2
	exit 1
}
session=$(awk '$6 == "session" { print $7 }' "$jar")

cat >"$work/logged-in.toml" <<EOF
headers = { User-Agent = "$agent" }
[auth.openapi.session]
api_key = "$session"
[auth.openapi.csrf]
api_key = "$csrf"
EOF
cat >"$work/logged-out.toml" <<EOF
headers = { User-Agent = "$agent" }
EOF

run() {
	local config="$1" count="$2"
	"$schemathesis" --config-file "$config" run "$base/api/v1/openapi.json" \
		--checks all --phases examples,coverage,fuzzing,stateful \
		--max-examples "$count" --seed "$seed" --workers 1
}

failed=0
echo "=== A photo through its routes as $user, every check on each answer"
(cd "$root" && "$python" -m tests.photo_chain "$base" "$session" "$csrf" "$agent") || failed=1
echo "=== Logged in as $user: every check, $examples examples per operation, seed $seed"
run "$work/logged-in.toml" "$examples" || failed=1
echo "=== Logged out: every check, $logged_out_examples examples per operation, seed $seed"
echo "    (its warning that the operations answered only 401 is what this run expects)"
run "$work/logged-out.toml" "$logged_out_examples" || failed=1
if [ "$failed" = 0 ]; then
	echo "The API does what its document says: 0 failures."
else
	echo "The API and its document disagree: see the failures above." >&2
fi
exit "$failed"
