#!/usr/bin/env bash
# Mutation testing with gremlins (pinned below): each mutant (a flipped
# comparison, an off-by-one, a negated condition...) is compiled into a copy
# of the module and the package's tests are run against it; a mutant the
# tests do not notice ("LIVED") marks code no test really checks.
#
#   bash bench/mutation.sh                      # corpus, query, internal/search
#   bash bench/mutation.sh ./query              # one package
#   FILES="scorch.go tophits.go" bash bench/mutation.sh ./internal/search
#                                               # only these files of the package
#
# GREMLINS_FLAGS adds flags (GREMLINS_FLAGS=--dry-run lists the mutants).
# WORKERS (default 1) and TIMEOUT_COEFFICIENT (default 40: a test run may
# take 40 times the coverage run, which leaves room for the compile of each
# mutant on a loaded machine) are passed on. A mutant that makes the tests
# loop is reported TIMED OUT: go test's own timeout would fail it.
# internal/search has about 1,100 mutants and its tests take 10-30 s each,
# hours in all: use FILES, or bench/cmd/mutants (the same mutants, only the
# tests that reach each one, -sample for a random sample), which the scores
# in docs/mutation.md come from.
set -euo pipefail
GREMLINS=github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
cd "$(dirname "$0")/.."
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./corpus ./query ./internal/search)
for pkg in "${pkgs[@]}"; do
	args=(--workers "${WORKERS:-1}" --timeout-coefficient "${TIMEOUT_COEFFICIENT:-40}" -E '(^|/)synth/')
	if [ -n "${FILES:-}" ]; then
		for f in "$pkg"/*.go; do
			b=$(basename "$f")
			case "$b" in *_test.go) continue ;; esac
			case " $FILES " in *" $b "*) ;; *) args+=(-E "(^|/)${b//./\\.}\$") ;; esac
		done
	fi
	echo "== $pkg"
	# shellcheck disable=SC2086
	go run "$GREMLINS" unleash "${args[@]}" ${GREMLINS_FLAGS:-} "$pkg"
done
